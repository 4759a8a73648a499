/**
 * Splitting a batch back into its sequences, as torch.nn.utils.rnn.unpad_sequence and
 * unpack_sequence.
 *
 * Shape legend: T = time steps of the padded batch, B = sequences, * = feature axes (any number,
 * including none), L_b = length of sequence b.
 *
 * Each sequence is one indexSelect of its rows, so gradients flow back to the padded tensor or the
 * packed data (padded positions receive none).
 */
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { reshape } from '../tensor/ops/view.js';
import { checkTensor } from '../tensor/ops/common.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Lengths, layoutOf, readLengths, selectRows } from './layout.js';
import type { PackedSequence } from './packed.js';

export interface UnpadSequenceOptions {
  /** If true, `padded` is (B, T, *); otherwise (T, B, *). Default: false. */
  batchFirst?: boolean;
}

/**
 * Splits a padded batch into its sequences; the inverse of `padSequence` (with right padding).
 *
 * Sequence b is steps 0..lengths[b]−1 of batch position b; the rest is dropped. Unlike torch's
 * `unpad_sequence`, `padded` is not modified (torch transposes it in place when batch_first is
 * false).
 *
 * Args:
 *   padded: the padded batch, (T, B, *) or (B, T, *).
 *   lengths: length of each sequence, a number[] or a 1-D int32 tensor (B); every length in 0..T.
 *   options.batchFirst: `padded` is (B, T, *). Default: false.
 *
 * Returns: B tensors (L_b, *) in batch order (differentiable with respect to `padded`).
 *
 * Throws: ShapeError for a `padded` with fewer than 2 axes or a lengths count other than B;
 * ValueError for a length outside 0..T; DTypeError for a lengths tensor that is not int32.
 *
 * Example:
 *   const padded = tensor([[1, 2, 3], [4, 5, 0]]);          // (B=2, T=3)
 *   unpadSequence(padded, [3, 2], { batchFirst: true }).map((s) => s.toArray());
 *   // [[1, 2, 3], [4, 5]]
 */
export function unpadSequence(padded: Tensor, lengths: Lengths, options: UnpadSequenceOptions = {}): Tensor[] {
  const op = 'unpadSequence';
  checkTensor(op, 'padded', padded);
  const batchFirst = options.batchFirst ?? false;
  if (padded.ndim < 2) {
    throw new ShapeError(`${op}: padded must have at least 2 axes, ${batchFirst ? '(B, T, *)' : '(T, B, *)'}; got ${fmtShape(padded.shape)}`);
  }
  const lens = readLengths(op, lengths);
  const [steps, batch] = batchFirst ? [padded.shape[1]!, padded.shape[0]!] : [padded.shape[0]!, padded.shape[1]!];
  if (lens.length !== batch) {
    throw new ShapeError(
      `${op}: Expected \`lengths.length\` to be equal to batchSize, but got ${lens.length} (batchSize=${batch}) for padded ${fmtShape(padded.shape)}`,
    );
  }
  lens.forEach((len, b) => {
    if (len < 0 || len > steps) {
      throw new ValueError(`${op}: lengths[${b}] = ${len} is outside 0..${steps}, the time axis of padded ${fmtShape(padded.shape)}`);
    }
  });
  const feature = padded.shape.slice(2);
  const flat = reshape(padded, [steps * batch, ...feature]);
  return lens.map((len, b) => {
    const rows = new Int32Array(len);
    for (let t = 0; t < len; t++) rows[t] = batchFirst ? b * steps + t : t * batch + b;
    return selectRows(flat, rows);
  });
}

/**
 * Splits a packed batch into its sequences; the inverse of `packSequence`.
 *
 * The sequences come back in the batch order that was packed (the permutation recorded in
 * `unsortedIndices` is undone).
 *
 * Args:
 *   packed: the PackedSequence to split.
 *
 * Returns: B tensors (L_b, *) (differentiable with respect to `packed.data`).
 *
 * Example:
 *   const p = packSequence([tensor([1, 2]), tensor([3]), tensor([4, 5, 6])], { enforceSorted: false });
 *   unpackSequence(p).map((s) => s.toArray());  // [[1, 2], [3], [4, 5, 6]]
 */
export function unpackSequence(packed: PackedSequence): Tensor[] {
  const { batch, offsets, sortedLengths, position } = layoutOf('unpackSequence', packed);
  const sequences: Tensor[] = [];
  for (let b = 0; b < batch; b++) {
    const j = position[b]!;
    const rows = new Int32Array(sortedLengths[j]!);
    for (let t = 0; t < rows.length; t++) rows[t] = offsets[t]! + j;
    sequences.push(selectRows(packed.data, rows));
  }
  return sequences;
}
