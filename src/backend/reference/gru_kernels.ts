/**
 * GRU sequence kernels (reference), gates (r, z, n) as PyTorch:
 *   r = σ(x_r + h·W_hrᵀ + b_hr)   z = σ(x_z + h·W_hzᵀ + b_hz)   h' = (1−z)⊙n + z⊙h
 *   resetAfter:  n = tanh(x_n + r⊙(h·W_hnᵀ + b_hn))      (PyTorch, cuDNN, Keras reset_after=True)
 *   reset-before: n = tanh(x_n + (r⊙h)·W_hnᵀ + b_hn)     (Cho et al. 2014, Keras reset_after=False)
 * Legend: N packed rows, B batch, H hidden. Cache: activated gates (N, 3H) and hn (N, H), which
 * holds h·W_hnᵀ + b_hn (resetAfter) or r⊙h (reset-before).
 */
import type { GruCache, RecurrentBackward, RecurrentForward } from '../recurrent_kernels.js';
import { type KernelContext, columnSums, copyOf, planSteps, previousRow, previousRows, referenceContext, sigmoid, transposedProduct } from './sequence_steps.js';

export function gruForward(a: RecurrentForward<GruCache>, k: KernelContext = referenceContext): void {
  const { xProj, h0, wHH, bHH, out, hN, batchSizes, hiddenSize: H } = a;
  const { gates, hn, resetAfter } = a.cache;
  const G = 3 * H;
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  const gh = k.scratch(h0, a.batch * G);
  const bias = (q: number, j: number): number => (bHH ? bHH[q * H + j]! : 0);
  for (const t of plan.order) {
    const bs = batchSizes[t]!;
    const off = plan.offsets[t]!;
    k.gemm({ c: gh, cOffset: 0, ldc: G, a: h, aOffset: 0, lda: H, transA: false, b: wHH, bOffset: 0, ldb: H, transB: true, m: bs, k: H, n: resetAfter ? G : 2 * H, accumulate: false });
    for (let r = 0; r < bs; r++) {
      const row = off + r;
      const xb = row * G;
      for (let j = 0; j < H; j++) {
        const rr = sigmoid(xProj[xb + j]! + gh[r * G + j]! + bias(0, j));
        const z = sigmoid(xProj[xb + H + j]! + gh[r * G + H + j]! + bias(1, j));
        gates[xb + j] = rr;
        gates[xb + H + j] = z;
        if (resetAfter) hn[row * H + j] = gh[r * G + 2 * H + j]! + bias(2, j);
        else hn[row * H + j] = rr * h[r * H + j]!;
      }
    }
    if (!resetAfter) {
      k.gemm({ c: gh, cOffset: 2 * H, ldc: G, a: hn, aOffset: off * H, lda: H, transA: false, b: wHH, bOffset: 2 * H * H, ldb: H, transB: true, m: bs, k: H, n: H, accumulate: false });
    }
    for (let r = 0; r < bs; r++) {
      const row = off + r;
      const xb = row * G;
      for (let j = 0; j < H; j++) {
        const rr = gates[xb + j]!;
        const z = gates[xb + H + j]!;
        const recurrent = resetAfter ? rr * hn[row * H + j]! : gh[r * G + 2 * H + j]! + bias(2, j);
        const n = Math.tanh(xProj[xb + 2 * H + j]! + recurrent);
        gates[xb + 2 * H + j] = n;
        const v = (1 - z) * n + z * h[r * H + j]!;
        out[row * H + j] = v;
        h[r * H + j] = v;
      }
    }
  }
  hN.set(h);
}

export function gruBackward(a: RecurrentBackward<GruCache>, k: KernelContext = referenceContext): void {
  const { h0, wHH, out, dOut, dHN, dXProj, dH0, dWHH, dBHH, batchSizes, hiddenSize: H } = a;
  const { gates, hn, resetAfter } = a.cache;
  const G = 3 * H;
  const plan = planSteps(a);
  const dh = copyOf(k, dHN);
  // Gradients of the recurrent pre-activations; equal to dXProj except n's part when resetAfter.
  const dGh = resetAfter ? k.scratch(dh, plan.rows * G) : dXProj;
  const drh = resetAfter ? null : k.scratch(dh, a.batch * H);
  const prevH = (t: number, r: number, j: number): number => {
    const prev = previousRow(a, plan, t, r);
    return prev < 0 ? h0[r * H + j]! : out[prev * H + j]!;
  };
  for (let s = plan.order.length - 1; s >= 0; s--) {
    const t = plan.order[s]!;
    const bs = batchSizes[t]!;
    const off = plan.offsets[t]!;
    for (let r = 0; r < bs; r++) {
      const row = off + r;
      const xb = row * G;
      for (let j = 0; j < H; j++) {
        const d = dh[r * H + j]! + dOut[row * H + j]!;
        const rr = gates[xb + j]!;
        const z = gates[xb + H + j]!;
        const n = gates[xb + 2 * H + j]!;
        const hp = prevH(t, r, j);
        const dnp = d * (1 - z) * (1 - n * n);
        const dGz = d * (hp - n) * z * (1 - z);
        dXProj[xb + H + j] = dGz;
        dXProj[xb + 2 * H + j] = dnp;
        dh[r * H + j] = d * z;
        if (resetAfter) {
          const dGr = dnp * hn[row * H + j]! * rr * (1 - rr);
          dXProj[xb + j] = dGr;
          dGh[xb + j] = dGr;
          dGh[xb + H + j] = dGz;
          dGh[xb + 2 * H + j] = dnp * rr;
        }
      }
    }
    if (drh) {
      // d(r⊙h) = dn_pre·W_hn, then split between r and h.
      k.gemm({ c: drh, cOffset: 0, ldc: H, a: dXProj, aOffset: off * G + 2 * H, lda: G, transA: false, b: wHH, bOffset: 2 * H * H, ldb: H, transB: false, m: bs, k: H, n: H, accumulate: false });
      for (let r = 0; r < bs; r++) {
        const xb = (off + r) * G;
        for (let j = 0; j < H; j++) {
          const rr = gates[xb + j]!;
          const hp = prevH(t, r, j);
          dXProj[xb + j] = drh[r * H + j]! * hp * rr * (1 - rr);
          dh[r * H + j]! += drh[r * H + j]! * rr;
        }
      }
    }
    k.gemm({ c: dh, cOffset: 0, ldc: H, a: dGh, aOffset: off * G, lda: G, transA: false, b: wHH, bOffset: 0, ldb: H, transB: false, m: bs, k: resetAfter ? G : 2 * H, n: H, accumulate: true });
  }
  dH0.set(dh);
  const hPrev = previousRows(k, a, plan, out, h0, H);
  if (resetAfter) {
    transposedProduct(k, dWHH, dGh, hPrev, G, plan.rows, H);
  } else {
    k.gemm({ c: dWHH, cOffset: 0, ldc: H, a: dGh, aOffset: 0, lda: G, transA: true, b: hPrev, bOffset: 0, ldb: H, transB: false, m: 2 * H, k: plan.rows, n: H, accumulate: false });
    k.gemm({ c: dWHH, cOffset: 2 * H * H, ldc: H, a: dGh, aOffset: 2 * H, lda: G, transA: true, b: hn, bOffset: 0, ldb: H, transB: false, m: H, k: plan.rows, n: H, accumulate: false });
  }
  if (dBHH) columnSums(dBHH, dGh, plan.rows, G);
}
