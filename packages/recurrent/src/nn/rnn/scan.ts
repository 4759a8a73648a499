/**
 * scan: a step function folded along the first axis, keeping every intermediate result, as
 * TensorFlow's tf.scan.
 *
 * Shape legend: T = steps (the first axis of every element tensor), * = any trailing axes.
 *   elems    (T, *) or an array of such tensors, all with the same T
 *   initial  a tensor or an array of tensors (the state structure)
 *   result   the state structure with every tensor stacked on a new first axis: (T, *state)
 *
 * Built from ordinary ops (select, the step function's own ops, stack), so gradients flow to
 * `elems`, `initial` and anything `fn` closes over: backpropagation through time for free.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { stack } from '../../tensor/ops/join.js';
import { select } from '../../tensor/ops/view.js';
import { shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';

/** A tensor or an array of tensors: the structure of scan's elements and states. */
export type TensorStructure = Tensor | readonly Tensor[];

export interface ScanOptions {
  /** Run from the last element to the first; the result stays in the original time order. Default false. */
  reverse?: boolean;
}

function asList(op: string, arg: string, value: TensorStructure): Tensor[] {
  if (value instanceof Tensor) return [value];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValueError(`${op}: ${arg} must be a Tensor or a non-empty array of Tensors`);
  }
  return (value as readonly unknown[]).map((t, i) => checkTensor(op, `${arg}[${i}]`, t));
}

function rebuild<S extends TensorStructure>(like: S, list: Tensor[]): S {
  return (like instanceof Tensor ? list[0]! : list) as S;
}

/**
 * Applies `fn(state, x_t)` for t = 0 … T−1 (T−1 … 0 with `reverse`) and stacks every state:
 *
 *     s_{−1} = initial,   s_t = fn(s_{t−1}, elems[t]),   result[t] = s_t
 *
 * With `reverse`, s_T = initial and s_t = fn(s_{t+1}, elems[t]); result[t] is still s_t, so the
 * result is in the original order (tf.scan's `reverse=True`).
 *
 * `fn` must return the structure of `initial` — a single tensor, or an array of as many tensors
 * — with every tensor keeping its shape and dtype. With T = 0 the result holds empty (0, *)
 * tensors.
 *
 * Args:
 *   fn: the step (state, x) → new state; x is one slice elems[t] (or an array of slices).
 *   elems: a tensor (T, *) or an array of tensors with the same first axis T.
 *   initial: the state before the first step: a tensor or an array of tensors.
 *   options.reverse: scan last to first. Default false.
 *
 * Returns: the states, stacked: each tensor of `initial` (shape S) becomes (T, S).
 *
 * Throws: ShapeError for an element tensor without a first axis, differing T, or a step that
 * changes a state's shape; DTypeError for a step that changes a state's dtype; ValueError for an
 * empty array or a step that returns another structure.
 *
 * @example
 * import { add, scan, tensor, zeros } from 'recurrent';
 * scan((acc, x) => add(acc, x), tensor([1, 2, 3, 4]), tensor(0)).toArray();           // [1, 3, 6, 10]
 * scan((acc, x) => add(acc, x), tensor([1, 2, 3, 4]), tensor(0), { reverse: true }); // [10, 9, 7, 4]
 * // Fibonacci numbers with a pair as the state:
 * const [a, b] = scan(([p, q]) => [q, add(p, q)], zeros([6]), [tensor(0), tensor(1)]);
 * a.toArray(); // [1, 1, 2, 3, 5, 8]
 */
export function scan<S extends TensorStructure, E extends TensorStructure>(fn: (state: S, x: E) => S, elems: E, initial: S, options: ScanOptions = {}): S {
  const op = 'scan';
  if (typeof fn !== 'function') throw new ValueError(`${op}: fn must be a function (state, x) => state`);
  const reverse = options.reverse ?? false;
  if (typeof reverse !== 'boolean') throw new ValueError(`${op}: reverse must be a boolean; got ${String(reverse)}`);
  const xs = asList(op, 'elems', elems);
  const init = asList(op, 'initial', initial);
  xs.forEach((x, i) => {
    if (x.ndim === 0) throw new ShapeError(`${op}: elems${xs.length > 1 ? `[${i}]` : ''} must have a first (time) axis; it is 0-d`);
    if (x.shape[0] !== xs[0]!.shape[0]) {
      throw new ShapeError(`${op}: every element tensor needs the same first axis; elems[0] is ${fmtShape(xs[0]!.shape)}, elems[${i}] is ${fmtShape(x.shape)}`);
    }
  });
  const T = xs[0]!.shape[0]!;
  if (T === 0)
    return rebuild(
      initial,
      init.map((s) => zerosOf(s.dtype, [0, ...s.shape])),
    );

  const results: Tensor[][] = new Array<Tensor[]>(T);
  let state = init;
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const x = xs.map((e) => select(e, 0, t));
    const next = fn(rebuild(initial, state), rebuild(elems, x));
    state = checkStep(op, next, init, t);
    results[t] = state;
  }
  return rebuild(
    initial,
    init.map((_, i) =>
      stack(
        results.map((r) => r[i]!),
        0,
      ),
    ),
  );
}

/** The step's result as a list, checked against the structure and shapes of `init`. */
function checkStep(op: string, next: TensorStructure, init: readonly Tensor[], t: number): Tensor[] {
  const single = init.length === 1 && !Array.isArray(next);
  if (!single && (!Array.isArray(next) || next.length !== init.length)) {
    const got = Array.isArray(next) ? `an array of ${next.length}` : typeof next;
    throw new ValueError(
      `${op}: fn must return the structure of initial (${init.length} tensor${init.length > 1 ? 's' : ''}); at step ${t} it returned ${got}`,
    );
  }
  const list = next instanceof Tensor ? [next] : [...next];
  list.forEach((s, i) => {
    checkTensor(op, `the state returned at step ${t}`, s);
    const want = init[i]!;
    if (!shapesEqual(s.shape, want.shape)) {
      throw new ShapeError(`${op}: fn changed the shape of state ${i} at step ${t}: expected ${fmtShape(want.shape)}, got ${fmtShape(s.shape)}`);
    }
    if (s.dtype !== want.dtype) throw new DTypeError(`${op}: fn changed the dtype of state ${i} at step ${t}: expected ${want.dtype}, got ${s.dtype}`);
  });
  return list;
}
