/**
 * LSTM sequence kernels, gates (i, f, g, o) as PyTorch:
 *   i = σ(x_i + h·W_hiᵀ + b_hi [+ w_ci⊙c])   f = σ(x_f + … [+ w_cf⊙c])   g = tanh(x_g + …)
 *   c' = f⊙c + i⊙g   o = σ(x_o + … [+ w_co⊙c'])   m = o⊙tanh(c')   h' = m, or m·W_hrᵀ (projection)
 * Legend: N packed rows, B batch, H hidden, P output size (projSize or H).
 * Cache: activated gates (N, 4H), cells (N, H), and m (N, H) when projecting.
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { LstmCache, LstmExtra, LstmGradExtra, RecurrentBackward, RecurrentForward } from '../recurrent_kernels.js';
import { type KernelContext, type StepPlan, copyOf, planSteps, previousBlock, previousRows, referenceContext, transposedProduct } from './sequence_steps.js';

export function lstmForward(a: RecurrentForward<LstmCache> & LstmExtra, k: KernelContext = referenceContext): void {
  const { xProj, h0, c0, wHH, bHH, wHR, peep, out, hN, cN, batchSizes, hiddenSize: H } = a;
  const { gates, cells, m } = a.cache;
  const P = wHR ? wHR.length / H : H;
  const G = 4 * H;
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  const c = copyOf(k, c0);
  for (const t of plan.order) {
    const rows = batchSizes[t]!;
    const off = plan.offsets[t]!;
    k.gemm({ c: gates, cOffset: off * G, ldc: G, a: h, aOffset: 0, lda: P, transA: false, b: wHH, bOffset: 0, ldb: P, transB: true, m: rows, k: P, n: G, accumulate: false });
    // Without a projection m is the output itself and also the next h.
    k.gates.lstmForward({ rows, H, gates, xProj, at: off * G, bHH, peep, c, cells, m: m ?? out, rowAt: off * H, h: m ? null : h });
    if (m && wHR) {
      k.gemm({ c: out, cOffset: off * P, ldc: P, a: m, aOffset: off * H, lda: H, transA: false, b: wHR, bOffset: 0, ldb: H, transB: true, m: rows, k: H, n: P, accumulate: false });
      h.set(out.subarray(off * P, (off + rows) * P));
    }
  }
  hN.set(h);
  cN.set(c);
}

export function lstmBackward(a: RecurrentBackward<LstmCache> & LstmExtra & LstmGradExtra, k: KernelContext = referenceContext): void {
  const { c0, wHH, wHR, peep, dOut, dHN, dCN, dXProj, dH0, dC0, dPeep, batchSizes, hiddenSize: H } = a;
  const { gates, cells } = a.cache;
  const P = wHR ? wHR.length / H : H;
  const G = 4 * H;
  const plan = planSteps(a);
  const dh = copyOf(k, dHN);
  const dc = copyOf(k, dCN);
  const dm = wHR ? k.scratch(dh, a.batch * H) : dh;
  const dHAll = wHR ? k.scratch(dh, plan.rows * P) : null;
  if (dPeep) dPeep.fill(0);
  for (let s = plan.order.length - 1; s >= 0; s--) {
    const t = plan.order[s]!;
    const rows = batchSizes[t]!;
    const off = plan.offsets[t]!;
    for (let q = 0; q < rows * P; q++) dh[q]! += dOut[off * P + q]!;
    if (wHR && dHAll) {
      dHAll.set(dh.subarray(0, rows * P), off * P);
      k.gemm({ c: dm, cOffset: 0, ldc: H, a: dh, aOffset: 0, lda: P, transA: false, b: wHR, bOffset: 0, ldb: H, transB: false, m: rows, k: P, n: H, accumulate: false });
    }
    const prev = previousBlock(a, plan, t);
    k.gates.lstmBackward({ rows, H, dx: dXProj, gates, at: off * G, cells, rowAt: off * H, prev: cells, prevAt: prev.at * H, prevRows: prev.rows, c0, dm, dc, peep, dPeep });
    k.gemm({ c: dh, cOffset: 0, ldc: P, a: dXProj, aOffset: off * G, lda: G, transA: false, b: wHH, bOffset: 0, ldb: P, transB: false, m: rows, k: G, n: P, accumulate: false });
  }
  dH0.set(dh);
  dC0.set(dc);
  lstmWeightGradients(a, k, plan, dHAll);
}

/**
 * After the backward sweep: dW_hh and db_hh from dXProj, and dW_hr from dHAll (N, P), the
 * gradients of the projected outputs, when projecting. Each is one large product or sum.
 */
export function lstmWeightGradients(a: RecurrentBackward<LstmCache> & LstmExtra & LstmGradExtra, k: KernelContext, plan: StepPlan, dHAll: FloatArray | null): void {
  const { h0, wHR, out, dXProj, dWHH, dBHH, dWHR, hiddenSize: H } = a;
  const { m } = a.cache;
  const P = wHR ? wHR.length / H : H;
  const G = 4 * H;
  transposedProduct(k, dWHH, dXProj, previousRows(k, a, plan, out, h0, P), G, plan.rows, P);
  if (dBHH) k.columnSums(dBHH, dXProj, plan.rows, G);
  if (dWHR && dHAll && m) transposedProduct(k, dWHR, dHAll, m, P, plan.rows, H);
}
