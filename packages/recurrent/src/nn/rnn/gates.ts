/**
 * Gate order and weight layout of the recurrent cells, and the converters between ours (PyTorch's)
 * and other frameworks'. This is the one place that knows how another framework lays out gates.
 *
 * Layouts (I input size, H hidden size, G gates: 1 SimpleRNN/RNN, 4 LSTM, 3 GRU):
 *
 * | framework | input weights | recurrent weights | bias | LSTM gates | GRU gates |
 * |---|---|---|---|---|---|
 * | ours / PyTorch | weight_ih (G·H, I) | weight_hh (G·H, H) | bias_ih (G·H), bias_hh (G·H) | i, f, g, o | r, z, n |
 * | Keras / tfjs | kernel (I, G·H) | recurrent_kernel (H, G·H) | bias (G·H); GRU reset_after: (2, G·H) | i, f, c, o | z, r, h |
 * | ONNX | W (D, G·H, I) | R (D, G·H, H) | B (D, 2·G·H): input biases, then recurrent | i, o, f, c | z, r, h |
 *
 * Keras's single bias goes into bias_ih and bias_hh is zero; back to Keras, bias = bias_ih + bias_hh,
 * which is exact because both are added before any nonlinearity. A Keras GRU with
 * `reset_after=True` keeps an input bias and a recurrent bias (rows 0 and 1 of its (2, 3H) bias),
 * the same split as PyTorch's bias_ih / bias_hh. A Keras GRU with `reset_after=False` (tfjs's only
 * GRU) applies the reset gate before the recurrent product: load it into
 * `new nn.GRUCell({ …, resetAfter: false })`.
 *
 * The returned objects use the cells' state-dict keys; for a one-layer nn.LSTM/GRU/RNN add the
 * layer suffix (`weight_ih` → `weight_ih_l0`).
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * // A Keras LSTM's weights; from tfjs: tfLstm.getWeights().map((w) => tensor(w.dataSync(), w.shape))
 * const [kernel, recurrentKernel, bias] = [randn([4, 24]), randn([6, 24]), randn([24])]; // (I, 4H), (H, 4H), (4H)
 * const cell = new nn.LSTMCell({ inputSize: 4, hiddenSize: 6 });
 * cell.loadStateDict(nn.kerasLstmToTorch({ kernel, recurrentKernel, bias }));
 */
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { add } from '../../tensor/ops/elementwise.js';
import { concat, stack } from '../../tensor/ops/join.js';
import { narrow, select, transpose } from '../../tensor/ops/view.js';
import { zerosOf } from '../../tensor/ops/common.js';
import { shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';

/** Gate names in the order each framework stacks them. */
export const GATE_ORDER = {
  torchLstm: ['i', 'f', 'g', 'o'],
  kerasLstm: ['i', 'f', 'g', 'o'], // Keras calls the candidate 'c'
  torchGru: ['r', 'z', 'n'],
  kerasGru: ['z', 'r', 'n'], // Keras calls the candidate 'h'
  onnxLstm: ['i', 'o', 'f', 'g'], // ONNX calls the candidate 'c'
  onnxGru: ['z', 'r', 'n'], // ONNX calls the candidate 'h'
} as const;

/** ONNX's LSTM peephole vector P stacks (i, o, f); ours are weight_ci, weight_cf, weight_co. */
export const ONNX_PEEPHOLE_ORDER = ['ci', 'co', 'cf'] as const;

/** Weights in Keras's layout. `bias` is absent or null for `use_bias=False`. */
export interface KerasRecurrentWeights {
  /** (I, G·H). */
  kernel: Tensor;
  /** (H, G·H). */
  recurrentKernel: Tensor;
  /** (G·H), or (2, 3H) for a GRU with reset_after=True. */
  bias?: Tensor | null;
}

/** Weights under our cells' state-dict keys; the biases are absent for a cell built with `bias: false`. */
export type TorchRecurrentWeights = {
  weight_ih: Tensor;
  weight_hh: Tensor;
  bias_ih?: Tensor;
  bias_hh?: Tensor;
};

/** What the converters to Keras accept: TorchRecurrentWeights, or a cell's stateDict(). */
export type TorchWeightsLike = TorchRecurrentWeights | Readonly<Record<string, Tensor>>;

/**
 * Reorders the G gate blocks of `x` along `axis` from the order `from` to the order `to` (both
 * permutations of the same gate names). The building block of every converter here.
 */
export function reorderGates(x: Tensor, axis: number, from: readonly string[], to: readonly string[]): Tensor {
  return fresh(permuteGates(x, axis, from, to));
}

/**
 * reorderGates as a differentiable op (concatenated views of `x`), for converters whose result
 * must stay connected to the source parameters.
 */
export function permuteGates(x: Tensor, axis: number, from: readonly string[], to: readonly string[]): Tensor {
  if (from.length !== to.length || !to.every((g) => from.includes(g))) {
    throw new ValueError(`reorderGates: gate orders [${from.join(', ')}] and [${to.join(', ')}] name different gates`);
  }
  const a = axis < 0 ? axis + x.ndim : axis;
  const size = x.shape[a];
  if (size === undefined || size % from.length !== 0) {
    throw new ShapeError(`reorderGates: axis ${axis} of ${fmtShape(x.shape)} does not split into ${from.length} gates`);
  }
  const h = size / from.length;
  return concat(
    to.map((g) => narrow(x, a, from.indexOf(g) * h, h)),
    a,
  );
}

/** Keras LSTM (kernel (I, 4H), recurrent_kernel (H, 4H), bias (4H); gates i, f, c, o) → our LSTMCell's weights. */
export function kerasLstmToTorch(weights: KerasRecurrentWeights): TorchRecurrentWeights {
  return kerasToTorch('kerasLstmToTorch', weights, 4, GATE_ORDER.kerasLstm, GATE_ORDER.torchLstm, false);
}

/** Our LSTMCell's weights → Keras LSTM weights (bias = bias_ih + bias_hh). */
export function torchLstmToKeras(weights: TorchWeightsLike): KerasRecurrentWeights {
  return torchToKeras('torchLstmToKeras', weights, 4, GATE_ORDER.torchLstm, GATE_ORDER.kerasLstm, false);
}

/** Keras SimpleRNN (kernel (I, H), recurrent_kernel (H, H), bias (H)) → our RNNCell's weights. */
export function kerasSimpleRnnToTorch(weights: KerasRecurrentWeights): TorchRecurrentWeights {
  return kerasToTorch('kerasSimpleRnnToTorch', weights, 1, ['h'], ['h'], false);
}

/** Our RNNCell's weights → Keras SimpleRNN weights (bias = bias_ih + bias_hh). */
export function torchSimpleRnnToKeras(weights: TorchWeightsLike): KerasRecurrentWeights {
  return torchToKeras('torchSimpleRnnToKeras', weights, 1, ['h'], ['h'], false);
}

/**
 * Keras GRU (gates z, r, h) → our GRUCell's weights (gates r, z, n). `resetAfter` is read from the
 * bias shape ((2, 3H): true, (3H): false) unless given; build the cell with the same value.
 */
export function kerasGruToTorch(weights: KerasRecurrentWeights, options: { resetAfter?: boolean } = {}): TorchRecurrentWeights {
  const bias = weights.bias ?? null;
  const inferred = bias === null ? null : bias.ndim === 2;
  const resetAfter = options.resetAfter ?? inferred ?? true;
  if (inferred !== null && inferred !== resetAfter) {
    throw new ShapeError(`kerasGruToTorch: resetAfter ${resetAfter} needs a bias of shape ${resetAfter ? '(2, 3H)' : '(3H)'}; got ${fmtShape(bias!.shape)}`);
  }
  return kerasToTorch('kerasGruToTorch', weights, 3, GATE_ORDER.kerasGru, GATE_ORDER.torchGru, resetAfter);
}

/**
 * Our GRUCell's weights → Keras GRU weights. With `resetAfter` (default true, as GRUCell) the bias
 * is (2, 3H) [input bias; recurrent bias]; with `resetAfter: false` it is one (3H) bias.
 */
export function torchGruToKeras(weights: TorchWeightsLike, options: { resetAfter?: boolean } = {}): KerasRecurrentWeights {
  return torchToKeras('torchGruToKeras', weights, 3, GATE_ORDER.torchGru, GATE_ORDER.kerasGru, options.resetAfter ?? true);
}

function kerasToTorch(
  name: string,
  w: KerasRecurrentWeights,
  gates: number,
  from: readonly string[],
  to: readonly string[],
  splitBias: boolean,
): TorchRecurrentWeights {
  checkPresent(name, 'kernel', w.kernel);
  checkPresent(name, 'recurrentKernel', w.recurrentKernel);
  const rk = w.recurrentKernel;
  if (rk.ndim !== 2 || rk.shape[1] !== gates * rk.shape[0]!) {
    throw new ShapeError(`${name}: recurrentKernel must be (H, ${gates}·H); got ${fmtShape(rk.shape)}`);
  }
  const G = rk.shape[1]!;
  if (w.kernel.ndim !== 2 || w.kernel.shape[1] !== G) {
    throw new ShapeError(`${name}: kernel must be (inputSize, ${G}) to match recurrentKernel ${fmtShape(rk.shape)}; got ${fmtShape(w.kernel.shape)}`);
  }
  if (w.bias != null) checkPresent(name, 'bias', w.bias);
  checkDType(name, [w.kernel, rk, w.bias ?? null]);
  const out: TorchRecurrentWeights = {
    weight_ih: reorderGates(transpose(w.kernel.detach(), 0, 1), 0, from, to),
    weight_hh: reorderGates(transpose(rk.detach(), 0, 1), 0, from, to),
  };
  const bias = w.bias ?? null;
  if (bias === null) return out;
  const expected = splitBias ? [2, G] : [G];
  if (!shapesEqual(bias.shape, expected)) throw new ShapeError(`${name}: bias must be ${fmtShape(expected)}; got ${fmtShape(bias.shape)}`);
  const b = bias.detach();
  out.bias_ih = reorderGates(splitBias ? select(b, 0, 0) : b, 0, from, to);
  out.bias_hh = splitBias ? reorderGates(select(b, 0, 1), 0, from, to) : zerosOf(b.dtype, [G]);
  return out;
}

function torchToKeras(
  name: string,
  weights: TorchWeightsLike,
  gates: number,
  from: readonly string[],
  to: readonly string[],
  splitBias: boolean,
): KerasRecurrentWeights {
  const w: Partial<TorchRecurrentWeights> = weights;
  checkPresent(name, 'weight_ih', w.weight_ih);
  checkPresent(name, 'weight_hh', w.weight_hh);
  const whh = w.weight_hh!;
  if (whh.ndim !== 2 || whh.shape[0] !== gates * whh.shape[1]!) {
    throw new ShapeError(`${name}: weight_hh must be (${gates}·H, H); got ${fmtShape(whh.shape)}`);
  }
  const G = whh.shape[0]!;
  const wih = w.weight_ih!;
  if (wih.ndim !== 2 || wih.shape[0] !== G) {
    throw new ShapeError(`${name}: weight_ih must be (${G}, inputSize) to match weight_hh ${fmtShape(whh.shape)}; got ${fmtShape(wih.shape)}`);
  }
  const bih = w.bias_ih ?? null;
  const bhh = w.bias_hh ?? null;
  if ((bih === null) !== (bhh === null)) throw new ValueError(`${name}: give both bias_ih and bias_hh, or neither`);
  if (bih !== null) checkPresent(name, 'bias_ih', bih);
  if (bhh !== null) checkPresent(name, 'bias_hh', bhh);
  checkDType(name, [wih, whh, bih, bhh]);
  const out: KerasRecurrentWeights = {
    kernel: transpose(reorderGates(wih.detach(), 0, from, to), 0, 1),
    recurrentKernel: transpose(reorderGates(whh.detach(), 0, from, to), 0, 1),
  };
  if (bih === null || bhh === null) return out;
  for (const [key, b] of [
    ['bias_ih', bih],
    ['bias_hh', bhh],
  ] as const) {
    if (!shapesEqual(b.shape, [G])) throw new ShapeError(`${name}: ${key} must be [${G}]; got ${fmtShape(b.shape)}`);
  }
  const input = reorderGates(bih.detach(), 0, from, to);
  const recurrent = reorderGates(bhh.detach(), 0, from, to);
  out.bias = fresh(splitBias ? stack([input, recurrent], 0) : add(input, recurrent));
  return out;
}

function checkPresent(name: string, key: string, value: unknown): void {
  if (!(value instanceof Tensor)) {
    throw new ValueError(
      `${name}: '${key}' must be a Tensor (convert a tfjs tensor with tensor(t.dataSync(), t.shape)); got ${value === null ? 'null' : typeof value}`,
    );
  }
}

function checkDType(name: string, tensors: readonly (Tensor | null)[]): void {
  for (const t of tensors) {
    if (t !== null && t.dtype === 'int32') throw new ValueError(`${name}: weights must be floating; got int32`);
  }
}

/** A contiguous leaf copy, unconnected to the inputs' autograd history. */
function fresh(x: Tensor): Tensor {
  return new Tensor(x.data.slice(), x.shape);
}
