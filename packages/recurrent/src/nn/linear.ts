/** nn.Linear: y = x·Wᵀ + b. */
import { checkOptions } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { linear } from '../tensor/ops/matmul.js';
import type { Tensor } from '../tensor/tensor.js';
import { uniformInit } from './init.js';
import { Module, paramDType, positiveInt } from './module.js';

export interface LinearOptions {
  /** Size of each input sample. */
  inFeatures: number;
  /** Size of each output sample. */
  outFeatures: number;
  /** Learn an additive bias; default true. */
  bias?: boolean;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * Applies an affine map y = x·Wᵀ + b, as torch.nn.Linear.
 *
 * Shapes: input (*, inFeatures) → output (*, outFeatures).
 * Parameters: `weight` (outFeatures, inFeatures) and `bias` (outFeatures), both initialised
 * U(−1/√inFeatures, 1/√inFeatures).
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const fc = new nn.Linear({ inFeatures: 20, outFeatures: 30 });
 * fc.forward(randn([128, 20])).shape; // [128, 30]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(options: LinearOptions) {
    super();
    checkOptions('Linear', options, { inFeatures: true, outFeatures: true, bias: true, dtype: true });
    this.inFeatures = positiveInt('Linear', 'inFeatures', options.inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', options.outFeatures);
    const dtype = paramDType('Linear', options.dtype);
    const bound = 1 / Math.sqrt(this.inFeatures);
    this.registerParameter('weight', uniformInit([this.outFeatures, this.inFeatures], bound, dtype, 'Linear: weight'));
    this.registerParameter('bias', options.bias === false ? null : uniformInit([this.outFeatures], bound, dtype, 'Linear: bias'));
  }

  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.optionalParam('bias');
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
