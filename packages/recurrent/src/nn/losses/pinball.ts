/**
 * The pinball (quantile) loss: trained on it, output q of a model estimates the q-quantile of the
 * target given the input, so that a few quantiles make a prediction interval.
 */
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { maximum, mul, sub } from '../../tensor/ops/elementwise.js';
import { unsqueeze } from '../../tensor/ops/view.js';
import { Tensor } from '../../tensor/tensor.js';
import { type Reduction, checkFloatTensor, checkReduction, reduceElementwise } from './reduction.js';

/** Options of `pinballLoss`. */
export interface PinballLossOptions {
  /** 'mean' (default: over every element and quantile), 'sum' or 'none' (shape (*, Q)). */
  reduction?: Reduction;
}

/**
 * Pinball loss of quantile predictions: with d = target − input[…, k] and q = quantiles[k],
 * ℓ = max(q·d, (q − 1)·d), i.e. q·d when the target lies above the prediction and (1 − q)·|d|
 * below it (the q = 0.5 loss is half the absolute error). Built from differentiable ops; the
 * gradient at d = 0 is that of `maximum` there.
 *
 * Shapes: input (*, Q), target (*) with input's dtype, quantiles Q numbers in (0, 1); output ()
 * or, for 'none', (*, Q).
 *
 * @example
 * import { pinballLoss, tensor } from 'recurrent';
 * pinballLoss(tensor([[1, 2]]), tensor([3]), [0.1, 0.9]).item(); // 0.55 = (0.1·2 + 0.9·1) / 2
 */
export function pinballLoss(input: Tensor, target: Tensor, quantiles: readonly number[], options: PinballLossOptions = {}): Tensor {
  checkFloatTensor('pinballLoss', 'input', input);
  checkFloatTensor('pinballLoss', 'target', target);
  const reduction = checkReduction('pinballLoss', options.reduction);
  const Q = quantiles.length;
  if (Q === 0 || quantiles.some((q) => typeof q !== 'number' || !(q > 0 && q < 1)))
    throw new ValueError(`pinballLoss: quantiles must be numbers in (0, 1); got [${quantiles.join(', ')}]`);
  const expected = [...target.shape, Q];
  if (input.ndim !== expected.length || input.shape.some((s, i) => s !== expected[i]))
    throw new ShapeError(`pinballLoss: input ${fmtShape(input.shape)} must be target's shape plus the ${Q} quantiles: ${fmtShape(expected)}`);
  if (target.dtype !== input.dtype) throw new ValueError(`pinballLoss: target must have the input's dtype ${input.dtype}; got ${target.dtype}`);
  const q = new Tensor(input.dtype === 'float64' ? Float64Array.from(quantiles) : Float32Array.from(quantiles), [Q]);
  const qMinusOne = new Tensor(input.dtype === 'float64' ? Float64Array.from(quantiles, (v) => v - 1) : Float32Array.from(quantiles, (v) => v - 1), [Q]);
  const d = sub(unsqueeze(target, -1), input);
  return reduceElementwise('pinballLoss', maximum(mul(d, q), mul(d, qMinusOne)), reduction, undefined);
}
