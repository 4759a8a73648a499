/**
 * The GRU cell of the fused kernels, in one module: its cache layout, its per-step gate
 * arithmetic (the reference one) and its sequence loops. Gates (r, z, n) as PyTorch:
 *   r = σ(x_r + h·W_hrᵀ + b_hr)   z = σ(x_z + h·W_hzᵀ + b_hz)   h' = (1−z)⊙n + z⊙h
 *   resetAfter:  n = tanh(x_n + r⊙(h·W_hnᵀ + b_hn))      (PyTorch, cuDNN, Keras reset_after=True)
 *   reset-before: n = tanh(x_n + (r⊙h)·W_hnᵀ + b_hn)     (Cho et al. 2014, Keras reset_after=False)
 * Legend: N packed rows, B batch, H hidden. Cache: activated gates (N, 3H) and hn (N, H), which
 * holds h·W_hnᵀ + b_hn (resetAfter) or r⊙h (reset-before).
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

/** Where the reset gate applies: after the recurrent product (PyTorch, cuDNN) or before it (Cho et al. 2014). */
export interface GruOptions {
  resetAfter: boolean;
}
/** What forward keeps for backward. */
export interface GruCache {
  /** (N, 3H) activated r, z, n. */
  gates: FloatArray;
  /** (N, H) h·W_hnᵀ + b_hn (resetAfter) or r⊙h (reset-before). */
  hn: FloatArray;
}

export interface GruStepForward extends Step {
  gates: FloatArray;
  xProj: FloatArray;
  at: number;
  gh: FloatArray;
  bHH: FloatArray | null;
  hn: FloatArray;
  out: FloatArray;
  rowAt: number;
  h: FloatArray;
}
export interface GruStepBackward extends Step, Prev {
  dx: FloatArray;
  dgh: FloatArray;
  gates: FloatArray;
  at: number;
  hn: FloatArray;
  rowAt: number;
  h0: FloatArray;
  dh: FloatArray;
  dOut: FloatArray;
  drh: FloatArray;
}

/** The per-step gate arithmetic of the GRU (in SIMD on the wasm backend: kernels/recurrent_gates.ts). */
export interface GruGateSteps {
  /** Reset after: gates ← r, z, n; hn ← h·W_hnᵀ + b_hn (gh's n block + bias); out, h ← h'. */
  gruForwardAfter(s: GruStepForward): void;
  /** Reset before, part 1: gates ← r, z; hn ← r⊙h. */
  gruForwardBeforeRZ(s: GruStepForward): void;
  /** Reset before, part 2: gates' n from gh's n block (= (r⊙h)·W_hnᵀ) + b_hn; out, h ← h'. */
  gruForwardBeforeN(s: GruStepForward): void;
  /** Reset after: dx, dgh (recurrent pre-activation gradients), dh ← d⊙z. */
  gruBackwardAfter(s: GruStepBackward): void;
  /** Reset before, part 1: dx's z, n blocks; dh ← d⊙z. */
  gruBackwardBefore1(s: GruStepBackward): void;
  /** Reset before, part 2: dx's r block from drh = ∂L/∂(r⊙h); dh += drh⊙r. */
  gruBackwardBefore2(s: GruStepBackward): void;
}

