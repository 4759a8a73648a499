/** Parameter initialisers (PyTorch's defaults, and Glorot/orthogonal on request). */
import { DTypeError, ResourceError, ValueError, fmtShape } from '../errors.js';
import { type DType, allocate } from '../tensor/dtype.js';
import { randn, uniformTensor } from '../tensor/ops/creation.js';
import { normal } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

/** An initialiser fills float parameters: an integer dtype is a mistake, not a request. */
function floatDType(owner: string, dtype: DType): DType {
  if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`${owner}: dtype must be float32 or float64; got ${dtype}`);
  return dtype;
}

function nonNegative(owner: string, name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new ValueError(`${owner}: ${name} must be a finite number ≥ 0; got ${value}`);
  return value;
}

/** U(−bound, bound). `name` (e.g. `LSTM: weight_ih_l0`) prefixes a ResourceError when the shape is too large to allocate. */
export function uniformInit(shape: readonly number[], bound: number, dtype: DType = 'float32', name?: string): Tensor {
  nonNegative('uniformInit', 'bound', bound);
  return named(name, () => uniformTensor(shape, -bound, bound, { dtype: floatDType('uniformInit', dtype) }));
}

/** N(0, 1), as nn.Embedding. */
export function normalInit(shape: readonly number[], dtype: DType = 'float32', name?: string): Tensor {
  return named(name, () => randn(shape, { dtype: floatDType('normalInit', dtype) }));
}

/** Runs `make`, naming the parameter in a ResourceError so that the message says which option was too large. */
function named(name: string | undefined, make: () => Tensor): Tensor {
  try {
    return make();
  } catch (e) {
    if (name !== undefined && e instanceof ResourceError) throw new ResourceError(`${name}: ${e.message}`);
    throw e;
  }
}

/**
 * Glorot/Xavier uniform, as PyTorch's `xavier_uniform_`: U(−b, b) with b = gain·√(6 / (fanIn + fanOut))
 * for a (fanOut, fanIn) matrix; gain defaults to 1.
 *
 * @example
 * import { nn } from 'recurrent';
 * const w = nn.xavierUniform([64, 32], 5 / 3); // (fanOut, fanIn); gain 5/3 suits tanh
 * w.shape; // [64, 32]
 */
export function xavierUniform(shape: readonly [number, number], gain = 1, dtype: DType = 'float32'): Tensor {
  nonNegative('xavierUniform', 'gain', gain);
  floatDType('xavierUniform', dtype);
  const fans = shape[0] + shape[1];
  return uniformInit(shape, fans > 0 ? gain * Math.sqrt(6 / fans) : 0, dtype); // an empty matrix has no bound to compute
}

/** A (rows, cols) matrix with orthonormal rows or columns (Saxe et al. 2014), by Gram–Schmidt on a normal draw. */
export function orthogonal(shape: readonly [number, number], gain = 1, dtype: DType = 'float32'): Tensor {
  const [rows, cols] = shape;
  if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ValueError(`orthogonal: shape must hold two non-negative integers; got ${fmtShape(shape)}`);
  }
  if (!Number.isFinite(gain)) throw new ValueError(`orthogonal: gain must be a finite number; got ${gain}`);
  floatDType('orthogonal', dtype);
  const tall = rows >= cols;
  const [n, m] = tall ? [cols, rows] : [rows, cols]; // n vectors of length m, n ≤ m
  const v = allocate('float64', n * m, 'orthogonal', [n, m]);
  for (let i = 0; i < v.length; i++) v[i] = normal();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < m; k++) dot += v[i * m + k]! * v[j * m + k]!;
      for (let k = 0; k < m; k++) v[i * m + k]! -= dot * v[j * m + k]!;
    }
    let norm = 0;
    for (let k = 0; k < m; k++) norm += v[i * m + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < m; k++) v[i * m + k]! /= norm;
  }
  const out = new Tensor(allocate(dtype === 'float64' ? 'float64' : 'float32', rows * cols, 'orthogonal', shape), [rows, cols]);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) out.data[tall ? k * cols + i : i * cols + k] = gain * v[i * m + k]!;
  }
  return out;
}
