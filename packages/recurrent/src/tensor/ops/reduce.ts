/** Reductions over any set of axes, with keepDim. */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import type { ReduceOp } from '../../backend/backend.js';
import { ValueError, fmtShape } from '../../errors.js';
import type { TypedArray } from '../dtype.js';
import { allocate } from '../dtype.js';
import { normalizeAxes, normalizeAxis, numel, shapesEqual, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkFloating, checkTensor, zerosOf } from './common.js';
import { mul } from './elementwise.js';
import { expand, reshape } from './view.js';

/** The input laid out as (outer, len, inner) with the reduced axes in the middle. */
export interface Blocks {
  data: TypedArray;
  outer: number;
  len: number;
  inner: number;
}

export function reductionBlocks(x: Tensor, axes: readonly number[]): Blocks {
  const shape = x.shape;
  const first = axes[0] ?? 0;
  const contiguous = axes.every((a, i) => a === first + i);
  if (contiguous) {
    const outer = numel(shape.slice(0, first));
    const len = numel(axes.map((a) => shape[a]!));
    return { data: x.data, outer, len, inner: numel(shape.slice(first + axes.length)) };
  }
  // Move kept axes first, reduced axes last, then reduce the trailing block.
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const strides = stridesOf(shape);
  const permShape = perm.map((p) => shape[p]!);
  const data = allocate(x.dtype, x.size);
  backend().copy(
    data,
    0,
    stridesOf(permShape),
    x.data,
    0,
    perm.map((p) => strides[p]!),
    permShape,
  );
  return { data, outer: numel(kept.map((k) => shape[k]!)), len: numel(axes.map((a) => shape[a]!)), inner: 1 };
}

export function reducedShape(shape: readonly number[], axes: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

/** The name each reduction records on the tape (amax/amin as torch names the value-only reductions). */
const TAPE_OP = { sum: 'sum', max: 'amax', min: 'amin' } as const satisfies Record<ReduceOp, string>;

function reduceOp(op: ReduceOp, name: string, x: Tensor, axesArg: number | readonly number[] | undefined, keepDim: boolean): Tensor {
  checkTensor(name, 'x', x);
  const axes = normalizeAxes(name, axesArg, x.ndim);
  if (op !== 'sum' && axes.some((a) => x.shape[a] === 0)) {
    throw new ValueError(`${name}: cannot reduce over an empty axis; input is ${fmtShape(x.shape)}`);
  }
  const shape = reducedShape(x.shape, axes, keepDim);
  const out = zerosOf(x.dtype, shape);
  const b = reductionBlocks(x, axes);
  backend().reduce(op, out.data, b.data, b.outer, b.len, b.inner);
  record(TAPE_OP[op], [x], [out], { axes, keepDim });
  return out;
}

/** Sum over `axes` (all when omitted). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  return reduceOp('sum', 'sum', x, axes, keepDim);
}

/** Mean over `axes` (all when omitted); floating dtypes. */
export function mean(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  checkTensor('mean', 'x', x);
  checkFloating('mean', 'x', x);
  const list = normalizeAxes('mean', axes, x.ndim);
  const count = numel(list.map((a) => x.shape[a]!));
  return mul(sum(x, list, keepDim), 1 / count);
}

/** Largest value over `axes` (all when omitted); ties share the gradient evenly. */
export function max(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  return reduceOp('max', 'max', x, axes, keepDim);
}

/** Smallest value over `axes` (all when omitted); ties share the gradient evenly. */
export function min(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  return reduceOp('min', 'min', x, axes, keepDim);
}

function argReduce(op: 'max' | 'min', name: string, x: Tensor, axisArg: number | undefined, keepDim: boolean, withValues: boolean): [Tensor, Tensor] {
  checkTensor(name, 'x', x);
  if (axisArg !== undefined) normalizeAxis(name, axisArg, x.ndim);
  // No axis, or a 0-d tensor: work on the flattened tensor.
  const flat = axisArg === undefined || x.ndim === 0;
  const src = flat ? reshape(x, [x.size]) : x;
  const axis = flat ? 0 : normalizeAxis(name, axisArg, x.ndim);
  if (src.shape[axis] === 0) throw new ValueError(`${name}: cannot reduce over an empty axis; input is ${fmtShape(x.shape)}`);
  const shape = flat ? (keepDim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [axis], keepDim);
  const values = zerosOf(x.dtype, shape);
  const indices = new Tensor(new Int32Array(values.size), shape);
  const b = reductionBlocks(src, [axis]);
  backend().argReduce(op, values.data, indices.data as Int32Array, b.data, b.outer, b.len, b.inner);
  if (withValues) record('takeAlong', [src], [values], { axis, keepDim, indices });
  return [values, indices];
}

/** Maximum along `axis` and its position (first on ties): `[values, indices]`, as torch.max(x, dim). */
export function maxWithIndices(x: Tensor, axis: number, keepDim = false): [Tensor, Tensor] {
  return argReduce('max', 'maxWithIndices', x, axis, keepDim, true);
}

/** Minimum along `axis` and its position: `[values, indices]`, as torch.min(x, dim). */
export function minWithIndices(x: Tensor, axis: number, keepDim = false): [Tensor, Tensor] {
  return argReduce('min', 'minWithIndices', x, axis, keepDim, true);
}

/** Position of the largest element along `axis` (of the flattened tensor when omitted), int32. */
export function argmax(x: Tensor, axis?: number, keepDim = false): Tensor {
  return argReduce('max', 'argmax', x, axis, keepDim, false)[1];
}

/** Position of the smallest element along `axis` (of the flattened tensor when omitted), int32. */
export function argmin(x: Tensor, axis?: number, keepDim = false): Tensor {
  return argReduce('min', 'argmin', x, axis, keepDim, false)[1];
}

/** Sums a broadcast gradient back down to `shape` (inverse of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(g, axes, false), shape);
}

/** Expands a reduced gradient back to the input shape. */
export function unreduce(g: Tensor, inputShape: readonly number[], axes: readonly number[]): Tensor {
  return expand(reshape(g, reducedShape(inputShape, axes, true)), inputShape);
}
