/**
 * GRU sequence kernels, gates (r, z, n) as PyTorch:
 *   r = σ(x_r + h·W_hrᵀ + b_hr)   z = σ(x_z + h·W_hzᵀ + b_hz)   h' = (1−z)⊙n + z⊙h
 *   resetAfter:  n = tanh(x_n + r⊙(h·W_hnᵀ + b_hn))      (PyTorch, cuDNN, Keras reset_after=True)
 *   reset-before: n = tanh(x_n + (r⊙h)·W_hnᵀ + b_hn)     (Cho et al. 2014, Keras reset_after=False)
 * Legend: N packed rows, B batch, H hidden. Cache: activated gates (N, 3H) and hn (N, H), which
 * holds h·W_hnᵀ + b_hn (resetAfter) or r⊙h (reset-before).
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { GruCache, RecurrentBackward, RecurrentForward } from '../recurrent_kernels.js';
import { type KernelContext, type StepPlan, copyOf, planSteps, previousBlock, previousRows, referenceContext, transposedProduct } from './sequence_steps.js';

export function gruForward(a: RecurrentForward<GruCache>, k: KernelContext = referenceContext): void {
  const { xProj, h0, wHH, bHH, out, hN, batchSizes, hiddenSize: H } = a;
  const { gates, hn, resetAfter } = a.cache;
  const G = 3 * H;
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  const gh = k.scratch(h0, a.batch * G);
  for (const t of plan.order) {
    const rows = batchSizes[t]!;
    const off = plan.offsets[t]!;
    k.gemm({ c: gh, cOffset: 0, ldc: G, a: h, aOffset: 0, lda: H, transA: false, b: wHH, bOffset: 0, ldb: H, transB: true, m: rows, k: H, n: resetAfter ? G : 2 * H, accumulate: false });
    const step = { rows, H, gates, xProj, at: off * G, gh, bHH, hn, out, rowAt: off * H, h };
    if (resetAfter) {
      k.gates.gruForwardAfter(step);
    } else {
      k.gates.gruForwardBeforeRZ(step);
      k.gemm({ c: gh, cOffset: 2 * H, ldc: G, a: hn, aOffset: off * H, lda: H, transA: false, b: wHH, bOffset: 2 * H * H, ldb: H, transB: true, m: rows, k: H, n: H, accumulate: false });
      k.gates.gruForwardBeforeN(step);
    }
  }
  hN.set(h);
}

export function gruBackward(a: RecurrentBackward<GruCache>, k: KernelContext = referenceContext): void {
  const { h0, wHH, out, dOut, dHN, dXProj, dH0, batchSizes, hiddenSize: H } = a;
  const { gates, hn, resetAfter } = a.cache;
  const G = 3 * H;
  const plan = planSteps(a);
  const dh = copyOf(k, dHN);
  // Gradients of the recurrent pre-activations; equal to dXProj except n's part when resetAfter.
  const dGh = resetAfter ? k.scratch(dh, plan.rows * G) : dXProj;
  const drh = k.scratch(dh, resetAfter ? 0 : a.batch * H);
  for (let s = plan.order.length - 1; s >= 0; s--) {
    const t = plan.order[s]!;
    const rows = batchSizes[t]!;
    const off = plan.offsets[t]!;
    const prev = previousBlock(a, plan, t);
    const step = { rows, H, dx: dXProj, dgh: dGh, gates, at: off * G, hn, rowAt: off * H, prev: out, prevAt: prev.at * H, prevRows: prev.rows, h0, dh, dOut, drh };
    if (resetAfter) {
      k.gates.gruBackwardAfter(step);
    } else {
      k.gates.gruBackwardBefore1(step);
      // d(r⊙h) = dn_pre·W_hn, then split between r and h.
      k.gemm({ c: drh, cOffset: 0, ldc: H, a: dXProj, aOffset: off * G + 2 * H, lda: G, transA: false, b: wHH, bOffset: 2 * H * H, ldb: H, transB: false, m: rows, k: H, n: H, accumulate: false });
      k.gates.gruBackwardBefore2(step);
    }
    k.gemm({ c: dh, cOffset: 0, ldc: H, a: dGh, aOffset: off * G, lda: G, transA: false, b: wHH, bOffset: 0, ldb: H, transB: false, m: rows, k: resetAfter ? G : 2 * H, n: H, accumulate: true });
  }
  dH0.set(dh);
  gruWeightGradients(a, k, plan, dGh);
}

/** After the backward sweep: dW_hh and db_hh from dGh (N, 3H), the recurrent pre-activation gradients. */
export function gruWeightGradients(a: RecurrentBackward<GruCache>, k: KernelContext, plan: StepPlan, dGh: FloatArray): void {
  const { h0, out, dWHH, dBHH, hiddenSize: H } = a;
  const { hn, resetAfter } = a.cache;
  const G = 3 * H;
  const hPrev = previousRows(k, a, plan, out, h0, H);
  if (resetAfter) {
    transposedProduct(k, dWHH, dGh, hPrev, G, plan.rows, H);
  } else {
    k.gemm({ c: dWHH, cOffset: 0, ldc: H, a: dGh, aOffset: 0, lda: G, transA: true, b: hPrev, bOffset: 0, ldb: H, transB: false, m: 2 * H, k: plan.rows, n: H, accumulate: false });
    k.gemm({ c: dWHH, cOffset: 2 * H * H, ldc: H, a: dGh, aOffset: 2 * H, lda: G, transA: true, b: hn, bOffset: 0, ldb: H, transB: false, m: H, k: plan.rows, n: H, accumulate: false });
  }
  if (dBHH) k.columnSums(dBHH, dGh, plan.rows, G);
}
