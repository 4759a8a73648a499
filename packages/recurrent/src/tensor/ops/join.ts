/** Joining and splitting: concat, stack, split, chunk. */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { normalizeAxis, stridesOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkSameDType, checkTensor, zerosOf } from './common.js';
import { select, unsqueeze } from './view.js';

/** Joins tensors along an existing `axis`; all other sizes must agree. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('concat: tensors must hold at least one tensor');
  tensors.forEach((t, i) => checkTensor('concat', `tensors[${i}]`, t));
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError('concat: 0-d tensors cannot be concatenated; use stack');
  const a = normalizeAxis('concat', axis, first.ndim);
  tensors.forEach((t, i) => {
    checkSameDType('concat', first, t, ['tensors[0]', `tensors[${i}]`]);
    if (t.ndim !== first.ndim || t.shape.some((d, j) => j !== a && d !== first.shape[j])) {
      throw new ShapeError(`concat: shapes differ off axis ${axis}: tensors[0] is ${fmtShape(first.shape)}, tensors[${i}] is ${fmtShape(t.shape)}`);
    }
  });
  const shape = [...first.shape];
  shape[a] = tensors.reduce((acc, t) => acc + t.shape[a]!, 0);
  const out = zerosOf(first.dtype, shape);
  const strides = stridesOf(shape);
  let at = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(at);
    backend().copy(out.data, at * strides[a]!, strides, t.data, 0, stridesOf(t.shape), t.shape);
    at += t.shape[a]!;
  }
  record('concat', tensors, [out], { axis: a, starts });
  return out;
}

/** torch.cat: the same as `concat`. */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  return concat(tensors, axis);
}

/** Joins equally shaped tensors along a new `axis`. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack: tensors must hold at least one tensor');
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    checkTensor('stack', `tensors[${i}]`, t);
    if (t.ndim !== first.ndim || t.shape.some((d, j) => d !== first.shape[j])) {
      throw new ShapeError(`stack: shapes differ: tensors[0] is ${fmtShape(first.shape)}, tensors[${i}] is ${fmtShape(t.shape)}`);
    }
  });
  const a = normalizeAxis('stack', axis, first.ndim + 1);
  return concat(
    tensors.map((t) => unsqueeze(t, a)),
    a,
  );
}

/** Splits along `axis` into pieces of `sizes` (a number: equal pieces of that size, the last may be smaller). */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError('split: x must have at least one axis; it is 0-d');
  const a = normalizeAxis('split', axis, x.ndim);
  const total = x.shape[a]!;
  let list: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new ValueError(`split: size must be a positive integer; got ${sizes}`);
    list = [];
    for (let at = 0; at < total; at += sizes) list.push(Math.min(sizes, total - at));
    if (list.length === 0) list.push(0);
  } else {
    list = [...sizes];
    const sum = list.reduce((s, v) => s + v, 0);
    if (list.some((v) => !Number.isInteger(v) || v < 0) || sum !== total) {
      throw new ValueError(`split: sizes [${list.join(', ')}] must be non-negative and sum to axis ${axis}'s size ${total}`);
    }
  }
  // One op for all pieces, so that backward joins their gradients once (one node per piece would
  // spread each piece's gradient to x's full size: quadratic in the number of pieces).
  const strides = stridesOf(x.shape);
  let at = 0;
  const pieces = list.map((n) => {
    const shape = [...x.shape];
    shape[a] = n;
    const piece = zerosOf(x.dtype, shape);
    if (piece.size > 0) backend().copy(piece.data, 0, stridesOf(shape), x.data, at * strides[a]!, strides, shape);
    at += n;
    return piece;
  });
  record('split', [x], pieces, { axis: a });
  return pieces;
}

/** Splits along `axis` into `chunks` pieces of size ceil(size / chunks) (fewer when it divides unevenly). */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer; got ${chunks}`);
  if (x.ndim === 0) throw new ShapeError('chunk: x must have at least one axis; it is 0-d');
  const a = normalizeAxis('chunk', axis, x.ndim);
  // An empty axis gives `chunks` empty pieces, as torch.chunk.
  if (x.shape[a] === 0) return split(x, new Array<number>(chunks).fill(0), a);
  return split(x, Math.ceil(x.shape[a]! / chunks), a);
}

/** The slices of `x` along `axis` (default 0), that axis removed: the inverse of stack (torch.unbind). */
export function unbind(x: Tensor, axis = 0): Tensor[] {
  checkTensor('unbind', 'x', x);
  if (x.ndim === 0) throw new ShapeError('unbind: x must have at least one axis; it is 0-d');
  const a = normalizeAxis('unbind', axis, x.ndim);
  return Array.from({ length: x.shape[a]! }, (_, i) => select(x, a, i));
}
