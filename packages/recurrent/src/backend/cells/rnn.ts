/**
 * The Elman RNN cell of the fused kernels, in one module: its per-step arithmetic (the reference
 * one) and its sequence loops. h' = act(xProj + h·W_hhᵀ + b_hh), act = tanh or relu.
 * Legend: N packed rows, B batch, H hidden. out (N, H) doubles as the cache: act' is read off it.
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { RecurrentBackward, RecurrentForward } from '../recurrent_kernels.js';
import { type KernelContext, type Step, bias, copyOf, planSteps, previousRows, transposedProduct } from '../reference/sequence_steps.js';

/** The nonlinearity, an option of the cell rather than part of its cache. */
export interface RnnOptions {
  nonlinearity: 'tanh' | 'relu';
}
/** The RNN keeps no cache: act' is read off its outputs. */
export type RnnCache = null;

export interface RnnStepForward extends Step {
  out: FloatArray;
  at: number;
  xProj: FloatArray;
  bHH: FloatArray | null;
  h: FloatArray;
  relu: boolean;
}
export interface RnnStepBackward extends Step {
  dx: FloatArray;
  out: FloatArray;
  at: number;
  dh: FloatArray;
  dOut: FloatArray;
  relu: boolean;
}

/** The per-step gate arithmetic of the RNN (in SIMD on the wasm backend: kernels/recurrent_gates.ts). */
export interface RnnGateSteps {
  /** out, h ← act(out + xProj + b_hh). */
  rnnForward(s: RnnStepForward): void;
  /** dx ← (dh + dOut)·act'(out). */
  rnnBackward(s: RnnStepBackward): void;
}

/** The reference RNN gate arithmetic, in float64 or float32 as its arrays are. */
export const referenceRnnSteps: RnnGateSteps = {
  rnnForward(s) {
    const { rows, H, out, xProj, bHH, h, relu } = s;
    for (let k = 0; k < rows * H; k++) {
      const pre = out[s.at + k]! + xProj[s.at + k]! + bias(bHH, k % H);
      const v = relu ? (pre > 0 ? pre : 0) : Math.tanh(pre);
      out[s.at + k] = v;
      h[k] = v;
    }
  },
  rnnBackward(s) {
    const { rows, H, dx, out, dh, dOut, relu } = s;
    for (let k = 0; k < rows * H; k++) {
      const d = dh[k]! + dOut[s.at + k]!;
      const y = out[s.at + k]!;
      dx[s.at + k] = relu ? (y > 0 ? d : 0) : d * (1 - y * y);
    }
  },
};

export function rnnForward(a: RecurrentForward<RnnCache> & RnnOptions, k: KernelContext): void {
  const { xProj, h0, wHH, bHH, out, hN, batchSizes, hiddenSize: H } = a;
  const relu = a.nonlinearity === 'relu';
  const plan = planSteps(a);
  const h = copyOf(k, h0);
  for (const t of plan.order) {
    const rows = batchSizes[t]!;
    const at = plan.offsets[t]! * H;
    k.gemm({
      c: out,
      cOffset: at,
      ldc: H,
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
      n: H,
      accumulate: false,
    });
    k.gates.rnnForward({ rows, H, out, at, xProj, bHH, h, relu });
  }
  hN.set(h);
}

export function rnnBackward(a: RecurrentBackward<RnnCache> & RnnOptions, k: KernelContext): void {
  const { h0, wHH, out, dOut, dHN, dXProj, dH0, dWHH, dBHH, batchSizes, hiddenSize: H } = a;
  const relu = a.nonlinearity === 'relu';
  const plan = planSteps(a);
  const dh = copyOf(k, dHN);
  for (let s = plan.order.length - 1; s >= 0; s--) {
    const t = plan.order[s]!;
    const rows = batchSizes[t]!;
    const at = plan.offsets[t]! * H;
    k.gates.rnnBackward({ rows, H, dx: dXProj, out, at, dh, dOut, relu });
    k.gemm({
      c: dh,
      cOffset: 0,
      ldc: H,
      a: dXProj,
      aOffset: at,
      lda: H,
      transA: false,
      b: wHH,
      bOffset: 0,
      ldb: H,
      transB: false,
      m: rows,
      k: H,
      n: H,
      accumulate: false,
    });
  }
  dH0.set(dh);
  transposedProduct(k, dWHH, dXProj, previousRows(k, a, plan, out, h0, H), H, plan.rows, H);
  if (dBHH) k.columnSums(dBHH, dXProj, plan.rows, H);
}
