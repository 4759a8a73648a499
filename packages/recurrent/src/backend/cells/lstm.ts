/**
 * The LSTM cell of the fused kernels, in one module: its cache layout, its per-step gate
 * arithmetic (the reference one) and its sequence loops. Gates (i, f, g, o) as PyTorch:
 *   i = σ(x_i + h·W_hiᵀ + b_hi [+ w_ci⊙c])   f = σ(x_f + … [+ w_cf⊙c])   g = tanh(x_g + …)
 *   c' = f⊙c + i⊙g   o = σ(x_o + … [+ w_co⊙c'])   m = o⊙tanh(c')   h' = m, or m·W_hrᵀ (projection)
 * Legend: N packed rows, B batch, H hidden, P output size (projSize or H).
 * Cache: activated gates (N, 4H), cells (N, H), and m (N, H) when projecting.
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { RecurrentBackward, RecurrentForward } from '../recurrent_kernels.js';
import {
  type KernelContext,
  type Prev,
  type Step,
  type StepPlan,
  bias,
  copyOf,
  planSteps,
  previousBlock,
  previousRows,
  prevOf,
  sigmoid,
  transposedProduct,
} from '../reference/sequence_steps.js';

/** What forward keeps for backward. */
export interface LstmCache {
  /** (N, 4H) activated gates i, f, g, o. */
  gates: FloatArray;
  /** (N, H) cell state after every step. */
  cells: FloatArray;
  /** (N, H) m = o⊙tanh(c') before the projection; only with a projection. */
  m: FloatArray | null;
}
/** The LSTM's arguments beyond the common ones. */
export interface LstmExtra {
  c0: FloatArray; // (B, H)
  cN: FloatArray; // (B, H) output of forward
  wHR: FloatArray | null; // (P, H) projection
  peep: FloatArray | null; // (3H): w_ci, w_cf, w_co
}
/** The LSTM's gradients beyond the common ones. */
export interface LstmGradExtra {
  dCN: FloatArray; // (B, H) upstream
  dC0: FloatArray; // (B, H) result
  dWHR: FloatArray | null;
  dPeep: FloatArray | null;
}

export interface LstmStepForward extends Step {
  gates: FloatArray;
  xProj: FloatArray;
  at: number;
  bHH: FloatArray | null;
  peep: FloatArray | null;
  c: FloatArray;
  cells: FloatArray;
  m: FloatArray;
  rowAt: number;
  h: FloatArray | null;
}
export interface LstmStepBackward extends Step, Prev {
  dx: FloatArray;
  gates: FloatArray;
  at: number;
  cells: FloatArray;
  rowAt: number;
  c0: FloatArray;
  dm: FloatArray;
  dc: FloatArray;
  peep: FloatArray | null;
  dPeep: FloatArray | null;
}

/** The per-step gate arithmetic of the LSTM (in SIMD on the wasm backend: kernels/recurrent_gates.ts). */
export interface LstmGateSteps {
  /** gates ← i, f, g, o from (gates + xProj + b_hh [+ peepholes]); c, cells ← c'; m (and h) ← o⊙tanh(c'). */
  lstmForward(s: LstmStepForward): void;
  /** dx ← gate gradients; dc ← ∂L/∂c; dPeep += … (dm = ∂L/∂m, dc = ∂L/∂c' on entry). */
  lstmBackward(s: LstmStepBackward): void;
}

/** The reference LSTM gate arithmetic, in float64 or float32 as its arrays are. */
export const referenceLstmSteps: LstmGateSteps = {
  lstmForward(s) {
    const { rows, H, gates, xProj, bHH, peep, c, cells, m, h } = s;
    const G = 4 * H;
    for (let r = 0; r < rows; r++) {
      const gb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const cp = c[r * H + j]!;
        const at = gb + j;
        const i = sigmoid(gates[at]! + xProj[at]! + bias(bHH, j) + (peep ? peep[j]! * cp : 0));
        const f = sigmoid(gates[at + H]! + xProj[at + H]! + bias(bHH, H + j) + (peep ? peep[H + j]! * cp : 0));
        const g = Math.tanh(gates[at + 2 * H]! + xProj[at + 2 * H]! + bias(bHH, 2 * H + j));
        const cn = f * cp + i * g;
        const o = sigmoid(gates[at + 3 * H]! + xProj[at + 3 * H]! + bias(bHH, 3 * H + j) + (peep ? peep[2 * H + j]! * cn : 0));
        gates[at] = i;
        gates[at + H] = f;
        gates[at + 2 * H] = g;
        gates[at + 3 * H] = o;
        cells[s.rowAt + r * H + j] = cn;
        c[r * H + j] = cn;
        const mv = o * Math.tanh(cn);
        m[s.rowAt + r * H + j] = mv;
        if (h) h[r * H + j] = mv;
      }
    }
  },
  lstmBackward(s) {
    const { rows, H, dx, gates, cells, c0, dm, dc, peep, dPeep } = s;
    const G = 4 * H;
    for (let r = 0; r < rows; r++) {
      const gb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const cp = prevOf(s, c0, r, j);
        const i = gates[gb + j]!;
        const f = gates[gb + H + j]!;
        const g = gates[gb + 2 * H + j]!;
        const o = gates[gb + 3 * H + j]!;
        const cn = cells[s.rowAt + r * H + j]!;
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
        dx[gb + j] = dGi;
        dx[gb + H + j] = dGf;
        dx[gb + 2 * H + j] = dGg;
        dx[gb + 3 * H + j] = dGo;
      }
    }
  },
};

