/**
 * What every loss shares: the `reduction` option, the `mask` option (padded positions that must
 * not count) and the final reduction of the per-element loss to 'mean', 'sum' or 'none'.
 *
 * Mask semantics, for every loss: `mask` is a 0/1 tensor (any dtype) broadcastable to the
 * per-element loss L (it may have fewer axes or size-1 axes, but must not enlarge L). Where the
 * mask is 0 the element's loss is replaced by exactly 0 (not multiplied by 0, so a NaN or ∞ at a
 * padded position stays out of the loss value) and passes back a zero gradient. Then
 *   'none' → L with masked elements 0;  'sum' → Σ L over kept elements;
 *   'mean' → Σ L over kept elements / the count of kept elements of L (the broadcast mask's sum),
 *            or, for crossEntropy / nllLoss with class-index targets, / the summed class weight of
 *            the kept, non-ignored positions — exactly as if the masked positions had been dropped.
 * Nothing kept gives 0 / 0 = NaN for 'mean', as PyTorch gives for an all-ignored batch.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { type DType, isFloating } from '../../tensor/dtype.js';
import { cast } from '../../tensor/ops/cast.js';
import { where, mul } from '../../tensor/ops/elementwise.js';
import { sum } from '../../tensor/ops/reduce.js';
import { expand } from '../../tensor/ops/view.js';
import { broadcastShapes, numel, shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';

/** How a loss reduces its per-element values: their mean, their sum, or none (kept as they are). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Validates the `reduction` option (default 'mean'). */
export function checkReduction(op: string, reduction: unknown): Reduction {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none'; got ${JSON.stringify(r)}`);
  }
  return r;
}

/** Checks that `x` is a floating tensor, naming the argument. */
export function checkFloatTensor(op: string, arg: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: ${arg} must be a Tensor; got ${x === null ? 'null' : typeof x}`);
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: ${arg} must be float32 or float64; got ${x.dtype}`);
  return x;
}

/** Checks that `target` has the dtype of `input` and exactly its shape (no silent broadcast). */
export function checkSameAsInput(op: string, input: Tensor, target: Tensor, arg = 'target'): void {
  if (target.dtype !== input.dtype) {
    throw new DTypeError(`${op}: ${arg} must have the input's dtype ${input.dtype}; got ${target.dtype}`);
  }
  if (!shapesEqual(target.shape, input.shape)) {
    throw new ShapeError(`${op}: ${arg} ${fmtShape(target.shape)} must have the input's shape ${fmtShape(input.shape)}`);
  }
}

/**
 * A constant weight tensor (no gradient flows to it, as in PyTorch, where asking for one is an
 * error) in `dtype`, checked to broadcast to `shape` without enlarging it.
 */
export function constantWeight(op: string, arg: string, weight: unknown, shape: readonly number[], dtype: DType): Tensor {
  const w = checkFloatTensor(op, arg, weight);
  if (w.requiresGrad) {
    throw new ValueError(`${op}: ${arg} must not require grad; the loss is not differentiable with respect to it`);
  }
  if (!broadcastsTo(w.shape, shape)) {
    throw new ShapeError(`${op}: ${arg} ${fmtShape(w.shape)} cannot be broadcast to the input's shape ${fmtShape(shape)}`);
  }
  return cast(w.detach(), dtype);
}

function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  try {
    return shapesEqual(broadcastShapes('', from, to), to);
  } catch {
    return false;
  }
}

/** Checks `mask`: a tensor of 0s and 1s that broadcasts to `lossShape` without enlarging it. */
export function checkMask(op: string, mask: unknown, lossShape: readonly number[]): Tensor {
  if (!(mask instanceof Tensor)) throw new DTypeError(`${op}: mask must be a Tensor; got ${mask === null ? 'null' : typeof mask}`);
  if (!broadcastsTo(mask.shape, lossShape)) {
    throw new ShapeError(`${op}: mask ${fmtShape(mask.shape)} cannot be broadcast to the per-element loss ${fmtShape(lossShape)}`);
  }
  for (let i = 0; i < mask.size; i++) {
    const v = mask.data[i]!;
    if (v !== 0 && v !== 1) throw new ValueError(`${op}: mask must hold only 0 and 1; element ${i} is ${v}`);
  }
  return mask.detach();
}

/** The mask broadcast to `lossShape`, as one keep flag per element (row-major). */
export function maskFlags(mask: Tensor, lossShape: readonly number[]): ArrayLike<number> {
  return shapesEqual(mask.shape, lossShape) ? mask.data : expand(mask, lossShape).data;
}

/** Number of kept elements of the per-element loss of `lossShape` under the checked `mask`. */
export function keptCount(mask: Tensor, lossShape: readonly number[]): number {
  let ones = 0;
  for (let i = 0; i < mask.size; i++) ones += mask.data[i]!;
  return mask.size === 0 ? 0 : ones * (numel(lossShape) / mask.size);
}

/** L with masked elements replaced by 0 (no gradient reaches them). */
export function applyMask(loss: Tensor, mask: Tensor): Tensor {
  return where(mask, loss, 0);
}

/**
 * Reduces the per-element loss: 'none' returns it, 'sum' sums it, 'mean' divides the sum by
 * `denominator` (the count or summed weight of the elements that count; 0 gives NaN).
 */
export function reduce(loss: Tensor, reduction: Reduction, denominator: number): Tensor {
  if (reduction === 'none') return loss;
  const total = sum(loss);
  return reduction === 'sum' ? total : mul(total, 1 / denominator);
}

/**
 * The reduction of an elementwise loss (mse, l1, bce): the mask applied, then 'mean' over the
 * kept elements (all of them without a mask).
 */
export function reduceElementwise(op: string, loss: Tensor, reduction: Reduction, mask: Tensor | undefined): Tensor {
  if (mask === undefined) return reduce(loss, reduction, loss.size);
  const m = checkMask(op, mask, loss.shape);
  return reduce(applyMask(loss, m), reduction, keptCount(m, loss.shape));
}
