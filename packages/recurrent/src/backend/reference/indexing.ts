/** Gather / scatter kernels of the reference backend. */
import type { TypedArray } from '../../tensor/dtype.js';
import { stridesOf } from '../../tensor/shape.js';
import { walk } from './elementwise.js';

export function gather(out: TypedArray, src: TypedArray, srcShape: readonly number[], index: Int32Array, indexShape: readonly number[], axis: number): void {
  const srcStrides = stridesOf(srcShape);
  const along = srcStrides[axis]!;
  const readStrides = srcStrides.map((s, d) => (d === axis ? 0 : s));
  walk(indexShape, [readStrides], (i, o) => {
    out[i] = src[o[0]! + index[i]! * along]!;
  });
}

export function scatterAdd(
  dst: TypedArray,
  dstShape: readonly number[],
  index: Int32Array,
  indexShape: readonly number[],
  src: TypedArray,
  srcShape: readonly number[],
  axis: number,
): void {
  const dstStrides = stridesOf(dstShape);
  const along = dstStrides[axis]!;
  const writeStrides = dstStrides.map((s, d) => (d === axis ? 0 : s));
  walk(indexShape, [writeStrides, stridesOf(srcShape)], (i, o) => {
    dst[o[0]! + index[i]! * along]! += src[o[1]!]!;
  });
}

export function indexSelect(out: TypedArray, src: TypedArray, index: Int32Array, outer: number, len: number, inner: number): void {
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < n; r++) {
      const from = (o * len + index[r]!) * inner;
      const to = (o * n + r) * inner;
      for (let j = 0; j < inner; j++) out[to + j] = src[from + j]!;
    }
  }
}

export function indexAdd(dst: TypedArray, index: Int32Array, src: TypedArray, outer: number, len: number, inner: number): void {
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < n; r++) {
      const to = (o * len + index[r]!) * inner;
      const from = (o * n + r) * inner;
      for (let j = 0; j < inner; j++) dst[to + j]! += src[from + j]!;
    }
  }
}
