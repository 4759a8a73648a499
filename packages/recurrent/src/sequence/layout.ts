/**
 * Index arithmetic shared by the packing and padding functions: reading `lengths`, ordering a batch
 * by decreasing length, batch sizes, and where each (step, sequence) lives in a packed `data`.
 *
 * Shape legend: B = sequences, T = the longest length, N = Σ lengths, * = feature axes.
 * A packed row is addressed by (t, j): step t of the j-th longest sequence, at row offsets[t] + j,
 * present when j < batchSizes[t] (equivalently t < sortedLengths[j]).
 */
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { indexSelect } from '../tensor/ops/indexing.js';
import { Tensor } from '../tensor/tensor.js';
import { PackedSequence } from './packed.js';

/** Sequence lengths: a number[] or a 1-D int32 tensor (B). */
export type Lengths = readonly number[] | Tensor;

/** The lengths as plain integers, checked for type and rank (values are checked by the caller). */
export function readLengths(op: string, lengths: Lengths): number[] {
  if (lengths instanceof Tensor) {
    if (lengths.dtype !== 'int32' || lengths.ndim !== 1) {
      const Err = lengths.dtype !== 'int32' ? DTypeError : ShapeError;
      throw new Err(`${op}: 'lengths' argument should be a 1-D int32 tensor, but got a ${lengths.ndim}-D ${lengths.dtype} tensor`);
    }
    return Array.from(lengths.data);
  }
  if (!Array.isArray(lengths)) {
    throw new ValueError(`${op}: lengths must be a number[] or a 1-D int32 Tensor; got ${lengths === null ? 'null' : typeof lengths}`);
  }
  return (lengths as readonly unknown[]).map((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new ValueError(`${op}: lengths[${i}] must be an integer; got ${String(v)}`);
    }
    return v;
  });
}

/** How a batch is packed: the order of its sequences and the resulting batch sizes. */
export interface PackingPlan {
  /** order[j] = batch position of the j-th longest sequence (identity when enforceSorted). */
  readonly order: Int32Array;
  /** sortedLengths[j] = length of the j-th longest sequence. */
  readonly sortedLengths: Int32Array;
  /** batchSizes[t] = number of sequences longer than t. */
  readonly batchSizes: Int32Array;
}

/**
 * Orders `lengths` for packing, with torch's checks in torch's order: with `enforceSorted` the
 * lengths must already be non-increasing; otherwise they are sorted by decreasing length (stable).
 * Every length must be positive.
 */
export function planPacking(op: string, lengths: readonly number[], enforceSorted: boolean): PackingPlan {
  const b = lengths.length;
  const order = Int32Array.from(lengths.map((_, i) => i));
  if (!enforceSorted) order.sort((x, y) => lengths[y]! - lengths[x]! || x - y);
  const sortedLengths = Int32Array.from(order, (i) => lengths[i]!);
  if (b > 0 && sortedLengths[b - 1]! <= 0) {
    throw new ValueError(`${op}: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0`);
  }
  for (let j = 1; j < b; j++) {
    if (sortedLengths[j]! > sortedLengths[j - 1]!) {
      throw new ValueError(
        `${op}: \`lengths\` array must be sorted in decreasing order when \`enforceSorted\` is true. ` +
          'You can pass `enforceSorted: false` to packPaddedSequence and/or packSequence to sidestep this requirement ' +
          'if you do not need ONNX exportability.',
      );
    }
  }
  const steps = b > 0 ? sortedLengths[0]! : 0;
  const batchSizes = new Int32Array(steps);
  for (let j = 0; j < b; j++) for (let t = 0; t < sortedLengths[j]!; t++) batchSizes[t]!++;
  return { order, sortedLengths, batchSizes };
}

/**
 * Packed row indices into a source laid out by `rowOf(b, t)` (the row holding step t of the
 * sequence at batch position b): step 0 of every sorted sequence, then step 1, …
 */
export function packedRows(plan: PackingPlan, rowOf: (b: number, t: number) => number): Int32Array {
  let n = 0;
  for (const size of plan.batchSizes) n += size;
  const rows = new Int32Array(n);
  let at = 0;
  plan.batchSizes.forEach((size, t) => {
    for (let j = 0; j < size; j++) rows[at++] = rowOf(plan.order[j]!, t);
  });
  return rows;
}

/** Rows `rows` of `x` along axis 0 (a recorded indexSelect). */
export function selectRows(x: Tensor, rows: Int32Array): Tensor {
  return indexSelect(x, 0, new Tensor(rows, [rows.length]));
}

