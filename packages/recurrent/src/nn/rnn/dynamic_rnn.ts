/**
 * dynamicRnn and bidirectionalDynamicRnn: any RecurrentCell run over a padded batch with
 * per-sequence lengths, as TensorFlow 1.x's tf.nn.dynamic_rnn and tf.nn.bidirectional_dynamic_rnn.
 *
 * Shape legend: N = batch, T = time steps, F = input features, O = cell.outputSize,
 * S_i = cell.stateSize[i].
 *   inputs          (N, T, F), or (T, N, F) with timeMajor
 *   sequenceLength  (N) integers in 0..T (number[] or an int32 tensor); default T for every sequence
 *   states          S_i-wide tensors (N, S_i), one per entry of cell.stateSize
 *   outputs         (N, T, O), or (T, N, O) with timeMajor
 *
 * Past a sequence's length the outputs are zero and the state is copied through, selected with
 * masks (`where`), so autograd gives backpropagation through time over exactly the valid steps.
 */
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { where } from '../../tensor/ops/elementwise.js';
import { indexSelect } from '../../tensor/ops/indexing.js';
import { concat, stack } from '../../tensor/ops/join.js';
import { flip, reshape, select, transpose } from '../../tensor/ops/view.js';
import { Tensor } from '../../tensor/tensor.js';
import { readLengths, type Lengths } from '../../sequence/layout.js';
import type { RecurrentCell } from './cell.js';
import { checkCell, checkStep, initialStates } from './cell_contract.js';

export interface DynamicRnnOptions {
  /** Valid steps of each sequence (N), each in 0..T. Default: every sequence runs all T steps. */
  sequenceLength?: Lengths;
  /** The state before the first step, one (N, S_i) tensor per cell state. Default: cell.zeroState. */
  initialState?: readonly Tensor[];
  /** Inputs and outputs are (T, N, ·) rather than (N, T, ·). Default false. */
  timeMajor?: boolean;
}

export interface BidirectionalDynamicRnnOptions {
  /** Valid steps of each sequence (N), each in 0..T. Default: every sequence runs all T steps. */
  sequenceLength?: Lengths;
  /** Initial state of the forward cell. Default: cellFw.zeroState. */
  initialStateFw?: readonly Tensor[];
  /** Initial state of the backward cell. Default: cellBw.zeroState. */
  initialStateBw?: readonly Tensor[];
  /** Inputs and outputs are (T, N, ·) rather than (N, T, ·). Default false. */
  timeMajor?: boolean;
}

/**
 * Runs `cell` over every sequence of a padded batch, step by step:
 *
 *     (o_t, s_t) = cell.call(x_t, s_{t−1})          for t < len_b
 *     output_t = 0,  s_t = s_{t−1}                  for t ≥ len_b (per sequence b)
 *
 * so `finalState` holds each sequence's state after its last valid step (the initial state for a
 * length of 0). Works with any RecurrentCell — built-in, stacked, wrapped or a user's own.
 *
 * Args:
 *   cell: the step function.
 *   inputs: (N, T, F), or (T, N, F) with `timeMajor`; the cell's dtype.
 *   options.sequenceLength: valid steps per sequence; default T.
 *   options.initialState: (N, S_i) per state; default zeros.
 *   options.timeMajor: time-major inputs and outputs; default false.
 *
 * Returns: `[outputs, finalState]`: outputs (N, T, O) (or (T, N, O)), zero past each length;
 * finalState, one (N, S_i) tensor per cell state.
 *
 * Throws: ShapeError for inputs that are not 3-D, lengths or initial states of the wrong size, or a
 * cell whose output or states do not match its outputSize / stateSize; ValueError for a length
 * outside 0..T or an object that is not a cell.
 *
 * @example
 * import { dynamicRnn, nn, randn } from 'recurrent';
 * const cell = new nn.LSTMCell({ inputSize: 8, hiddenSize: 16 });
 * const [outputs, state] = dynamicRnn(cell, randn([4, 10, 8]), { sequenceLength: [10, 7, 3, 1] });
 * outputs.shape; // [4, 10, 16]
 * outputs.select(0, 2).slice(0, 3).abs().max().item(); // 0: sequence 2's outputs from step 3 on
 * state.map((s) => s.shape); // [[4, 16], [4, 16]]: h and c after each sequence's last valid step
 */
export function dynamicRnn(cell: RecurrentCell, inputs: Tensor, options: DynamicRnnOptions = {}): [Tensor, Tensor[]] {
  const op = 'dynamicRnn';
  checkCell(op, 'cell', cell);
  const timeMajor = checkInputs(op, inputs, options.timeMajor);
  const x = timeMajor ? inputs : transpose(inputs, 0, 1);
  const lengths = readSequenceLength(op, options.sequenceLength, x.shape[1]!, x.shape[0]!);
  const [outputs, state] = runCell(op, cell, 'initialState', x, lengths, options.initialState);
  return [timeMajor ? outputs : transpose(outputs, 0, 1), state];
}

