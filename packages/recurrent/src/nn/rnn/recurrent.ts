/**
 * nn.Recurrent: Keras's RNN layer. Runs any RecurrentCell over a batch-major sequence, with
 * Keras's returnSequences, returnState, goBackwards, stateful, masks and variational dropout.
 */
import { checkOptions, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { checkFloating, checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { mul, where } from '../../tensor/ops/elementwise.js';
import { stack } from '../../tensor/ops/join.js';
import { select } from '../../tensor/ops/view.js';
import { uniform } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkMask } from '../mask_flow.js';
import { Module } from '../module.js';
import type { RecurrentCell } from './cell.js';
import { checkCell, checkStates, checkStep, initialStates } from './cell_contract.js';

export interface RecurrentOptions<S extends boolean = boolean> {
  /** Return the outputs of every step, (N, T, outputSize), instead of the last, (N, outputSize). Default false. */
  returnSequences?: boolean;
  /** Return [output, ...final states] (LSTM: [output, h, c]) instead of the output alone. Default false. */
  returnState?: S;
  /** Process the sequence from the last step to the first; outputs come in that reversed order. Default false. */
  goBackwards?: boolean;
  /** Carry the final states of one call into the next (fixed batch size) until resetStates(). Default false. */
  stateful?: boolean;
  /** Fraction of input features dropped in training, one mask per sequence. Default 0. */
  dropout?: number;
  /** Fraction of hidden-state units dropped in the recurrent input in training, one mask per sequence. Default 0. */
  recurrentDropout?: number;
}

export interface RecurrentForwardOptions {
  /** Initial states (N, stateSize[i]) in the cell's order (LSTM: [h, c]); default zeros, or the carried states when stateful. */
  initialState?: Tensor | readonly Tensor[] | null;
  /** (N, T) mask: nonzero for real steps, 0 for padding. Default none. */
  mask?: Tensor | null;
}

/** What forward returns: the output, or [output, ...states] with returnState. */
export type RecurrentResult<S extends boolean> = S extends true ? Tensor[] : Tensor;

/**
 * Keras's RNN layer over any cell (nn.RNNCell, nn.LSTMCell, nn.GRUCell, or a user's own
 * RecurrentCell), with Keras's meanings.
 *
 * Shapes: input (N, T, F), batch-major as in Keras; mask (N, T). Output (N, outputSize), the last
 * step's output (many-to-one), or (N, T, outputSize) with `returnSequences`; with `returnState`,
 * [output, ...states], each state (N, stateSize[i]).
 *
 * - Masks: at a step whose mask is 0 the layer keeps the previous states and repeats the previous
 *   output. Before the first real step that output is the first initial state when its size equals
 *   the output size (h₀: zeros by default), and zeros otherwise, as TensorFlow.js does (Python
 *   Keras repeats zeros there even when given a nonzero initial state). With right padding the
 *   last output is therefore the output of each sequence's last real step.
 * - goBackwards: the input (and mask) is reversed in time; with returnSequences the outputs are in
 *   processing order, i.e. reversed, as Keras returns them.
 * - stateful: the final states are kept, detached from the graph (gradients stop at the batch
 *   boundary), and used as the next call's initial states. The batch size is fixed from the first
 *   call until resetStates().
 * - dropout / recurrentDropout (training mode only; variational dropout, Gal & Ghahramani 2016):
 *   one mask per sequence, drawn from the global generator at the start of forward (input mask
 *   first) and reused at every step, one mask for all gates as in TensorFlow.js and Keras 3. The
 *   input mask (N, F) multiplies each step's input before the cell; the recurrent mask
 *   (N, stateSize[0]) multiplies the hidden state h (the first state) where the cell receives it,
 *   so it scales h·W_hh, and for a GRU also the z⊙h term, as Keras does. Other states (an LSTM's
 *   c) are not dropped, and a masked step carries the undropped states. Kept entries are scaled
 *   by 1/(1−p).
 *
 * Parameters are the cell's, under `cell.` (`cell.weight_ih`, …).
 *
 * @example
 * import { nn, randn, tensor } from 'recurrent';
 * const lstm = new nn.Recurrent(new nn.LSTMCell({ inputSize: 8, hiddenSize: 16 }), { returnSequences: true });
 * lstm.forward(randn([4, 10, 8])).shape; // [4, 10, 16]
 * // Two sequences, the second padded after 2 steps: out, h and c are each one's after its last real step.
 * const cell = new nn.LSTMCell({ inputSize: 8, hiddenSize: 16 });
 * const mask = tensor([[1, 1, 1], [1, 1, 0]]);
 * const [out, h, c] = new nn.Recurrent(cell, { returnState: true }).forward(randn([2, 3, 8]), { mask });
 */
export class Recurrent<C extends RecurrentCell = RecurrentCell, S extends boolean = false> extends Module {
  readonly cell: C;
  readonly returnSequences: boolean;
  readonly returnState: S;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly supportsMasking = true as const;
  private carried: Tensor[] | null = null;

  constructor(cell: C, options: RecurrentOptions<S> = {}) {
    super();
    checkOptions('Recurrent', options, { returnSequences: true, returnState: true, goBackwards: true, stateful: true, dropout: true, recurrentDropout: true });
    checkCell('Recurrent', 'cell', cell);
    this.cell = cell;
    if (cell instanceof Module) this.registerModule('cell', cell);
    this.returnSequences = flag('returnSequences', options.returnSequences);
    this.returnState = flag('returnState', options.returnState) as S;
    this.goBackwards = flag('goBackwards', options.goBackwards);
    this.stateful = flag('stateful', options.stateful);
    this.dropout = rate('dropout', options.dropout);
    this.recurrentDropout = rate('recurrentDropout', options.recurrentDropout);
  }

  /** The options this layer was built with (for copies, e.g. Bidirectional's backward layer). */
  get config(): Required<RecurrentOptions<S>> {
    return {
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }

  /** Size of the output at each step (the cell's). */
  get outputSize(): number {
    return this.cell.outputSize;
  }

  /** The carried states of a stateful layer, or null before the first call and after resetStates(). */
  get states(): Tensor[] | null {
    return this.carried === null ? null : [...this.carried];
  }

  /**
   * Stateful layers: forgets the carried states (the next call starts from zeros and may use a new
   * batch size), or sets them to `states` (N, stateSize[i]).
   */
  resetStates(states?: readonly Tensor[] | null): void {
    if (!this.stateful) throw new ValueError('Recurrent: resetStates() needs a stateful layer (stateful: true)');
    if (states == null) {
      this.carried = null;
      return;
    }
    const first = checkTensor('Recurrent.resetStates', 'states[0]', states[0]);
    this.carried = checkStates('Recurrent.resetStates', 'states', this.cell, states, first.shape[0] ?? 0, first.dtype).map((s) => s.detach());
  }

  forward(input: Tensor, options: RecurrentForwardOptions = {}): RecurrentResult<S> {
    checkTensor('Recurrent', 'input', input);
    checkFloating('Recurrent', 'input', input);
    if (input.ndim !== 3) throw new ShapeError(`Recurrent: input must be (N, T, features), batch-major as in Keras; got ${fmtShape(input.shape)}`);
    const [N, T, F] = input.shape as [number, number, number];
    if (T === 0) throw new ShapeError(`Recurrent: input must have at least one time step; got ${fmtShape(input.shape)}`);
    const steps = stepMasks(options.mask, N, T, input.dtype);
    let states = this.initialStates(options.initialState, N, input.dtype);
    const dropIn = this.training && this.dropout > 0 ? dropoutMask([N, F], this.dropout, input.dtype) : null;
    const h0Size = this.cell.stateSize[0];
    const dropH = this.training && this.recurrentDropout > 0 && h0Size !== undefined ? dropoutMask([N, h0Size], this.recurrentDropout, input.dtype) : null;
    const outSize = this.cell.outputSize;
    let previous: Tensor | null = null;
    if (steps !== null) previous = h0Size === outSize ? states[0]! : zerosOf(input.dtype, [N, outSize]);
    const outputs: Tensor[] = [];
    for (let k = 0; k < T; k++) {
      const t = this.goBackwards ? T - 1 - k : k;
      const x = dropIn === null ? select(input, 1, t) : mul(select(input, 1, t), dropIn);
      const cellStates = dropH === null ? states : [mul(states[0]!, dropH), ...states.slice(1)];
      let [output, next] = this.cell.call(x, cellStates);
      checkStep('Recurrent', this.cell, output, next, N, input.dtype, t);
      if (steps !== null) {
        const m = steps[t]!;
        const prev = previous!;
        const old = states;
        output = where(m, output, prev);
        next = next.map((s, i) => where(m, s, old[i]!));
        previous = output;
      }
      states = next;
      outputs.push(output);
    }
    if (this.stateful) this.carried = states.map((s) => s.detach());
    const out = this.returnSequences ? stack(outputs, 1) : outputs[T - 1]!;
    return (this.returnState ? [out, ...states] : out) as RecurrentResult<S>;
  }

  /** The (N, T) mask of the output: the input mask with returnSequences, none otherwise. */
  computeMask(_input: Tensor, mask?: Tensor | null): Tensor | null {
    return this.returnSequences ? (mask ?? null) : null;
  }

  private initialStates(given: RecurrentForwardOptions['initialState'], batch: number, dtype: DType): Tensor[] {
    if (given == null && this.stateful && this.carried !== null) {
      const carriedBatch = this.carried[0]?.shape[0];
      if (carriedBatch !== batch) {
        throw new ShapeError(
          `Recurrent: a stateful layer keeps its batch size: it carries states for ${carriedBatch} sequences but got ${batch}; call resetStates() first`,
        );
      }
      return this.carried;
    }
    const list = given == null ? null : Array.isArray(given) ? given : [given as Tensor];
    return initialStates('Recurrent', 'initialState', this.cell, list, batch, dtype);
  }
}

/** The mask as T per-step (N, 1) 0/1 tensors of `dtype`, or null without a mask. */
function stepMasks(mask: Tensor | null | undefined, batch: number, steps: number, dtype: DType): Tensor[] | null {
  if (mask == null) return null;
  const m = checkMask('Recurrent', mask, batch, steps);
  const out: Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    const col = zerosOf(dtype, [batch, 1]);
    for (let n = 0; n < batch; n++) col.data[n] = m.data[n * steps + t]! === 0 ? 0 : 1;
    out.push(col);
  }
  return out;
}

/** A dropout mask: 0 with probability p, 1/(1−p) otherwise. */
function dropoutMask(shape: readonly number[], p: number, dtype: DType): Tensor {
  const mask = zerosOf(dtype, shape);
  for (let i = 0; i < mask.size; i++) mask.data[i] = uniform() < p ? 0 : 1 / (1 - p);
  return mask;
}

function flag(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new ValueError(`Recurrent: ${name} must be a boolean; got ${String(value)}`);
  return value ?? false;
}

function rate(name: string, value: number | undefined): number {
  const p = value ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ValueError(`Recurrent: ${name} must be in [0, 1); got ${String(value)}`);
  return p;
}
