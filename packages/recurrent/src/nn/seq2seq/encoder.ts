/** nn.Encoder: the source side of an encoder–decoder — embedding, then a recurrent layer over packed variable-length input. */
import { ShapeError, ValueError, checkOptions, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { dropout } from '../../tensor/ops/dropout.js';
import { checkInt, checkTensor } from '../../tensor/ops/common.js';
import type { Tensor } from '../../tensor/tensor.js';
import { packPaddedSequence } from '../../sequence/pack.js';
import { padPackedSequence } from '../../sequence/pad.js';
import { Embedding } from '../embedding.js';
import { parseCellKind, type CellKind } from '../language_model.js';
import { Module, positiveInt } from '../module.js';
import { GRU } from '../rnn/gru.js';
import { LSTM } from '../rnn/lstm.js';
import { RNN } from '../rnn/rnn.js';

export interface EncoderOptions {
  /** Number of source token ids. */
  vocabSize: number;
  /** Embedding size; default hiddenSize. */
  embeddingDim?: number;
  /** Hidden size of each direction of every recurrent layer; default 256. */
  hiddenSize?: number;
  /** Stacked recurrent layers; default 1. */
  numLayers?: number;
  /** Recurrent cell; default 'lstm'. */
  cell?: CellKind;
  /** Run a reversed direction too and concatenate the two; default true. */
  bidirectional?: boolean;
  /** Dropout on the embeddings, between layers and on the memory (training only); default 0. */
  dropout?: number;
  /** Padding id: its embedding is zero and untrained; default 0 (null: no padding id). */
  paddingIdx?: number | null;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** What the encoder hands to the decoder. */
export interface EncoderOutput {
  /** The top layer's outputs (N, S, D·H), batch first, exactly zero past each source's length: the attention memory. */
  memory: Tensor;
  /** Final states as the recurrent layer returns them: [h] or, for an LSTM, [h, c]; each (D·numLayers, N, H), layer-major (index = layer·D + direction). */
  states: Tensor[];
  /** The source lengths (N). */
  lengths: Int32Array;
}

/**
 * Encodes padded token ids: memory = rnn(embed(source)) run over each source's real steps only
 * (packed, any order of lengths), so padding changes neither the memory nor the final states; the
 * final state of the reverse direction is the one after reading the first token, as in PyTorch.
 *
 * Shapes: source (N, S) int32 ids, lengths (N) each in [1, S] (default all S) → memory (N, S, D·H),
 * states (D·numLayers, N, H). D = 2 when bidirectional.
 * Submodules `embedding` (nn.Embedding) and `rnn` (nn.LSTM / nn.GRU / nn.RNN), so the state-dict
 * keys are `embedding.weight`, `rnn.weight_ih_l0`, `rnn.weight_ih_l0_reverse`, … (PyTorch's names).
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * const encoder = new nn.Encoder({ vocabSize: 20, hiddenSize: 8 });
 * const source = tensor([[5, 6, 7], [8, 9, 0]], { dtype: 'int32' }); // 0 pads the second source
 * const { memory, states } = encoder.forward(source, [3, 2]);
 * memory.shape; // [2, 3, 16]
 * states[0]!.shape; // [2, 2, 8]
 */
export class Encoder extends Module {
  readonly options: Required<Omit<EncoderOptions, 'dtype' | 'paddingIdx'>> & { dtype: DType; paddingIdx: number | null };
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU | RNN;

  constructor(options: EncoderOptions) {
    super();
    const op = 'Encoder';
    checkOptions(op, options, {
      vocabSize: true,
      embeddingDim: true,
      hiddenSize: true,
      numLayers: true,
      cell: true,
      bidirectional: true,
      dropout: true,
      paddingIdx: true,
      dtype: true,
    });
    const hiddenSize = positiveInt(op, 'hiddenSize', options.hiddenSize ?? 256);
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`${op}: dropout must be a number in [0, 1]; got ${String(p)}`);
    const bidirectional = options.bidirectional ?? true;
    if (typeof bidirectional !== 'boolean') throw new ValueError(`${op}: bidirectional must be a boolean; got ${String(bidirectional)}`);
    this.options = {
      vocabSize: positiveInt(op, 'vocabSize', options.vocabSize),
      embeddingDim: positiveInt(op, 'embeddingDim', options.embeddingDim ?? hiddenSize),
      hiddenSize,
      numLayers: positiveInt(op, 'numLayers', options.numLayers ?? 1),
      cell: parseCellKind(options.cell ?? 'lstm', `${op}: cell`),
      bidirectional,
      dropout: p,
      paddingIdx: options.paddingIdx === undefined ? 0 : options.paddingIdx,
      dtype: options.dtype ?? 'float32',
    };
    const o = this.options;
    this.embedding = this.registerModule(
      'embedding',
      new Embedding({ numEmbeddings: o.vocabSize, embeddingDim: o.embeddingDim, paddingIdx: o.paddingIdx, dtype: o.dtype }),
    );
    const rnnOptions = {
      inputSize: o.embeddingDim,
      hiddenSize: o.hiddenSize,
      numLayers: o.numLayers,
      bidirectional: o.bidirectional,
      dropout: o.numLayers > 1 ? o.dropout : 0,
      dtype: o.dtype,
    };
    this.rnn = this.registerModule('rnn', o.cell === 'lstm' ? new LSTM(rnnOptions) : o.cell === 'gru' ? new GRU(rnnOptions) : new RNN(rnnOptions));
  }

  /** D·H: the feature size of the memory. */
  get memorySize(): number {
    return this.rnn.numDirections * this.options.hiddenSize;
  }

  forward(source: Tensor, lengths?: readonly number[] | Int32Array): EncoderOutput {
    const op = 'Encoder';
    checkTensor(op, 'source', source);
    checkInt(op, 'source', source);
    if (source.ndim !== 2) throw new ShapeError(`${op}: source must be (N, S) token ids; got ${fmtShape(source.shape)}`);
    const [batch, steps] = [source.shape[0]!, source.shape[1]!];
    const lens = lengths === undefined ? new Int32Array(batch).fill(steps) : Int32Array.from(lengths);
    if (lens.length !== batch) throw new ShapeError(`${op}: lengths must have one entry per source (N = ${batch}); got ${lens.length}`);
    lens.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 1 || l > steps) throw new ValueError(`${op}: lengths[${i}] must be an integer in [1, ${steps}]; got ${l}`);
    });
    const p = this.options.dropout;
    const on = this.training && p > 0;
    const embedded = dropout(this.embedding.forward(source), p, on);
    const packed = packPaddedSequence(embedded, Array.from(lens), { batchFirst: true, enforceSorted: false });
    let out;
    let states: Tensor[];
    if (this.rnn instanceof LSTM) {
      const [o, [h, c]] = this.rnn.forward(packed);
      [out, states] = [o, [h, c]];
    } else {
      const [o, h] = this.rnn.forward(packed);
      [out, states] = [o, [h]];
    }
    const [memory] = padPackedSequence(out, { batchFirst: true, totalLength: steps });
    return { memory: dropout(memory, p, on), states, lengths: lens };
  }
}
