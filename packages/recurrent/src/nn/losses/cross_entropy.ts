/**
 * Cross-entropy between logits and class-index or class-probability targets, as
 * torch.nn.functional.cross_entropy (PyTorch 1.13): one logSoftmax over the class axis, then one
 * gather (class indices) or one weighted product and sum (probabilities).
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { add, mul, neg } from '../../tensor/ops/elementwise.js';
import { sum } from '../../tensor/ops/reduce.js';
import { logSoftmax } from '../../tensor/ops/softmax.js';
import { reshape } from '../../tensor/ops/view.js';
import { isFloating } from '../../tensor/dtype.js';
import { shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { type ClassLayout, checkIgnoreIndex, classIndexLayout, classIndexLoss, classWeights } from './nll_loss.js';
import { type Reduction, applyMask, checkFloatTensor, checkMask, checkReduction, keptCount, reduce } from './reduction.js';

/** Options of `crossEntropy` (and the module `CrossEntropyLoss`, which takes them all but `mask`). */
export interface CrossEntropyOptions {
  /** Rescaling weight of each class, shape (C); default none (all 1). A constant: it gets no gradient. */
  weight?: Tensor | null;
  /**
   * A class-index target value that is ignored: no loss, no weight in the mean; default −100.
   * With probability targets it must stay negative (PyTorch has no ignoring there).
   */
  ignoreIndex?: number;
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C spread over the classes; default 0. */
  labelSmoothing?: number;
  /**
   * 0/1 tensor broadcastable to the per-position loss (the input without its class axis, i.e. the
   * class-index target's shape); 0 drops the position as if it were not in the batch. Class-index
   * targets at masked positions are not read. Default none.
   */
  mask?: Tensor | null;
}

/**
 * The cross-entropy loss of unnormalised logits, as torch.nn.functional.cross_entropy.
 *
 * With p = logSoftmax(input) over the class axis, class weights w (1 when absent), ε =
 * labelSmoothing and C classes, per position i:
 * - class-index target y_i (int32):
 *   ℓ_i = (1 − ε)·(−w_{y_i}·p[i, y_i]) + (ε/C)·(−Σ_c w_c·p[i, c]), and 0 where y_i = ignoreIndex;
 *   'mean' = Σ ℓ_i / Σ w_{y_i} over the non-ignored positions (both terms share this
 *   denominator, as in PyTorch; NaN when every position is ignored).
 * - probability target t_i (floating, the input's shape), t' = (1 − ε)·t + ε/C:
 *   ℓ_i = −Σ_c w_c·t'[i, c]·p[i, c]; 'mean' = Σ ℓ_i / (number of positions) — weights do not enter
 *   the denominator here.
 * 'sum' = Σ ℓ_i; 'none' = ℓ, shaped as the input without its class axis. With a mask, masked
 * positions count in neither numerator nor denominator (see reduction.ts).
 *
 * Shapes: input (N, C), (N, C, d1, …, dK) or unbatched (C); class-index target int32 (N),
 * (N, d1, …, dK) or (); probability target the input's shape and dtype.
 *
 * @throws IndexError for a class-index target outside [0, C) that is not ignoreIndex.
 * @throws ShapeError when the target fits neither form, or weight is not (C).
 * @throws DTypeError when a target of the class-index shape is not int32, or one of the input's
 *   shape is not of the input's floating dtype.
 * @throws ValueError for labelSmoothing outside [0, 1], or ignoreIndex ≥ 0 with probability targets.
 *
 * @example
 * import { crossEntropy, randint, randn } from 'recurrent';
 * const logits = randn([32, 10], { requiresGrad: true });
 * const loss = crossEntropy(logits, randint(0, 10, [32], { dtype: 'int32' }), { labelSmoothing: 0.1 });
 * loss.backward();
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  checkFloatTensor(op, 'input', input);
  if (!(target instanceof Tensor)) throw new DTypeError(`${op}: target must be a Tensor`);
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have a class axis; it is 0-d`);
  const eps = options.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
    throw new ValueError(`${op}: labelSmoothing must be between 0 and 1; got ${String(eps)}`);
  }
  const classAxis = input.ndim === 1 ? 0 : 1;

  if (shapesEqual(target.shape, input.shape)) {
    if (!isFloating(target.dtype)) {
      throw new DTypeError(
        `${op}: target ${fmtShape(target.shape)} has the input's shape, so it holds class probabilities and must be floating; got ${target.dtype} (class indices have shape ${fmtShape(input.shape.filter((_, a) => a !== classAxis))}, int32)`,
      );
    }
    return probabilityTargetLoss(op, input, target, options, eps);
  }
  const indexShape = input.shape.filter((_, a) => a !== classAxis);
  if (!shapesEqual(target.shape, indexShape)) {
    throw new ShapeError(
      `${op}: target ${fmtShape(target.shape)} does not fit input ${fmtShape(input.shape)}: class indices need shape ${fmtShape(indexShape)} (int32), class probabilities ${fmtShape(input.shape)} (floating)`,
    );
  }
  if (isFloating(target.dtype)) {
    throw new DTypeError(`${op}: class-index target ${fmtShape(target.shape)} must be int32; got ${target.dtype}`);
  }
  const layout = classIndexLayout(op, input, target);
  const logProbs = logSoftmax(layout.input, 1);
  return classIndexLoss(op, logProbs, target, layout, {
    weight: options.weight,
    ignoreIndex: options.ignoreIndex,
    reduction: options.reduction,
    mask: options.mask,
    labelSmoothing: eps,
  });
}

function probabilityTargetLoss(op: string, input: Tensor, target: Tensor, options: CrossEntropyOptions, eps: number): Tensor {
  if (target.dtype !== input.dtype) {
    throw new DTypeError(`${op}: probability target must have the input's dtype ${input.dtype}; got ${target.dtype}`);
  }
  if (checkIgnoreIndex(op, options.ignoreIndex) >= 0) {
    throw new ValueError(`${op}: ignoreIndex is not supported with probability targets; got ${options.ignoreIndex}`);
  }
  const reduction = checkReduction(op, options.reduction);
  const unbatched = input.ndim === 1;
  const C = unbatched ? input.shape[0]! : input.shape[1]!;
  const x = unbatched ? reshape(input, [1, C]) : input;
  const t = unbatched ? reshape(target, [1, C]) : target;
  const outerShape = input.shape.filter((_, a) => a !== (unbatched ? 0 : 1));
  const innerShape = x.shape.filter((_, a) => a !== 1);
  const layout: ClassLayout = { input: x, innerShape, outerShape, classes: C };
  const weights = classWeights(op, options.weight, layout);

  const smoothed = eps > 0 ? add(mul(t, 1 - eps), eps / C) : t;
  let product = mul(logSoftmax(x, 1), smoothed);
  if (weights !== null)
    product = mul(
      product,
      reshape(
        weights.tensor,
        x.shape.map((d, a) => (a === 1 ? d : 1)),
      ),
    );
  let loss = neg(sum(product, 1));
  if (unbatched) loss = reshape(loss, outerShape);
  if (options.mask === undefined || options.mask === null) return reduce(loss, reduction, loss.size);
  const mask = checkMask(op, options.mask, outerShape);
  return reduce(applyMask(loss, mask), reduction, keptCount(mask, outerShape));
}
