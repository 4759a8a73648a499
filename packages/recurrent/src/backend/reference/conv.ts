/**
 * Convolution kernels of the reference backend: 2-D cross-correlation as PyTorch's conv2d (no
 * groups), forward and backward, by im2col and the backend's gemm. A 1-D convolution is the case
 * H = R = P = 1.
 *
 * Shape legend: N batch, C input channels, K output channels, H×W input, R×S kernel, P×Q output,
 * L = C·R·S rows of the column matrix. For one sample the column matrix `cols` (L, P·Q) holds at
 * row (c, r, s), column (p, q) the input element that kernel tap (c, r, s) meets at output
 * position (p, q), zero where that falls in the padding. Then
 *
 *     out_n (K, P·Q) = weight (K, L) · cols_n + bias
 *     dWeight (K, L) = Σ_n dOut_n · cols_nᵀ        dCols_n (L, P·Q) = weightᵀ · dOut_n
 *
 * and dx_n is dCols_n scattered back (col2im, adding where windows overlap).
 */
import type { ConvGeometry } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';
import { gemm } from './gemm.js';

/** cols (L, P·Q) ← the windows of sample x[xOffset ..] (C, H, W). */
function im2col(cols: Float64Array, x: FloatArray, xOffset: number, g: ConvGeometry): void {
  const { C, H, W, R, S, P, Q } = g;
  const PQ = P * Q;
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < R; r++) {
      for (let s = 0; s < S; s++) {
        const row = ((c * R + r) * S + s) * PQ;
        for (let p = 0; p < P; p++) {
          const ih = p * g.strideH - g.padTop + r * g.dilationH;
          const inRow = ih >= 0 && ih < H;
          const xRow = xOffset + (c * H + ih) * W;
          for (let q = 0; q < Q; q++) {
            const iw = q * g.strideW - g.padLeft + s * g.dilationW;
            cols[row + p * Q + q] = inRow && iw >= 0 && iw < W ? x[xRow + iw]! : 0;
          }
        }
      }
    }
  }
}

/** dx[dxOffset ..] (C, H, W) += dCols (L, P·Q) scattered back to the input positions. */
function col2im(dx: FloatArray, dxOffset: number, dCols: Float64Array, g: ConvGeometry): void {
  const { C, H, W, R, S, P, Q } = g;
  const PQ = P * Q;
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < R; r++) {
      for (let s = 0; s < S; s++) {
        const row = ((c * R + r) * S + s) * PQ;
        for (let p = 0; p < P; p++) {
          const ih = p * g.strideH - g.padTop + r * g.dilationH;
          if (ih < 0 || ih >= H) continue;
          const xRow = dxOffset + (c * H + ih) * W;
          for (let q = 0; q < Q; q++) {
            const iw = q * g.strideW - g.padLeft + s * g.dilationW;
            if (iw >= 0 && iw < W) dx[xRow + iw]! += dCols[row + p * Q + q]!;
          }
        }
      }
    }
  }
}

export function convForward(out: FloatArray, x: FloatArray, weight: FloatArray, bias: FloatArray | null, g: ConvGeometry): void {
  const { N, C, K, H, W, R, S, P, Q } = g;
  const L = C * R * S;
  const PQ = P * Q;
  const cols = new Float64Array(L * PQ);
  for (let n = 0; n < N; n++) {
    im2col(cols, x, n * C * H * W, g);
    const outOffset = n * K * PQ;
    gemm({
      c: out,
      cOffset: outOffset,
      ldc: PQ,
      a: weight,
      aOffset: 0,
      lda: L,
      transA: false,
      b: cols,
      bOffset: 0,
      ldb: PQ,
      transB: false,
      m: K,
      k: L,
      n: PQ,
      accumulate: false,
    });
    if (bias === null) continue;
    for (let k = 0; k < K; k++) {
      const b = bias[k]!;
      const at = outOffset + k * PQ;
      for (let j = 0; j < PQ; j++) out[at + j]! += b;
    }
  }
}

export function convBackward(
  dx: FloatArray | null,
  dWeight: FloatArray | null,
  dBias: FloatArray | null,
  dOut: FloatArray,
  x: FloatArray,
  weight: FloatArray,
  g: ConvGeometry,
): void {
  const { N, C, K, H, W, R, S, P, Q } = g;
  const L = C * R * S;
  const PQ = P * Q;
  const cols = new Float64Array(L * PQ);
  const dCols = new Float64Array(L * PQ);
  if (dx !== null) dx.fill(0);
  if (dWeight !== null) dWeight.fill(0);
  if (dBias !== null) dBias.fill(0);
  for (let n = 0; n < N; n++) {
    const dOutOffset = n * K * PQ;
    if (dWeight !== null) {
      im2col(cols, x, n * C * H * W, g);
      gemm({
        c: dWeight,
        cOffset: 0,
        ldc: L,
        a: dOut,
        aOffset: dOutOffset,
        lda: PQ,
        transA: false,
        b: cols,
        bOffset: 0,
        ldb: PQ,
        transB: true,
        m: K,
        k: PQ,
        n: L,
        accumulate: true,
      });
    }
    if (dx !== null) {
      gemm({
        c: dCols,
        cOffset: 0,
        ldc: PQ,
        a: weight,
        aOffset: 0,
        lda: L,
        transA: true,
        b: dOut,
        bOffset: dOutOffset,
        ldb: PQ,
        transB: false,
        m: L,
        k: K,
        n: PQ,
        accumulate: false,
      });
      col2im(dx, n * C * H * W, dCols, g);
    }
    if (dBias !== null) {
      for (let k = 0; k < K; k++) {
        let s = 0;
        const at = dOutOffset + k * PQ;
        for (let j = 0; j < PQ; j++) s += dOut[at + j]!;
        dBias[k]! += s;
      }
    }
  }
}
