/** nn.Masking: Keras's Masking layer. */
import { checkOptions, ShapeError, ValueError, fmtShape } from '../errors.js';
import { checkFloating, checkTensor, zerosOf } from '../tensor/ops/common.js';
import { mul } from '../tensor/ops/elementwise.js';
import { unsqueeze } from '../tensor/ops/view.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export interface MaskingOptions {
  /** A time step whose features all equal this value is padding. Default 0. */
  maskValue?: number;
}

/**
 * Marks padding time steps, as Keras's Masking: a step is masked when every feature equals
 * `maskValue`. In nn.Sequential the mask then reaches the following recurrent layers, which skip
 * those steps (see nn.Recurrent).
 *
 * Shapes: input (N, T, F) → output (N, T, F), equal to the input with masked steps set to 0 (as
 * Keras); computeMask(input) → (N, T) float 0/1 mask, 1 for real steps.
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * const model = new nn.Sequential(new nn.Masking({ maskValue: 0 }), new nn.Recurrent(new nn.LSTMCell({ inputSize: 3, hiddenSize: 8 })));
 * const padded = tensor([[[1, 2, 3], [4, 5, 6], [0, 0, 0]]]); // (N, T, F): the last step is padding
 * model.forward(padded).shape; // [1, 8]: h after the last real step; all-zero steps are skipped
 */
export class Masking extends Module {
  readonly maskValue: number;

  constructor(options: MaskingOptions = {}) {
    super();
    checkOptions('Masking', options, { maskValue: true });
    this.maskValue = options.maskValue ?? 0;
    if (typeof this.maskValue !== 'number') throw new ValueError(`Masking: maskValue must be a number; got ${String(options.maskValue)}`);
  }

  /** The input with masked time steps zeroed. */
  forward(input: Tensor): Tensor {
    return mul(input, unsqueeze(this.computeMask(input), -1));
  }

  /** (N, T): 0 where every feature of the step equals maskValue, else 1; in the input's dtype. Any incoming mask is replaced. */
  computeMask(input: Tensor, _mask?: Tensor | null): Tensor {
    checkTensor('Masking', 'input', input);
    checkFloating('Masking', 'input', input);
    if (input.ndim < 3) throw new ShapeError(`Masking: input must be (N, T, features…); got ${fmtShape(input.shape)}`);
    const [N, T] = input.shape as [number, number];
    const mask = zerosOf(input.dtype, [N, T]);
    const width = input.size / (N * T || 1);
    const data = input.data;
    for (let s = 0; s < N * T; s++) {
      let keep = 0;
      for (let j = s * width; j < (s + 1) * width; j++) {
        if (data[j] !== this.maskValue) {
          keep = 1;
          break;
        }
      }
      mask.data[s] = keep;
    }
    return mask;
  }
}
