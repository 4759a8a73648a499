/** Shape ops: reshape, permute, expand, narrow, flip, pad and the forms built on them. */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import { IndexError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { broadcastStrides, normalizeAxes, normalizeAxis, numel, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor, zerosOf } from './common.js';

/** Same elements, new shape; one size may be −1 (inferred). Shares storage with `x`. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'x', x);
  const target = [...shape];
  const infer = target.indexOf(-1);
  if (target.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== infer))) {
    throw new ShapeError(`reshape: shape may hold non-negative sizes and one −1; got ${fmtShape(shape)}`);
  }
  if (infer >= 0) {
    const known = numel(target.filter((_, i) => i !== infer));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    target[infer] = x.size / known;
  }
  if (numel(target) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
  }
  const out = new Tensor(x.data, target);
  record('reshape', [x], [out]);
  return out;
}

/** Reorders axes: output axis i is input axis `axes[i]`. */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  checkTensor('permute', 'x', x);
  if (axes.length !== x.ndim) {
    throw new ShapeError(`permute: axes must list all ${x.ndim} axes of a ${fmtShape(x.shape)} tensor; got [${axes.join(', ')}]`);
  }
  const perm = axes.map((a) => normalizeAxis('permute', a, x.ndim));
  if (new Set(perm).size !== perm.length) throw new ValueError(`permute: axes repeat: [${axes.join(', ')}]`);
  const shape = perm.map((p) => x.shape[p]!);
  const out = zerosOf(x.dtype, shape);
  const strides = stridesOf(x.shape);
  backend().copy(
    out.data,
    0,
    stridesOf(shape),
    x.data,
    0,
    perm.map((p) => strides[p]!),
    shape,
  );
  record('permute', [x], [out], { perm });
  return out;
}

/** Swaps two axes (the last two by default). */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  const a = normalizeAxis('transpose', axis0, x.ndim, 'axis0');
  const b = normalizeAxis('transpose', axis1, x.ndim, 'axis1');
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Removes size-1 axes (the listed ones, or all). */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const list = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axes, x.ndim);
  return reshape(
    x,
    x.shape.filter((d, i) => !(list.includes(i) && d === 1)),
  );
}

/** Inserts a size-1 axis at `axis` (−1 appends). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('unsqueeze', axis, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Merges axes startAxis..endAxis into one. */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startAxis, x.ndim, 'startAxis');
  const e = normalizeAxis('flatten', endAxis, x.ndim, 'endAxis');
  if (s > e) throw new ValueError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis}`);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Broadcasts to `shape` (−1 keeps a size; new leading axes allowed). Copies. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('expand', 'x', x);
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new ShapeError(`expand: target ${fmtShape(shape)} has fewer axes than the input ${fmtShape(x.shape)}`);
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  target.forEach((d, i) => {
    const own = i >= lead ? x.shape[i - lead]! : 1;
    if (!Number.isInteger(d) || d < 0 || (own !== 1 && own !== d)) {
      throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    }
  });
  const out = zerosOf(x.dtype, target);
  backend().copy(out.data, 0, stridesOf(target), x.data, 0, broadcastStrides(x.shape, target), target);
  record('expand', [x], [out]);
  return out;
}

/** Elements start .. start+length−1 along `axis`. Copies. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  checkTensor('narrow', 'x', x);
  if (x.ndim === 0) throw new ShapeError('narrow: x must have at least one axis; it is 0-d');
  const a = normalizeAxis('narrow', axis, x.ndim);
  const size = x.shape[a]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new IndexError(`narrow: start ${start} and length ${length} exceed axis ${axis} of size ${size}`);
  }
  const shape = [...x.shape];
  shape[a] = length;
  const out = zerosOf(x.dtype, shape);
  const strides = stridesOf(x.shape);
  backend().copy(out.data, 0, stridesOf(shape), x.data, s * strides[a]!, strides, shape);
  record('narrow', [x], [out], { axis: a, start: s });
  return out;
}

/** Python-style slice [start, end) along `axis`; negative bounds count from the end, out-of-range bounds clip. */
export function slice(x: Tensor, axis: number, start = 0, end?: number): Tensor {
  const a = normalizeAxis('slice', axis, x.ndim);
  const size = x.shape[a]!;
  const clip = (v: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clip(start);
  const e = clip(end ?? size);
  return narrow(x, a, s, Math.max(e - s, 0));
}

/** The slice at `index` along `axis`, with that axis removed. */
export function select(x: Tensor, axis: number, index: number): Tensor {
  if (x.ndim === 0) throw new ShapeError('select: x must have at least one axis; it is 0-d');
  const a = normalizeAxis('select', axis, x.ndim);
  const size = x.shape[a]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(`select: index ${index} is out of range for axis ${axis} of size ${size}`);
  }
  const shape = x.shape.filter((_, i) => i !== a);
  return reshape(narrow(x, a, index < 0 ? index + size : index, 1), shape);
}

/** Reverses the order of elements along `axes`. */
export function flip(x: Tensor, axes: number | readonly number[]): Tensor {
  checkTensor('flip', 'x', x);
  const list = normalizeAxes('flip', axes, x.ndim);
  const strides = stridesOf(x.shape);
  let offset = 0;
  const read = strides.map((s, i) => {
    if (!list.includes(i)) return s;
    offset += (x.shape[i]! - 1) * s;
    return -s;
  });
  const out = zerosOf(x.dtype, x.shape);
  if (out.size > 0) backend().copy(out.data, 0, strides, x.data, offset, read, x.shape);
  record('flip', [x], [out], { axes: list });
  return out;
}

/**
 * Pads with a constant, as torch.nn.functional.pad: `pads` lists (before, after) pairs starting
 * from the last axis, e.g. [1, 2] pads the last axis by 1 before and 2 after.
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  checkTensor('pad', 'x', x);
  if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim || pads.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new ValueError(`pad: pads must be non-negative (before, after) pairs for at most ${x.ndim} axes; got [${pads.join(', ')}]`);
  }
  const before = x.shape.map(() => 0);
  const shape = [...x.shape];
  for (let i = 0; i < pads.length / 2; i++) {
    const axis = x.ndim - 1 - i;
    before[axis] = pads[2 * i]!;
    shape[axis]! += pads[2 * i]! + pads[2 * i + 1]!;
  }
  const out = zerosOf(x.dtype, shape);
  if (value !== 0) out.data.fill(value);
  const strides = stridesOf(shape);
  const offset = before.reduce((acc, b, i) => acc + b * strides[i]!, 0);
  backend().copy(out.data, offset, strides, x.data, 0, stridesOf(x.shape), x.shape);
  record('pad', [x], [out], { before });
  return out;
}

/** Zeros of `shape` with `g` written at offsets `starts` (the backward of narrow and pad's inverse). */
export function placeInZeros(g: Tensor, shape: readonly number[], starts: readonly number[]): Tensor {
  const out = zerosOf(g.dtype, shape);
  const strides = stridesOf(shape);
  const offset = starts.reduce((acc, s, i) => acc + s * strides[i]!, 0);
  backend().copy(out.data, offset, strides, g.data, 0, stridesOf(g.shape), g.shape);
  record('placeInZeros', [g], [out], { starts });
  return out;
}

/** The block of `x` of `shape` at offsets `starts` (the backward of pad). */
export function crop(x: Tensor, shape: readonly number[], starts: readonly number[]): Tensor {
  let out = x;
  starts.forEach((s, axis) => {
    if (s !== 0 || shape[axis] !== x.shape[axis]) out = narrow(out, axis, s, shape[axis]!);
  });
  return out;
}