export function lstmForward(a: RecurrentForward<LstmCache> & LstmExtra, k: KernelContext): void {
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
    k.gemm({
      c: gates,
      cOffset: off * G,
      ldc: G,
      a: h,
      aOffset: 0,
      lda: P,
      transA: false,
      b: wHH,
      bOffset: 0,
      ldb: P,
      transB: true,
      m: rows,
      k: P,
      n: G,
      accumulate: false,
    });
    // Without a projection m is the output itself and also the next h.
    k.gates.lstmForward({ rows, H, gates, xProj, at: off * G, bHH, peep, c, cells, m: m ?? out, rowAt: off * H, h: m ? null : h });
    if (m && wHR) {
      k.gemm({
        c: out,
        cOffset: off * P,
        ldc: P,
        a: m,
        aOffset: off * H,
        lda: H,
        transA: false,
        b: wHR,
        bOffset: 0,
        ldb: H,
        transB: true,
        m: rows,
        k: H,
        n: P,
        accumulate: false,
      });
      h.set(out.subarray(off * P, (off + rows) * P));
    }
  }
  hN.set(h);
  cN.set(c);
}

export function lstmBackward(a: RecurrentBackward<LstmCache> & LstmExtra & LstmGradExtra, k: KernelContext): void {
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
      k.gemm({
        c: dm,
        cOffset: 0,
        ldc: H,
        a: dh,
        aOffset: 0,
        lda: P,
        transA: false,
        b: wHR,
        bOffset: 0,
        ldb: H,
        transB: false,
        m: rows,
        k: P,
        n: H,
        accumulate: false,
      });
    }
    const prev = previousBlock(a, plan, t);
    k.gates.lstmBackward({
      rows,
      H,
      dx: dXProj,
      gates,
      at: off * G,
      cells,
      rowAt: off * H,
      prev: cells,
      prevAt: prev.at * H,
      prevRows: prev.rows,
      c0,
      dm,
      dc,
      peep,
      dPeep,
    });
    k.gemm({
      c: dh,
      cOffset: 0,
      ldc: P,
      a: dXProj,
      aOffset: off * G,
      lda: G,
      transA: false,
      b: wHH,
      bOffset: 0,
      ldb: P,
      transB: false,
      m: rows,
      k: G,
      n: P,
      accumulate: false,
    });
  }
  dH0.set(dh);
  dC0.set(dc);
  lstmWeightGradients(a, k, plan, dHAll);
}

/**
 * After the backward sweep: dW_hh and db_hh from dXProj, and dW_hr from dHAll (N, P), the
 * gradients of the projected outputs, when projecting. Each is one large product or sum.
 */
export function lstmWeightGradients(
  a: RecurrentBackward<LstmCache> & LstmExtra & LstmGradExtra,
  k: KernelContext,
  plan: StepPlan,
  dHAll: FloatArray | null,
): void {
  const { h0, wHR, out, dXProj, dWHH, dBHH, dWHR, hiddenSize: H } = a;
  const { m } = a.cache;
  const P = wHR ? wHR.length / H : H;
  const G = 4 * H;
  transposedProduct(k, dWHH, dXProj, previousRows(k, a, plan, out, h0, P), G, plan.rows, P);
  if (dBHH) k.columnSums(dBHH, dXProj, plan.rows, G);
  if (dWHR && dHAll && m) transposedProduct(k, dWHR, dHAll, m, P, plan.rows, H);
}
