/**
 * nn.ConvLSTM1D and nn.ConvLSTM2D: convolutional LSTM layers (Shi et al. 2015) with Keras's
 * conveniences (returnSequences; batch-first input by default), running a ConvLSTM cell over time.
 *
 * Shape legend: N batch, T time steps, C input channels, C_h hidden channels, L length (1-D),
 * H×W height and width (2-D); primes are the spatial sizes of the states and outputs.
 */
import { checkOptions, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../../tensor/ops/common.js';
import { stack } from '../../tensor/ops/join.js';
import { reshape, select } from '../../tensor/ops/view.js';
import { Module } from '../module.js';
import { CONV_CELL_KEYS, ConvLSTM1DCell, ConvLSTM2DCell, type ConvLSTMCellBase, type ConvLSTMCellOptions } from './conv_lstm_cell.js';

export interface ConvLSTMOptions extends Omit<ConvLSTMCellOptions, 'spatialShape'> {
  /** Return the output of every step (…, T, C_h, …) instead of the last one; default false. */
  returnSequences?: boolean;
  /** Input and sequence output are (N, T, …) (default true, as Keras); (T, N, …) when false. */
  batchFirst?: boolean;
}

const { spatialShape: _, ...CELL_KEYS_NO_SHAPE } = CONV_CELL_KEYS;
const CONV_KEYS: Record<keyof Required<ConvLSTMOptions>, true> = { ...CELL_KEYS_NO_SHAPE, returnSequences: true, batchFirst: true };

/** Checks a layer's options and returns the cell's share of them. */
function cellOptions<O extends ConvLSTMOptions>(owner: string, options: O): Omit<O, 'returnSequences' | 'batchFirst'> {
  checkOptions<ConvLSTMOptions>(owner, options, CONV_KEYS);
  const { returnSequences: _r, batchFirst: _b, ...cell } = options;
  return cell;
}

/** Runs a ConvLSTM cell over the time axis; the subclasses fix the number of spatial axes. */
abstract class ConvLSTMBase extends Module {
  readonly returnSequences: boolean;
  readonly batchFirst: boolean;
  /** The cell holding the parameters (state-dict keys `cell.weight_ih`, `cell.weight_hh`, `cell.bias`). */
  readonly cell: ConvLSTMCellBase;

  protected constructor(name: string, cell: ConvLSTMCellBase, options: ConvLSTMOptions) {
    super();
    this.returnSequences = options.returnSequences ?? false;
    this.batchFirst = options.batchFirst ?? true;
    for (const key of ['returnSequences', 'batchFirst'] as const) {
      if (typeof this[key] !== 'boolean') throw new ValueError(`${name}: ${key} must be a boolean; got ${String(options[key])}`);
    }
    this.cell = this.registerModule('cell', cell);
  }

  get inputChannels(): number {
    return this.cell.inputChannels;
  }
  get hiddenChannels(): number {
    return this.cell.hiddenChannels;
  }
  get kernelSize(): readonly number[] {
    return this.cell.kernelSize;
  }
  get padding(): 'same' | 'valid' {
    return this.cell.padding;
  }

  /**
   * Runs the sequence. Returns [output, [h, c]]: the last step's h (N, C_h, ...spatial'), or every
   * step's h stacked along the time axis with `returnSequences`, and the final states.
   */
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const name = this.constructor.name;
    checkTensor(name, 'input', input);
    const rank = this.cell.rank;
    const spatial = rank === 1 ? 'L' : 'H, W';
    const form = this.batchFirst ? `(N, T, ${this.inputChannels}, ${spatial})` : `(T, N, ${this.inputChannels}, ${spatial})`;
    if (input.ndim !== rank + 3 || input.shape[2] !== this.inputChannels) {
      throw new ShapeError(`${name}: input must be ${form}; got ${fmtShape(input.shape)}`);
    }
    const timeAxis = this.batchFirst ? 1 : 0;
    const steps = input.shape[timeAxis]!;
    if (steps === 0) throw new ShapeError(`${name}: input has no time steps: ${fmtShape(input.shape)}`);
    // The input convolution of every step at once, then only the recurrent part per step.
    const [a, b] = input.shape as [number, number];
    const gates = this.cell.inputGates(reshape(input, [a * b, ...input.shape.slice(2)]));
    const perStep = reshape(gates, [a, b, ...gates.shape.slice(1)]);
    const first = select(perStep, timeAxis, 0);
    const init = hx == null ? this.cell.zeroState(first.shape[0]!, input.dtype) : this.cell.checkStates(hx, first);
    let h = init[0]!;
    let c = init[1]!;
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      [h, c] = this.cell.step(t === 0 ? first : select(perStep, timeAxis, t), h, c);
      if (this.returnSequences) outputs.push(h);
    }
    return [this.returnSequences ? stack(outputs, timeAxis) : h, [h, c]];
  }
}

