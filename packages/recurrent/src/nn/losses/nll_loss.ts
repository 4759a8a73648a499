/**
 * Negative log-likelihood over class-index targets, and the class-index path that crossEntropy
 * shares with it (label smoothing included).
 *
 * Shapes: input (N, C), (N, C, d1, …, dK) or unbatched (C); target (N), (N, d1, …, dK) or (),
 * int32 class ids in [0, C) or ignoreIndex. The class axis of the input is axis 1 (axis 0 when
 * unbatched). The per-element loss has the target's shape.
 */
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { gather } from '../../tensor/ops/indexing.js';
import { add, mul, where } from '../../tensor/ops/elementwise.js';
import { sum } from '../../tensor/ops/reduce.js';
import { reshape } from '../../tensor/ops/view.js';
import { allocate } from '../../tensor/dtype.js';
import { shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { type Reduction, checkFloatTensor, checkMask, checkReduction, constantWeight, maskFlags, reduce } from './reduction.js';

/** Options of `nllLoss` (and the module `NLLLoss`, which takes them all but `mask`). */
export interface NLLLossOptions {
  /** Rescaling weight of each class, shape (C); default none (all 1). A constant: it gets no gradient. */
  weight?: Tensor | null;
  /** A target value that is ignored: it contributes no loss and no weight to the mean; default −100. */
  ignoreIndex?: number;
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
  /**
   * 0/1 tensor broadcastable to the target's shape; 0 drops the position exactly as if its target
   * were ignoreIndex (its target is not read, so a padding value out of range is fine). Default none.
   */
  mask?: Tensor | null;
}

/** The input and target reshaped so that the class axis is axis 1 and the batch axis exists. */
export interface ClassLayout {
  /** Input as (N, C, d1, …). */
  input: Tensor;
  /** Per-element loss shape inside: (N, d1, …). */
  innerShape: number[];
  /** Per-element loss shape the caller sees: the target's shape. */
  outerShape: readonly number[];
  classes: number;
}

/** Checks the input and target shapes for class-index targets and lays them out batched. */
export function classIndexLayout(op: string, input: Tensor, target: Tensor): ClassLayout {
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have a class axis; it is 0-d`);
  const unbatched = input.ndim === 1;
  const expected = unbatched ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(
      `${op}: target ${fmtShape(target.shape)} does not fit input ${fmtShape(input.shape)}: class-index targets must have shape ${fmtShape(expected)} (the input without its class axis ${unbatched ? 0 : 1})`,
    );
  }
  if (target.dtype !== 'int32') {
    throw new DTypeError(`${op}: class-index target ${fmtShape(target.shape)} must be int32; got ${target.dtype}`);
  }
  const classes = unbatched ? input.shape[0]! : input.shape[1]!;
  return {
    input: unbatched ? reshape(input, [1, classes]) : input,
    innerShape: unbatched ? [1] : expected,
    outerShape: target.shape,
    classes,
  };
}

/** Validates ignoreIndex (an integer). */
export function checkIgnoreIndex(op: string, ignoreIndex: unknown): number {
  const v = ignoreIndex ?? -100;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ValueError(`${op}: ignoreIndex must be an integer; got ${String(v)}`);
  return v;
}

/** The class weights as numbers (all 1 when absent), and as a constant tensor of the input's dtype. */
export function classWeights(op: string, weight: unknown, layout: ClassLayout): { values: ArrayLike<number>; tensor: Tensor } | null {
  if (weight === undefined || weight === null) return null;
  const w = checkFloatTensor(op, 'weight', weight);
  if (w.ndim !== 1 || w.shape[0] !== layout.classes) {
    throw new ShapeError(`${op}: weight must have shape [${layout.classes}] (one per class); got ${fmtShape(w.shape)}`);
  }
  const t = constantWeight(op, 'weight', w, [layout.classes], layout.input.dtype);
  return { values: t.data, tensor: t };
}

export interface ClassIndexLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  mask?: Tensor | null;
  /** Label smoothing ε in [0, 1]; 0 for plain NLL. */
  labelSmoothing: number;
}

/**
 * Loss of log-probabilities `logProbs` (N, C, d1, …) at class-index targets, per position i with
 * target y, class weights w (1 when absent) and ε = labelSmoothing:
 *   loss_i = (1 − ε)·(−w_y · logProbs[i, y]) + (ε / C)·(−Σ_c w_c · logProbs[i, c]),
 * 0 where y = ignoreIndex or the mask is 0. 'mean' divides Σ loss_i by Σ w_y over the positions
 * that count (PyTorch 1.13's rule for both terms).
 */
export function classIndexLoss(op: string, logProbs: Tensor, target: Tensor, layout: ClassLayout, options: ClassIndexLossOptions): Tensor {
  const reduction = checkReduction(op, options.reduction);
  const ignoreIndex = checkIgnoreIndex(op, options.ignoreIndex);
  const weights = classWeights(op, options.weight, layout);
  const C = layout.classes;
  const eps = options.labelSmoothing;
  const keep = options.mask === undefined || options.mask === null ? null : maskFlags(checkMask(op, options.mask, layout.outerShape), layout.outerShape);

  // One pass over the targets: range check, safe gather index, per-position coefficient, denominator.
  const M = target.size;
  const y = target.data as Int32Array;
  const index = new Int32Array(M);
  const valid = new Int32Array(M);
  const coef = allocate(logProbs.dtype, M);
  let denominator = 0;
  for (let i = 0; i < M; i++) {
    if (keep !== null && keep[i] === 0) continue;
    const c = y[i]!;
    if (c === ignoreIndex) continue;
    if (c < 0 || c >= C) {
      throw new IndexError(`${op}: target ${c} is out of range for ${C} classes (expected 0 to ${C - 1}, or ignoreIndex ${ignoreIndex})`);
    }
    const w = weights === null ? 1 : weights.values[c]!;
    index[i] = c;
    valid[i] = 1;
    coef[i] = -(1 - eps) * w;
    denominator += w;
  }

  const gatherShape = [layout.innerShape[0]!, 1, ...layout.innerShape.slice(1)];
  const picked = reshape(gather(logProbs, 1, new Tensor(index, gatherShape)), layout.innerShape);
  let loss = mul(picked, new Tensor(coef, layout.innerShape));
  if (eps > 0) {
    const classShape = logProbs.shape.map((d, a) => (a === 1 ? d : 1));
    const weighted = weights === null ? logProbs : mul(logProbs, reshape(weights.tensor, classShape));
    loss = add(loss, mul(sum(weighted, 1), -eps / C));
  }
  // Exactly 0 (and no gradient) where the position does not count, whatever its logits hold.
  loss = where(new Tensor(valid, layout.innerShape), loss, 0);
  return reduce(reduction === 'none' ? reshape(loss, layout.outerShape) : loss, reduction, denominator);
}

/**
 * The negative log-likelihood loss, as torch.nn.functional.nll_loss (PyTorch 1.13).
 *
 * For position i with target y_i and class weights w (1 when absent):
 *   ℓ_i = −w_{y_i} · logProbs[i, y_i], and ℓ_i = 0 where y_i = ignoreIndex or mask is 0;
 *   'mean' = Σ ℓ_i / Σ w_{y_i} over the positions that count (NaN when none counts), 'sum' = Σ ℓ_i,
 *   'none' = ℓ with the target's shape.
 *
 * Shapes: logProbs (N, C), (N, C, d1, …, dK) or unbatched (C), usually from logSoftmax over the
 * class axis; target int32 (N), (N, d1, …, dK) or (); output () or, for 'none', the target's shape.
 *
 * @throws IndexError for a target outside [0, C) that is not ignoreIndex (at an unmasked position).
 * @throws ShapeError when the target's shape is not the input's without the class axis.
 * @throws DTypeError when the target is not int32 or logProbs not floating.
 *
 * @example
 * import { logSoftmax, nllLoss, randn, tensor } from 'recurrent';
 * const logits = randn([3, 5]); // (N, C)
 * const loss = nllLoss(logSoftmax(logits, 1), tensor([1, 0, 4], { dtype: 'int32' }));
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  const op = 'nllLoss';
  checkFloatTensor(op, 'input', logProbs);
  if (!(target instanceof Tensor)) throw new DTypeError(`${op}: target must be a Tensor`);
  const layout = classIndexLayout(op, logProbs, target);
  return classIndexLoss(op, layout.input, target, layout, { ...options, labelSmoothing: 0 });
}
