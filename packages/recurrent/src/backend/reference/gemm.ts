/**
 * Matrix product of the reference backend. Loop orders keep the innermost loop contiguous:
 * i-p-j for A·B and Aᵀ·B (row accumulation), dot products for A·Bᵀ.
 */
import type { Gemm } from '../backend.js';

export function gemm(g: Gemm): void {
  product(g);
  if (g.bias) addBiasRows(g.c, g.cOffset, g.ldc, g.bias, g.m, g.n);
}

/** c's m rows of n (row stride ldc, from cOffset) += bias (n). */
export function addBiasRows(c: Gemm['c'], cOffset: number, ldc: number, bias: Gemm['c'], m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const ci = cOffset + i * ldc;
    for (let j = 0; j < n; j++) c[ci + j]! += bias[j]!;
  }
}

function product(g: Gemm): void {
  const { c, cOffset, ldc, a, aOffset, lda, transA, b, bOffset, ldb, transB, m, k, n, accumulate } = g;
  // Element (i, p) of op(A) sits at aOffset + i*ai + p*ap.
  const ai = transA ? 1 : lda;
  const ap = transA ? lda : 1;
  if (transB) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const bj = bOffset + j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aOffset + i * ai + p * ap]! * b[bj + p]!;
        const at = cOffset + i * ldc + j;
        c[at] = accumulate ? c[at]! + s : s;
      }
    }
    return;
  }
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const x = a[aOffset + i * ai + p * ap]!;
      if (x === 0) continue;
      const bp = bOffset + p * ldb;
      for (let j = 0; j < n; j++) row[j]! += x * b[bp + j]!;
    }
    const ci = cOffset + i * ldc;
    if (accumulate) for (let j = 0; j < n; j++) c[ci + j]! += row[j]!;
    else for (let j = 0; j < n; j++) c[ci + j] = row[j]!;
  }
}
