/**
 * PackedSequence: a batch of variable-length sequences stored step-major without padding, as
 * torch.nn.utils.rnn.PackedSequence.
 *
 * Shape legend: N = Σ lengths, * = feature axes, T = the longest length, B = sequences.
 *   data            (N, *)   step 0 of every sequence, then step 1 of every sequence long enough, …
 *   batchSizes      (T)      int32, sequences still running at each step (non-increasing)
 *   sortedIndices   (B)      int32 or null: batch position of the i-th longest sequence
 *   unsortedIndices (B)      int32 or null: inverse permutation of sortedIndices
 */
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;

  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    if (batchSizes.dtype !== 'int32' || batchSizes.ndim !== 1) {
      throw new ValueError(`PackedSequence: batchSizes must be a 1-D int32 tensor; got ${batchSizes.dtype} ${fmtShape(batchSizes.shape)}`);
    }
    let total = 0;
    const sizes = batchSizes.data;
    for (let t = 0; t < sizes.length; t++) {
      if (sizes[t]! <= 0 || (t > 0 && sizes[t]! > sizes[t - 1]!)) {
        throw new ValueError(`PackedSequence: batchSizes must be positive and non-increasing; got [${Array.from(sizes).join(', ')}]`);
      }
      total += sizes[t]!;
    }
    if (data.ndim < 1 || data.shape[0] !== total) {
      throw new ShapeError(`PackedSequence: data must have Σ batchSizes = ${total} rows; got ${fmtShape(data.shape)}`);
    }
    if ((sortedIndices === null) !== (unsortedIndices === null)) {
      throw new ValueError('PackedSequence: sortedIndices and unsortedIndices must be given together');
    }
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices;
  }

  /** B, the number of sequences. */
  get batchSize(): number {
    return this.batchSizes.size === 0 ? 0 : this.batchSizes.data[0]!;
  }

  /** The same packing around new data (e.g. a layer's output). */
  withData(data: Tensor): PackedSequence {
    return new PackedSequence(data, this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }
}