/**
 * Runs `cellFw` forward and `cellBw` backward over each sequence:
 *
 *     [outputsFw, stateFw] = dynamicRnn(cellFw, inputs)
 *     [rev, stateBw]       = dynamicRnn(cellBw, reverseSequence(inputs))
 *     outputsBw            = reverseSequence(rev)
 *
 * where reverseSequence reverses steps 0..len_b−1 of each sequence and leaves the padding in place
 * (tf.reverse_sequence). So outputsBw[b, t] is the backward cell's output after reading steps
 * len_b−1 down to t, aligned with outputsFw[b, t], and stateBw is its state after reading step 0.
 * Concatenate the outputs on the last axis for tf's usual merged result.
 *
 * Args: as dynamicRnn, with `initialStateFw` / `initialStateBw` for the two cells.
 *
 * Returns: `[[outputsFw, outputsBw], [stateFw, stateBw]]`, each output (N, T, O_dir) (or (T, N,
 * O_dir)), zero past each length.
 *
 * @example
 * import { bidirectionalDynamicRnn, concat, nn, randn } from 'recurrent';
 * const fw = new nn.GRUCell({ inputSize: 8, hiddenSize: 16 });
 * const bw = new nn.GRUCell({ inputSize: 8, hiddenSize: 16 });
 * const x = randn([2, 5, 8]); // (N, T, 8)
 * const [[of, ob], [[hf], [hb]]] = bidirectionalDynamicRnn(fw, bw, x, { sequenceLength: [5, 2] });
 * concat([of, ob], 2).shape; // [2, 5, 32]
 */
export function bidirectionalDynamicRnn(
  cellFw: RecurrentCell,
  cellBw: RecurrentCell,
  inputs: Tensor,
  options: BidirectionalDynamicRnnOptions = {},
): [[Tensor, Tensor], [Tensor[], Tensor[]]] {
  const op = 'bidirectionalDynamicRnn';
  checkCell(op, 'cellFw', cellFw);
  checkCell(op, 'cellBw', cellBw);
  const timeMajor = checkInputs(op, inputs, options.timeMajor);
  const x = timeMajor ? inputs : transpose(inputs, 0, 1);
  const lengths = readSequenceLength(op, options.sequenceLength, x.shape[1]!, x.shape[0]!);
  const [outFw, stateFw] = runCell(op, cellFw, 'initialStateFw', x, lengths, options.initialStateFw);
  const [outRev, stateBw] = runCell(op, cellBw, 'initialStateBw', reverseSequence(x, lengths), lengths, options.initialStateBw);
  const outBw = reverseSequence(outRev, lengths);
  const layout = (t: Tensor): Tensor => (timeMajor ? t : transpose(t, 0, 1));
  return [
    [layout(outFw), layout(outBw)],
    [stateFw, stateBw],
  ];
}

/** The cell over time-major x (T, N, F): [outputs (T, N, O), final states]. */
function runCell(
  op: string,
  cell: RecurrentCell,
  stateArg: string,
  x: Tensor,
  lengths: number[] | null,
  initial: readonly Tensor[] | undefined,
): [Tensor, Tensor[]] {
  const [T, N] = x.shape as [number, number];
  let state = initialStates(op, stateArg, cell, initial, N, x.dtype);
  const steps = lengths === null ? T : lengths.reduce((m, v) => Math.max(m, v), 0);
  const outs: Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    const [out, next] = cell.call(select(x, 0, t), state);
    checkStep(op, cell, out, next, N, x.dtype, t);
    if (lengths === null || lengths.every((len) => len > t)) {
      outs.push(out);
      state = next;
      continue;
    }
    const mask = zerosOf(x.dtype, [N, 1]);
    lengths.forEach((len, b) => {
      mask.data[b] = len > t ? 1 : 0;
    });
    outs.push(where(mask, out, 0));
    state = next.map((s, i) => where(mask, s, state[i]!));
  }
  // Steps past the longest sequence produce zeros without running the cell.
  const padding = zerosOf(x.dtype, [T - steps, N, cell.outputSize]);
  if (steps === 0) return [padding, state];
  const outputs = stack(outs, 0);
  return [steps < T ? concat([outputs, padding], 0) : outputs, state];
}

/**
 * tf.reverse_sequence on time-major x (T, N, *): row (t, b) takes row (len_b − 1 − t, b) for
 * t < len_b and keeps its own row otherwise; a plain flip of the time axis without lengths.
 */
function reverseSequence(x: Tensor, lengths: number[] | null): Tensor {
  if (lengths === null) return flip(x, 0);
  const [T, N] = x.shape as [number, number];
  const rows = new Int32Array(T * N);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < N; b++) rows[t * N + b] = (t < lengths[b]! ? lengths[b]! - 1 - t : t) * N + b;
  }
  const rest = x.shape.slice(2);
  return reshape(indexSelect(reshape(x, [T * N, ...rest]), 0, new Tensor(rows, [T * N])), x.shape);
}

/** Checks the inputs are 3-D and returns timeMajor. */
function checkInputs(op: string, inputs: Tensor, timeMajor: boolean | undefined): boolean {
  checkTensor(op, 'inputs', inputs);
  const major = timeMajor ?? false;
  if (typeof major !== 'boolean') throw new ValueError(`${op}: timeMajor must be a boolean; got ${String(timeMajor)}`);
  if (inputs.ndim !== 3) {
    throw new ShapeError(`${op}: inputs must be 3-D ${major ? '(T, N, F)' : '(N, T, F)'}; got ${fmtShape(inputs.shape)}`);
  }
  return major;
}

function readSequenceLength(op: string, lengths: Lengths | undefined | null, N: number, T: number): number[] | null {
  if (lengths == null) return null;
  const list = readLengths(op, lengths);
  if (list.length !== N) throw new ShapeError(`${op}: sequenceLength must hold one length per sequence (${N}); got ${list.length}`);
  list.forEach((len, b) => {
    if (len < 0 || len > T) throw new ValueError(`${op}: sequenceLength[${b}] = ${len} is outside 0..${T}, the time steps of the inputs`);
  });
  return list;
}
