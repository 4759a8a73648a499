/**
 * Regression losses: mean squared error and mean absolute error, as torch.nn.functional.mse_loss
 * and l1_loss. Unlike PyTorch, which broadcasts a differently shaped target with a warning, the
 * target must have the input's shape.
 */
import { abs, mul, sub } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type Reduction, checkFloatTensor, checkReduction, checkSameAsInput, reduceElementwise } from './reduction.js';

/** Options of `mseLoss` and `l1Loss` (and of `MSELoss` / `L1Loss`, which take all but `mask`). */
export interface RegressionLossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
  /**
   * 0/1 tensor broadcastable to the input's shape (e.g. (N, T, 1) for (N, T, F) outputs); masked
   * elements count in neither the sum nor the mean's count. Default none.
   */
  mask?: Tensor | null;
}

function elementwiseLoss(op: string, input: Tensor, target: Tensor, options: RegressionLossOptions, fn: (d: Tensor) => Tensor): Tensor {
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  checkSameAsInput(op, input, target);
  const reduction = checkReduction(op, options.reduction);
  return reduceElementwise(op, fn(sub(input, target)), reduction, options.mask ?? undefined);
}

/**
 * Mean squared error, as torch.nn.functional.mse_loss: ℓ = (input − target)², reduced by
 * `reduction` ('mean' divides by the number of elements, or of unmasked elements with a mask).
 *
 * Shapes: input (*), target the same shape and dtype; output () or, for 'none', (*).
 * Both input and target receive gradients.
 *
 * @example
 * import { mseLoss, tensor } from 'recurrent';
 * mseLoss(tensor([1, 2]), tensor([0, 4])).item(); // 2.5 = (1 + 4) / 2
 */
export function mseLoss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  return elementwiseLoss('mseLoss', input, target, options, (d) => mul(d, d));
}

/**
 * Mean absolute error, as torch.nn.functional.l1_loss: ℓ = |input − target|, reduced by
 * `reduction`. The gradient at input = target is 0, as in PyTorch.
 *
 * Shapes: input (*), target the same shape and dtype; output () or, for 'none', (*).
 *
 * @example
 * import { l1Loss, tensor } from 'recurrent';
 * l1Loss(tensor([1, 2]), tensor([0, 4])).item(); // 1.5 = (1 + 2) / 2
 */
export function l1Loss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  return elementwiseLoss('l1Loss', input, target, options, abs);
}
