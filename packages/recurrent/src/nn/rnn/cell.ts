/**
 * The cell interface: one step of a recurrence as a function (input, states) → (output, states).
 * Built-in cells implement it, and so can a user's own cell written with ordinary tensor ops —
 * autograd then gives it backpropagation through time. Every runner (`scan`, `dynamicRnn`,
 * `nn.Recurrent`, `nn.Bidirectional`, generation helpers) drives cells through this interface.
 *
 * Shapes (N batch): input (N, inputSize); each state (N, stateSize[i]); output (N, outputSize).
 */
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface RecurrentCell {
  /** Size of each state tensor, in order (LSTM: [h, c]). */
  readonly stateSize: readonly number[];
  /** Size of the output at each step. */
  readonly outputSize: number;
  /** One step: the output and the new states. */
  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]];
  /** All-zero states for a batch of `batch`. */
  zeroState(batch: number, dtype?: DType): Tensor[];
}

/** Whether `x` implements RecurrentCell (for runtime checks of user cells). */
export function isRecurrentCell(x: unknown): x is RecurrentCell {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Partial<RecurrentCell>;
  return typeof c.call === 'function' && typeof c.zeroState === 'function' && Array.isArray(c.stateSize) && typeof c.outputSize === 'number';
}
