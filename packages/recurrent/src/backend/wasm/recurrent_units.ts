/**
 * Sequences split across threads by hidden units: at every step each thread computes all the
 * gates of its units (their products and their arithmetic), and the threads meet once per step.
 * Forward double-buffers the hidden state so that a step reads the previous state while threads
 * write the next one. Backward needs no second buffer: a thread's product reads the previous
 * step's gate gradients (all units) and writes only its own units of the state gradient. Results
 * equal the one-thread kernels bitwise (kernels/gemm.ts computes every product element the same
 * way whatever the split).
 *
 * Used for the LSTM without a projection and the reset-after GRU, in float32, when the hidden size
 * is a multiple of 8 and steps are large enough to be worth splitting; everything else runs the
 * shared step loops.
 */
import { type GruCache, type GruOptions, gruBackward, gruForward, gruWeightGradients } from '../cells/gru.js';
import { type LstmCache, type LstmExtra, type LstmGradExtra, lstmBackward, lstmForward, lstmWeightGradients } from '../cells/lstm.js';
import type { RecurrentBackward, RecurrentForward, SequenceLayout } from '../recurrent_kernels.js';
import { type KernelContext, planSteps, previousBlock } from '../reference/sequence_steps.js';
import type { WasmRuntime } from './runtime.js';

/** Steps under this many multiply-adds stay on one thread (see SPLIT_MIN_FMAS in gemm_ptr.ts). */
const MIN_STEP_FMAS = 1 << 20;
/**
 * Fewer rows than this (batch-1 generation) read the weights in place with the matrix–vector
 * kernel instead: packing them for a split would cost more than the step.
 */
const MIN_ROWS = 8;
/** Unit ranges start at multiples of the gemm's panel width. */
const UNIT_ALIGN = 8;

type LstmArgs = RecurrentForward<LstmCache> & LstmExtra;
type GruArgs = RecurrentForward<GruCache> & GruOptions;
type LstmBackwardArgs = RecurrentBackward<LstmCache> & LstmExtra & LstmGradExtra;
type GruBackwardArgs = RecurrentBackward<GruCache> & GruOptions;

/** Unit ranges [u0, u1), one per thread, in multiples of 8 units. */
export function unitRanges(H: number, parts: number): [number, number][] {
  const blocks = H / UNIT_ALIGN;
  const n = Math.max(1, Math.min(parts, blocks));
  const out: [number, number][] = [];
  for (let p = 0; p < n; p++) {
    const u0 = Math.round((blocks * p) / n) * UNIT_ALIGN;
    const u1 = Math.round((blocks * (p + 1)) / n) * UNIT_ALIGN;
    if (u1 > u0) out.push([u0, u1]);
  }
  return out;
}

function splittable(rt: WasmRuntime, a: SequenceLayout & { xProj: unknown }, gates: number): boolean {
  const H = a.hiddenSize;
  const rows = a.batchSizes[0] ?? 0;
  return (
    rt.threads > 1 &&
    rt.shared &&
    rows >= MIN_ROWS &&
    H % UNIT_ALIGN === 0 &&
    H >= 2 * UNIT_ALIGN &&
    rows * H * gates * H >= MIN_STEP_FMAS &&
    a.xProj instanceof Float32Array
  );
}

const f32 = (x: unknown): Float32Array => x as Float32Array;
/** Byte address of element `at` of a wasm-memory array, 0 for null. */
const ptr = (x: unknown, at = 0): number => (x === null ? 0 : f32(x).byteOffset + 4 * at);

interface StepLoop {
  /** Gates per unit: 4 (LSTM) or 3 (GRU). */
  gates: number;
  kernel: 'lstm_units_step_forward' | 'gru_units_step_forward_after';
  /** The kernel's arguments before (hPrev, hNext, packed W, rows, H, u0, u1), for the step at packed row `off`. */
  head(off: number): number[];
}

/**
 * Runs the steps of `a` with `loop`'s kernel on unit ranges, one per thread. Returns the pointer of
 * the final hidden state (B, H), in the arena of the caller's scope.
 */
