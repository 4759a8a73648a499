/** nn.Seq2Seq: an Encoder, a Bridge and an attention Decoder composed into one sequence-to-sequence model. */
import { ValueError, checkOptions, fmtValue } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { zerosOf } from '../../tensor/ops/common.js';
import { add } from '../../tensor/ops/elementwise.js';
import { indexSelect } from '../../tensor/ops/indexing.js';
import { reshape } from '../../tensor/ops/view.js';
import { Tensor } from '../../tensor/tensor.js';
import { selectMemoryRows, type AttentionMemory } from '../attention/attention.js';
import type { CellKind } from '../language_model.js';
import { crossEntropy } from '../losses/cross_entropy.js';
import { Module, positiveInt } from '../module.js';
import type { RecurrentCell } from '../rnn/cell.js';
import { Bridge, type BridgeKind } from './bridge.js';
import { Decoder, type AttentionStyle, type DecoderForwardOptions, type DecoderOutput, type DecoderState } from './decoder.js';
import type { DecoderAttention } from './decoder_attention.js';
import { Encoder } from './encoder.js';
import type { StepwiseDecoder } from './stepwise_decoder.js';

export interface Seq2SeqOptions {
  /** Number of source token ids. */
  sourceVocabSize: number;
  /** Number of target token ids (padding, BOS and EOS included). */
  targetVocabSize: number;
  /** H: hidden size of each encoder direction and of the decoder; default 256. */
  hiddenSize?: number;
  /** Embedding size of both sides; default hiddenSize. */
  embeddingDim?: number;
  /** Encoder layers; default 1. */
  encoderLayers?: number;
  /** Decoder layers (≤ encoderLayers unless bridge is 'zero'); default 1. */
  decoderLayers?: number;
  /** Recurrent cell of both sides; default 'lstm'. */
  cell?: CellKind;
  /** A user's RecurrentCell as the decoder's core instead (it starts from its zeroState: bridge 'zero'). */
  decoderCell?: RecurrentCell;
  /** Bidirectional encoder; default true. */
  bidirectional?: boolean;
  /** Attention score; default 'general' (Luong style) or 'bahdanau' (Bahdanau style). */
  attention?: DecoderAttention;
  /** Hidden size of the 'bahdanau' and 'concat' scores; default hiddenSize. */
  attentionDim?: number;
  /** Attend after the decoder step ('luong', default) or before it ('bahdanau'). */
  style?: AttentionStyle;
  /** Luong style: input feeding; default true. */
  inputFeeding?: boolean;
  /** Encoder final states → decoder initial states: 'linear' (default), 'copy' or 'zero'. */
  bridge?: BridgeKind;
  /** Dropout on embeddings, between layers, on the memory and on the attentional output; default 0. */
  dropout?: number;
  /** Padding id of both sides (zero embedding, ignored by the loss); default 0. */
  paddingIdx?: number;
  /** Target begin-of-sequence id, fed at the first decoder step; default 1. */
  bosId?: number;
  /** Target end-of-sequence id; default 2. */
  eosId?: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** A batch of sources encoded once, ready for any number of decoder steps. */
export interface EncodedSource {
  /** The memory prepared for attention, or null without attention. */
  memory: AttentionMemory | null;
  /** The decoder's state before its first step. */
  state: DecoderState;
  /** Source lengths (N). */
  lengths: Int32Array;
}

/** The state of stepwise decoding: the decoder's state and the memory, row for row. */
export interface Seq2SeqDecodingState {
  decoder: DecoderState;
  memory: AttentionMemory | null;
  /** The input each row decodes (its memory row is that input's). */
  origin: Int32Array;
}

/** The loss of a batch: mean label-smoothed cross-entropy over the real target tokens, their count and how many the model's arg max got right. */
export interface Seq2SeqLoss {
  loss: Tensor;
  count: number;
  correct: number;
}

/**
 * An encoder–decoder with attention (Cho et al., 2014; Bahdanau, Cho and Bengio, 2015; Luong,
 * Pham and Manning, 2015): nn.Encoder reads the source (bidirectional by default, packed over the
 * real steps), nn.Bridge maps its final states to the decoder's initial states (concatenating the
 * two directions, then linear + tanh, as OpenNMT), and nn.Decoder generates the target attending
 * over the encoder's outputs.
 *
 * Submodules `encoder`, `bridge` (absent for a user's decoder cell or `bridge: 'zero'`), `decoder`;
 * state-dict keys such as `encoder.rnn.weight_ih_l0_reverse`, `bridge.h_proj.weight`,
 * `decoder.attention.key_proj.weight`, `decoder.out.bias`.
 *
 * Shapes: source (N, S) int32 padded with paddingIdx, lengths (N); targetIn (N, T) = BOS then the
 * reference; targetOut (N, T) = the reference then EOS, padded with paddingIdx → logits (N, T, V).
 *
 * @example
 * import { crossEntropy, nn, tensor } from 'recurrent';
 * const model = new nn.Seq2Seq({ sourceVocabSize: 20, targetVocabSize: 15, hiddenSize: 16 });
 * const source = tensor([[5, 6, 7], [8, 9, 0]], { dtype: 'int32' });
 * const targetIn = tensor([[1, 4, 5], [1, 6, 0]], { dtype: 'int32' }); // BOS = 1, padding = 0
 * const targetOut = tensor([[4, 5, 2], [6, 2, 0]], { dtype: 'int32' }); // EOS = 2
 * const { logits } = model.forward(source, [3, 2], targetIn);
 * logits.shape; // [2, 3, 15]
 * const { loss } = model.loss(logits, targetOut, { labelSmoothing: 0.1 });
 * loss.backward();
 */
export class Seq2Seq extends Module {
  readonly encoder: Encoder;
  readonly bridge: Bridge | null;
  readonly decoder: Decoder;
  readonly paddingIdx: number;
  readonly bosId: number;
  readonly eosId: number;

