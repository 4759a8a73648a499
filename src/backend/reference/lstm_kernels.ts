/**
 * LSTM sequence kernels (reference), gates (i, f, g, o) as PyTorch:
 *   i = σ(x_i + h·W_hiᵀ + b_hi [+ w_ci⊙c])   f = σ(x_f + … [+ w_cf⊙c])   g = tanh(x_g + …)
 *   c' = f⊙c + i⊙g   o = σ(x_o + … [+ w_co⊙c'])   m = o⊙tanh(c')   h' = m, or m·W_hrᵀ (projection)
 * Legend: N packed rows, B batch, H hidden, P output size (projSize or H).
 * Cache: activated gates (N, 4H), cells (N, H), and m (N, H) when projecting.
 */
import type { LstmCache, LstmExtra, LstmGradExtra, RecurrentBackward, RecurrentForward } from '../recurrent_kernels.js';
import { type KernelContext, columnSums, copyOf, planSteps, previousRow, previousRows, referenceContext, sigmoid, transposedProduct } from './sequence_steps.js';

export function lstmForward(a: RecurrentForward<LstmCache> & LstmExtra, k: KernelContext = referenceContext): void {
  const { xProj, h0, c0, wHH, bHH, wHR, peep, out, hN, cN, batchSizes, hiddenSize: H } = a;
  const { gates, cells, m } = a.cache;
  const P = wHR ? wHR.length / H : H;
  const G = 4 * H;
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  const c = copyOf(k, c0);
  for (const t of plan.order) {
    const bs = batchSizes[t]!;
    const off = plan.offsets[t]!;
    k.gemm({ c: gates, cOffset: off * G, ldc: G, a: h, aOffset: 0, lda: P, transA: false, b: wHH, bOffset: 0, ldb: P, transB: true, m: bs, k: P, n: G, accumulate: false });
    for (let r = 0; r < bs; r++) {
      const row = off + r;
      const gb = row * G;
      for (let j = 0; j < H; j++) {
        const cp = c[r * H + j]!;
        const pre = (q: number): number => gates[gb + q * H + j]! + xProj[gb + q * H + j]! + (bHH ? bHH[q * H + j]! : 0);
        const i = sigmoid(pre(0) + (peep ? peep[j]! * cp : 0));
        const f = sigmoid(pre(1) + (peep ? peep[H + j]! * cp : 0));
        const g = Math.tanh(pre(2));
        const cn = f * cp + i * g;
        const o = sigmoid(pre(3) + (peep ? peep[2 * H + j]! * cn : 0));
        gates[gb + j] = i;
        gates[gb + H + j] = f;
        gates[gb + 2 * H + j] = g;
        gates[gb + 3 * H + j] = o;
        cells[row * H + j] = cn;
        c[r * H + j] = cn;
        const mv = o * Math.tanh(cn);
        if (m) m[row * H + j] = mv;
        else {
          out[row * H + j] = mv;
          h[r * H + j] = mv;
        }
      }
    }
    if (m && wHR) {
      k.gemm({ c: out, cOffset: off * P, ldc: P, a: m, aOffset: off * H, lda: H, transA: false, b: wHR, bOffset: 0, ldb: H, transB: true, m: bs, k: H, n: P, accumulate: false });
      h.set(out.subarray(off * P, (off + bs) * P));
    }
  }
  hN.set(h);
  cN.set(c);
}

export function lstmBackward(a: RecurrentBackward<LstmCache> & LstmExtra & LstmGradExtra, k: KernelContext = referenceContext): void {
  const { h0, c0, wHH, wHR, peep, out, dOut, dHN, dCN, dXProj, dH0, dC0, dWHH, dBHH, dWHR, dPeep, batchSizes, hiddenSize: H } = a;
  const { gates, cells, m } = a.cache;
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
    const bs = batchSizes[t]!;
    const off = plan.offsets[t]!;
    for (let k = 0; k < bs * P; k++) dh[k]! += dOut[off * P + k]!;
    if (wHR && dHAll) {
      dHAll.set(dh.subarray(0, bs * P), off * P);
      k.gemm({ c: dm, cOffset: 0, ldc: H, a: dh, aOffset: 0, lda: P, transA: false, b: wHR, bOffset: 0, ldb: H, transB: false, m: bs, k: P, n: H, accumulate: false });
    }
    for (let r = 0; r < bs; r++) {
      const row = off + r;
      const gb = row * G;
      const prev = previousRow(a, plan, t, r);
      for (let j = 0; j < H; j++) {
        const cp = prev < 0 ? c0[r * H + j]! : cells[prev * H + j]!;
        const i = gates[gb + j]!;
        const f = gates[gb + H + j]!;
        const g = gates[gb + 2 * H + j]!;
        const o = gates[gb + 3 * H + j]!;
        const cn = cells[row * H + j]!;
        const tc = Math.tanh(cn);
        const dmv = dm[r * H + j]!;
        const dGo = dmv * tc * o * (1 - o);
        const dcn = dc[r * H + j]! + dmv * o * (1 - tc * tc) + (peep ? dGo * peep[2 * H + j]! : 0);
        const dGi = dcn * g * i * (1 - i);
        const dGf = dcn * cp * f * (1 - f);
        const dGg = dcn * i * (1 - g * g);
        dc[r * H + j] = dcn * f + (peep ? dGi * peep[j]! + dGf * peep[H + j]! : 0);
        if (dPeep) {
          dPeep[j]! += dGi * cp;
          dPeep[H + j]! += dGf * cp;
          dPeep[2 * H + j]! += dGo * cn;
        }
        dXProj[gb + j] = dGi;
        dXProj[gb + H + j] = dGf;
        dXProj[gb + 2 * H + j] = dGg;
        dXProj[gb + 3 * H + j] = dGo;
      }
    }
    k.gemm({ c: dh, cOffset: 0, ldc: P, a: dXProj, aOffset: off * G, lda: G, transA: false, b: wHH, bOffset: 0, ldb: P, transB: false, m: bs, k: G, n: P, accumulate: false });
  }
  dH0.set(dh);
  dC0.set(dc);
  transposedProduct(k, dWHH, dXProj, previousRows(k, a, plan, out, h0, P), G, plan.rows, P);
  if (dBHH) columnSums(dBHH, dXProj, plan.rows, G);
  if (dWHR && dHAll && m) transposedProduct(k, dWHR, dHAll, m, P, plan.rows, H);
}
