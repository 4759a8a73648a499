/** Layer normalisation (Ba et al. 2016): the functional form and nn.LayerNorm. */
import { checkOptions, DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { add, div, mul, sqrt, sub } from '../tensor/ops/elementwise.js';
import { checkFloating, checkTensor } from '../tensor/ops/common.js';
import { ones, zeros } from '../tensor/ops/creation.js';
import { mean } from '../tensor/ops/reduce.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, paramDType } from './module.js';

/** The normalised shape as a list of positive integers. */
function normalizedShapeOf(owner: string, value: number | readonly number[]): number[] {
  const list = typeof value === 'number' ? [value] : [...value];
  if (list.length === 0 || list.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
    throw new ValueError(`${owner}: normalizedShape must be a positive integer or a non-empty list of them; got ${JSON.stringify(value)}`);
  }
  return list;
}

/**
 * Layer normalisation over the trailing axes, as torch.nn.functional.layer_norm:
 *
 *     y = (x − E[x]) / √(Var[x] + eps) ⊙ weight + bias
 *
 * with the mean and the biased variance taken over the last `normalizedShape.length` axes.
 * Built from differentiable ops (mean, sub, mul, sqrt, div), so gradients come from autograd.
 *
 * Shapes: x (*, ...normalizedShape) → same shape; weight and bias (...normalizedShape), or
 * null/omitted for no affine transform. Default eps 1e-5.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const y = nn.layerNorm(randn([2, 5, 8]), [8]);
 * y.mean(-1); // ≈ 0 for every row
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkTensor('layerNorm', 'x', x);
  checkFloating('layerNorm', 'x', x);
  const shape = normalizedShapeOf('layerNorm', normalizedShape);
  if (x.ndim < shape.length || !shapesEqual(x.shape.slice(x.ndim - shape.length), shape)) {
    throw new ShapeError(`layerNorm: x must end in the normalized shape ${fmtShape(shape)}; got ${fmtShape(x.shape)}`);
  }
  if (typeof eps !== 'number' || !(eps >= 0)) throw new ValueError(`layerNorm: eps must be a non-negative number; got ${String(eps)}`);
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t == null) continue;
    checkTensor('layerNorm', name, t);
    if (!shapesEqual(t.shape, shape)) throw new ShapeError(`layerNorm: ${name} must be ${fmtShape(shape)}; got ${fmtShape(t.shape)}`);
    if (t.dtype !== x.dtype) throw new DTypeError(`layerNorm: ${name} is ${t.dtype} but x is ${x.dtype}`);
  }
  const axes = shape.map((_, i) => x.ndim - shape.length + i);
  const centred = sub(x, mean(x, axes, true));
  const variance = mean(mul(centred, centred), axes, true);
  let y = div(centred, sqrt(add(variance, eps)));
  if (weight != null) y = mul(y, weight);
  if (bias != null) y = add(y, bias);
  return y;
}

export interface LayerNormOptions {
  /** The trailing shape to normalise over: one size or a list of sizes. */
  normalizedShape: number | readonly number[];
  /** Added to the variance for numerical stability; default 1e-5. */
  eps?: number;
  /** Learn a per-element gain `weight` and shift `bias`; default true. */
  elementwiseAffine?: boolean;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * Applies layer normalisation over the trailing `normalizedShape` axes, as torch.nn.LayerNorm:
 *
 *     y = (x − E[x]) / √(Var[x] + eps) ⊙ weight + bias
 *
 * Shapes: input (*, ...normalizedShape) → output of the same shape.
 * Parameters (with elementwiseAffine): `weight` (...normalizedShape), initialised to ones, and
 * `bias` (...normalizedShape), initialised to zeros.
 * Defaults: eps 1e-5, elementwiseAffine true.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const norm = new nn.LayerNorm({ normalizedShape: 10 });
 * norm.forward(randn([20, 5, 10])).shape; // [20, 5, 10]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(options: LayerNormOptions) {
    super();
    checkOptions('LayerNorm', options, { normalizedShape: true, eps: true, elementwiseAffine: true, dtype: true });
    this.normalizedShape = Object.freeze(normalizedShapeOf('LayerNorm', options.normalizedShape));
    this.eps = options.eps ?? 1e-5;
    if (typeof this.eps !== 'number' || !(this.eps >= 0)) throw new ValueError(`LayerNorm: eps must be a non-negative number; got ${String(options.eps)}`);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    if (typeof this.elementwiseAffine !== 'boolean') {
      throw new ValueError(`LayerNorm: elementwiseAffine must be a boolean; got ${String(options.elementwiseAffine)}`);
    }
    const dtype = paramDType('LayerNorm', options.dtype);
    this.registerParameter('weight', this.elementwiseAffine ? ones(this.normalizedShape, { dtype }) : null);
    this.registerParameter('bias', this.elementwiseAffine ? zeros(this.normalizedShape, { dtype }) : null);
  }

  get weight(): Tensor | null {
    return this.optionalParam('weight');
  }
  get bias(): Tensor | null {
    return this.optionalParam('bias');
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
