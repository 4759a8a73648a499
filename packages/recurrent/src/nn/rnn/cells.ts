/**
 * Single-step cells, as torch.nn.RNNCell / LSTMCell / GRUCell: one time step per call, for loops
 * the caller writes (decoders, attention, custom schedules).
 *
 * Shapes (N batch, H hiddenSize): input (N, inputSize) or unbatched (inputSize); states (N, H) or
 * (H); states default to zeros. Parameters (G = 1, 4, 3 for RNN, LSTM, GRU; all U(−1/√H, 1/√H)):
 * weight_ih (G·H, inputSize), weight_hh (G·H, H), bias_ih (G·H), bias_hh (G·H).
 */
import { checkOptions, DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { add } from '../../tensor/ops/elementwise.js';
import { linear } from '../../tensor/ops/matmul.js';
import { squeeze, unsqueeze } from '../../tensor/ops/view.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { uniformInit } from '../init.js';
import { Module, paramDType, positiveInt } from '../module.js';
import { fusedRecurrenceAvailable, gruRecurrence, lstmRecurrence, rnnRecurrence } from '../../tensor/ops/recurrence.js';
import { activationFunction, isActivationName, type ActivationName } from '../activation_functions.js';
import { gruStep, lstmStep, rnnStep, type StepActivations } from './cell_steps.js';
import type { RecurrentCell } from './cell.js';

export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Use bias_ih and bias_hh; default true. */
  bias?: boolean;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

const CELL_KEYS: Record<keyof Required<CellOptions>, true> = { inputSize: true, hiddenSize: true, bias: true, dtype: true };

/** Keras's activation options of LSTMCell and GRUCell. */
export interface GatedActivationOptions {
  /** Candidate (and LSTM output) activation, Keras's `activation`; default 'tanh'. */
  activation?: ActivationName;
  /** Gate activation, Keras's `recurrent_activation`; default 'sigmoid' (Keras 2 LSTM/GRU default to 'hardSigmoid'). */
  recurrentActivation?: ActivationName;
}

/** The step activations for non-default names, or null for σ and tanh (the fused-kernel path). */
function stepActivations(owner: string, activation: ActivationName, recurrentActivation: ActivationName): StepActivations | null {
  for (const [name, value] of [
    ['activation', activation],
    ['recurrentActivation', recurrentActivation],
  ] as const) {
    if (!isActivationName(value)) throw new ValueError(`${owner}: ${name} must be an activation name; got ${String(value)}`);
  }
  if (activation === 'tanh' && recurrentActivation === 'sigmoid') return null;
  return { gate: activationFunction(recurrentActivation), candidate: activationFunction(activation) };
}

function activationRepr(activation: ActivationName, recurrentActivation: ActivationName): string {
  return (
    (activation === 'tanh' ? '' : `, activation='${activation}'`) + (recurrentActivation === 'sigmoid' ? '' : `, recurrentActivation='${recurrentActivation}'`)
  );
}

/** What RNNCell, LSTMCell and GRUCell share: the parameters, the input projection, the states. */
export abstract class CellBase extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;

  protected constructor(name: string, gates: number, options: CellOptions) {
    super();
    this.inputSize = positiveInt(name, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInt(name, 'hiddenSize', options.hiddenSize);
    this.bias = options.bias ?? true;
    const dtype = paramDType(name, options.dtype);
    const G = gates * this.hiddenSize;
    const bound = 1 / Math.sqrt(this.hiddenSize);
    this.registerParameter('weight_ih', uniformInit([G, this.inputSize], bound, dtype));
    this.registerParameter('weight_hh', uniformInit([G, this.hiddenSize], bound, dtype));
    this.registerParameter('bias_ih', this.bias ? uniformInit([G], bound, dtype) : null);
    this.registerParameter('bias_hh', this.bias ? uniformInit([G], bound, dtype) : null);
  }

  get weightHH(): Tensor {
    return this.param('weight_hh');
  }

  /**
   * Makes this cell use `params` — the same tensor objects, not copies — as its weight_ih,
   * weight_hh, bias_ih and bias_hh, so training either the cell or the module the tensors come
   * from trains both. Shapes and dtype must match the cell's; biases only when it has them. Each
   * tensor keeps its requiresGrad. Used by `nn.LSTM.cell()` and its siblings.
   */
  shareParameters(params: Readonly<Record<'weight_ih' | 'weight_hh', Tensor> & Partial<Record<'bias_ih' | 'bias_hh', Tensor | null>>>): this {
    const name = this.constructor.name;
    for (const key of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] as const) {
      const own = this.optionalParam(key);
      const given = params[key] ?? null;
      if (own === null && given === null) continue;
      if (own === null || given === null) throw new ValueError(`${name}.shareParameters: ${key} is ${own === null ? 'absent (bias false)' : 'missing'}`);
      if (!shapesEqual(given.shape, own.shape) || given.dtype !== own.dtype) {
        throw new ShapeError(`${name}.shareParameters: ${key} must be ${own.dtype} ${fmtShape(own.shape)}; got ${given.dtype} ${fmtShape(given.shape)}`);
      }
      const requiresGrad = given.requiresGrad;
      this.registerParameter(key, given);
      given.requiresGrad = requiresGrad;
    }
    return this;
  }

  abstract readonly stateSize: readonly number[];

  get outputSize(): number {
    return this.hiddenSize;
  }

  /** One step through the cell interface: (input (N, I), states) → [output, new states]. */
  abstract call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]];

  zeroState(batch: number, dtype?: DType): Tensor[] {
    const d = dtype ?? this.param('weight_ih').dtype;
    return this.stateSize.map((size) => zerosOf(d, [batch, size]));
  }
  get biasHH(): Tensor | null {
    return this.optionalParam('bias_hh');
  }

  /** Checks the input, adds a batch axis when unbatched, and returns x·W_ihᵀ + b_ih. */
  protected project(input: Tensor): { xp: Tensor; unbatched: boolean } {
    const name = this.constructor.name;
    checkTensor(name, 'input', input);
    if ((input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: input must be (N, ${this.inputSize}) or (${this.inputSize}); got ${fmtShape(input.shape)}`);
    }
    const dtype = this.param('weight_ih').dtype;
    if (input.dtype !== dtype) throw new DTypeError(`${name}: input is ${input.dtype} but the parameters are ${dtype}`);
    const unbatched = input.ndim === 1;
    const x = unbatched ? unsqueeze(input, 0) : input;
    return { xp: linear(x, this.param('weight_ih'), this.optionalParam('bias_ih')), unbatched };
  }

  /** The state `name` as (N, H), zeros when omitted. */
  protected state(name: string, value: Tensor | null | undefined, batch: number, unbatched: boolean, like: Tensor): Tensor {
    if (value == null) return zerosOf(like.dtype, [batch, this.hiddenSize]);
    checkTensor(this.constructor.name, name, value);
    const expected = unbatched ? [this.hiddenSize] : [batch, this.hiddenSize];
    if (!shapesEqual(value.shape, expected)) {
      throw new ShapeError(`${this.constructor.name}: expected ${name} of shape ${fmtShape(expected)}; got ${fmtShape(value.shape)}`);
    }
    if (value.dtype !== like.dtype) throw new DTypeError(`${this.constructor.name}: ${name} is ${value.dtype} but the parameters are ${like.dtype}`);
    return unbatched ? unsqueeze(value, 0) : value;
  }

  /** The one-step batchSizes of a fused recurrence over `rows` sequences. */
  protected static oneStep(rows: number): { batchSizes: Int32Array } {
    return { batchSizes: Int32Array.of(rows) };
  }

  protected static unbatch(t: Tensor, unbatched: boolean): Tensor {
    return unbatched ? squeeze(t, 0) : t;
  }

  override extraRepr(): string {
    const extras = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (!this.bias) extras.push('bias=false');
    return extras.join(', ');
  }
}

/**
 * One Elman step: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), act tanh (default), relu, or any
 * activation by name (Keras's SimpleRNN `activation`).
 *
 * @example
 * import { nn, randn, zeros } from 'recurrent';
 * const cell = new nn.RNNCell({ inputSize: 10, hiddenSize: 20 });
 * const input = randn([6, 3, 10]); // (T, N, inputSize)
 * let h = zeros([3, 20]);
 * for (let t = 0; t < 6; t++) h = cell.forward(input.select(0, t), h);
 */
export class RNNCell extends CellBase {
  readonly nonlinearity: ActivationName;
  private readonly act: ((x: Tensor) => Tensor) | null;

  constructor(options: CellOptions & { nonlinearity?: ActivationName }) {
    super('RNNCell', 1, options);
    checkOptions('RNNCell', options, { ...CELL_KEYS, nonlinearity: true });
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (!isActivationName(this.nonlinearity)) {
      throw new ValueError(`RNNCell: nonlinearity must be 'tanh', 'relu' or another activation name; got ${String(options.nonlinearity)}`);
    }
    this.act = this.nonlinearity === 'tanh' || this.nonlinearity === 'relu' ? null : activationFunction(this.nonlinearity);
  }

  get stateSize(): readonly number[] {
    return [this.hiddenSize];
  }

  forward(input: Tensor, h?: Tensor | null): Tensor {
    const { xp, unbatched } = this.project(input);
    const h0 = this.state('h', h, xp.shape[0]!, unbatched, xp);
    const n = this.nonlinearity;
    // One step of the fused recurrence where the backend has it: one kernel instead of a chain of ops.
    const next =
      n === 'tanh' || n === 'relu'
        ? fusedRecurrenceAvailable('rnn')
          ? rnnRecurrence(xp, h0, this.weightHH, this.biasHH, { ...CellBase.oneStep(xp.shape[0]!), nonlinearity: n })[1]!
          : rnnStep(xp, h0, this.weightHH, this.biasHH, n)
        : this.act!(add(xp, linear(h0, this.weightHH, this.biasHH)));
    return CellBase.unbatch(next, unbatched);
  }

  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const h = this.forward(input, states[0]);
    return [h, [h]];
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === 'tanh' ? '' : `, nonlinearity='${this.nonlinearity}'`);
  }
}

/**
 * One LSTM step, gates (i, f, g, o): returns [h', c']. Keras's `activation` (candidate and output,
 * default tanh) and `recurrentActivation` (gates, default sigmoid) may be set by name.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const cell = new nn.LSTMCell({ inputSize: 10, hiddenSize: 20 });
 * const [h, c] = cell.forward(randn([3, 10]));
 */
export class LSTMCell extends CellBase {
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  private readonly acts: StepActivations | null;

  constructor(options: CellOptions & GatedActivationOptions) {
    super('LSTMCell', 4, options);
    checkOptions('LSTMCell', options, { ...CELL_KEYS, activation: true, recurrentActivation: true });
    this.activation = options.activation ?? 'tanh';
    this.recurrentActivation = options.recurrentActivation ?? 'sigmoid';
    this.acts = stepActivations('LSTMCell', this.activation, this.recurrentActivation);
  }

  get stateSize(): readonly number[] {
    return [this.hiddenSize, this.hiddenSize];
  }

  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const [h, c] = this.forward(input, states.length === 2 ? [states[0]!, states[1]!] : null);
    return [h, [h, c]];
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { xp, unbatched } = this.project(input);
    const n = xp.shape[0]!;
    const h0 = this.state('h', hx?.[0], n, unbatched, xp);
    const c0 = this.state('c', hx?.[1], n, unbatched, xp);
    // The fused kernels compute σ and tanh: other activations step through the composed ops.
    const [h, c] =
      this.acts === null && fusedRecurrenceAvailable('lstm')
        ? lstmRecurrence(xp, h0, c0, this.weightHH, this.biasHH, null, null, CellBase.oneStep(n)).slice(1)
        : lstmStep(xp, h0, c0, this.weightHH, this.biasHH, null, null, this.acts);
    return [CellBase.unbatch(h!, unbatched), CellBase.unbatch(c!, unbatched)];
  }

  override extraRepr(): string {
    return super.extraRepr() + activationRepr(this.activation, this.recurrentActivation);
  }
}

/**
 * One GRU step, gates (r, z, n): h' = (1−z)⊙n + z⊙h, the reset gate applied after the recurrent
 * product (default, PyTorch) or before it (`resetAfter: false`).
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const cell = new nn.GRUCell({ inputSize: 10, hiddenSize: 20 });
 * const h = cell.forward(randn([3, 10]));
 */
export class GRUCell extends CellBase {
  readonly resetAfter: boolean;
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  private readonly acts: StepActivations | null;

  constructor(options: CellOptions & { resetAfter?: boolean } & GatedActivationOptions) {
    super('GRUCell', 3, options);
    checkOptions('GRUCell', options, { ...CELL_KEYS, resetAfter: true, activation: true, recurrentActivation: true });
    this.resetAfter = options.resetAfter ?? true;
    if (typeof this.resetAfter !== 'boolean') throw new ValueError(`GRUCell: resetAfter must be a boolean; got ${String(options.resetAfter)}`);
    this.activation = options.activation ?? 'tanh';
    this.recurrentActivation = options.recurrentActivation ?? 'sigmoid';
    this.acts = stepActivations('GRUCell', this.activation, this.recurrentActivation);
  }

  get stateSize(): readonly number[] {
    return [this.hiddenSize];
  }

  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const h = this.forward(input, states[0]);
    return [h, [h]];
  }

  forward(input: Tensor, h?: Tensor | null): Tensor {
    const { xp, unbatched } = this.project(input);
    const h0 = this.state('h', h, xp.shape[0]!, unbatched, xp);
    const next =
      this.acts === null && fusedRecurrenceAvailable('gru')
        ? gruRecurrence(xp, h0, this.weightHH, this.biasHH, { ...CellBase.oneStep(xp.shape[0]!), resetAfter: this.resetAfter })[1]!
        : gruStep(xp, h0, this.weightHH, this.biasHH, this.resetAfter, this.acts);
    return CellBase.unbatch(next, unbatched);
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.resetAfter ? '' : ', resetAfter=false') + activationRepr(this.activation, this.recurrentActivation);
  }
}