/** The reference GRU gate arithmetic, in float64 or float32 as its arrays are. */
export const referenceGruSteps: GruGateSteps = {
  gruForwardAfter(s) {
    const { rows, H, gates, xProj, gh, bHH, hn, out, h } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const rr = sigmoid(xProj[xb + j]! + gh[r * G + j]! + bias(bHH, j));
        const z = sigmoid(xProj[xb + H + j]! + gh[r * G + H + j]! + bias(bHH, H + j));
        const hnv = gh[r * G + 2 * H + j]! + bias(bHH, 2 * H + j);
        const n = Math.tanh(xProj[xb + 2 * H + j]! + rr * hnv);
        const v = (1 - z) * n + z * h[r * H + j]!;
        gates[xb + j] = rr;
        gates[xb + H + j] = z;
        gates[xb + 2 * H + j] = n;
        hn[s.rowAt + r * H + j] = hnv;
        out[s.rowAt + r * H + j] = v;
        h[r * H + j] = v;
      }
    }
  },
  gruForwardBeforeRZ(s) {
    const { rows, H, gates, xProj, gh, bHH, hn, h } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const rr = sigmoid(xProj[xb + j]! + gh[r * G + j]! + bias(bHH, j));
        gates[xb + j] = rr;
        gates[xb + H + j] = sigmoid(xProj[xb + H + j]! + gh[r * G + H + j]! + bias(bHH, H + j));
        hn[s.rowAt + r * H + j] = rr * h[r * H + j]!;
      }
    }
  },
  gruForwardBeforeN(s) {
    const { rows, H, gates, xProj, gh, bHH, out, h } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const z = gates[xb + H + j]!;
        const n = Math.tanh(xProj[xb + 2 * H + j]! + gh[r * G + 2 * H + j]! + bias(bHH, 2 * H + j));
        const v = (1 - z) * n + z * h[r * H + j]!;
        gates[xb + 2 * H + j] = n;
        out[s.rowAt + r * H + j] = v;
        h[r * H + j] = v;
      }
    }
  },
  gruBackwardAfter(s) {
    const { rows, H, dx, dgh, gates, hn, h0, dh, dOut } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const d = dh[r * H + j]! + dOut[s.rowAt + r * H + j]!;
        const rr = gates[xb + j]!;
        const z = gates[xb + H + j]!;
        const n = gates[xb + 2 * H + j]!;
        const dnp = d * (1 - z) * (1 - n * n);
        const dGz = d * (prevOf(s, h0, r, j) - n) * z * (1 - z);
        const dGr = dnp * hn[s.rowAt + r * H + j]! * rr * (1 - rr);
        dx[xb + j] = dGr;
        dx[xb + H + j] = dGz;
        dx[xb + 2 * H + j] = dnp;
        dgh[xb + j] = dGr;
        dgh[xb + H + j] = dGz;
        dgh[xb + 2 * H + j] = dnp * rr;
        dh[r * H + j] = d * z;
      }
    }
  },
  gruBackwardBefore1(s) {
    const { rows, H, dx, gates, h0, dh, dOut } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const d = dh[r * H + j]! + dOut[s.rowAt + r * H + j]!;
        const z = gates[xb + H + j]!;
        const n = gates[xb + 2 * H + j]!;
        dx[xb + H + j] = d * (prevOf(s, h0, r, j) - n) * z * (1 - z);
        dx[xb + 2 * H + j] = d * (1 - z) * (1 - n * n);
        dh[r * H + j] = d * z;
      }
    }
  },
  gruBackwardBefore2(s) {
    const { rows, H, dx, drh, gates, h0, dh } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const rr = gates[xb + j]!;
        const q = drh[r * H + j]!;
        dx[xb + j] = q * prevOf(s, h0, r, j) * rr * (1 - rr);
        dh[r * H + j]! += q * rr;
      }
    }
  },
};

