/**
 * Step bookkeeping shared by the fused recurrent kernels: where each step's rows sit in the packed
 * arrays, the order steps run in, and which row holds a sequence's previous state.
 *
 * Legend of the step structs (backend/cells/*.ts): rows = sequences active at the step, H = hidden
 * size, G = gates·H. `at` offsets (in elements) locate the step's first packed row in a packed
 * array: gate arrays at off·G, per-unit arrays (cells, hn, out, dOut) at `rowAt` = off·H. State
 * arrays (c, h, dh, dc, dm) start at row 0. `prev` arrays hold the previous step's packed rows at
 * `prevAt` (a row offset·H): the first `prevRows` rows come from there, the rest from the initial
 * state.
 */
import type { FloatArray } from '../../tensor/dtype.js';
import type { Gemm } from '../backend.js';
import type { SequenceLayout } from '../recurrent_kernels.js';
import type { GateSteps } from './reference_backend.js';

/**
 * What the sequence kernels need from a backend: its matrix product and scratch arrays. The
 * reference context uses plain typed arrays; a fast backend passes one whose arrays live in its
 * own memory, so the same step loops run there without copies.
 */
export interface KernelContext {
  gemm(g: Gemm): void;
  /** The per-step gate arithmetic. */
  gates: GateSteps;
  /** A zero-filled array of `n` elements of the same kind as `like`. */
  scratch(like: FloatArray, n: number): FloatArray;
  /** out (cols) = Σ over rows of a (rows, cols), summed in row order: the bias gradients. */
  columnSums(out: FloatArray, a: FloatArray, rows: number, cols: number): void;
}

/** A copy of `src` in the context's memory. */
export function copyOf(k: KernelContext, src: FloatArray): FloatArray {
  const out = k.scratch(src, src.length);
  out.set(src);
  return out;
}

export interface StepPlan {
  /** offsets[t] = first packed row of step t. */
  offsets: Int32Array;
  /** Step indices in the order the forward pass runs them. */
  order: number[];
  /** N, the number of packed rows. */
  rows: number;
}

export function planSteps(layout: SequenceLayout): StepPlan {
  const T = layout.batchSizes.length;
  const offsets = new Int32Array(T);
  let rows = 0;
  for (let t = 0; t < T; t++) {
    offsets[t] = rows;
    rows += layout.batchSizes[t]!;
  }
  const order = Array.from({ length: T }, (_, i) => (layout.reverse ? T - 1 - i : i));
  return { offsets, order, rows };
}

/** Packed row holding sequence b's state before step t, or −1 when the sequence starts at t (state from h0). */
export function previousRow(layout: SequenceLayout, plan: StepPlan, t: number, b: number): number {
  if (!layout.reverse) return t > 0 ? plan.offsets[t - 1]! + b : -1;
  const next = t + 1;
  return next < layout.batchSizes.length && b < layout.batchSizes[next]! ? plan.offsets[next]! + b : -1;
}

/** Where step t's previous states sit: rows [at, at + rows) of the packed arrays, the rest in the initial state. */
export function previousBlock(layout: SequenceLayout, plan: StepPlan, t: number): { at: number; rows: number } {
  const T = layout.batchSizes.length;
  const prev = layout.reverse ? t + 1 : t - 1;
  if (prev < 0 || prev >= T) return { at: 0, rows: 0 };
  return { at: plan.offsets[prev]!, rows: Math.min(layout.batchSizes[prev]!, layout.batchSizes[t]!) };
}

/** (N, width): for every packed row, the state the step started from (a row of `seq` or of `init`). */
export function previousRows(k: KernelContext, layout: SequenceLayout, plan: StepPlan, seq: FloatArray, init: FloatArray, width: number): FloatArray {
  const out = k.scratch(seq, plan.rows * width);
  for (const t of plan.order) {
    const bs = layout.batchSizes[t]!;
    for (let b = 0; b < bs; b++) {
      const prev = previousRow(layout, plan, t, b);
      const from = prev < 0 ? init.subarray(b * width, (b + 1) * width) : seq.subarray(prev * width, (prev + 1) * width);
      out.set(from, (plan.offsets[t]! + b) * width);
    }
  }
  return out;
}

/** out (cols) = Σ over rows of a (rows, cols). */
export function columnSums(out: FloatArray, a: FloatArray, rows: number, cols: number): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[j]! += a[r * cols + j]!;
}

/** C (m×n) = Aᵀ·B for A (rows×m) and B (rows×n), both contiguous: the weight-gradient products. */
export function transposedProduct(k: KernelContext, c: FloatArray, a: FloatArray, b: FloatArray, m: number, rows: number, n: number): void {
  k.gemm({ c, cOffset: 0, ldc: n, a, aOffset: 0, lda: m, transA: true, b, bOffset: 0, ldb: n, transB: false, m, k: rows, n, accumulate: false });
}

/** Rows active at the step and the hidden size: the base of every cell's step structs. */
export interface Step {
  rows: number;
  H: number;
}
/** The previous step's packed rows: the first `prevRows` rows come from `prev` at `prevAt`, the rest from the initial state. */
export interface Prev {
  prev: FloatArray;
  prevAt: number;
  prevRows: number;
}

/** Element i of an optional bias, 0 without one. */
export const bias = (b: FloatArray | null, i: number): number => (b ? b[i]! : 0);

/** Row r, unit j of the state a step started from: the previous step's rows, else the initial state. */
export const prevOf = (s: Prev & { H: number }, init: FloatArray, r: number, j: number): number =>
  r < s.prevRows ? s.prev[s.prevAt + r * s.H + j]! : init[r * s.H + j]!;

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
