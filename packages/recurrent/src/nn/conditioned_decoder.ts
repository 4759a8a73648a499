/**
 * nn.ConditionedDecoder: a recurrent language model conditioned on a context vector (a summary
 * made by some earlier process: a class, an image code, a sentence embedding), by either or both
 * of the two couplings — the context sets the initial state through a learned projection, or is
 * concatenated to the input at every step.
 *
 * Shape legend: T time steps, N batch, V vocabulary, E embedding size, C context size, H hidden
 * size, L layers.
 */
import { DTypeError, ShapeError, ValueError, checkOptions, fmtShape } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { checkTensor, zerosOf } from '../tensor/ops/common.js';
import { dropout } from '../tensor/ops/dropout.js';
import { add, tanh } from '../tensor/ops/elementwise.js';
import { indexSelect } from '../tensor/ops/indexing.js';
import { concat } from '../tensor/ops/join.js';
import { expand, permute, reshape, unsqueeze } from '../tensor/ops/view.js';
import { Tensor } from '../tensor/tensor.js';
import { Embedding } from './embedding.js';
import { type CellKind, type RecurrentState, parseCellKind } from './language_model.js';
import { Linear } from './linear.js';
import { Module, paramDType, positiveInt } from './module.js';
import { GRU } from './rnn/gru.js';
import { LSTM } from './rnn/lstm.js';
import { RNN } from './rnn/rnn.js';
import type { StepwiseDecoder } from './seq2seq/stepwise_decoder.js';

/**
 * How the context reaches the decoder: 'init' as the initial state, 'input' concatenated to every
 * step's input, 'both', or 'none' (the context is ignored: the same model unconditioned, a baseline).
 */
export type ContextCoupling = 'init' | 'input' | 'both' | 'none';
export const CONTEXT_COUPLINGS: readonly ContextCoupling[] = ['init', 'input', 'both', 'none'];

