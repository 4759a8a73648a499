/** Elementwise kernels of the reference backend: unary, broadcast binary, where, clamp. */
import type { BinaryOp, UnaryOp } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
};

const BINARY: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: Math.pow,
  maximum: (x, y) => (x >= y || Number.isNaN(x) ? x : y),
  minimum: (x, y) => (x <= y || Number.isNaN(x) ? x : y),
  eq: (x, y) => +(x === y),
  ne: (x, y) => +(x !== y),
  lt: (x, y) => +(x < y),
  le: (x, y) => +(x <= y),
  gt: (x, y) => +(x > y),
  ge: (x, y) => +(x >= y),
};

export function unary(op: UnaryOp, out: TypedArray, a: TypedArray): void {
  const f = UNARY[op];
  for (let i = 0; i < out.length; i++) out[i] = f(a[i]!);
}

/** Whether `strides` read `shape` as a contiguous row-major array (size-1 axes may carry any stride). */
export function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

/**
 * Walks every index of `shape` in row-major order, keeping one running offset per strided operand,
 * and calls `visit(flatIndex, offsets)`. The innermost axis is a plain loop.
 */
export function walk(shape: readonly number[], strides: readonly (readonly number[])[], visit: (i: number, offsets: Int32Array | number[]) => void): void {
  const nd = shape.length;
  const k = strides.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const offsets = new Array<number>(k).fill(0);
  if (nd === 0) {
    visit(0, offsets);
    return;
  }
  const counter = new Array<number>(nd).fill(0);
  const last = shape[nd - 1]!;
  for (let i = 0; i < total;) {
    const base = offsets.slice();
    for (let j = 0; j < last; j++, i++) {
      for (let q = 0; q < k; q++) offsets[q] = base[q]! + j * strides[q]![nd - 1]!;
      visit(i, offsets);
    }
    for (let q = 0; q < k; q++) offsets[q] = base[q]!;
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]!++;
      for (let q = 0; q < k; q++) offsets[q]! += strides[q]![d]!;
      if (counter[d]! < shape[d]!) break;
      for (let q = 0; q < k; q++) offsets[q]! -= strides[q]![d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}

/**
 * Whether an operand read through `strides` repeats one contiguous block of `len` elements along
 * the leading axes (a bias row broadcast over a batch): leading strides 0, trailing contiguous.
 */
export function isTrailingBlock(strides: readonly number[], shape: readonly number[], len: number): boolean {
  let size = 1;
  let d = shape.length - 1;
  for (; d >= 0 && size < len; d--) {
    if (strides[d] !== size && shape[d] !== 1) return false;
    size *= shape[d]!;
  }
  if (size !== len) return false;
  for (; d >= 0; d--) if (strides[d] !== 0 && shape[d] !== 1) return false;
  return true;
}

export function binary(
  op: BinaryOp,
  out: TypedArray,
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  shape: readonly number[],
): void {
  const f = BINARY[op];
  const n = out.length;
  const aFlat = isContiguous(aStrides, shape);
  const bFlat = isContiguous(bStrides, shape);
  if (aFlat && bFlat) {
    if (op === 'add') for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
    else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
    else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
    else for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    return;
  }
  if (aFlat && b.length === 1) {
    const y = b[0]!;
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, y);
    return;
  }
  if (aFlat && b.length > 0 && n % b.length === 0 && isTrailingBlock(bStrides, shape, b.length)) {
    const len = b.length;
    if (op === 'add') for (let i = 0; i < n; i += len) for (let j = 0; j < len; j++) out[i + j] = a[i + j]! + b[j]!;
    else for (let i = 0; i < n; i += len) for (let j = 0; j < len; j++) out[i + j] = f(a[i + j]!, b[j]!);
    return;
  }
  if (bFlat && a.length > 0 && n % a.length === 0 && isTrailingBlock(aStrides, shape, a.length)) {
    const len = a.length;
    for (let i = 0; i < n; i += len) for (let j = 0; j < len; j++) out[i + j] = f(a[j]!, b[i + j]!);
    return;
  }
  walk(shape, [aStrides, bStrides], (i, o) => {
    out[i] = f(a[o[0]!]!, b[o[1]!]!);
  });
}

export function where(
  out: TypedArray,
  cond: TypedArray,
  condStrides: readonly number[],
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  shape: readonly number[],
): void {
  walk(shape, [condStrides, aStrides, bStrides], (i, o) => {
    out[i] = cond[o[0]!] !== 0 ? a[o[1]!]! : b[o[2]!]!;
  });
}

export function clamp(out: TypedArray, a: TypedArray, lo: number, hi: number): void {
  for (let i = 0; i < out.length; i++) {
    const x = a[i]!;
    out[i] = x < lo ? lo : x > hi ? hi : x;
  }
}

export function copy(
  dst: TypedArray,
  dstOffset: number,
  dstStrides: readonly number[],
  src: TypedArray,
  srcOffset: number,
  srcStrides: readonly number[],
  shape: readonly number[],
): void {
  const nd = shape.length;
  // One value to a contiguous block (expanding a scalar, e.g. the gradient of a sum): a fill.
  if (nd > 0 && srcStrides.every((s) => s === 0) && isContiguous(dstStrides, shape)) {
    let total = 1;
    for (const d of shape) total *= d;
    dst.fill(src[srcOffset]!, dstOffset, dstOffset + total);
    return;
  }
  // A row broadcast along its last axis (expanding a column): fill each run.
  if (nd > 0 && dstStrides[nd - 1] === 1 && srcStrides[nd - 1] === 0) {
    const len = shape[nd - 1]!;
    if (len === 0) return;
    walk(shape.slice(0, -1), [dstStrides.slice(0, -1), srcStrides.slice(0, -1)], (_, o) => {
      dst.fill(src[srcOffset + o[1]!]!, dstOffset + o[0]!, dstOffset + o[0]! + len);
    });
    return;
  }
  // Rows contiguous on both sides (narrow, concat, pad): copy whole rows at once.
  if (nd > 0 && dstStrides[nd - 1] === 1 && srcStrides[nd - 1] === 1) {
    const len = shape[nd - 1]!;
    if (len === 0) return;
    walk(shape.slice(0, -1), [dstStrides.slice(0, -1), srcStrides.slice(0, -1)], (_, o) => {
      const from = srcOffset + o[1]!;
      dst.set(src.subarray(from, from + len), dstOffset + o[0]!);
    });
    return;
  }
  walk(shape, [dstStrides, srcStrides], (_, o) => {
    dst[dstOffset + o[0]!] = src[srcOffset + o[1]!]!;
  });
}
