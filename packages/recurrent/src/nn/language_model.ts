/** A recurrent language model: embedding → stacked RNN/LSTM/GRU → linear decoder over the vocabulary. */
import { checkOptions, ValueError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { dropout } from '../tensor/ops/dropout.js';
import type { Tensor } from '../tensor/tensor.js';
import { Embedding } from './embedding.js';
import { Linear } from './linear.js';
import { Module, positiveInt } from './module.js';
import { GRU } from './rnn/gru.js';
import { LSTM } from './rnn/lstm.js';
import { RNN } from './rnn/rnn.js';

/** The recurrent cells a LanguageModel can use (and the CLI's --cell choices). */
export const CELL_KINDS = ['lstm', 'gru', 'rnn'] as const;
export type CellKind = (typeof CELL_KINDS)[number];
/** The recurrent state: h, or [h, c] for an LSTM; each (numLayers, B, H). */
export type RecurrentState = Tensor | [Tensor, Tensor];

export interface LanguageModelOptions {
  /** Number of token ids. */
  vocabSize: number;
  /** Recurrent cell; default 'lstm'. */
  cell?: CellKind;
  /** Embedding size; default hiddenSize. */
  embeddingDim?: number;
  /** Hidden size of every recurrent layer; default 256. */
  hiddenSize?: number;
  /** Stacked recurrent layers; default 1. */
  numLayers?: number;
  /** Dropout on the embeddings, between layers and before the decoder (training only); default 0. */
  dropout?: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * Predicts the next token at every step: logits_t = W_dec · rnn(embed(x_≤t)) + b_dec.
 *
 * Shapes: ids (T, B) int32 → logits (T, B, vocabSize); state as the recurrent layer's
 * (numLayers, B, hiddenSize), [h, c] for an LSTM. Submodules `embedding`, `rnn`, `decoder`, so
 * state-dict keys read `embedding.weight`, `rnn.weight_ih_l0`, `decoder.bias`.
 *
 * @example
 * import { nn, randint } from 'recurrent';
 * const lm = new nn.LanguageModel({ vocabSize: 80, hiddenSize: 128 });
 * const ids = randint(0, 80, [35, 4], { dtype: 'int32' }); // (T, B)
 * const [logits, state] = lm.forward(ids);
 * logits.shape; // [35, 4, 80]
 * const nextIds = randint(0, 80, [35, 4], { dtype: 'int32' });
 * const [next] = lm.forward(nextIds, nn.detachState(state)); // truncated BPTT: the next window
 */
export class LanguageModel extends Module {
  readonly options: Required<Omit<LanguageModelOptions, 'dtype'>> & { dtype: DType };
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU | RNN;
  readonly decoder: Linear;

  constructor(options: LanguageModelOptions) {
    super();
    checkOptions('LanguageModel', options, { vocabSize: true, cell: true, embeddingDim: true, hiddenSize: true, numLayers: true, dropout: true, dtype: true });
    // Checked here, so that errors name the option given (embeddingDim defaults to hiddenSize, and
    // dropout reaches the recurrent layer only when there are two or more).
    const hiddenSize = positiveInt('LanguageModel', 'hiddenSize', options.hiddenSize ?? 256);
    const cell = parseCellKind(options.cell ?? 'lstm', 'LanguageModel: cell');
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1))
      throw new ValueError(`LanguageModel: dropout must be a number in [0, 1]; got ${dropout}`);
    this.options = {
      vocabSize: positiveInt('LanguageModel', 'vocabSize', options.vocabSize),
      cell,
      embeddingDim: positiveInt('LanguageModel', 'embeddingDim', options.embeddingDim ?? hiddenSize),
      hiddenSize,
      numLayers: positiveInt('LanguageModel', 'numLayers', options.numLayers ?? 1),
      dropout,
      dtype: options.dtype ?? 'float32',
    };
    const o = this.options;
    this.embedding = this.registerModule('embedding', new Embedding({ numEmbeddings: o.vocabSize, embeddingDim: o.embeddingDim, dtype: o.dtype }));
    const rnnOptions = {
      inputSize: o.embeddingDim,
      hiddenSize: o.hiddenSize,
      numLayers: o.numLayers,
      dropout: o.numLayers > 1 ? o.dropout : 0,
      dtype: o.dtype,
    };
    this.rnn = this.registerModule('rnn', cell === 'lstm' ? new LSTM(rnnOptions) : cell === 'gru' ? new GRU(rnnOptions) : new RNN(rnnOptions));
    this.decoder = this.registerModule('decoder', new Linear({ inFeatures: o.hiddenSize, outFeatures: o.vocabSize, dtype: o.dtype }));
  }

  forward(ids: Tensor, state?: RecurrentState | null): [Tensor, RecurrentState] {
    const p = this.options.dropout;
    const x = dropout(this.embedding.forward(ids), p, this.training && p > 0);
    let out: Tensor;
    let next: RecurrentState;
    if (this.rnn instanceof LSTM) {
      [out, next] = this.rnn.forward(x, (state as [Tensor, Tensor] | null | undefined) ?? null);
    } else {
      [out, next] = this.rnn.forward(x, (state as Tensor | null | undefined) ?? null);
    }
    return [this.decoder.forward(dropout(out, p, this.training && p > 0)), next];
  }
}

/** The state with its history cut, to carry into the next window of truncated BPTT. */
export function detachState(state: RecurrentState): RecurrentState {
  return Array.isArray(state) ? [state[0].detach(), state[1].detach()] : state.detach();
}

/**
 * `value` as a CellKind, or a ValueError naming it as `argName` (e.g. '--cell', or
 * 'LanguageModel: cell'): the one check of a cell kind read from options, flags or a config file.
 */
export function parseCellKind(value: unknown, argName: string): CellKind {
  if (CELL_KINDS.includes(value as CellKind)) return value as CellKind;
  const got = typeof value === 'string' ? `'${value}'` : String(value);
  throw new ValueError(`${argName} must be ${CELL_KINDS.slice(0, -1).join(', ')} or ${CELL_KINDS.at(-1)}; got ${got}`);
}