export interface ConditionedDecoderOptions {
  /** V: number of token ids. */
  vocabSize: number;
  /** C: size of the context vector. */
  contextSize: number;
  /** How the context is coupled; default 'init'. */
  coupling?: ContextCoupling;
  /** Recurrent cell; default 'lstm'. */
  cell?: CellKind;
  /** E: embedding size; default hiddenSize. */
  embeddingDim?: number;
  /** H: hidden size of every recurrent layer; default 256. */
  hiddenSize?: number;
  /** L: stacked recurrent layers; default 1. */
  numLayers?: number;
  /**
   * For an LSTM under 'init' or 'both': which states the context sets. 'hc' (default): h₀ and c₀,
   * each through its own projection (as Show, Attend and Tell's init_h, init_c) — the cell memory
   * is what an LSTM carries furthest, so the context written there outlasts the first steps; 'h':
   * h₀ only, c₀ = 0 (fewer parameters; the context enters through h₀ alone). Ignored by GRU and
   * RNN, which have h only.
   */
  lstmInit?: 'hc' | 'h';
  /** Dropout on the embeddings, between layers and before the output layer (training only); default 0. */
  dropout?: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** The decoding state of a ConditionedDecoder: the recurrent state and the context of each row. */
export interface ConditionedDecoderState {
  /** h, or [h, c] for an LSTM; each (L, N, H). */
  readonly rnn: RecurrentState;
  /** (N, C). */
  readonly context: Tensor;
}

/** Token ids the stepper needs, and the ones it must never emit. */
export interface ConditionedStepperOptions {
  /** The token fed at the first step. */
  bosId: number;
  /** The token that ends an output (may equal bosId: one boundary symbol). */
  eosId: number;
  /** Tokens whose logits are set to −∞ (e.g. padding, or a BOS that is not EOS); default none. */
  forbiddenIds?: readonly number[];
}

/**
 * A language model over tokens whose every prediction depends on a context vector c (N, C):
 *
 *   init:  h₀⁽ˡ⁾ = tanh(W_h⁽ˡ⁾ c + b_h⁽ˡ⁾) for every layer l, and for an LSTM (lstmInit 'hc') also
 *          c₀⁽ˡ⁾ = tanh(W_c⁽ˡ⁾ c + b_c⁽ˡ⁾); the inputs are x_t = embed(y_{t−1}).
 *   input: h₀ = c₀ = 0; the inputs are x_t = [embed(y_{t−1}); c] (E + C), the same c every step.
 *   both:  both at once. none: h₀ = 0, x_t = embed(y_{t−1}) (the unconditioned model).
 *   then:  logits_t = W_dec · rnn(x_≤t) + b_dec.
 *
 * The tanh keeps the initial states in the range the cell's own states take. The per-layer maps
 * are the row blocks of one matrix: `init_h.weight` is (L·H, C), rows l·H … (l+1)·H − 1 belong to
 * layer l (PyTorch: `torch.tanh(init_h(c)).view(N, L, H).transpose(0, 1)`).
 *
 * Parameters (PyTorch's names): `embedding.weight` (V, E); `rnn.weight_ih_l0` (G·H, E or E + C)
 * and the rest of the recurrent layer's; `decoder.weight` (V, H), `decoder.bias` (V); with 'init'
 * or 'both' `init_h.weight` (L·H, C), `init_h.bias` (L·H), and for an LSTM with lstmInit 'hc'
 * `init_c.weight`, `init_c.bias`. In the input concatenation the embedding comes first.
 *
 * Shapes: `forward(ids (T, N) int32, context (N, C), state?)` → `[logits (T, N, V), state]`,
 * time-major like nn.LanguageModel; a given state replaces the one made from the context (to
 * continue a sequence), the input coupling still applies. `stepper(context, …)` serves
 * greedyDecode, sampleDecode and beamDecode.
 *
 * @example
 * import { beamDecode, nn, noGrad, sampleDecode, tensor } from 'recurrent';
 * // Tokens 0 = boundary (BOS and EOS), 1–4 letters; the context is a one-hot class of 2.
 * const model = new nn.ConditionedDecoder({ vocabSize: 5, contextSize: 2, hiddenSize: 16, coupling: 'both' });
 * const context = tensor([[1, 0], [0, 1]]);
 * const ids = tensor([[0, 0], [3, 1], [2, 4]], { dtype: 'int32' }); // (T, N): teacher forcing
 * const [logits] = model.forward(ids, context);
 * logits.shape; // [3, 2, 5]
 * model.eval();
 * const best = noGrad(() => beamDecode(model.stepper(context, { bosId: 0, eosId: 0 }), { beamSize: 4, maxLength: 10 }));
 * const drawn = noGrad(() => sampleDecode(model.stepper(context, { bosId: 0, eosId: 0 }), { maxLength: 10 }));
 */
export class ConditionedDecoder extends Module {
  readonly vocabSize: number;
  readonly contextSize: number;
  readonly coupling: ContextCoupling;
  readonly cell: CellKind;
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly lstmInit: 'hc' | 'h';
  readonly dropoutP: number;
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU | RNN;
  readonly decoder: Linear;
  /** The projections of the context to h₀ and (LSTM, 'hc') c₀; empty without the 'init' coupling. */
  readonly initProjections: Linear[];

