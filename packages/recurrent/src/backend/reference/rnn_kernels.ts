/**
 * Elman RNN sequence kernels: h' = act(xProj + h·W_hhᵀ + b_hh), act = tanh or relu.
 * Legend: N packed rows, B batch, H hidden. out (N, H) doubles as the cache: act' is read off it.
 */
import type { RecurrentBackward, RecurrentForward, RnnCache } from '../recurrent_kernels.js';
import { type KernelContext, copyOf, planSteps, previousRows, referenceContext, transposedProduct } from './sequence_steps.js';

export function rnnForward(a: RecurrentForward<RnnCache>, k: KernelContext = referenceContext): void {
  const { xProj, h0, wHH, bHH, out, hN, batchSizes, hiddenSize: H } = a;
  const relu = a.cache.nonlinearity === 'relu';
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  for (const t of plan.order) {
    const rows = batchSizes[t]!;
    const at = plan.offsets[t]! * H;
    k.gemm({ c: out, cOffset: at, ldc: H, a: h, aOffset: 0, lda: H, transA: false, b: wHH, bOffset: 0, ldb: H, transB: true, m: rows, k: H, n: H, accumulate: false });
    k.gates.rnnForward({ rows, H, out, at, xProj, bHH, h, relu });
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
    const rows = batchSizes[t]!;
    const at = plan.offsets[t]! * H;
    k.gates.rnnBackward({ rows, H, dx: dXProj, out, at, dh, dOut, relu });
    k.gemm({ c: dh, cOffset: 0, ldc: H, a: dXProj, aOffset: at, lda: H, transA: false, b: wHH, bOffset: 0, ldb: H, transB: false, m: rows, k: H, n: H, accumulate: false });
  }
  dH0.set(dh);
  transposedProduct(k, dWHH, dXProj, previousRows(k, a, plan, out, h0, H), H, plan.rows, H);
  if (dBHH) k.columnSums(dBHH, dXProj, plan.rows, H);
}
