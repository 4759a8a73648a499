/** Reductions of the reference backend over the middle axis of (outer, len, inner). */
import type { ReduceOp } from '../backend.js';
import type { FloatArray, TypedArray } from '../../tensor/dtype.js';

export function reduce(op: ReduceOp, out: TypedArray, a: TypedArray, outer: number, len: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let acc = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
      for (let i = 0; i < len; i++) {
        const x = a[base + i * inner]!;
        if (op === 'sum') acc += x;
        else if (Number.isNaN(x) || (op === 'max' ? x > acc : x < acc)) acc = x;
      }
      out[o * inner + j] = acc;
    }
  }
}

export function argReduce(op: 'max' | 'min', values: TypedArray, indices: Int32Array, a: TypedArray, outer: number, len: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let best = a[base]!;
      let at = 0;
      for (let i = 1; i < len && !Number.isNaN(best); i++) {
        const x = a[base + i * inner]!;
        if (Number.isNaN(x) || (op === 'max' ? x > best : x < best)) {
          best = x;
          at = i;
        }
      }
      values[o * inner + j] = best;
      indices[o * inner + j] = at;
    }
  }
}

export function softmax(out: FloatArray, a: FloatArray, outer: number, len: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let max = -Infinity;
      for (let i = 0; i < len; i++) max = Math.max(max, a[base + i * inner]!);
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let i = 0; i < len; i++) sum += Math.exp(a[base + i * inner]! - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let i = 0; i < len; i++) out[base + i * inner] = a[base + i * inner]! - lse;
      } else {
        for (let i = 0; i < len; i++) out[base + i * inner] = Math.exp(a[base + i * inner]! - max) / sum;
      }
    }
  }
}

export function logSumExp(out: FloatArray, a: FloatArray, outer: number, len: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let max = -Infinity;
      for (let i = 0; i < len; i++) max = Math.max(max, a[base + i * inner]!);
      if (!Number.isFinite(max)) {
        out[o * inner + j] = len === 0 ? -Infinity : max;
        continue;
      }
      let sum = 0;
      for (let i = 0; i < len; i++) sum += Math.exp(a[base + i * inner]! - max);
      out[o * inner + j] = max + Math.log(sum);
    }
  }
}
