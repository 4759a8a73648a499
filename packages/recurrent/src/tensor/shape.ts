/** Shape arithmetic: sizes, strides, broadcasting, axis normalisation. */
import { IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous array of `shape`. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(op: string, shape: Shape): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ValueError(`${op}: shape must hold non-negative integers; got ${fmtShape(shape)}`);
    }
  }
  return [...shape];
}

/** NumPy broadcasting of two shapes; names both arguments when they are incompatible. */
export function broadcastShapes(op: string, a: Shape, b: Shape, names: [string, string] = ['a', 'b']): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes cannot be broadcast: ${names[0]} is ${fmtShape(a)}, ${names[1]} is ${fmtShape(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides to read an array of `shape` as if it had `target` shape (0 on broadcast axes). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : own[i]!;
  return out;
}

/** Maps a possibly negative axis into [0, ndim). A 0-d tensor accepts 0 and −1, as in PyTorch. */
export function normalizeAxis(op: string, axis: number, ndim: number, arg = 'axis'): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(axis) || axis < -n || axis >= n) {
    throw new IndexError(`${op}: ${arg} ${axis} is out of range for a tensor of rank ${ndim}`);
  }
  return axis < 0 ? axis + n : axis;
}

/** Normalises a list of axes (undefined means all), sorted and without repeats. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, ndim));
  const sorted = [...new Set(out)].sort((x, y) => x - y);
  if (sorted.length !== out.length) throw new ValueError(`${op}: axes repeat: [${list.join(', ')}]`);
  // A 0-d tensor has no real axis: reducing over its axis 0 (or −1) leaves it as it is.
  return ndim === 0 ? [] : sorted;
}
