/** nn.Decoder: the target side of an encoder–decoder — embedding, recurrent core, attention over the encoder's memory, output projection. */
import { ShapeError, ValueError, checkOptions, fmtShape, fmtValue } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { tanh } from '../../tensor/ops/elementwise.js';
import { dropout } from '../../tensor/ops/dropout.js';
import { checkInt, checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { concat, stack } from '../../tensor/ops/join.js';
import { select } from '../../tensor/ops/view.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Attention, AttentionMemory } from '../attention/attention.js';
import { Embedding } from '../embedding.js';
import { parseCellKind, type CellKind } from '../language_model.js';
import { Linear } from '../linear.js';
import { Module, positiveInt } from '../module.js';
import type { RecurrentCell } from '../rnn/cell.js';
import { checkCell } from '../rnn/cell_contract.js';
import { buildAttention, parseAttentionKind, type DecoderAttention } from './decoder_attention.js';
import { BuiltinCore, CellCore, type DecoderCore } from './decoder_core.js';
import { scheduledTokens } from './scheduled_sampling.js';

/** When the decoder attends: Luong's "after the step" (query h_t) or Bahdanau's "before the step" (query h_{t−1}). */
export type AttentionStyle = 'luong' | 'bahdanau';
export const ATTENTION_STYLES: readonly AttentionStyle[] = ['luong', 'bahdanau'];

export interface DecoderOptions {
  /** V: number of target token ids. */
  vocabSize: number;
  /** D_m: feature size of the encoder memory (D·H_enc); needed unless attention is 'none'. */
  memorySize?: number;
  /** H: hidden size of every recurrent layer; default 256 (a RecurrentCell given as `cell` sets it: its outputSize). */
  hiddenSize?: number;
  /** E: embedding size; default hiddenSize. */
  embeddingDim?: number;
  /** Stacked recurrent layers of a built-in cell; default 1. */
  numLayers?: number;
  /** 'lstm' (default), 'gru', 'rnn', or any RecurrentCell, whose input must be E (+ the fed width, below). */
  cell?: CellKind | RecurrentCell;
  /** The attention score; default 'general' for the Luong style, 'bahdanau' (additive) for the Bahdanau style. 'none': no attention. */
  attention?: DecoderAttention;
  /** A: hidden size of the 'bahdanau' and 'concat' scores; default hiddenSize. */
  attentionDim?: number;
  /** Attend after the step ('luong', default) or before it ('bahdanau'). */
  style?: AttentionStyle;
  /** Luong style: feed h̃_{t−1} to step t beside the embedding; default true (false for no attention). */
  inputFeeding?: boolean;
  /** Dropout on the embeddings, between layers and on the attentional output (training only); default 0. */
  dropout?: number;
  /** Padding id: its embedding is zero and untrained; default 0 (null: none). */
  paddingIdx?: number | null;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** What the decoder carries from step to step. Every tensor has the batch on axis 0, so beam search reorders them all alike. */
export interface DecoderState {
  /** The recurrent core's states: per layer (N, H) — [h₀, c₀, h₁, c₁, …] for an LSTM — or a user cell's own. */
  readonly cell: readonly Tensor[];
  /** (N, H): the top layer's last output h_{t−1}, the query of the Bahdanau style; null in the Luong style. */
  readonly output: Tensor | null;
  /** (N, H): h̃_{t−1}, fed to the next step with input feeding; null otherwise. */
  readonly feed: Tensor | null;
}

export interface DecoderStepOutput {
  /** Next-token logits (N, V). */
  logits: Tensor;
  state: DecoderState;
  /** This step's attention weights (N, S), or null without attention. */
  attention: Tensor | null;
}

export interface DecoderOutput {
  /** Logits (N, T, V) of every target step. */
  logits: Tensor;
  /** Attention weights (N, T, S), or null without attention. */
  attention: Tensor | null;
  /** The state after the last step. */
  state: DecoderState;
}

export interface DecoderForwardOptions {
  /**
   * Probability of feeding the reference token at each step after the first; default 1 (teacher
   * forcing). Below 1 is scheduled sampling (Bengio et al., 2015): each row's fed token is, with
   * probability 1 − p, drawn from the model's own distribution at the previous step instead.
   */
  teacherForcing?: number;
}

/**
 * Generates target tokens attending over an encoder's memory. With e_t = embed(y_{t−1}), memory M
 * (keys = values = M), h_t the top layer's output and s_t the recurrent state:
 *
 *     Luong style ('after the step', default):     x_t = [e_t; h̃_{t−1}] (input feeding) or e_t
 *                                                  h_t, s_t = rnn(x_t, s_{t−1});  c_t, α_t = attend(h_t, M)
 *     Bahdanau style ('before the step'):          c_t, α_t = attend(h_{t−1}, M);  x_t = [e_t; c_t]
 *                                                  h_t, s_t = rnn(x_t, s_{t−1})
 *     both:                                        h̃_t = tanh(W_c [c_t; h_t]);  logits_t = W_o h̃_t + b_o
 *     no attention:                                x_t = e_t;  logits_t = W_o h_t + b_o
 *
 * h̃_{−1} = 0 and h_{−1} is the initial state's top layer. Teacher forcing in the Luong style
 * without input feeding runs the recurrent layer fused over all steps and attends for all steps
 * in one batched product; the other forms step through time.
 *
 * Parameters: `embedding.weight` (V, E); `rnn.*` (nn.LSTM / nn.GRU / nn.RNN with PyTorch's names,
 * input E + D_m (Bahdanau) or E + H (input feeding) or E) or, for a user's cell, `cell.*`;
 * `attention.*` (see nn.BahdanauAttention, nn.LuongAttention); `combine.weight` (H, D_m + H),
 * W_c, no bias; `out.weight` (V, H), `out.bias` (V).
 *
 * Shapes: targetIn (N, T) int32 (BOS first) → logits (N, T, V), attention (N, T, S); memory
 * (N, S, D_m). States: see `initialState`.
 *
 * @example
 * import { nn, randn, tensor } from 'recurrent';
 * const decoder = new nn.Decoder({ vocabSize: 12, memorySize: 16, hiddenSize: 8 });
 * const memory = decoder.prepareMemory(randn([2, 5, 16]), [5, 3]);
 * const state = decoder.initialState(2);
 * const { logits, attention } = decoder.forward(tensor([[1, 4, 5], [1, 6, 0]], { dtype: 'int32' }), state, memory);
 * logits.shape; // [2, 3, 12]
 * attention!.shape; // [2, 3, 5]
 */
export class Decoder extends Module {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly embeddingDim: number;
  readonly memorySize: number | null;
  readonly attentionKind: DecoderAttention;
  readonly style: AttentionStyle;
  readonly inputFeeding: boolean;
  readonly dropoutP: number;
  readonly embedding: Embedding;
  readonly attention: Attention | null;
  readonly combine: Linear | null;
  readonly out: Linear;
  private readonly core: DecoderCore;

  constructor(options: DecoderOptions) {
    super();
    const op = 'Decoder';
    checkOptions(op, options, {
      vocabSize: true,
      memorySize: true,
      hiddenSize: true,
      embeddingDim: true,
      numLayers: true,
      cell: true,
      attention: true,
      attentionDim: true,
      style: true,
      inputFeeding: true,
      dropout: true,
      paddingIdx: true,
      dtype: true,
    });
    const style = options.style ?? 'luong';
    if (!ATTENTION_STYLES.includes(style)) throw new ValueError(`${op}: style must be 'luong' or 'bahdanau'; got ${fmtValue(style)}`);
    const kind = parseAttentionKind(options.attention ?? (style === 'luong' ? 'general' : 'bahdanau'), `${op}: attention`);
    const userCell = typeof options.cell === 'object' && options.cell !== null;
    if (userCell) checkCell(op, 'cell', options.cell);
    const hiddenSize = userCell ? (options.cell as RecurrentCell).outputSize : positiveInt(op, 'hiddenSize', options.hiddenSize ?? 256);
    if (userCell && options.hiddenSize !== undefined && options.hiddenSize !== hiddenSize) {
      throw new ValueError(`${op}: hiddenSize (${options.hiddenSize}) differs from the cell's outputSize (${hiddenSize}); omit it`);
    }
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`${op}: dropout must be a number in [0, 1]; got ${String(p)}`);
    const inputFeeding = options.inputFeeding ?? (style === 'luong' && kind !== 'none');
    if (typeof inputFeeding !== 'boolean') throw new ValueError(`${op}: inputFeeding must be a boolean; got ${fmtValue(inputFeeding)}`);
    if (inputFeeding && (style !== 'luong' || kind === 'none')) {
      throw new ValueError(`${op}: inputFeeding applies to the Luong style with attention; got style '${style}', attention '${kind}'`);
    }
    const memorySize = kind === 'none' ? null : positiveInt(op, 'memorySize', options.memorySize);
    const dtype = options.dtype ?? 'float32';
    this.vocabSize = positiveInt(op, 'vocabSize', options.vocabSize);
    this.hiddenSize = hiddenSize;
    this.embeddingDim = positiveInt(op, 'embeddingDim', options.embeddingDim ?? hiddenSize);
    this.memorySize = memorySize;
    this.attentionKind = kind;
    this.style = style;
    this.inputFeeding = inputFeeding;
    this.dropoutP = p;
    const paddingIdx = options.paddingIdx === undefined ? 0 : options.paddingIdx;
    this.embedding = this.registerModule('embedding', new Embedding({ numEmbeddings: this.vocabSize, embeddingDim: this.embeddingDim, paddingIdx, dtype }));
    const fed = kind === 'none' ? 0 : style === 'bahdanau' ? memorySize! : inputFeeding ? hiddenSize : 0;
    const inputSize = this.embeddingDim + fed;
    if (userCell) {
      const cell = options.cell as RecurrentCell;
      const declared = (cell as { inputSize?: unknown }).inputSize;
      if (typeof declared === 'number' && declared !== inputSize) {
        throw new ValueError(`${op}: the cell takes inputs of size ${declared}; this decoder feeds it E + ${fed} = ${inputSize}`);
      }
      this.core = new CellCore(cell);
      if (this.core.module) this.registerModule('cell', this.core.module);
    } else {
      const cellKind = parseCellKind(options.cell ?? 'lstm', `${op}: cell`);
      const layers = positiveInt(op, 'numLayers', options.numLayers ?? 1);
      this.core = new BuiltinCore(cellKind, inputSize, hiddenSize, layers, p, dtype);
      this.registerModule('rnn', this.core.module!);
    }
    const attentionDim = options.attentionDim === undefined ? hiddenSize : positiveInt(op, 'attentionDim', options.attentionDim);
    this.attention = kind === 'none' ? null : this.registerModule('attention', buildAttention(kind, hiddenSize, memorySize!, attentionDim, dtype));
    this.combine =
      kind === 'none'
        ? null
        : this.registerModule('combine', new Linear({ inFeatures: memorySize! + hiddenSize, outFeatures: hiddenSize, bias: false, dtype }));
    this.out = this.registerModule('out', new Linear({ inFeatures: hiddenSize, outFeatures: this.vocabSize, dtype }));
  }

  /**
   * The state before the first step, for a batch of N. `states`: for a built-in cell the
   * recurrent layer's hx — [h] or, for an LSTM, [h, c], each (L, N, H), as nn.Bridge returns
   * them; for a user's cell its own states, each (N, stateSize[i]). Default: zeros.
   */
  initialState(batch: number, states?: readonly Tensor[]): DecoderState {
    positiveInt('Decoder.initialState', 'batch', batch);
    const dtype = this.out.weight.dtype;
    const cell = this.core.start(batch, dtype, states);
    const zeros = (): Tensor => zerosOf(dtype, [batch, this.hiddenSize]);
    return {
      cell,
      output: this.style === 'bahdanau' && this.attention !== null ? (this.core.topHidden(cell) ?? zeros()) : null,
      feed: this.inputFeeding ? zeros() : null,
    };
  }

  /** The encoder memory (N, S, D_m) prepared for attention (keys = values), with its source lengths; null without attention. */
  prepareMemory(memory: Tensor, lengths?: readonly number[] | Int32Array): AttentionMemory | null {
    if (this.attention === null) return null;
    checkTensor('Decoder', 'memory', memory);
    return this.attention.prepare(memory, memory, lengths === undefined ? {} : { lengths });
  }

  /** One step: tokens (N) int32 — the previous output, BOS at the first step — → `{ logits (N, V), state, attention (N, S) }`. */
  step(tokens: Tensor | Int32Array, state: DecoderState, memory: AttentionMemory | null): DecoderStepOutput {
    const ids = tokens instanceof Tensor ? tokens : new Tensor(tokens, [tokens.length]);
    checkInt('Decoder.step', 'tokens', ids);
    if (ids.ndim !== 1) throw new ShapeError(`Decoder.step: tokens must be (N) ids; got ${fmtShape(ids.shape)}`);
    this.checkMemory(memory);
    return this.stepEmbedded(this.embed(ids), state, memory);
  }

  /**
   * All target steps: targetIn (N, T) int32 (BOS, then the reference tokens) → `{ logits (N, T, V),
   * attention (N, T, S), state }`. Teacher forcing by default; see DecoderForwardOptions.
   */
  forward(targetIn: Tensor, state: DecoderState, memory: AttentionMemory | null, options: DecoderForwardOptions = {}): DecoderOutput {
    checkTensor('Decoder', 'targetIn', targetIn);
    checkInt('Decoder', 'targetIn', targetIn);
    if (targetIn.ndim !== 2 || targetIn.shape[1] === 0)
      throw new ShapeError(`Decoder: targetIn must be (N, T) ids with T ≥ 1; got ${fmtShape(targetIn.shape)}`);
    this.checkMemory(memory);
    const ratio = options.teacherForcing ?? 1;
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))
      throw new ValueError(`Decoder: teacherForcing must be a number in [0, 1]; got ${fmtValue(ratio)}`);
    const steps = targetIn.shape[1]!;
    if (ratio === 1 && this.style === 'luong' && !this.inputFeeding) {
      const fused = this.core.sequence(this.embed(targetIn), state.cell);
      if (fused !== null) {
        const [h, cell] = fused;
        const { logits, attention } = this.readout(h, memory);
        return { logits, attention, state: { cell, output: null, feed: null } };
      }
    }
    const embedded = ratio === 1 ? this.embed(targetIn) : null;
    const logits: Tensor[] = [];
    const weights: Tensor[] = [];
    let current = state;
    for (let t = 0; t < steps; t++) {
      const reference = select(targetIn, 1, t);
      const e = embedded !== null ? select(embedded, 1, t) : this.embed(t === 0 ? reference : scheduledTokens(reference, logits[t - 1]!, ratio));
      const out = this.stepEmbedded(e, current, memory);
      logits.push(out.logits);
      if (out.attention !== null) weights.push(out.attention);
      current = out.state;
    }
    return { logits: stack(logits, 1), attention: weights.length > 0 ? stack(weights, 1) : null, state: current };
  }

  private embed(ids: Tensor): Tensor {
    const p = this.dropoutP;
    return dropout(this.embedding.forward(ids), p, this.training && p > 0);
  }

  private checkMemory(memory: AttentionMemory | null): void {
    if ((memory === null) !== (this.attention === null)) {
      throw new ValueError(
        `Decoder: ${this.attention === null ? 'this decoder has no attention: pass memory null' : 'memory is required: pass prepareMemory(…)'}`,
      );
    }
  }

  /** One step from the embedded previous token e (N, E). */
  private stepEmbedded(e: Tensor, state: DecoderState, memory: AttentionMemory | null): DecoderStepOutput {
    const p = this.dropoutP;
    if (this.attention === null || memory === null) {
      const [h, cell] = this.core.step(e, state.cell, p, this.training);
      return { logits: this.out.forward(dropout(h, p, this.training && p > 0)), state: { cell, output: null, feed: null }, attention: null };
    }
    if (this.style === 'bahdanau') {
      const { context, weights } = this.attention.attend(state.output!, memory);
      const [h, cell] = this.core.step(concat([e, context], 1), state.cell, p, this.training);
      const attentional = dropout(tanh(this.combine!.forward(concat([context, h], 1))), p, this.training && p > 0);
      return { logits: this.out.forward(attentional), state: { cell, output: h, feed: null }, attention: weights };
    }
    const [h, cell] = this.core.step(this.inputFeeding ? concat([e, state.feed!], 1) : e, state.cell, p, this.training);
    const { context, weights } = this.attention.attend(h, memory);
    const attentional = dropout(tanh(this.combine!.forward(concat([context, h], 1))), p, this.training && p > 0);
    return { logits: this.out.forward(attentional), state: { cell, output: null, feed: this.inputFeeding ? attentional : null }, attention: weights };
  }

  /** Luong readout of every step at once: h (N, T, H) → logits (N, T, V), attention (N, T, S). */
  private readout(h: Tensor, memory: AttentionMemory | null): { logits: Tensor; attention: Tensor | null } {
    const p = this.dropoutP;
    if (this.attention === null || memory === null) return { logits: this.out.forward(dropout(h, p, this.training && p > 0)), attention: null };
    const { context, weights } = this.attention.attend(h, memory);
    const attentional = dropout(tanh(this.combine!.forward(concat([context, h], 2))), p, this.training && p > 0);
    return { logits: this.out.forward(attentional), attention: weights };
  }

  override extraRepr(): string {
    const parts = [`vocabSize=${this.vocabSize}`, `style='${this.style}'`, `attention='${this.attentionKind}'`];
    if (this.inputFeeding) parts.push('inputFeeding=true');
    if (this.dropoutP > 0) parts.push(`dropout=${this.dropoutP}`);
    return parts.join(', ');
  }
}
