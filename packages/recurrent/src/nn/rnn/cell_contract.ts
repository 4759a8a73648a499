/**
 * The RecurrentCell contract, checked where a runner meets a cell: the cell's declared sizes, the
 * states it starts from, and what each step returns. A cell that strays from its declared sizes
 * would otherwise broadcast silently in the masks or fail three layers later, so every runner
 * (dynamicRnn, nn.Recurrent, generateSequence, …) checks through these, naming itself as `owner`.
 *
 * Shapes (N batch): each state (N, stateSize[i]); each step's output (N, outputSize).
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { checkTensor } from '../../tensor/ops/common.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isRecurrentCell, type RecurrentCell } from './cell.js';

const isSize = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1;

/** Throws unless `cell` implements RecurrentCell with positive integer sizes. */
export function checkCell(owner: string, arg: string, cell: unknown): asserts cell is RecurrentCell {
  if (!isRecurrentCell(cell)) {
    throw new ValueError(`${owner}: ${arg} must implement RecurrentCell (call, zeroState, stateSize, outputSize)`);
  }
  if (!isSize(cell.outputSize)) throw new ValueError(`${owner}: ${arg}.outputSize must be a positive integer; got ${String(cell.outputSize)}`);
  if (!cell.stateSize.every(isSize)) {
    throw new ValueError(`${owner}: ${arg}.stateSize must list positive integers; got [${cell.stateSize.join(', ')}]`);
  }
}

/** The cell's class name, for messages about what it returned. */
function cellName(cell: RecurrentCell): string {
  const name = (cell as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'cell';
}

/**
 * Checks states the cell would start from, as a list (one per stateSize entry) of (N, stateSize[i])
 * tensors of `dtype`; `arg` names them (e.g. 'initialState').
 */
export function checkStates(owner: string, arg: string, cell: RecurrentCell, states: unknown, batch: number, dtype: DType): Tensor[] {
  const sizes = cell.stateSize;
  if (!Array.isArray(states) || states.length !== sizes.length) {
    const got = Array.isArray(states) ? `${states.length}` : states === null ? 'null' : typeof states;
    throw new ValueError(
      `${owner}: the cell has ${sizes.length} state(s) (stateSize [${sizes.join(', ')}]), so ${arg} must be an array of ${sizes.length} tensor(s); got ${got}`,
    );
  }
  return states.map((s: unknown, i) => {
    const t = checkTensor(owner, `${arg}[${i}]`, s);
    const want = [batch, sizes[i]!];
    if (!shapesEqual(t.shape, want)) throw new ShapeError(`${owner}: expected ${arg}[${i}] of shape ${fmtShape(want)}; got ${fmtShape(t.shape)}`);
    if (t.dtype !== dtype) throw new DTypeError(`${owner}: ${arg}[${i}] is ${t.dtype} but the input is ${dtype}`);
    return t;
  });
}

/** The given initial states, checked, or the cell's zero states (checked too: a user's zeroState may be wrong). */
export function initialStates(
  owner: string,
  arg: string,
  cell: RecurrentCell,
  given: readonly Tensor[] | null | undefined,
  batch: number,
  dtype: DType,
): Tensor[] {
  if (given != null) return checkStates(owner, arg, cell, given, batch, dtype);
  return checkStates(owner, `${cellName(cell)}.zeroState(${batch})`, cell, cell.zeroState(batch, dtype), batch, dtype);
}

/** Checks what one `cell.call` returned at time step `step`: an (N, outputSize) output and (N, stateSize[i]) states, all of `dtype`. */
export function checkStep(owner: string, cell: RecurrentCell, output: unknown, states: unknown, batch: number, dtype: DType, step: number): void {
  const name = cellName(cell);
  const out = checkTensor(owner, `the output of ${name}.call at step ${step}`, output);
  const want = [batch, cell.outputSize];
  if (!shapesEqual(out.shape, want)) {
    throw new ShapeError(
      `${owner}: ${name}.call returned an output of shape ${fmtShape(out.shape)} at step ${step}; expected ${fmtShape(want)} (N, outputSize)`,
    );
  }
  if (out.dtype !== dtype) throw new DTypeError(`${owner}: ${name}.call returned a ${out.dtype} output at step ${step}; the input is ${dtype}`);
  const sizes = cell.stateSize;
  if (!Array.isArray(states) || states.length !== sizes.length) {
    const got = Array.isArray(states) ? states.length : 'no array of';
    throw new ValueError(`${owner}: ${name}.call returned ${got} state(s) at step ${step}; its stateSize lists ${sizes.length}`);
  }
  states.forEach((s: unknown, i) => {
    const t = checkTensor(owner, `state ${i} returned by ${name}.call at step ${step}`, s);
    const wantState = [batch, sizes[i]!];
    if (!shapesEqual(t.shape, wantState)) {
      throw new ShapeError(
        `${owner}: ${name}.call returned state ${i} of shape ${fmtShape(t.shape)} at step ${step}; expected ${fmtShape(wantState)} (N, stateSize[${i}])`,
      );
    }
    if (t.dtype !== dtype) throw new DTypeError(`${owner}: ${name}.call returned a ${t.dtype} state ${i} at step ${step}; the input is ${dtype}`);
  });
}
