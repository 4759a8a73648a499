/**
 * Convolutional LSTM cells (Shi et al. 2015): the LSTM's matrix products replaced by
 * convolutions, so inputs and states keep their spatial layout. nn.ConvLSTM1D / ConvLSTM2D run
 * these cells over time (`conv_lstm.ts`).
 *
 * Shape legend: N batch, C input channels, C_h hidden channels, L length (1-D), H×W height and
 * width (2-D); primes (L', H', W') are the spatial sizes of the states, equal to the input's with
 * 'same' padding and reduced by kernel − 1 along each axis with 'valid'.
 */
import { checkOptions, DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { conv1d, conv2d } from '../../tensor/ops/conv.js';
import { add, mul, sigmoid, tanh } from '../../tensor/ops/elementwise.js';
import { chunk } from '../../tensor/ops/join.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { uniformInit } from '../init.js';
import { Module, paramDType, positiveInt } from '../module.js';
import type { RecurrentCell } from './cell.js';

export interface ConvLSTMCellOptions {
  /** C: channels of the input. */
  inputChannels: number;
  /** C_h: channels of the hidden and cell states (Keras's `filters`). */
  hiddenChannels: number;
  /** Kernel size of both convolutions: one number, or [height, width] for 2-D. */
  kernelSize: number | readonly number[];
  /**
   * Padding of the input convolution: 'same' (default) keeps the spatial size, 'valid' shrinks
   * it by kernelSize − 1 per axis. The recurrent convolution is always 'same'.
   */
  padding?: 'same' | 'valid';
  /** Learn the gate bias `bias` (4·C_h); default true. */
  bias?: boolean;
  /**
   * Spatial size of the input ([L] or [H, W]), so that `zeroState` can shape the states before
   * the cell has seen an input. Optional: the cell also remembers the size of each input it sees.
   */
  spatialShape?: readonly number[];
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** The options of ConvLSTMCellOptions, for checkOptions. */
export const CONV_CELL_KEYS: Record<keyof Required<ConvLSTMCellOptions>, true> = {
  inputChannels: true,
  hiddenChannels: true,
  kernelSize: true,
  padding: true,
  bias: true,
  spatialShape: true,
  dtype: true,
};

/**
 * The convolutional LSTM step for 1 or 2 spatial axes, gates (i, f, g, o) along the channel axis:
 *
 *     z  = W_ih ⋆ x + b + W_hh ⋆ h          (⋆ convolution; 4·C_h channels)
 *     i, f, g, o = σ(z_i), σ(z_f), tanh(z_g), σ(z_o)
 *     c' = f ⊙ c + i ⊙ g
 *     h' = o ⊙ tanh(c')
 *
 * As Keras's ConvLSTM cells: no peepholes, strides and dilations of 1.
 *
 * Cell interface: `stateSize` is [C_h, C_h] and `outputSize` C_h, counted in channels (as Keras's
 * `state_size = (filters, filters)`): each state is (N, C_h, ...spatial), the spatial part given
 * by `stateShape`, which needs the input's spatial size (from `spatialShape` or the last input).
 */
export abstract class ConvLSTMCellBase extends Module implements RecurrentCell {
  readonly inputChannels: number;
  readonly hiddenChannels: number;
  readonly kernelSize: readonly number[];
  readonly padding: 'same' | 'valid';
  readonly bias: boolean;
  /** Number of spatial axes: 1 or 2. */
  readonly rank: 1 | 2;
  private inputSpatial: readonly number[] | null;

  protected constructor(name: string, rank: 1 | 2, options: ConvLSTMCellOptions) {
    super();
    this.rank = rank;
    this.inputChannels = positiveInt(name, 'inputChannels', options.inputChannels);
    this.hiddenChannels = positiveInt(name, 'hiddenChannels', options.hiddenChannels);
    this.kernelSize = spatialList(name, 'kernelSize', options.kernelSize, rank);
    this.padding = options.padding ?? 'same';
    if (this.padding !== 'same' && this.padding !== 'valid') {
      throw new ValueError(`${name}: padding must be 'same' or 'valid'; got ${String(options.padding)}`);
    }
    this.bias = options.bias ?? true;
    if (typeof this.bias !== 'boolean') throw new ValueError(`${name}: bias must be a boolean; got ${String(options.bias)}`);
    this.inputSpatial = options.spatialShape === undefined ? null : spatialList(name, 'spatialShape', options.spatialShape, rank);
    const dtype = paramDType(name, options.dtype);
    const taps = this.kernelSize.reduce((a, b) => a * b, 1);
    const G = 4 * this.hiddenChannels;
    const inBound = 1 / Math.sqrt(this.inputChannels * taps);
    const hBound = 1 / Math.sqrt(this.hiddenChannels * taps);
    this.registerParameter('weight_ih', uniformInit([G, this.inputChannels, ...this.kernelSize], inBound, dtype));
    this.registerParameter('weight_hh', uniformInit([G, this.hiddenChannels, ...this.kernelSize], hBound, dtype));
    this.registerParameter('bias', this.bias ? uniformInit([G], inBound, dtype) : null);
  }

  /** [C_h, C_h]: channels of h and c (each state is (N, C_h, ...stateShape spatial)). */
  get stateSize(): readonly number[] {
    return [this.hiddenChannels, this.hiddenChannels];
  }

  /** C_h: channels of the output (the new h). */
  get outputSize(): number {
    return this.hiddenChannels;
  }

  /** Spatial size of the states for an input of spatial size `inputSpatial`. */
  stateSpatialShape(inputSpatial: readonly number[]): number[] {
    return inputSpatial.map((n, i) => (this.padding === 'same' ? n : n - this.kernelSize[i]! + 1));
  }

  /** Per-sample shape of each state, (C_h, ...spatial), or null while the input size is unknown. */
  get stateShape(): number[] | null {
    return this.inputSpatial === null ? null : [this.hiddenChannels, ...this.stateSpatialShape(this.inputSpatial)];
  }

  /** All-zero [h, c] of shape (batch, C_h, ...spatial); needs `spatialShape` or an input seen before. */
  zeroState(batch: number, dtype?: DType): [Tensor, Tensor] {
    const shape = this.stateShape;
    if (shape === null) {
      throw new ValueError(
        `${this.constructor.name}.zeroState: the spatial size of the states is unknown; pass the spatialShape option or call the cell on an input first`,
      );
    }
    const d = dtype ?? this.param('weight_ih').dtype;
    return [zerosOf(d, [batch, ...shape]), zerosOf(d, [batch, ...shape])];
  }

  /** One step through the cell interface: states [h, c] (zeros when empty) → [h', [h', c']]. */
  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const [h, c] = this.forward(input, states.length === 2 ? [states[0]!, states[1]!] : null);
    return [h, [h, c]];
  }

  /** One step on input (N, C, ...spatial): returns [h', c'], each (N, C_h, ...spatial'); states default to zeros. */
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const gates = this.inputGates(input);
    const [h, c] = hx == null ? this.zeroState(input.shape[0]!, input.dtype) : this.checkStates(hx, gates);
    return this.step(gates, h, c);
  }

  /**
   * The input half of a step, W_ih ⋆ x + b, for any number of inputs at once: x (M, C, ...spatial)
   * → (M, 4·C_h, ...spatial'). Remembers the spatial size for `zeroState`.
   */
  inputGates(x: Tensor): Tensor {
    const name = this.constructor.name;
    checkTensor(name, 'input', x);
    const form = this.rank === 1 ? `(N, ${this.inputChannels}, L)` : `(N, ${this.inputChannels}, H, W)`;
    if (x.ndim !== this.rank + 2 || x.shape[1] !== this.inputChannels) throw new ShapeError(`${name}: input must be ${form}; got ${fmtShape(x.shape)}`);
    const dtype = this.param('weight_ih').dtype;
    if (x.dtype !== dtype) throw new DTypeError(`${name}: input is ${x.dtype} but the parameters are ${dtype}`);
    const spatial = x.shape.slice(2);
    if (this.padding === 'valid' && spatial.some((n, i) => n < this.kernelSize[i]!)) {
      throw new ShapeError(
        `${name}: with padding 'valid' the input's spatial size ${fmtShape(spatial)} must be at least the kernel ${fmtShape(this.kernelSize)}`,
      );
    }
    this.inputSpatial = spatial;
    return this.conv(x, this.param('weight_ih'), this.optionalParam('bias'), this.padding);
  }

  /** The recurrent half of a step: from input gates (N, 4·C_h, ...spatial') and [h, c] to [h', c']. */
  step(inputGates: Tensor, h: Tensor, c: Tensor): [Tensor, Tensor] {
    const z = add(inputGates, this.conv(h, this.param('weight_hh'), null, 'same'));
    const [zi, zf, zg, zo] = chunk(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const cNext = add(mul(sigmoid(zf), c), mul(sigmoid(zi), tanh(zg)));
    return [mul(sigmoid(zo), tanh(cNext)), cNext];
  }

  /** Checks user-given [h, c] against the shape the input gates imply. */
  checkStates(hx: readonly [Tensor, Tensor], inputGates: Tensor): [Tensor, Tensor] {
    const name = this.constructor.name;
    if (!Array.isArray(hx) || hx.length !== 2) throw new ValueError(`${name}: hx must be a pair [h, c]`);
    const expected = [inputGates.shape[0]!, this.hiddenChannels, ...inputGates.shape.slice(2)];
    hx.forEach((t, i) => {
      const which = i === 0 ? 'h' : 'c';
      checkTensor(name, which, t);
      if (!shapesEqual(t.shape, expected)) throw new ShapeError(`${name}: expected ${which} of shape ${fmtShape(expected)}; got ${fmtShape(t.shape)}`);
      if (t.dtype !== inputGates.dtype) throw new DTypeError(`${name}: ${which} is ${t.dtype} but the parameters are ${inputGates.dtype}`);
    });
    return [hx[0], hx[1]];
  }

  private conv(x: Tensor, weight: Tensor, bias: Tensor | null, padding: 'same' | 'valid'): Tensor {
    return this.rank === 1 ? conv1d(x, weight, bias, { padding }) : conv2d(x, weight, bias, { padding });
  }
}

/** A positive integer per spatial axis: one number for all, or a list of `rank`. */
function spatialList(owner: string, name: string, value: number | readonly number[], rank: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(rank).fill(value) : Array.isArray(value) ? [...(value as number[])] : [];
  if (list.length !== rank || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
    const form = rank === 1 ? 'a positive integer' : 'a positive integer or [height, width]';
    throw new ValueError(`${owner}: ${name} must be ${form}; got ${JSON.stringify(value)}`);
  }
  return list;
}

/**
 * Convolutional LSTM cell over one spatial axis: input (N, C, L) → [h', c'], each (N, C_h, L')
 * (L' = L with 'same' padding, L − kernelSize + 1 with 'valid'). See ConvLSTMCellBase for the math.
 *
 * Parameters: weight_ih (4·C_h, C, k) and bias (4·C_h), U(±1/√(C·k)); weight_hh (4·C_h, C_h, k),
 * U(±1/√(C_h·k)) — PyTorch's default for convolutions. Gates (i, f, g, o) stacked along axis 0.
 * Defaults: padding 'same', bias true, dtype float32.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const cell = new nn.ConvLSTM1DCell({ inputChannels: 2, hiddenChannels: 8, kernelSize: 3 });
 * const [h, c] = cell.forward(randn([4, 2, 16])); // h, c: [4, 8, 16]
 */
export class ConvLSTM1DCell extends ConvLSTMCellBase {
  constructor(options: ConvLSTMCellOptions & { kernelSize: number | readonly [number] }) {
    super('ConvLSTM1DCell', 1, options);
    checkOptions('ConvLSTM1DCell', options, CONV_CELL_KEYS);
  }
}

/**
 * Convolutional LSTM cell over two spatial axes: input (N, C, H, W) → [h', c'], each
 * (N, C_h, H', W') (H', W' = H, W with 'same' padding, H − kH + 1, W − kW + 1 with 'valid').
 * See ConvLSTMCellBase for the math.
 *
 * Parameters: weight_ih (4·C_h, C, kH, kW) and bias (4·C_h), U(±1/√(C·kH·kW)); weight_hh
 * (4·C_h, C_h, kH, kW), U(±1/√(C_h·kH·kW)) — PyTorch's default for convolutions. Gates
 * (i, f, g, o) stacked along axis 0.
 * Defaults: padding 'same', bias true, dtype float32.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const cell = new nn.ConvLSTM2DCell({ inputChannels: 3, hiddenChannels: 8, kernelSize: 3, spatialShape: [16, 16] });
 * let [h, c] = cell.zeroState(4);                      // each [4, 8, 16, 16]
 * [h, c] = cell.forward(randn([4, 3, 16, 16]), [h, c]);
 */
export class ConvLSTM2DCell extends ConvLSTMCellBase {
  constructor(options: ConvLSTMCellOptions & { kernelSize: number | readonly [number, number] }) {
    super('ConvLSTM2DCell', 2, options);
    checkOptions('ConvLSTM2DCell', options, CONV_CELL_KEYS);
  }
}