  constructor(options: ConditionedDecoderOptions) {
    super();
    const op = 'ConditionedDecoder';
    checkOptions(op, options, {
      vocabSize: true,
      contextSize: true,
      coupling: true,
      cell: true,
      embeddingDim: true,
      hiddenSize: true,
      numLayers: true,
      lstmInit: true,
      dropout: true,
      dtype: true,
    });
    this.vocabSize = positiveInt(op, 'vocabSize', options.vocabSize);
    this.contextSize = positiveInt(op, 'contextSize', options.contextSize);
    const coupling = options.coupling ?? 'init';
    if (!CONTEXT_COUPLINGS.includes(coupling)) throw new ValueError(`${op}: coupling must be one of ${CONTEXT_COUPLINGS.join(', ')}; got ${String(coupling)}`);
    this.coupling = coupling;
    this.cell = parseCellKind(options.cell ?? 'lstm', `${op}: cell`);
    this.hiddenSize = positiveInt(op, 'hiddenSize', options.hiddenSize ?? 256);
    this.embeddingDim = positiveInt(op, 'embeddingDim', options.embeddingDim ?? this.hiddenSize);
    this.numLayers = positiveInt(op, 'numLayers', options.numLayers ?? 1);
    const lstmInit = options.lstmInit ?? 'hc';
    if (lstmInit !== 'hc' && lstmInit !== 'h') throw new ValueError(`${op}: lstmInit must be 'hc' or 'h'; got ${String(lstmInit)}`);
    this.lstmInit = lstmInit;
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`${op}: dropout must be a number in [0, 1]; got ${String(p)}`);
    this.dropoutP = p;
    const dtype = paramDType(op, options.dtype);

    this.embedding = this.registerModule('embedding', new Embedding({ numEmbeddings: this.vocabSize, embeddingDim: this.embeddingDim, dtype }));
    const rnnOptions = {
      inputSize: this.embeddingDim + (this.atInput ? this.contextSize : 0),
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      dropout: this.numLayers > 1 ? p : 0,
      dtype,
    };
    this.rnn = this.registerModule('rnn', this.cell === 'lstm' ? new LSTM(rnnOptions) : this.cell === 'gru' ? new GRU(rnnOptions) : new RNN(rnnOptions));
    this.decoder = this.registerModule('decoder', new Linear({ inFeatures: this.hiddenSize, outFeatures: this.vocabSize, dtype }));
    const projected = !this.atInit ? [] : this.cell === 'lstm' && lstmInit === 'hc' ? ['h', 'c'] : ['h'];
    this.initProjections = projected.map((name) =>
      this.registerModule(`init_${name}`, new Linear({ inFeatures: this.contextSize, outFeatures: this.numLayers * this.hiddenSize, dtype })),
    );
  }

  /** Whether the context sets the initial state. */
  get atInit(): boolean {
    return this.coupling === 'init' || this.coupling === 'both';
  }

  /** Whether the context is concatenated to every step's input. */
  get atInput(): boolean {
    return this.coupling === 'input' || this.coupling === 'both';
  }

  /** The state before the first step: context (N, C) → h₀, or [h₀, c₀] for an LSTM, each (L, N, H). */
  initialState(context: Tensor): RecurrentState {
    this.checkContext('initialState', context, null);
    const N = context.shape[0]!;
    const zeros = (): Tensor => zerosOf(this.decoder.weight.dtype, [this.numLayers, N, this.hiddenSize]);
    // (N, L·H) → (N, L, H) → (L, N, H): row block l of the weight is layer l.
    const project = (i: number): Tensor =>
      i < this.initProjections.length
        ? permute(reshape(tanh(this.initProjections[i]!.forward(context)), [N, this.numLayers, this.hiddenSize]), [1, 0, 2])
        : zeros();
    return this.cell === 'lstm' ? [project(0), project(1)] : project(0);
  }

