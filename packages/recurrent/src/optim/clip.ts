/** Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_. Gradients change in place. */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtValue } from './options.js';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/** The gradients of `params` that exist (parameters without one are skipped). */
function gradsOf(op: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  if (params instanceof Tensor) params = [params];
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw new ValueError(`${op}: params must be a Tensor or an array of Tensors; got ${fmtValue(params)}`);
  }
  const grads: Tensor[] = [];
  let i = 0;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new ValueError(`${op}: params[${i}] must be a Tensor; got ${fmtValue(p)}`);
    if (p.grad !== null) grads.push(p.grad);
    i++;
  }
  return grads;
}

/** The p-norm of one array (the largest magnitude for p = ∞), accumulated in double precision. */
function norm(data: ArrayLike<number>, p: number): number {
  let acc = 0;
  if (p === Infinity) {
    for (let i = 0; i < data.length; i++) {
      const a = Math.abs(data[i]!);
      if (a > acc || Number.isNaN(a)) acc = a;
    }
    return acc;
  }
  if (p === 2) {
    for (let i = 0; i < data.length; i++) acc += data[i]! * data[i]!;
    return Math.sqrt(acc);
  }
  if (p === 1) {
    for (let i = 0; i < data.length; i++) acc += Math.abs(data[i]!);
    return acc;
  }
  for (let i = 0; i < data.length; i++) acc += Math.abs(data[i]!) ** p;
  return acc ** (1 / p);
}

/**
 * Rescales the gradients of `params` so that their joint p-norm (as if concatenated into one
 * vector) is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_:
 *
 * ```text
 * total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ                (max |gᵢ| for p = ∞)
 * gᵢ ← gᵢ · min(1, maxNorm / (total + 1e-6))
 * ```
 *
 * Returns the total norm before clipping (0 when no parameter has a gradient). `normType` is a
 * positive number or `Infinity` (default 2).
 *
 * @example
 * ```ts
 * import { mseLoss, nn, optim, randn } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
 * mseLoss(model.forward(randn([8, 4])), randn([8, 1])).backward();
 * const norm = optim.clipGradNorm(model.parameters(), 1.0); // the norm before clipping
 * opt.step();
 * ```
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  const op = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new ValueError(`${op}: maxNorm must be a number >= 0; got ${fmtValue(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new ValueError(`${op}: normType must be a number > 0 or Infinity; got ${fmtValue(normType)}`);
  }
  const grads = gradsOf(op, params);
  if (grads.length === 0) return 0;
  const norms = grads.map((g) => norm(g.data, normType));
  const total = norms.length === 1 ? norms[0]! : norm(norms, normType);
  if (options.errorIfNonfinite === true && !Number.isFinite(total)) {
    throw new ValueError(
      `${op}: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; pass errorIfNonfinite: false to scale by it anyway`,
    );
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  if (coef !== 1) {
    for (const g of grads) {
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] = d[i]! * coef;
    }
  }
  return total;
}

/**
 * Clamps every gradient element of `params` into [−clipValue, clipValue], in place, as
 * torch.nn.utils.clip_grad_value_.
 *
 * @example
 * ```ts
 * import { mseLoss, nn, optim, randn } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
 * mseLoss(model.forward(randn([8, 4])), randn([8, 1])).backward();
 * optim.clipGradValue(model.parameters(), 0.5);
 * opt.step();
 * ```
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new ValueError(`${op}: clipValue must be a number >= 0; got ${fmtValue(clipValue)}`);
  for (const g of gradsOf(op, params)) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v > clipValue) d[i] = clipValue;
      else if (v < -clipValue) d[i] = -clipValue;
    }
  }
}