function runOnUnits(rt: WasmRuntime, a: SequenceLayout & { h0: unknown; wHH: unknown }, loop: StepLoop): number {
  const H = a.hiddenSize;
  const B = a.batch;
  const plan = planSteps(a);
  const states = [rt.allocF32(B * H), rt.allocF32(B * H)];
  const h0 = f32(a.h0).subarray(0, B * H);
  rt.f32(states[0]!, B * H).set(h0);
  rt.f32(states[1]!, B * H).set(h0);
  const packed = rt.packB(ptr(a.wHH), H, true, H, loop.gates * H);
  const ranges = unitRanges(H, rt.threads);
  const widest = Math.max(...ranges.map(([u0, u1]) => u1 - u0));
  const wsBytes = rt.kernels.gemm_workspace_bytes(a.batchSizes[0] ?? 0, H, widest);
  let read = 0;
  for (const t of plan.order) {
    const rows = a.batchSizes[t]!;
    const hPrev = states[read]!;
    const hNext = states[1 - read]!;
    const head = loop.head(plan.offsets[t]!);
    rt.parallelWithWorkspace(
      loop.kernel,
      ranges.map(([u0, u1]) => [...head, hPrev, hNext, packed.ptr, rows, H, u0, u1]),
      wsBytes,
      rows * H * loop.gates * H,
    );
    // Sequences not in this step keep their state in the buffer read next.
    if (rows < B) rt.f32(hNext + 4 * rows * H, (B - rows) * H).set(rt.f32(hPrev + 4 * rows * H, (B - rows) * H));
    read = 1 - read;
  }
  return states[read]!;
}

/** A copy of `src` (B, H) in the arena; returns its pointer. */
function stateCopy(rt: WasmRuntime, src: unknown, n: number): number {
  const p = rt.allocF32(n);
  rt.f32(p, n).set(f32(src).subarray(0, n));
  return p;
}

/** The LSTM forward kernel of the wasm backend: arrays already in wasm memory (see recurrent.ts). */
export function lstmForwardOnUnits(rt: WasmRuntime): (a: LstmArgs, k: KernelContext) => void {
  return (a, k) => {
    if (a.wHR !== null || !splittable(rt, a, 4)) {
      lstmForward(a, k);
      return;
    }
    const H = a.hiddenSize;
    const G = 4 * H;
    const B = a.batch;
    rt.scope(() => {
      const c = stateCopy(rt, a.c0, B * H);
      const { gates, cells } = a.cache;
      const hN = runOnUnits(rt, a, {
        gates: 4,
        kernel: 'lstm_units_step_forward',
        head: (off) => [ptr(gates, off * G), ptr(a.xProj, off * G), ptr(a.bHH), ptr(a.peep), c, ptr(cells, off * H), ptr(a.out, off * H)],
      });
      f32(a.hN).set(rt.f32(hN, B * H));
      f32(a.cN).set(rt.f32(c, B * H));
    });
  };
}

/** The GRU forward kernel of the wasm backend: arrays already in wasm memory (see recurrent.ts). */
export function gruForwardOnUnits(rt: WasmRuntime): (a: GruArgs, k: KernelContext) => void {
  return (a, k) => {
    if (!a.resetAfter || !splittable(rt, a, 3)) {
      gruForward(a, k);
      return;
    }
    const H = a.hiddenSize;
    const G = 3 * H;
    const B = a.batch;
    rt.scope(() => {
      const gh = rt.allocF32(B * G);
      const { gates, hn } = a.cache;
      const hN = runOnUnits(rt, a, {
        gates: 3,
        kernel: 'gru_units_step_forward_after',
        head: (off) => [ptr(gates, off * G), ptr(hn, off * H), ptr(a.xProj, off * G), gh, ptr(a.bHH), ptr(a.out, off * H)],
      });
      f32(a.hN).set(rt.f32(hN, B * H));
    });
  };
}

interface BackwardLoop {
  /** Gates per unit: 4 (LSTM) or 3 (GRU). */
  gates: number;
  kernel: 'lstm_units_step_backward' | 'gru_units_step_backward_after';
  /**
   * The kernel's arguments before (gradNext, nextRows, packed W, rows, H, u0, u1), for the step at
   * packed row `off` whose previous states are rows [prevAt, prevAt + prevRows) (the rest initial).
   */
  head(off: number, prevAt: number, prevRows: number): number[];
  /** Pointer of the recurrent pre-activation gradients of the step at packed row `off`. */
  grad(off: number): number;
}

/**
 * Runs the backward sweep of `a` with `loop`'s kernel on unit ranges, one per thread: each call
 * first completes the state gradient of the step processed before (its product with W_hh), then
 * runs the gate arithmetic of this step. A last call with no rows completes the initial state's.
 */