  constructor(options: Seq2SeqOptions) {
    super();
    const op = 'Seq2Seq';
    checkOptions(op, options, {
      sourceVocabSize: true,
      targetVocabSize: true,
      hiddenSize: true,
      embeddingDim: true,
      encoderLayers: true,
      decoderLayers: true,
      cell: true,
      decoderCell: true,
      bidirectional: true,
      attention: true,
      attentionDim: true,
      style: true,
      inputFeeding: true,
      bridge: true,
      dropout: true,
      paddingIdx: true,
      bosId: true,
      eosId: true,
      dtype: true,
    });
    const targetVocab = positiveInt(op, 'targetVocabSize', options.targetVocabSize);
    const id = (name: 'paddingIdx' | 'bosId' | 'eosId', fallback: number): number => {
      const value = options[name] ?? fallback;
      if (!Number.isInteger(value) || value < 0 || value >= targetVocab) {
        throw new ValueError(`${op}: ${name} must be an integer in [0, ${targetVocab}) (targetVocabSize ${targetVocab}); got ${fmtValue(value)}`);
      }
      return value;
    };
    this.paddingIdx = id('paddingIdx', 0);
    this.bosId = id('bosId', 1);
    this.eosId = id('eosId', 2);
    const hiddenSize = positiveInt(op, 'hiddenSize', options.hiddenSize ?? 256);
    const encoderLayers = positiveInt(op, 'encoderLayers', options.encoderLayers ?? 1);
    const decoderLayers = positiveInt(op, 'decoderLayers', options.decoderLayers ?? 1);
    const cell = options.cell ?? 'lstm';
    const dtype = options.dtype ?? 'float32';
    const common = { embeddingDim: options.embeddingDim, dropout: options.dropout, paddingIdx: this.paddingIdx, dtype };
    this.encoder = this.registerModule(
      'encoder',
      new Encoder({ vocabSize: options.sourceVocabSize, hiddenSize, numLayers: encoderLayers, cell, bidirectional: options.bidirectional ?? true, ...common }),
    );
    const bridge = options.bridge ?? (options.decoderCell === undefined ? 'linear' : 'zero');
    if (options.decoderCell !== undefined && bridge !== 'zero') {
      throw new ValueError(`${op}: a user's decoderCell starts from its zeroState; bridge must be 'zero'; got '${bridge}'`);
    }
    this.bridge =
      bridge === 'zero'
        ? null
        : this.registerModule(
            'bridge',
            new Bridge({
              encoderHiddenSize: hiddenSize,
              encoderDirections: this.encoder.rnn.numDirections as 1 | 2,
              encoderLayers,
              decoderHiddenSize: hiddenSize,
              decoderLayers,
              decoderStates: cell === 'lstm' ? 2 : 1,
              kind: bridge,
              dtype,
            }),
          );
    this.decoder = this.registerModule(
      'decoder',
      new Decoder({
        vocabSize: targetVocab,
        memorySize: this.encoder.memorySize,
        hiddenSize: options.decoderCell === undefined ? hiddenSize : undefined,
        numLayers: options.decoderCell === undefined ? decoderLayers : undefined,
        cell: options.decoderCell ?? cell,
        attention: options.attention,
        attentionDim: options.attentionDim,
        style: options.style,
        inputFeeding: options.inputFeeding,
        ...common,
      }),
    );
  }

