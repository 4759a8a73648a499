/** nn.LayerNormLSTMCell: one step of a layer-normalised LSTM (Ba et al. 2016). */
import { checkOptions, DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { add, mul, sigmoid, tanh } from '../../tensor/ops/elementwise.js';
import { chunk } from '../../tensor/ops/join.js';
import { linear } from '../../tensor/ops/matmul.js';
import { squeeze, unsqueeze } from '../../tensor/ops/view.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { uniformInit } from '../init.js';
import { LayerNorm } from '../layer_norm.js';
import { Module, paramDType, positiveInt } from '../module.js';
import type { RecurrentCell } from './cell.js';

export interface LayerNormLSTMCellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Learn the gate bias `bias` (4H); default true. */
  bias?: boolean;
  /** eps of the three layer norms; default 1e-5. */
  eps?: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * One step of a layer-normalised LSTM (Ba et al. 2016, §A.3), gates (i, f, g, o):
 *
 *     z  = LN_ih(W_ih x) + LN_hh(W_hh h) + b            (z has 4H entries)
 *     i, f, g, o = σ(z_i), σ(z_f), tanh(z_g), σ(z_o)
 *     c' = f ⊙ c + i ⊙ g
 *     h' = o ⊙ tanh(LN_c(c'))
 *
 * Each layer norm has its own gain and shift. LN_ih and LN_hh normalise their term over all 4H
 * gate pre-activations together (as the paper does), not per gate; LN_c normalises the H cell
 * units. The state carried to the next step is the unnormalised c' (as in the paper; TensorFlow
 * Addons' LayerNormLSTMCell carries LN_c(c') instead).
 *
 * Shapes (N batch, H hiddenSize): input (N, inputSize) or unbatched (inputSize); h, c (N, H) or
 * (H), zeros when omitted; returns [h', c'] of the same shape.
 * Parameters: weight_ih (4H, inputSize), weight_hh (4H, H) and bias (4H, only with `bias`), all
 * U(−1/√H, 1/√H); ln_ih.weight, ln_ih.bias, ln_hh.weight, ln_hh.bias (4H) and ln_c.weight,
 * ln_c.bias (H), the layer norms' gains (ones) and shifts (zeros).
 * Defaults: bias true, eps 1e-5, dtype float32.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const cell = new nn.LayerNormLSTMCell({ inputSize: 10, hiddenSize: 20 });
 * let [h, c] = cell.forward(randn([3, 10]));
 * [h, c] = cell.forward(randn([3, 10]), [h, c]);
 */
export class LayerNormLSTMCell extends Module implements RecurrentCell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly eps: number;
  private readonly lnIH: LayerNorm;
  private readonly lnHH: LayerNorm;
  private readonly lnC: LayerNorm;

  constructor(options: LayerNormLSTMCellOptions) {
    super();
    checkOptions('LayerNormLSTMCell', options, { inputSize: true, hiddenSize: true, bias: true, eps: true, dtype: true });
    const name = 'LayerNormLSTMCell';
    this.inputSize = positiveInt(name, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInt(name, 'hiddenSize', options.hiddenSize);
    this.bias = options.bias ?? true;
    if (typeof this.bias !== 'boolean') throw new ValueError(`${name}: bias must be a boolean; got ${String(options.bias)}`);
    this.eps = options.eps ?? 1e-5;
    if (typeof this.eps !== 'number' || !(this.eps >= 0)) throw new ValueError(`${name}: eps must be a non-negative number; got ${String(options.eps)}`);
    const dtype = paramDType(name, options.dtype);
    const H = this.hiddenSize;
    const bound = 1 / Math.sqrt(H);
    this.registerParameter('weight_ih', uniformInit([4 * H, this.inputSize], bound, dtype));
    this.registerParameter('weight_hh', uniformInit([4 * H, H], bound, dtype));
    this.registerParameter('bias', this.bias ? uniformInit([4 * H], bound, dtype) : null);
    this.lnIH = this.registerModule('ln_ih', new LayerNorm({ normalizedShape: 4 * H, eps: this.eps, dtype }));
    this.lnHH = this.registerModule('ln_hh', new LayerNorm({ normalizedShape: 4 * H, eps: this.eps, dtype }));
    this.lnC = this.registerModule('ln_c', new LayerNorm({ normalizedShape: H, eps: this.eps, dtype }));
  }

  /** [H, H]: the sizes of h and c. */
  get stateSize(): readonly number[] {
    return [this.hiddenSize, this.hiddenSize];
  }

  get outputSize(): number {
    return this.hiddenSize;
  }

  zeroState(batch: number, dtype?: DType): Tensor[] {
    const d = dtype ?? this.param('weight_ih').dtype;
    return this.stateSize.map((size) => zerosOf(d, [batch, size]));
  }

  /** One step through the cell interface: states [h, c] (zeros when empty) → [h', [h', c']]. */
  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const [h, c] = this.forward(input, states.length === 2 ? [states[0]!, states[1]!] : null);
    return [h, [h, c]];
  }

  /** One step: returns [h', c']; the states default to zeros. */
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const name = 'LayerNormLSTMCell';
    checkTensor(name, 'input', input);
    if ((input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: input must be (N, ${this.inputSize}) or (${this.inputSize}); got ${fmtShape(input.shape)}`);
    }
    const weightIH = this.param('weight_ih');
    if (input.dtype !== weightIH.dtype) throw new DTypeError(`${name}: input is ${input.dtype} but the parameters are ${weightIH.dtype}`);
    const unbatched = input.ndim === 1;
    const x = unbatched ? unsqueeze(input, 0) : input;
    const n = x.shape[0]!;
    const h = this.state('h', hx?.[0], n, unbatched, x);
    const c = this.state('c', hx?.[1], n, unbatched, x);
    let z = add(this.lnIH.forward(linear(x, weightIH)), this.lnHH.forward(linear(h, this.param('weight_hh'))));
    const b = this.optionalParam('bias');
    if (b !== null) z = add(z, b);
    const [zi, zf, zg, zo] = chunk(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const cNext = add(mul(sigmoid(zf), c), mul(sigmoid(zi), tanh(zg)));
    const hNext = mul(sigmoid(zo), tanh(this.lnC.forward(cNext)));
    return unbatched ? [squeeze(hNext, 0), squeeze(cNext, 0)] : [hNext, cNext];
  }

  /** The state `which` as (N, H), zeros when omitted, checked against the input. */
  private state(which: 'h' | 'c', value: Tensor | null | undefined, batch: number, unbatched: boolean, like: Tensor): Tensor {
    const name = 'LayerNormLSTMCell';
    if (value == null) return zerosOf(like.dtype, [batch, this.hiddenSize]);
    checkTensor(name, which, value);
    const expected = unbatched ? [this.hiddenSize] : [batch, this.hiddenSize];
    if (!shapesEqual(value.shape, expected)) {
      throw new ShapeError(`${name}: expected ${which} of shape ${fmtShape(expected)}; got ${fmtShape(value.shape)}`);
    }
    if (value.dtype !== like.dtype) throw new DTypeError(`${name}: ${which} is ${value.dtype} but the parameters are ${like.dtype}`);
    return unbatched ? unsqueeze(value, 0) : value;
  }
}