function runBackwardOnUnits(rt: WasmRuntime, a: SequenceLayout & { wHH: unknown }, loop: BackwardLoop): void {
  const H = a.hiddenSize;
  const G = loop.gates * H;
  const plan = planSteps(a);
  // W_hh (G, H) is the product's B as stored: k = G, n = H.
  const packed = rt.packB(ptr(a.wHH), H, false, G, H);
  const ranges = unitRanges(H, rt.threads);
  const widest = Math.max(...ranges.map(([u0, u1]) => u1 - u0));
  const wsBytes = rt.kernels.gemm_workspace_bytes(a.batchSizes[0] ?? 0, G, widest);
  let next = 0;
  let nextRows = 0;
  let head: number[] = [];
  for (let s = plan.order.length - 1; s >= 0; s--) {
    const t = plan.order[s]!;
    const off = plan.offsets[t]!;
    const rows = a.batchSizes[t]!;
    const prev = previousBlock(a, plan, t);
    head = loop.head(off, prev.at, prev.rows);
    rt.parallelWithWorkspace(
      loop.kernel,
      ranges.map(([u0, u1]) => [...head, next, nextRows, packed.ptr, rows, H, u0, u1]),
      wsBytes,
      nextRows * G * H,
    );
    next = loop.grad(off);
    nextRows = rows;
  }
  if (nextRows > 0)
    rt.parallelWithWorkspace(
      loop.kernel,
      ranges.map(([u0, u1]) => [...head, next, nextRows, packed.ptr, 0, H, u0, u1]),
      wsBytes,
      nextRows * G * H,
    );
}

/** The LSTM backward kernel of the wasm backend: arrays already in wasm memory (see recurrent.ts). */
export function lstmBackwardOnUnits(rt: WasmRuntime): (a: LstmBackwardArgs, k: KernelContext) => void {
  return (a, k) => {
    if (a.wHR !== null || !splittable(rt, a, 4)) {
      lstmBackward(a, k);
      return;
    }
    const H = a.hiddenSize;
    const G = 4 * H;
    const B = a.batch;
    rt.scope(() => {
      const dh = stateCopy(rt, a.dHN, B * H);
      const dc = stateCopy(rt, a.dCN, B * H);
      a.dPeep?.fill(0);
      const { gates, cells } = a.cache;
      runBackwardOnUnits(rt, a, {
        gates: 4,
        kernel: 'lstm_units_step_backward',
        head: (off, prevAt, prevRows) => [
          ptr(a.dXProj, off * G),
          ptr(gates, off * G),
          ptr(cells, off * H),
          ptr(cells, prevAt * H),
          prevRows,
          ptr(a.c0),
          ptr(a.dOut, off * H),
          dh,
          dc,
          ptr(a.peep),
          ptr(a.dPeep),
        ],
        grad: (off) => ptr(a.dXProj, off * G),
      });
      f32(a.dH0).set(rt.f32(dh, B * H));
      f32(a.dC0).set(rt.f32(dc, B * H));
    });
    lstmWeightGradients(a, k, planSteps(a), null);
  };
}

/** The GRU backward kernel of the wasm backend: arrays already in wasm memory (see recurrent.ts). */
export function gruBackwardOnUnits(rt: WasmRuntime): (a: GruBackwardArgs, k: KernelContext) => void {
  return (a, k) => {
    if (!a.resetAfter || !splittable(rt, a, 3)) {
      gruBackward(a, k);
      return;
    }
    const H = a.hiddenSize;
    const G = 3 * H;
    const B = a.batch;
    const plan = planSteps(a);
    // Outlives the sweep's scope: the weight gradients read it.
    const dGh = k.scratch(f32(a.dXProj), plan.rows * G);
    rt.scope(() => {
      const dh = stateCopy(rt, a.dHN, B * H);
      const { gates, hn } = a.cache;
      runBackwardOnUnits(rt, a, {
        gates: 3,
        kernel: 'gru_units_step_backward_after',
        head: (off, prevAt, prevRows) => [
          ptr(a.dXProj, off * G),
          ptr(dGh, off * G),
          ptr(gates, off * G),
          ptr(hn, off * H),
          ptr(a.out, prevAt * H),
          prevRows,
          ptr(a.h0),
          dh,
          ptr(a.dOut, off * H),
        ],
        grad: (off) => ptr(dGh, off * G),
      });
      f32(a.dH0).set(rt.f32(dh, B * H));
    });
    gruWeightGradients(a, k, plan, dGh);
  };
}