  /** Encodes the sources (N, S) with their lengths (default all S) and prepares the decoder's start. */
  encode(source: Tensor, lengths?: readonly number[] | Int32Array): EncodedSource {
    const encoded = this.encoder.forward(source, lengths);
    const batch = source.shape[0]!;
    const state = this.decoder.initialState(batch, this.bridge === null ? undefined : this.bridge.forward(encoded.states));
    return { memory: this.decoder.prepareMemory(encoded.memory, encoded.lengths), state, lengths: encoded.lengths };
  }

  /** Teacher-forced (or scheduled-sampling) decoding of targetIn (N, T): `{ logits (N, T, V), attention (N, T, S), state }`. */
  forward(source: Tensor, lengths: readonly number[] | Int32Array | undefined, targetIn: Tensor, options: DecoderForwardOptions = {}): DecoderOutput {
    const { memory, state } = this.encode(source, lengths);
    return this.decoder.forward(targetIn, state, memory, options);
  }

  /**
   * Mean cross-entropy of logits (N, T, V) against targetOut (N, T), ignoring padding positions,
   * with label smoothing ε spread over the vocabulary (default 0), as torch's cross_entropy.
   */
  loss(logits: Tensor, targetOut: Tensor, options: { labelSmoothing?: number } = {}): Seq2SeqLoss {
    const V = this.decoder.vocabSize;
    const flat = reshape(logits, [-1, V]);
    const target = reshape(targetOut, [-1]);
    const loss = crossEntropy(flat, target, { ignoreIndex: this.paddingIdx, labelSmoothing: options.labelSmoothing ?? 0 });
    let count = 0;
    let correct = 0;
    const values = flat.data;
    for (let i = 0; i < target.size; i++) {
      const y = target.data[i]!;
      if (y === this.paddingIdx) continue;
      count++;
      let best = 0;
      for (let v = 1; v < V; v++) if (values[i * V + v]! > values[i * V + best]!) best = v;
      if (best === y) correct++;
    }
    return { loss, count, correct };
  }

  /**
   * Stepwise decoding of the sources (N, S), for greedyDecode, sampleDecode and beamDecode. The
   * padding and BOS ids are never outputs: their logits are −∞.
   */
  stepper(source: Tensor, lengths?: readonly number[] | Int32Array): StepwiseDecoder<Seq2SeqDecodingState> {
    const { memory, state } = this.encode(source, lengths);
    const V = this.decoder.vocabSize;
    const forbidden = zerosOf(this.decoder.out.weight.dtype, [1, V]);
    for (const id of [this.paddingIdx, this.bosId]) if (id !== this.eosId) forbidden.data[id] = -Infinity;
    return {
      batch: source.shape[0]!,
      initial: { decoder: state, memory, origin: Int32Array.from({ length: source.shape[0]! }, (_, n) => n) },
      bosId: this.bosId,
      eosId: this.eosId,
      step: (tokens, s) => {
        const out = this.decoder.step(tokens, s.decoder, s.memory);
        return { logits: add(out.logits, forbidden), attention: out.attention, state: { ...s, decoder: out.state } };
      },
      reorder: (s, rows) => reorderDecodingState(s, rows),
    };
  }
}

/**
 * The state whose row r is row `rows[r]` of `s`. A memory row depends only on the input it
 * encodes, so when every row keeps decoding the same input as before (beam search reordering
 * hypotheses within their input) the memory is kept as it is, and re-selected otherwise (the
 * expansion to one row per hypothesis).
 */
export function reorderDecodingState(s: Seq2SeqDecodingState, rows: Int32Array): Seq2SeqDecodingState {
  const index = new Tensor(Int32Array.from(rows), [rows.length]);
  const pick = (t: Tensor | null): Tensor | null => (t === null ? null : indexSelect(t, 0, index));
  const d = s.decoder;
  const decoder: DecoderState = { cell: d.cell.map((t) => pick(t)!), output: pick(d.output), feed: pick(d.feed) };
  const origin = Int32Array.from(rows, (r) => s.origin[r]!);
  const unchanged = origin.length === s.origin.length && origin.every((o, r) => o === s.origin[r]);
  return { decoder, origin, memory: s.memory === null || unchanged ? s.memory : selectMemoryRows(s.memory, rows) };
}
