/** Sorting along an axis: sort, argsort, topk. Values are gathered through the indices, so their gradient scatters back. */
import { ValueError, fmtShape } from '../../errors.js';
import { normalizeAxis, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from './common.js';
import { gather } from './indexing.js';
import { narrow, reshape } from './view.js';

/** a before b ascending, NaN last (as PyTorch sorts it above every number). */
function ascending(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Stable order of every line along `axis` (ties keep their input order), as int32 positions. */
function orderAlong(x: Tensor, axis: number, descending: boolean): Tensor {
  const len = x.shape[axis]!;
  const outer = numel(x.shape.slice(0, axis));
  const inner = numel(x.shape.slice(axis + 1));
  const out = new Int32Array(x.size);
  const line = Array.from({ length: len }, (_, i) => i);
  const values = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      for (let i = 0; i < len; i++) {
        values[i] = x.data[base + i * inner]!;
        line[i] = i;
      }
      // Array.prototype.sort is stable, so ties stay in input order either way.
      line.sort(descending ? (a, b) => ascending(values[b]!, values[a]!) : (a, b) => ascending(values[a]!, values[b]!));
      for (let i = 0; i < len; i++) out[base + i * inner] = line[i]!;
    }
  }
  return new Tensor(out, x.shape);
}

/** The axis of a sort; a 0-d tensor is sorted as a one-element line. */
function lineView(op: string, x: Tensor, axis: number): [Tensor, number] {
  checkTensor(op, 'x', x);
  const a = normalizeAxis(op, axis, x.ndim);
  return x.ndim === 0 ? [reshape(x, [1]), 0] : [x, a];
}

/**
 * Sorts along `axis` (default −1), stably: equal elements keep their order (torch.sort with
 * stable=True). NaN sorts above every number. Returns `[values, indices]`: values differentiable
 * (the gradient flows back through the indices), indices int32, both of `x`'s shape.
 */
export function sort(x: Tensor, axis = -1, descending = false): [Tensor, Tensor] {
  const [src, a] = lineView('sort', x, axis);
  const indices = orderAlong(src, a, descending);
  return [reshape(gather(src, a, indices), x.shape), reshape(indices, x.shape)];
}

/** The int32 positions that sort `x` along `axis` (default −1), stably (torch.argsort, stable=True). */
export function argsort(x: Tensor, axis = -1, descending = false): Tensor {
  return sort(x, axis, descending)[1];
}

export interface TopkOptions {
  /** Axis to search; default −1. */
  axis?: number;
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
  /** Return them in sorted order (default true); false keeps them in their order in `x`. */
  sorted?: boolean;
}

/**
 * The `k` largest (or smallest) elements along an axis, as torch.topk: `[values, indices]` with
 * the axis cut to `k`; indices int32. Equal elements are taken in input order.
 */
export function topk(x: Tensor, k: number, options: TopkOptions = {}): [Tensor, Tensor] {
  const [src, a] = lineView('topk', x, options.axis ?? -1);
  const len = src.shape[a]!;
  if (!Number.isInteger(k) || k < 0 || k > len) {
    throw new ValueError(`topk: k must be an integer in [0, ${len}] for axis ${options.axis ?? -1} of ${fmtShape(x.shape)}; got ${k}`);
  }
  let indices = narrow(orderAlong(src, a, options.largest ?? true), a, 0, k);
  if (options.sorted === false) indices = sort(indices, a)[0];
  const shape = x.ndim === 0 ? [] : indices.shape;
  return [reshape(gather(src, a, indices), shape), reshape(indices, shape)];
}
