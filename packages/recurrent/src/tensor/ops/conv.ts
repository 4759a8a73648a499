/**
 * Convolutions with PyTorch's layout and semantics: conv1d and conv2d (cross-correlation, no
 * groups), differentiable in the input, the weight and the bias.
 *
 * Shape legend: N batch, C_in / C_out channels, L length, H×W height and width, k kernel size.
 * Along each spatial axis, with padding p_before + p_after, dilation d and stride s,
 *
 *     L_out = ⌊(L + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1
 *
 * Padding: a number pads both ends by that many zeros; 'valid' is 0; 'same' (stride 1 only)
 * pads d·(k − 1) in total, ⌊d·(k − 1)/2⌋ before and the rest after — one more zero after than
 * before for an even kernel with odd dilation, exactly as PyTorch's padding='same'.
 */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import type { ConvGeometry } from '../../backend/backend.js';
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { FloatArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { checkFloating, checkSameDType, checkTensor, zerosOf } from './common.js';
import { reshape } from './view.js';

/** Padding of a convolution: zeros at both ends of each spatial axis, or 'valid' (none) or 'same'. */
export type ConvPadding = 'valid' | 'same' | number;

export interface Conv1dOptions {
  /** Step between output positions; default 1. */
  stride?: number;
  /** 'valid' (default, no padding), 'same' (stride 1 only) or zeros at both ends. */
  padding?: ConvPadding;
  /** Spacing between kernel taps; default 1. */
  dilation?: number;
}

export interface Conv2dOptions {
  /** Step between output positions, one number or [height, width]; default 1. */
  stride?: number | readonly [number, number];
  /** 'valid' (default, no padding), 'same' (stride 1 only), or zeros at both ends: one number or [height, width]. */
  padding?: 'valid' | 'same' | number | readonly [number, number];
  /** Spacing between kernel taps, one number or [height, width]; default 1. */
  dilation?: number | readonly [number, number];
}

type ConvOp = 'conv1d' | 'conv2d';

/** A per-axis option as `rank` values, each a positive (or, for padding, non-negative) integer. */
function perAxis(op: ConvOp, name: string, value: number | readonly number[], rank: number, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(rank).fill(value) : [...value];
  if (list.length !== rank || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
    const what = min === 0 ? 'non-negative' : 'positive';
    const form = rank === 1 ? `a ${what} integer` : `a ${what} integer or [height, width] of them`;
    throw new ValueError(`${op}: ${name} must be ${form}; got ${JSON.stringify(value)}`);
  }
  return list;
}

function convNd(
  op: ConvOp,
  rank: 1 | 2,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: { stride?: number | readonly number[]; padding?: string | number | readonly number[]; dilation?: number | readonly number[] },
): Tensor {
  checkTensor(op, 'x', x);
  checkTensor(op, 'weight', weight);
  checkFloating(op, 'x', x);
  checkSameDType(op, x, weight, ['x', 'weight']);
  const spatial = rank === 1 ? '(C_out, C_in, k)' : '(C_out, C_in, kH, kW)';
  if (weight.ndim !== rank + 2) throw new ShapeError(`${op}: weight must be ${spatial}; got ${fmtShape(weight.shape)}`);
  const batchedForm = rank === 1 ? '(N, C_in, L)' : '(N, C_in, H, W)';
  const single = rank === 1 ? '(C_in, L)' : '(C_in, H, W)';
  if (x.ndim !== rank + 2 && x.ndim !== rank + 1) {
    throw new ShapeError(`${op}: x must be ${batchedForm} or unbatched ${single}; got ${fmtShape(x.shape)}`);
  }
  const unbatched = x.ndim === rank + 1;
  const input = unbatched ? reshape(x, [1, ...x.shape]) : x;
  const [K, C] = weight.shape as [number, number];
  if (input.shape[1] !== C) {
    throw new ShapeError(`${op}: x has ${input.shape[1]} input channels but weight ${fmtShape(weight.shape)} expects ${C}`);
  }
  if (bias != null) {
    checkTensor(op, 'bias', bias);
    checkSameDType(op, x, bias, ['x', 'bias']);
    if (bias.ndim !== 1 || bias.shape[0] !== K) throw new ShapeError(`${op}: bias must be (${K}); got ${fmtShape(bias.shape)}`);
  }
  const stride = perAxis(op, 'stride', options.stride ?? 1, rank, 1);
  const dilation = perAxis(op, 'dilation', options.dilation ?? 1, rank, 1);
  const kernel = weight.shape.slice(2);
  const size = input.shape.slice(2);
  const padding = options.padding ?? 'valid';
  let before: number[];
  let after: number[];
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new ValueError(`${op}: padding='same' is not supported for strided convolutions`);
    before = kernel.map((k, i) => Math.floor((dilation[i]! * (k - 1)) / 2));
    after = kernel.map((k, i) => dilation[i]! * (k - 1) - before[i]!);
  } else if (padding === 'valid') {
    before = new Array<number>(rank).fill(0);
    after = before;
  } else if (typeof padding === 'string') {
    throw new ValueError(`${op}: padding must be 'valid', 'same' or a number of zeros; got '${padding}'`);
  } else {
    before = perAxis(op, 'padding', padding, rank, 0);
    after = before;
  }
  const outSize = size.map((n, i) => Math.floor((n + before[i]! + after[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1);
  if (outSize.some((n) => n < 1)) {
    throw new ShapeError(
      `${op}: input of spatial size ${fmtShape(size)} (padded by ${fmtShape(before)} before and ${fmtShape(after)} after) ` +
        `is smaller than the kernel ${fmtShape(kernel)} with dilation ${fmtShape(dilation)}`,
    );
  }
  // A 1-D convolution is the 2-D one with height 1.
  const two = (v: number[], one: number): [number, number] => (rank === 1 ? [one, v[0]!] : [v[0]!, v[1]!]);
  const [H, W] = two(size, 1);
  const [R, S] = two(kernel, 1);
  const [P, Q] = two(outSize, 1);
  const [strideH, strideW] = two(stride, 1);
  const [padTop, padLeft] = two(before, 0);
  const [dilationH, dilationW] = two(dilation, 1);
  const N = input.shape[0]!;
  const geometry: ConvGeometry = { N, C, K, H, W, R, S, P, Q, strideH, strideW, padTop, padLeft, dilationH, dilationW };
  const out = zerosOf(x.dtype, [N, K, ...outSize]);
  backend().convForward(out.data as FloatArray, input.data as FloatArray, weight.data as FloatArray, bias == null ? null : (bias.data as FloatArray), geometry);
  record(op, bias == null ? [input, weight] : [input, weight, bias], [out], { geometry });
  return unbatched ? reshape(out, out.shape.slice(1)) : out;
}

/**
 * 1-D convolution (cross-correlation) over (N, C_in, L), as torch.nn.functional.conv1d:
 *
 *     out[n, o, t] = bias[o] + Σ_c Σ_j weight[o, c, j] · x_padded[n, c, t·stride + j·dilation]
 *
 * Shapes: x (N, C_in, L) or unbatched (C_in, L); weight (C_out, C_in, k); bias (C_out) or
 * null/omitted → (N, C_out, L_out) (unbatched: (C_out, L_out)).
 * Defaults: stride 1, padding 'valid', dilation 1.
 *
 * @example
 * import { conv1d, randn } from 'recurrent';
 * const y = conv1d(randn([2, 3, 10]), randn([4, 3, 3]), null, { padding: 'same' });
 * y.shape; // [2, 4, 10]
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  return convNd('conv1d', 1, x, weight, bias, options);
}

/**
 * 2-D convolution (cross-correlation) over (N, C_in, H, W), as torch.nn.functional.conv2d:
 *
 *     out[n, o, y, x] = bias[o] + Σ_c Σ_i Σ_j weight[o, c, i, j] · in_padded[n, c, y·sH + i·dH, x·sW + j·dW]
 *
 * Shapes: x (N, C_in, H, W) or unbatched (C_in, H, W); weight (C_out, C_in, kH, kW); bias (C_out)
 * or null/omitted → (N, C_out, H_out, W_out) (unbatched: (C_out, H_out, W_out)). stride, padding
 * and dilation take one number for both axes or [height, width].
 * Defaults: stride 1, padding 'valid', dilation 1.
 *
 * @example
 * import { conv2d, randn } from 'recurrent';
 * const y = conv2d(randn([1, 3, 8, 8]), randn([6, 3, 3, 3]), randn([6]), { stride: 2, padding: 1 });
 * y.shape; // [1, 6, 4, 4]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return convNd('conv2d', 2, x, weight, bias, options);
}

/**
 * The gradients of a recorded convolution from the upstream gradient `dOut`: [dx, dWeight, dBias]
 * for the inputs whose `needs` entry is true (null otherwise). Used by the gradient table.
 */
export function convBackward(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  dOut: Tensor,
  geometry: ConvGeometry,
  needs: readonly boolean[],
): [Tensor | null, Tensor | null, Tensor | null] {
  const dx = needs[0] ? zerosOf(x.dtype, x.shape) : null;
  const dWeight = needs[1] ? zerosOf(weight.dtype, weight.shape) : null;
  const dBias = bias !== null && needs[2] ? zerosOf(bias.dtype, bias.shape) : null;
  const f = (t: Tensor | null): FloatArray | null => (t === null ? null : (t.data as FloatArray));
  backend().convBackward(f(dx), f(dWeight), f(dBias), dOut.data as FloatArray, x.data as FloatArray, weight.data as FloatArray, geometry);
  return [dx, dWeight, dBias];
}
