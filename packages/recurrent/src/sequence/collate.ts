/**
 * Collate functions for batches of variable-length sequences (token ids or feature vectors), made
 * for `DataLoader`'s `collate` option: `padCollate` pads a batch into one tensor, `packCollate`
 * packs it into a PackedSequence.
 *
 * Shape legend: B = items in the batch, T = the longest length, * = feature axes of the items.
 *
 * An item is a sequence, or `{ input, target? }`. A sequence is a Tensor (L, *), an Int32Array,
 * Float32Array or Float64Array (L), or a number[] of integers (L, int32). A target is a sequence
 * (padded or packed like the input: tagging, language models, seq2seq) or a scalar (a number or a
 * 0-d Tensor: one label per item, stacked to (B)). Number targets are int32 when every one is an
 * integer, float32 otherwise.
 */
import { ValueError } from '../errors.js';
import { stack } from '../tensor/ops/join.js';
import { Tensor } from '../tensor/tensor.js';
import { packSequence } from './pack.js';
import type { PackedSequence } from './packed.js';
import { padSequence } from './pad.js';

/** One sequence of a batch: (L, *) tensor, typed array, or number[] of integers (int32). */
export type SequenceLike = Tensor | Int32Array | Float32Array | Float64Array | readonly number[];

/** A dataset item: the input sequence and, optionally, its target (a sequence or a scalar). */
export interface SequenceItem {
  input: SequenceLike;
  target?: SequenceLike | number;
}

/** What the collate functions accept per item: a bare sequence or `{ input, target? }`. */
export type CollateItem = SequenceLike | SequenceItem;

export interface PaddedBatch {
  /** Padded inputs, (T, B, *) or (B, T, *) with `batchFirst`. */
  input: Tensor;
  /** Input lengths, int32 (B). */
  lengths: Tensor;
  /** Targets: padded like `input` when they are sequences, (B) when they are scalars. */
  target?: Tensor;
  /** Target lengths, int32 (B), when the targets are sequences. */
  targetLengths?: Tensor;
}

export interface PackedBatch {
  /** Packed inputs. */
  input: PackedSequence;
  /** Input lengths, int32 (B), in batch order. */
  lengths: Tensor;
  /** Targets: packed or padded (option `target`) when they are sequences, (B) when they are scalars. */
  target?: PackedSequence | Tensor;
  /** Target lengths, int32 (B), when the targets are sequences. */
  targetLengths?: Tensor;
}

export interface PadCollateOptions {
  /** Value of padded input positions. Default: 0. */
  paddingValue?: number;
  /** Value of padded target positions (e.g. a loss's ignoreIndex such as −100). Default: paddingValue. */
  targetPaddingValue?: number;
  /** Output (B, T, *) rather than (T, B, *). Default: false. */
  batchFirst?: boolean;
}

export interface PackCollateOptions {
  /** Items must come sorted by decreasing input length (no permutation recorded). Default: false. */
  enforceSorted?: boolean;
  /** How sequence targets come back: 'packed' (like the input) or 'padded'. Default: 'packed'. */
  target?: 'packed' | 'padded';
  /** Padded targets are (B, T, *) rather than (T, B, *). Default: false. */
  batchFirst?: boolean;
  /** Value of padded target positions. Default: 0. */
  targetPaddingValue?: number;
}

function isSequence(x: unknown): x is SequenceLike {
  return x instanceof Tensor || x instanceof Int32Array || x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x);
}

function sequenceTensor(op: string, where: string, x: SequenceLike): Tensor {
  if (x instanceof Tensor) {
    if (x.ndim < 1) throw new ValueError(`${op}: ${where} must be a sequence (L, *); got a 0-d tensor`);
    return x;
  }
  if (!Array.isArray(x)) return new Tensor(x as Int32Array | Float32Array | Float64Array, [x.length]);
  const ids = new Int32Array(x.length);
  x.forEach((v: unknown, t) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new ValueError(`${op}: ${where}[${t}] must be an int32 integer; got ${String(v)} (use a Float32Array or a Tensor for real values)`);
    }
    ids[t] = v;
  });
  return new Tensor(ids, [ids.length]);
}

interface Split {
  inputs: Tensor[];
  /** Sequence targets, scalar targets (stacked), or none. */
  targets: { kind: 'sequence'; values: Tensor[] } | { kind: 'scalar'; value: Tensor } | null;
}

function lengthsOf(sequences: readonly Tensor[]): Tensor {
  return new Tensor(
    Int32Array.from(sequences, (s) => s.shape[0]!),
    [sequences.length],
  );
}

function scalarTargets(op: string, targets: readonly unknown[]): Tensor {
  if (targets.every((t) => typeof t === 'number')) {
    const values = targets as number[];
    values.forEach((v, b) => {
      if (!Number.isFinite(v)) throw new ValueError(`${op}: items[${b}].target must be finite; got ${v}`);
    });
    const ints = values.every((v) => Number.isInteger(v) && Math.abs(v) <= 2147483647);
    return new Tensor(ints ? Int32Array.from(values) : Float32Array.from(values), [values.length]);
  }
  if (targets.every((t) => t instanceof Tensor && t.ndim === 0)) return stack(targets as Tensor[], 0);
  throw new ValueError(`${op}: scalar targets must all be numbers or all 0-d tensors`);
}

