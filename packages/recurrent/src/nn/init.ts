/** Parameter initialisers (PyTorch's defaults, and Glorot/orthogonal on request). */
import type { DType } from '../tensor/dtype.js';
import { randn, uniformTensor } from '../tensor/ops/creation.js';
import { normal } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

/** U(−bound, bound). */
export function uniformInit(shape: readonly number[], bound: number, dtype: DType = 'float32'): Tensor {
  return uniformTensor(shape, -bound, bound, { dtype });
}

/** N(0, 1), as nn.Embedding. */
export function normalInit(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return randn(shape, { dtype });
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
  return uniformInit(shape, gain * Math.sqrt(6 / (shape[0] + shape[1])), dtype);
}

/** A (rows, cols) matrix with orthonormal rows or columns (Saxe et al. 2014), by Gram–Schmidt on a normal draw. */
export function orthogonal(shape: readonly [number, number], gain = 1, dtype: DType = 'float32'): Tensor {
  const [rows, cols] = shape;
  const tall = rows >= cols;
  const [n, m] = tall ? [cols, rows] : [rows, cols]; // n vectors of length m, n ≤ m
  const v = new Float64Array(n * m);
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
  const out = new Tensor(dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols), [rows, cols]);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) out.data[tall ? k * cols + i : i * cols + k] = gain * v[i * m + k]!;
  }
  return out;
}