/**
 * A convolutional LSTM over sequences of 1-D signals, as Keras's ConvLSTM1D (strides and
 * dilation 1). Each step runs nn.ConvLSTM1DCell:
 *
 *     z_t = W_ih ⋆ x_t + b + W_hh ⋆ h_{t−1};   i, f, g, o = σ, σ, tanh, σ of z_t's four channel blocks
 *     c_t = f ⊙ c_{t−1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
 *
 * The input convolution uses `padding`; the recurrent one is always 'same', so the states keep
 * the spatial size of the input convolution's output: L' = L with 'same', L − k + 1 with 'valid'
 * (as Keras documents for padding='valid').
 *
 * Shapes: input (N, T, C, L) ((T, N, C, L) with batchFirst false); h0, c0 (N, C_h, L'), zeros
 * when omitted. Returns [output, [hN, cN]]: output (N, C_h, L'), or (N, T, C_h, L') with
 * returnSequences ((T, N, C_h, L') with batchFirst false); hN, cN (N, C_h, L').
 * Parameters: cell.weight_ih (4·C_h, C, k), cell.weight_hh (4·C_h, C_h, k), cell.bias (4·C_h),
 * gates (i, f, g, o); see nn.ConvLSTM1DCell for their initialisation.
 * Defaults: padding 'same', bias true, returnSequences false, batchFirst true, dtype float32.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const layer = new nn.ConvLSTM1D({ inputChannels: 2, hiddenChannels: 8, kernelSize: 3, returnSequences: true });
 * const [out, [h, c]] = layer.forward(randn([4, 10, 2, 32]));
 * out.shape; // [4, 10, 8, 32]
 */
export class ConvLSTM1D extends ConvLSTMBase {
  constructor(options: ConvLSTMOptions & { kernelSize: number | readonly [number] }) {
    super('ConvLSTM1D', new ConvLSTM1DCell(cellOptions('ConvLSTM1D', options)), options);
  }
}

/**
 * A convolutional LSTM over sequences of images, as Keras's ConvLSTM2D (Shi et al. 2015; strides
 * and dilation 1, no peepholes). Each step runs nn.ConvLSTM2DCell:
 *
 *     z_t = W_ih ⋆ x_t + b + W_hh ⋆ h_{t−1};   i, f, g, o = σ, σ, tanh, σ of z_t's four channel blocks
 *     c_t = f ⊙ c_{t−1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
 *
 * The input convolution uses `padding`; the recurrent one is always 'same', so the states keep
 * the spatial size of the input convolution's output: H', W' = H, W with 'same', H − kH + 1,
 * W − kW + 1 with 'valid' (as Keras documents for padding='valid').
 *
 * Shapes: input (N, T, C, H, W) ((T, N, C, H, W) with batchFirst false); h0, c0 (N, C_h, H', W'),
 * zeros when omitted. Returns [output, [hN, cN]]: output (N, C_h, H', W'), or
 * (N, T, C_h, H', W') with returnSequences ((T, N, C_h, H', W') with batchFirst false); hN, cN
 * (N, C_h, H', W').
 * Parameters: cell.weight_ih (4·C_h, C, kH, kW), cell.weight_hh (4·C_h, C_h, kH, kW), cell.bias
 * (4·C_h), gates (i, f, g, o); see nn.ConvLSTM2DCell for their initialisation.
 * Defaults: padding 'same', bias true, returnSequences false, batchFirst true, dtype float32.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const layer = new nn.ConvLSTM2D({ inputChannels: 1, hiddenChannels: 16, kernelSize: 3 });
 * const [last, [h, c]] = layer.forward(randn([2, 5, 1, 32, 32]));
 * last.shape; // [2, 16, 32, 32]
 */
export class ConvLSTM2D extends ConvLSTMBase {
  constructor(options: ConvLSTMOptions & { kernelSize: number | readonly [number, number] }) {
    super('ConvLSTM2D', new ConvLSTM2DCell(cellOptions('ConvLSTM2D', options)), options);
  }
}
