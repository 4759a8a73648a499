/** Softmax over the keys with padding keys left out, safe for rows whose keys are all padding. */
import { where } from '../../tensor/ops/elementwise.js';
import { softmax } from '../../tensor/ops/softmax.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Far below any real score, yet finite in float32: exp(FILL − max) underflows to exactly 0 for a
 * padding key, and a row of only FILL gives a finite (uniform) softmax rather than 0/0.
 */
const FILL = -1e30;

/**
 * softmax(scores) along the last axis (S) over the keys where `valid` (broadcast to scores' shape)
 * is nonzero. Padding keys get exactly 0 weight and no gradient; a row with no valid key gets all-zero
 * weights (not NaN), and its gradient is zero too.
 */
export function maskedSoftmax(scores: Tensor, valid: Tensor | null): Tensor {
  if (valid === null) return softmax(scores, -1);
  return where(valid, softmax(where(valid, scores, FILL), -1), 0);
}
