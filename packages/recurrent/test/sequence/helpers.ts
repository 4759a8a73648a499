/** Builders shared by the sequence tests: batches whose every valid element is distinct. */
import { Tensor, type DType, type NestedArray } from '../../src/index.js';

function allocate(dtype: DType, n: number): Float32Array | Float64Array | Int32Array {
  if (dtype === 'float64') return new Float64Array(n);
  if (dtype === 'int32') return new Int32Array(n);
  return new Float32Array(n);
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Sequences (L_b, *) holding 1, 2, 3, … in order across the whole batch (exact in every dtype),
 * starting at `first`.
 */
export function distinctSequences(lengths: readonly number[], feature: readonly number[], dtype: DType = 'float64', first = 1): Tensor[] {
  let next = first;
  return lengths.map((len) => {
    const data = allocate(dtype, len * numel(feature));
    for (let i = 0; i < data.length; i++) data[i] = next++;
    return new Tensor(data, [len, ...feature]);
  });
}

/**
 * A padded batch (T, B, *) or (B, T, *) of the given sequences, T = `steps` (default: the longest),
 * with `fill` in the padded positions (a value the functions under test must never copy).
 */
export function paddedOf(sequences: readonly Tensor[], batchFirst: boolean, fill = -99, steps?: number): Tensor {
  const first = sequences[0]!;
  const feature = first.shape.slice(1);
  const f = numel(feature);
  const batch = sequences.length;
  const t = steps ?? Math.max(...sequences.map((s) => s.shape[0]!));
  const data = allocate(first.dtype, t * batch * f).fill(fill);
  sequences.forEach((s, b) => {
    for (let step = 0; step < s.shape[0]!; step++) {
      const at = (batchFirst ? b * t + step : step * batch + b) * f;
      for (let k = 0; k < f; k++) data[at + k] = s.data[step * f + k]!;
    }
  });
  return new Tensor(data, batchFirst ? [batch, t, ...feature] : [t, batch, ...feature]);
}

/** The expected packed data (as nested arrays) of `sequences`, taking them in `order`. */
export function expectedPacked(sequences: readonly Tensor[], order: readonly number[]): NestedArray[] {
  const rows: NestedArray[] = [];
  const longest = Math.max(...sequences.map((s) => s.shape[0]!));
  for (let t = 0; t < longest; t++) {
    for (const b of order) {
      const s = sequences[b]!;
      if (t < s.shape[0]!) rows.push((s.toArray() as NestedArray[])[t]!);
    }
  }
  return rows;
}

/** Batch positions sorted by decreasing length, ties in batch order. */
export function stableOrder(lengths: readonly number[]): number[] {
  return lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
}
