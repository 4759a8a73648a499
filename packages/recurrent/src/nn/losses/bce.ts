/**
 * Binary cross-entropy on logits, as torch.nn.functional.binary_cross_entropy_with_logits
 * (PyTorch 1.13), in the log-sum-exp form that neither overflows nor loses precision for large |x|.
 */
import { noGrad } from '../../tensor/autograd/no_grad.js';
import { add, clamp, exp, log, mul, neg, sub } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type Reduction, checkFloatTensor, checkReduction, checkSameAsInput, constantWeight, reduceElementwise } from './reduction.js';

/** Options of `bceWithLogits` (and of `BCEWithLogitsLoss`, which takes all but `mask`). */
export interface BCEWithLogitsOptions {
  /** Rescaling weight of each element, broadcastable to the input's shape; default none. A constant. */
  weight?: Tensor | null;
  /**
   * Weight of the positive term, broadcastable to the input's shape — usually (C) for the last
   * (class) axis: pos > 1 raises recall, < 1 precision. Default none (1). A constant.
   */
  posWeight?: Tensor | null;
  /** 'mean' (default), 'sum' or 'none'. 'mean' divides by the element count; weights do not enter it. */
  reduction?: Reduction;
  /** 0/1 tensor broadcastable to the input's shape; masked elements count nowhere. Default none. */
  mask?: Tensor | null;
}

/**
 * Binary cross-entropy of logits x against targets t in [0, 1], as
 * torch.nn.functional.binary_cross_entropy_with_logits:
 *   ℓ = weight · [ (1 − t)·x + (1 + (posWeight − 1)·t) · softplus(−x) ],
 * which is −weight·[posWeight·t·log σ(x) + (1 − t)·log(1 − σ(x))], with softplus(−x) = log(1 + e^(−x))
 * computed as m + log(e^(−m) + e^(−x−m)), m = max(−x, 0). Reduced by `reduction`.
 *
 * Shapes: input (*), target the same shape and dtype; output () or, for 'none', (*).
 * Input and target receive gradients; weight and posWeight do not.
 *
 * @example
 * import { bceWithLogits, tensor } from 'recurrent';
 * bceWithLogits(tensor([0]), tensor([1])).item(); // 0.6931 = log 2
 */
export function bceWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  const op = 'bceWithLogits';
  checkFloatTensor(op, 'input', input);
  checkFloatTensor(op, 'target', target);
  checkSameAsInput(op, input, target);
  const reduction = checkReduction(op, options.reduction);
  const weight = options.weight == null ? null : constantWeight(op, 'weight', options.weight, input.shape, input.dtype);
  const posWeight = options.posWeight == null ? null : constantWeight(op, 'posWeight', options.posWeight, input.shape, input.dtype);

  // The shift m is a constant: the derivative of m + log(e^(−m) + e^(−x−m)) does not depend on it.
  const m = noGrad(() => clamp(neg(input.detach()), 0));
  const expNegM = noGrad(() => exp(neg(m)));
  const softplusNeg = add(log(add(expNegM, exp(sub(neg(input), m)))), m);
  const logWeight = posWeight === null ? null : add(mul(sub(posWeight, 1), target), 1);
  let loss = add(mul(sub(1, target), input), logWeight === null ? softplusNeg : mul(logWeight, softplusNeg));
  if (weight !== null) loss = mul(loss, weight);
  return reduceElementwise(op, loss, reduction, options.mask ?? undefined);
}
