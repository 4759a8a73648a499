/** Running sums and products along an axis: cumsum, cumprod. */
import { record } from '../autograd/tape.js';
import { allocate } from '../dtype.js';
import { normalizeAxis, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './common.js';

type Fold = (acc: number, v: number) => number;

function scanAlong(x: Tensor, axis: number, first: number, fold: Fold): Tensor {
  const len = x.ndim === 0 ? 1 : x.shape[axis]!;
  const outer = numel(x.shape.slice(0, axis));
  const inner = numel(x.shape.slice(axis + 1));
  const out = allocate(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let acc = first;
      for (let i = 0; i < len; i++) {
        acc = fold(acc, x.data[base + i * inner]!);
        out[base + i * inner] = acc;
      }
    }
  }
  return new Tensor(out, x.shape);
}

/** y[…, i, …] = Σ_{j ≤ i} x[…, j, …] along `axis` (torch.cumsum). Same shape and dtype. */
export function cumsum(x: Tensor, axis: number): Tensor {
  checkTensor('cumsum', 'x', x);
  const a = normalizeAxis('cumsum', axis, x.ndim);
  const out = scanAlong(x, a, 0, (acc, v) => acc + v);
  // int32 sums wrap like the storage; the typed array does that on write.
  record('cumsum', [x], [out], { axis: a });
  return out;
}

/** y[…, i, …] = Π_{j ≤ i} x[…, j, …] along `axis` (torch.cumprod). Same shape and dtype. */
export function cumprod(x: Tensor, axis: number): Tensor {
  checkTensor('cumprod', 'x', x);
  const a = normalizeAxis('cumprod', axis, x.ndim);
  const out = scanAlong(x, a, 1, x.dtype === 'int32' ? (acc, v) => Math.imul(acc, v) : (acc, v) => acc * v);
  record('cumprod', [x], [out], { axis: a });
  return out;
}

/**
 * The gradient of cumprod: dx_i = Σ_{j ≥ i} g_j · Π_{k ≤ j, k ≠ i} x_k, computed directly so that
 * zeros in x are exact (dividing y by x would not be). O(len²) per line. Not itself recorded.
 */
export function cumprodBackward(x: Tensor, g: Tensor, axis: number): Tensor {
  const len = x.ndim === 0 ? 1 : x.shape[axis]!;
  const outer = numel(x.shape.slice(0, axis));
  const inner = numel(x.shape.slice(axis + 1));
  const out = allocate(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      const at = (i: number): number => base + i * inner;
      let prefix = 1; // Π_{k < i} x_k
      for (let i = 0; i < len; i++) {
        let suffix = prefix; // Π_{k ≤ m, k ≠ i} x_k as m runs from i
        let s = g.data[at(i)]! * suffix;
        for (let m = i + 1; m < len; m++) {
          suffix *= x.data[at(m)]!;
          s += g.data[at(m)]! * suffix;
        }
        out[at(i)] = s;
        prefix *= x.data[at(i)]!;
      }
    }
  }
  return new Tensor(out, x.shape);
}
