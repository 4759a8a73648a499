/**
 * Elman RNN sequence kernels (reference): h' = act(xProj + h·W_hhᵀ + b_hh), act = tanh or relu.
 * Legend: N packed rows, B batch, H hidden. out (N, H) doubles as the cache: act' is read off it.
 */
import type { RecurrentBackward, RecurrentForward, RnnCache } from '../recurrent_kernels.js';
import { type KernelContext, columnSums, copyOf, planSteps, previousRows, referenceContext, transposedProduct } from './sequence_steps.js';

export function rnnForward(a: RecurrentForward<RnnCache>, k: KernelContext = referenceContext): void {
  const { xProj, h0, wHH, bHH, out, hN, batchSizes, hiddenSize: H } = a;
  const relu = a.cache.nonlinearity === 'relu';
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  for (const t of plan.order) {
    const bs = batchSizes[t]!;
    const off = plan.offsets[t]!;
    k.gemm({ c: out, cOffset: off * H, ldc: H, a: h, aOffset: 0, lda: H, transA: false, b: wHH, bOffset: 0, ldb: H, transB: true, m: bs, k: H, n: H, accumulate: false });
    for (let r = 0; r < bs; r++) {
      const row = (off + r) * H;
      for (let j = 0; j < H; j++) {
        const pre = out[row + j]! + xProj[row + j]! + (bHH ? bHH[j]! : 0);
        const v = relu ? (pre > 0 ? pre : 0) : Math.tanh(pre);
        out[row + j] = v;
        h[r * H + j] = v;
      }
    }
  }
  hN.set(h);
}

export function rnnBackward(a: RecurrentBackward<RnnCache>, k: KernelContext = referenceContext): void {
  const { h0, wHH, out, dOut, dHN, dXProj, dH0, dWHH, dBHH, batchSizes, hiddenSize: H } = a;
  const relu = a.cache.nonlinearity === 'relu';
  const plan = planSteps(a);
  const dh = copyOf(k, dHN);
  for (let s = plan.order.length - 1; s >= 0; s--) {
    const t = plan.order[s]!;
    const bs = batchSizes[t]!;
    const off = plan.offsets[t]!;
    for (let r = 0; r < bs; r++) {
      const row = (off + r) * H;
      for (let j = 0; j < H; j++) {
        const d = dh[r * H + j]! + dOut[row + j]!;
        const y = out[row + j]!;
        dXProj[row + j] = relu ? (y > 0 ? d : 0) : d * (1 - y * y);
      }
    }
    k.gemm({ c: dh, cOffset: 0, ldc: H, a: dXProj, aOffset: off * H, lda: H, transA: false, b: wHH, bOffset: 0, ldb: H, transB: false, m: bs, k: H, n: H, accumulate: false });
  }
  dH0.set(dh);
  transposedProduct(k, dWHH, dXProj, previousRows(k, a, plan, out, h0, H), H, plan.rows, H);
  if (dBHH) columnSums(dBHH, dXProj, plan.rows, H);
}