export function gruForward(a: RecurrentForward<GruCache> & GruOptions, k: KernelContext): void {
  const { xProj, h0, wHH, bHH, out, hN, batchSizes, hiddenSize: H } = a;
  const { gates, hn } = a.cache;
  const { resetAfter } = a;
  const G = 3 * H;
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  const gh = k.scratch(h0, a.batch * G);
  for (const t of plan.order) {
    const rows = batchSizes[t]!;
    const off = plan.offsets[t]!;
    k.gemm({
      c: gh,
      cOffset: 0,
      ldc: G,
      a: h,
      aOffset: 0,
      lda: H,
      transA: false,
      b: wHH,
      bOffset: 0,
      ldb: H,
      transB: true,
      m: rows,
      k: H,
      n: resetAfter ? G : 2 * H,
      accumulate: false,
    });
    const step = { rows, H, gates, xProj, at: off * G, gh, bHH, hn, out, rowAt: off * H, h };
    if (resetAfter) {
      k.gates.gruForwardAfter(step);
    } else {
      k.gates.gruForwardBeforeRZ(step);
      k.gemm({
        c: gh,
        cOffset: 2 * H,
        ldc: G,
        a: hn,
        aOffset: off * H,
        lda: H,
        transA: false,
        b: wHH,
        bOffset: 2 * H * H,
        ldb: H,
        transB: true,
        m: rows,
        k: H,
        n: H,
        accumulate: false,
      });
      k.gates.gruForwardBeforeN(step);
    }
  }
  hN.set(h);
}

export function gruBackward(a: RecurrentBackward<GruCache> & GruOptions, k: KernelContext): void {
  const { h0, wHH, out, dOut, dHN, dXProj, dH0, batchSizes, hiddenSize: H } = a;
  const { gates, hn } = a.cache;
  const { resetAfter } = a;
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
    const step = {
      rows,
      H,
      dx: dXProj,
      dgh: dGh,
      gates,
      at: off * G,
      hn,
      rowAt: off * H,
      prev: out,
      prevAt: prev.at * H,
      prevRows: prev.rows,
      h0,
      dh,
      dOut,
      drh,
    };
    if (resetAfter) {
      k.gates.gruBackwardAfter(step);
    } else {
      k.gates.gruBackwardBefore1(step);
      // d(r⊙h) = dn_pre·W_hn, then split between r and h.
      k.gemm({
        c: drh,
        cOffset: 0,
        ldc: H,
        a: dXProj,
        aOffset: off * G + 2 * H,
        lda: G,
        transA: false,
        b: wHH,
        bOffset: 2 * H * H,
        ldb: H,
        transB: false,
        m: rows,
        k: H,
        n: H,
        accumulate: false,
      });
      k.gates.gruBackwardBefore2(step);
    }
    k.gemm({
      c: dh,
      cOffset: 0,
      ldc: H,
      a: dGh,
      aOffset: off * G,
      lda: G,
      transA: false,
      b: wHH,
      bOffset: 0,
      ldb: H,
      transB: false,
      m: rows,
      k: resetAfter ? G : 2 * H,
      n: H,
      accumulate: true,
    });
  }
  dH0.set(dh);
  gruWeightGradients(a, k, plan, dGh);
}

/** After the backward sweep: dW_hh and db_hh from dGh (N, 3H), the recurrent pre-activation gradients. */
export function gruWeightGradients(a: RecurrentBackward<GruCache> & GruOptions, k: KernelContext, plan: StepPlan, dGh: FloatArray): void {
  const { h0, out, dWHH, dBHH, hiddenSize: H } = a;
  const { hn } = a.cache;
  const { resetAfter } = a;
  const G = 3 * H;
  const hPrev = previousRows(k, a, plan, out, h0, H);
  if (resetAfter) {
    transposedProduct(k, dWHH, dGh, hPrev, G, plan.rows, H);
  } else {
    k.gemm({
      c: dWHH,
      cOffset: 0,
      ldc: H,
      a: dGh,
      aOffset: 0,
      lda: G,
      transA: true,
      b: hPrev,
      bOffset: 0,
      ldb: H,
      transB: false,
      m: 2 * H,
      k: plan.rows,
      n: H,
      accumulate: false,
    });
    k.gemm({
      c: dWHH,
      cOffset: 2 * H * H,
      ldc: H,
      a: dGh,
      aOffset: 2 * H,
      lda: G,
      transA: true,
      b: hn,
      bOffset: 0,
      ldb: H,
      transB: false,
      m: H,
      k: plan.rows,
      n: H,
      accumulate: false,
    });
  }
  if (dBHH) k.columnSums(dBHH, dGh, plan.rows, G);
}