  /**
   * Teacher-forced logits of ids (T, N) int32 under context (N, C): `[logits (T, N, V), state]`.
   * The state defaults to `initialState(context)`.
   */
  forward(ids: Tensor, context: Tensor, state?: RecurrentState | null): [Tensor, RecurrentState] {
    checkTensor('ConditionedDecoder.forward', 'ids', ids);
    if (ids.ndim !== 2) throw new ShapeError(`ConditionedDecoder.forward: ids must be (T, N); got ${fmtShape(ids.shape)}`);
    this.checkContext('forward', context, ids.shape[1]!);
    const p = this.dropoutP;
    const drop = this.training && p > 0;
    let x = dropout(this.embedding.forward(ids), p, drop);
    if (this.atInput) x = concat([x, expand(unsqueeze(context, 0), [ids.shape[0]!, -1, -1])], 2);
    const start = state ?? this.initialState(context);
    let out: Tensor;
    let next: RecurrentState;
    if (this.rnn instanceof LSTM) {
      if (!Array.isArray(start)) throw new ValueError('ConditionedDecoder.forward: an LSTM state must be [h, c]');
      [out, next] = this.rnn.forward(x, start);
    } else {
      if (Array.isArray(start)) throw new ValueError(`ConditionedDecoder.forward: a ${this.cell.toUpperCase()} state must be one tensor h, not [h, c]`);
      [out, next] = this.rnn.forward(x, start);
    }
    return [this.decoder.forward(dropout(out, p, drop)), next];
  }

  /**
   * Stepwise decoding under context (N, C), for greedyDecode, sampleDecode and beamDecode: one
   * output per context row. Call in eval mode (dropout off) and under noGrad.
   */
  stepper(context: Tensor, options: ConditionedStepperOptions): StepwiseDecoder<ConditionedDecoderState> {
    const op = 'ConditionedDecoder.stepper';
    this.checkContext('stepper', context, null);
    for (const key of ['bosId', 'eosId'] as const) {
      const id = options[key];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new ValueError(`${op}: ${key} must be an integer in [0, ${this.vocabSize}); got ${String(id)}`);
    }
    let mask: Tensor | null = null;
    for (const id of options.forbiddenIds ?? []) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new ValueError(`${op}: forbiddenIds must hold integers in [0, ${this.vocabSize}); got ${String(id)}`);
      if (id === options.eosId) throw new ValueError(`${op}: forbiddenIds must not hold eosId (${id})`);
      mask ??= zerosOf(this.decoder.weight.dtype, [1, this.vocabSize]);
      mask.data[id] = -Infinity;
    }
    return {
      batch: context.shape[0]!,
      initial: { rnn: this.initialState(context), context },
      bosId: options.bosId,
      eosId: options.eosId,
      step: (tokens, s) => {
        const ids = new Tensor(Int32Array.from(tokens), [1, tokens.length]);
        const [logits, rnn] = this.forward(ids, s.context, s.rnn);
        const flat = reshape(logits, [tokens.length, this.vocabSize]);
        return { logits: mask === null ? flat : add(flat, mask), state: { rnn, context: s.context }, attention: null };
      },
      reorder: (s, rows) => reorderConditionedState(s, rows),
    };
  }

  private checkContext(method: string, context: Tensor, batch: number | null): void {
    const op = `ConditionedDecoder.${method}`;
    checkTensor(op, 'context', context);
    if (context.ndim !== 2 || context.shape[1] !== this.contextSize || (batch !== null && context.shape[0] !== batch)) {
      throw new ShapeError(`${op}: context must be (N, C) = (${batch ?? 'N'}, ${this.contextSize}); got ${fmtShape(context.shape)}`);
    }
    const dtype = this.decoder.weight.dtype;
    if (context.dtype !== dtype) throw new DTypeError(`${op}: context must have the parameters' dtype ${dtype}; got ${context.dtype}`);
  }
}

/** The state whose row r is row `rows[r]` of `s` (the recurrent states on axis 1, the context on axis 0). */
export function reorderConditionedState(s: ConditionedDecoderState, rows: Int32Array): ConditionedDecoderState {
  const index = new Tensor(Int32Array.from(rows), [rows.length]);
  const pick = (t: Tensor): Tensor => indexSelect(t, 1, index);
  const rnn: RecurrentState = Array.isArray(s.rnn) ? [pick(s.rnn[0]), pick(s.rnn[1])] : pick(s.rnn);
  return { rnn, context: indexSelect(s.context, 0, index) };
}
