/** nn.PeepholeLSTMCell: one LSTM step with diagonal peephole connections (Graves 2013). */
import { checkOptions } from '../../errors.js';
import { concat } from '../../tensor/ops/join.js';
import { squeeze } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { uniformInit } from '../init.js';
import { paramDType, positiveInt } from '../module.js';
import { lstmStep } from './cell_steps.js';
import { LSTMCell, type CellOptions } from './cells.js';

/**
 * One LSTM step whose gates also look at the cell state through diagonal ("peephole") weights:
 *
 *     i  = σ(W_ii x + b_ii + W_hi h + b_hi + w_ci ⊙ c)
 *     f  = σ(W_if x + b_if + W_hf h + b_hf + w_cf ⊙ c)
 *     g  = tanh(W_ig x + b_ig + W_hg h + b_hg)
 *     c' = f ⊙ c + i ⊙ g
 *     o  = σ(W_io x + b_io + W_ho h + b_ho + w_co ⊙ c')
 *     h' = o ⊙ tanh(c')
 *
 * The input and forget gates see the previous cell state c, the output gate the new one c'. This
 * is the step nn.LSTM runs with `peepholes: true`, and the parameter names are that layer's
 * without the `_l{k}` suffix, so weights move between the two one-to-one.
 *
 * Shapes (N batch, H hiddenSize): input (N, inputSize) or unbatched (inputSize); h, c (N, H) or
 * (H), zeros when omitted; returns [h', c'] of the same shape.
 * Parameters, all U(−1/√H, 1/√H), gates stacked (i, f, g, o): weight_ih (4H, inputSize),
 * weight_hh (4H, H), bias_ih (4H), bias_hh (4H) (without `bias: false`), weight_ci, weight_cf,
 * weight_co (H).
 * Defaults: bias true, dtype float32.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const cell = new nn.PeepholeLSTMCell({ inputSize: 10, hiddenSize: 20 });
 * let [h, c] = cell.forward(randn([3, 10]));
 * [h, c] = cell.forward(randn([3, 10]), [h, c]);
 */
export class PeepholeLSTMCell extends LSTMCell {
  constructor(options: CellOptions) {
    checkOptions('PeepholeLSTMCell', options, { inputSize: true, hiddenSize: true, bias: true, dtype: true });
    positiveInt('PeepholeLSTMCell', 'inputSize', options.inputSize);
    const H = positiveInt('PeepholeLSTMCell', 'hiddenSize', options.hiddenSize);
    const dtype = paramDType('PeepholeLSTMCell', options.dtype);
    super(options);
    for (const gate of ['ci', 'cf', 'co']) this.registerParameter(`weight_${gate}`, uniformInit([H], 1 / Math.sqrt(H), dtype));
  }

  /** The peephole weights w_ci, w_cf, w_co concatenated (3H), as lstmStep takes them. */
  private get peepholes(): Tensor {
    return concat([this.param('weight_ci'), this.param('weight_cf'), this.param('weight_co')], 0);
  }

  /** One step: returns [h', c']; the states default to zeros. */
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { xp, unbatched } = this.project(input);
    const n = xp.shape[0]!;
    const h0 = this.state('h', hx?.[0], n, unbatched, xp);
    const c0 = this.state('c', hx?.[1], n, unbatched, xp);
    const [h, c] = lstmStep(xp, h0, c0, this.weightHH, this.biasHH, null, this.peepholes);
    return unbatched ? [squeeze(h, 0), squeeze(c, 0)] : [h, c];
  }
}