/** The PackedSequence of `data` packed by `plan`; sorting indices only when the batch was sorted here. */
export function packedSequenceOf(data: Tensor, plan: PackingPlan, enforceSorted: boolean): PackedSequence {
  const batchSizes = new Tensor(plan.batchSizes, [plan.batchSizes.length]);
  if (enforceSorted) return new PackedSequence(data, batchSizes);
  const unsorted = new Int32Array(plan.order.length);
  plan.order.forEach((b, j) => (unsorted[b] = j));
  return new PackedSequence(data, batchSizes, new Tensor(plan.order.slice(), [plan.order.length]), new Tensor(unsorted, [unsorted.length]));
}

/** Where each sequence of a PackedSequence lives in its data. */
export interface PackedLayout {
  /** B, the number of sequences. */
  readonly batch: number;
  /** offsets[t] = first row of step t in data. */
  readonly offsets: Int32Array;
  /** sortedLengths[j] = length of the j-th longest sequence. */
  readonly sortedLengths: Int32Array;
  /** position[b] = sorted position j of the sequence at original batch position b. */
  readonly position: Int32Array;
}

/** The layout of `sequence`, checking that its unsortedIndices is a permutation of 0..B−1. */
export function layoutOf(op: string, sequence: PackedSequence): PackedLayout {
  if (!(sequence instanceof PackedSequence)) {
    throw new ValueError(`${op}: sequence must be a PackedSequence; got ${sequence === null ? 'null' : typeof sequence}`);
  }
  const sizes = sequence.batchSizes.data;
  const batch = sizes.length > 0 ? sizes[0]! : 0;
  const offsets = new Int32Array(sizes.length);
  const sortedLengths = new Int32Array(batch);
  let at = 0;
  for (let t = 0; t < sizes.length; t++) {
    offsets[t] = at;
    at += sizes[t]!;
    for (let j = 0; j < sizes[t]!; j++) sortedLengths[j]!++;
  }
  const position = new Int32Array(batch);
  const unsorted = sequence.unsortedIndices;
  if (unsorted === null) {
    position.forEach((_, b) => (position[b] = b));
  } else {
    if (unsorted.dtype !== 'int32' || unsorted.ndim !== 1 || unsorted.size !== batch) {
      throw new ShapeError(
        `${op}: sequence.unsortedIndices must be a 1-D int32 tensor of the batch size ${batch}; got ${unsorted.dtype} ${fmtShape(unsorted.shape)}`,
      );
    }
    const seen = new Uint8Array(batch);
    unsorted.data.forEach((j, b) => {
      if (!Number.isInteger(j) || j < 0 || j >= batch || seen[j] === 1) {
        throw new IndexError(`${op}: sequence.unsortedIndices must be a permutation of 0..${batch - 1}; got [${Array.from(unsorted.data).join(', ')}]`);
      }
      seen[j] = 1;
      position[b] = j;
    });
  }
  return { batch, offsets, sortedLengths, position };
}

/** The trailing shape shared by `sequences` (each (L_i, *)), checking dtypes and ranks agree. */
export function checkSequences(op: string, sequences: readonly Tensor[]): readonly number[] {
  if (!Array.isArray(sequences)) {
    throw new ValueError(`${op}: Expected an array of tensors for sequences, but got ${sequences === null ? 'null' : typeof sequences}`);
  }
  if (sequences.length === 0) throw new ValueError(`${op}: received an empty list of sequences`);
  const first: unknown = sequences[0];
  if (!(first instanceof Tensor)) throw new ValueError(`${op}: sequences[0] must be a Tensor`);
  sequences.forEach((s: unknown, i) => {
    if (!(s instanceof Tensor)) throw new ValueError(`${op}: sequences[${i}] must be a Tensor`);
    if (s.ndim < 1) throw new ShapeError(`${op}: sequences[${i}] must have a time axis (L, *); got a 0-d tensor`);
    if (s.dtype !== first.dtype) {
      throw new DTypeError(`${op}: dtypes differ: sequences[0] is ${first.dtype}, sequences[${i}] is ${s.dtype}`);
    }
    if (s.ndim !== first.ndim || s.shape.some((d, k) => k > 0 && d !== first.shape[k])) {
      throw new ShapeError(
        `${op}: sequences must share their trailing shape *: sequences[0] is ${fmtShape(first.shape)}, sequences[${i}] is ${fmtShape(s.shape)}`,
      );
    }
  });
  return first.shape.slice(1);
}
