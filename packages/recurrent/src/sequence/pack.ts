/**
 * Packing, as torch.nn.utils.rnn.pack_padded_sequence and pack_sequence.
 *
 * Shape legend: T = time steps of the padded input, B = sequences, * = feature axes (any number,
 * including none), N = Σ lengths.
 *
 * Both are built from recorded tensor ops (reshape, concat, indexSelect), so gradients flow from
 * the packed data back to the padded input or the individual sequences.
 */
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { concat } from '../tensor/ops/join.js';
import { reshape } from '../tensor/ops/view.js';
import { checkTensor } from '../tensor/ops/common.js';
import { numel } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Lengths, checkSequences, packedRows, packedSequenceOf, planPacking, readLengths, selectRows } from './layout.js';
import type { PackedSequence } from './packed.js';

export interface PackPaddedOptions {
  /** If true, `input` is (B, T, *); otherwise (T, B, *). Default: false. */
  batchFirst?: boolean;
  /**
   * If true, the sequences must already be sorted by decreasing length and no sorting indices are
   * recorded; if false, they are sorted here (stably) and the permutation is recorded so that
   * `padPackedSequence` restores the original order. Default: true.
   */
  enforceSorted?: boolean;
}

export interface PackSequenceOptions {
  /** As in `packPaddedSequence`: require decreasing lengths, or sort and record the order. Default: true. */
  enforceSorted?: boolean;
}

/**
 * Packs a tensor holding a padded batch of variable-length sequences.
 *
 * `input` is (T, B, *), or (B, T, *) when `batchFirst`; sequence b occupies steps 0..lengths[b]−1
 * and whatever lies beyond is ignored. The packed `data` (N, *) holds step 0 of every sequence,
 * then step 1 of every sequence still running, and so on, the sequences taken longest first;
 * `batchSizes[t]` counts the sequences longer than t. In the time-major layout:
 *
 *   data[offsets[t] + j] = input[t, sortedIndices[j]]   for j < batchSizes[t],
 *   offsets[t] = Σ_{s<t} batchSizes[s]                  (sortedIndices = identity when null)
 *
 * With `enforceSorted` (the default) the lengths must be non-increasing and the result's
 * `sortedIndices` / `unsortedIndices` are null. Otherwise the sequences are sorted by decreasing
 * length (ties keep their batch order) and `sortedIndices[j]` is the batch position of the j-th
 * longest sequence, `unsortedIndices` its inverse.
 *
 * Args:
 *   input: padded batch, (T, B, *) or (B, T, *); any dtype.
 *   lengths: length of each sequence, a number[] or a 1-D int32 tensor (B); every length in 1..T.
 *   options.batchFirst: input is (B, T, *). Default: false.
 *   options.enforceSorted: lengths must be non-increasing. Default: true.
 *
 * Returns: a PackedSequence (differentiable with respect to `input`).
 *
 * Throws: ShapeError for an input with fewer than 2 axes or a lengths count other than B;
 * ValueError for an empty input, a length ≤ 0 or greater than T, or unsorted lengths with
 * `enforceSorted`; DTypeError for a lengths tensor that is not int32.
 *
 * Example:
 *   const x = tensor([[1, 2, 3], [4, 5, 0]]);               // (B=2, T=3)
 *   const p = packPaddedSequence(x, [3, 2], { batchFirst: true });
 *   p.data.toArray();        // [1, 4, 2, 5, 3]
 *   p.batchSizes.toArray();  // [2, 2, 1]
 */
export function packPaddedSequence(input: Tensor, lengths: Lengths, options: PackPaddedOptions = {}): PackedSequence {
  const op = 'packPaddedSequence';
  checkTensor(op, 'input', input);
  const batchFirst = options.batchFirst ?? false;
  const enforceSorted = options.enforceSorted ?? true;
  if (input.ndim < 2) {
    throw new ShapeError(`${op}: input must have at least 2 axes, ${batchFirst ? '(B, T, *)' : '(T, B, *)'}; got ${fmtShape(input.shape)}`);
  }
  const lens = readLengths(op, lengths);
  if (input.size === 0) throw new ValueError(`${op}: Cannot pack empty tensors; input is ${fmtShape(input.shape)}`);
  const [steps, batch] = batchFirst ? [input.shape[1]!, input.shape[0]!] : [input.shape[0]!, input.shape[1]!];
  if (lens.length !== batch) {
    throw new ShapeError(
      `${op}: Expected \`lengths.length\` to be equal to batchSize, but got ${lens.length} (batchSize=${batch}) for input ${fmtShape(input.shape)}`,
    );
  }
  const plan = planPacking(op, lens, enforceSorted);
  lens.forEach((len, b) => {
    if (len > steps) {
      throw new ValueError(`${op}: lengths[${b}] = ${len} exceeds the input's time axis of size ${steps} (input ${fmtShape(input.shape)})`);
    }
  });
  const feature = input.shape.slice(2);
  const flat = reshape(input, [steps * batch, ...feature]);
  const rows = packedRows(plan, batchFirst ? (b, t) => b * steps + t : (b, t) => t * batch + b);
  return packedSequenceOf(selectRows(flat, rows), plan, enforceSorted);
}

/**
 * Packs a list of variable-length sequences; equivalent to
 * `packPaddedSequence(padSequence(sequences), lengths, { enforceSorted })` without building the
 * padded tensor.
 *
 * Args:
 *   sequences: tensors (L_i, *) with one dtype and one trailing shape *; every L_i ≥ 1.
 *   options.enforceSorted: the L_i must be non-increasing. Default: true.
 *
 * Returns: a PackedSequence (differentiable with respect to every sequence).
 *
 * Throws: ValueError for an empty list, an empty batch, a zero-length sequence or unsorted lengths
 * with `enforceSorted`; ShapeError / DTypeError for sequences whose trailing shapes or dtypes differ.
 *
 * Example:
 *   const p = packSequence([tensor([1, 2, 3]), tensor([4, 5]), tensor([6])]);
 *   p.data.toArray();        // [1, 4, 6, 2, 5, 3]
 *   p.batchSizes.toArray();  // [3, 2, 1]
 */
export function packSequence(sequences: readonly Tensor[], options: PackSequenceOptions = {}): PackedSequence {
  const op = 'packSequence';
  const enforceSorted = options.enforceSorted ?? true;
  const feature = checkSequences(op, sequences);
  const lens = sequences.map((s) => s.shape[0]!);
  if (lens.reduce((m, v) => Math.max(m, v), 0) * numel(feature) === 0) {
    throw new ValueError(`${op}: Cannot pack empty tensors; sequences are ${sequences.map((s) => fmtShape(s.shape)).join(', ')}`);
  }
  const plan = planPacking(op, lens, enforceSorted);
  const starts: number[] = [];
  let at = 0;
  for (const len of lens) {
    starts.push(at);
    at += len;
  }
  const joined = concat(sequences, 0);
  return packedSequenceOf(
    selectRows(
      joined,
      packedRows(plan, (b, t) => starts[b]! + t),
    ),
    plan,
    enforceSorted,
  );
}