/** Reads a batch: the input tensors and the targets, all items of one kind. */
function split(op: string, items: readonly CollateItem[]): Split {
  if (!Array.isArray(items) || items.length === 0) throw new ValueError(`${op}: expected a non-empty array of items`);
  const inputs: Tensor[] = [];
  const rawTargets: unknown[] = [];
  items.forEach((item: unknown, b) => {
    if (isSequence(item)) {
      inputs.push(sequenceTensor(op, `items[${b}]`, item));
      rawTargets.push(undefined);
    } else if (item !== null && typeof item === 'object' && 'input' in item) {
      const { input, target } = item as SequenceItem;
      if (!isSequence(input)) throw new ValueError(`${op}: items[${b}].input must be a sequence (Tensor, typed array or number[])`);
      inputs.push(sequenceTensor(op, `items[${b}].input`, input));
      rawTargets.push(target);
    } else {
      throw new ValueError(`${op}: items[${b}] must be a sequence or an { input, target? } object`);
    }
  });
  const present = rawTargets.filter((t) => t !== undefined).length;
  if (present === 0) return { inputs, targets: null };
  if (present !== items.length) throw new ValueError(`${op}: either every item has a target or none does (${present} of ${items.length} have one)`);
  const scalar = (t: unknown): boolean => typeof t === 'number' || (t instanceof Tensor && t.ndim === 0);
  if (rawTargets.every(scalar)) return { inputs, targets: { kind: 'scalar', value: scalarTargets(op, rawTargets) } };
  const values = rawTargets.map((t, b) => {
    if (!isSequence(t) || scalar(t)) throw new ValueError(`${op}: targets must be all sequences or all scalars; items[${b}].target differs`);
    return sequenceTensor(op, `items[${b}].target`, t);
  });
  return { inputs, targets: { kind: 'sequence', values } };
}

/**
 * A collate function that pads a batch of sequences (with `padSequence`).
 *
 * Args:
 *   options.paddingValue: value of padded input positions. Default: 0.
 *   options.targetPaddingValue: value of padded target positions. Default: paddingValue.
 *   options.batchFirst: (B, T, *) rather than (T, B, *). Default: false.
 *
 * Returns: `(items) => { input, lengths, target?, targetLengths? }`.
 *
 * Throws (from the returned function): ValueError for an empty batch, a malformed item, or
 * targets on some items only; DTypeError / ShapeError for items whose dtypes or feature shapes differ.
 *
 * Example:
 *   const collate = padCollate({ batchFirst: true });
 *   const batch = collate([{ input: [5, 6, 7], target: 1 }, { input: [8], target: 0 }]);
 *   batch.input.toArray();    // [[5, 6, 7], [8, 0, 0]]   (int32)
 *   batch.lengths.toArray();  // [3, 1]
 *   batch.target!.toArray();  // [1, 0]
 */
export function padCollate(options: PadCollateOptions = {}): (items: readonly CollateItem[]) => PaddedBatch {
  const paddingValue = options.paddingValue ?? 0;
  const targetPaddingValue = options.targetPaddingValue ?? paddingValue;
  const batchFirst = options.batchFirst ?? false;
  return (items) => {
    const { inputs, targets } = split('padCollate', items);
    const batch: PaddedBatch = { input: padSequence(inputs, { batchFirst, paddingValue }), lengths: lengthsOf(inputs) };
    if (targets?.kind === 'scalar') batch.target = targets.value;
    if (targets?.kind === 'sequence') {
      batch.target = padSequence(targets.values, { batchFirst, paddingValue: targetPaddingValue });
      batch.targetLengths = lengthsOf(targets.values);
    }
    return batch;
  };
}

/**
 * A collate function that packs a batch of sequences (with `packSequence`).
 *
 * Packed targets are sorted by their own lengths; when every target is as long as its input
 * (tagging, language models) they are packed in the same order as the inputs, so the packed output
 * of a recurrent layer and the packed target line up row by row.
 *
 * Args:
 *   options.enforceSorted: items must come by decreasing input length. Default: false.
 *   options.target: sequence targets 'packed' or 'padded'. Default: 'packed'.
 *   options.batchFirst: padded targets are (B, T, *). Default: false.
 *   options.targetPaddingValue: value of padded target positions. Default: 0.
 *
 * Returns: `(items) => { input, lengths, target?, targetLengths? }`.
 *
 * Throws (from the returned function): as `padCollate`, and ValueError for a sequence of length 0
 * or, with `enforceSorted`, items not sorted by decreasing length.
 *
 * Example:
 *   const collate = packCollate();
 *   const batch = collate([[1, 2], [3, 4, 5]]);
 *   batch.input.data.toArray();        // [3, 1, 4, 2, 5]
 *   batch.input.batchSizes.toArray();  // [2, 2, 1]
 *   batch.lengths.toArray();           // [2, 3]
 */
export function packCollate(options: PackCollateOptions = {}): (items: readonly CollateItem[]) => PackedBatch {
  const enforceSorted = options.enforceSorted ?? false;
  const targetLayout: unknown = options.target ?? 'packed';
  if (targetLayout !== 'packed' && targetLayout !== 'padded') {
    throw new ValueError(`packCollate: target must be 'packed' or 'padded'; got ${String(targetLayout)}`);
  }
  const batchFirst = options.batchFirst ?? false;
  const paddingValue = options.targetPaddingValue ?? 0;
  return (items) => {
    const { inputs, targets } = split('packCollate', items);
    const batch: PackedBatch = { input: packSequence(inputs, { enforceSorted }), lengths: lengthsOf(inputs) };
    if (targets?.kind === 'scalar') batch.target = targets.value;
    if (targets?.kind === 'sequence') {
      batch.target = targetLayout === 'packed' ? packSequence(targets.values, { enforceSorted }) : padSequence(targets.values, { batchFirst, paddingValue });
      batch.targetLengths = lengthsOf(targets.values);
    }
    return batch;
  };
}
