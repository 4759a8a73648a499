/**
 * The fused recurrent kernels on the wasm runtime. The step loops are the reference ones
 * (src/backend/reference/*_kernels.ts): here they run on arrays placed in wasm memory, their
 * products on the wasm gemm, with each recurrent weight matrix packed once per call rather than
 * once per step. Float64 (gradient checks) runs the reference kernels unchanged.
 *
 * All memory a call needs is reserved before any view is taken, so the memory never grows while
 * views are live (growth would detach them on an unshared memory).
 */
import type { Gemm } from '../backend.js';
import type { RecurrentKernels } from '../recurrent_kernels.js';
import { gemm as referenceGemm } from '../reference/gemm.js';
import { rnnBackward, rnnForward } from '../reference/rnn_kernels.js';
import { type KernelContext, columnSums } from '../reference/sequence_steps.js';
import type { FloatArray } from '../../tensor/dtype.js';
import { wasmGateSteps } from './gate_steps.js';
import { gruBackwardOnUnits, gruForwardOnUnits, lstmBackwardOnUnits, lstmForwardOnUnits } from './recurrent_units.js';
import type { PackedB, WasmRuntime } from './runtime.js';
import { BackendError } from '../../errors.js';

/** Products below this many multiply-adds run the reference loop on the views (no packing). */
const MIN_FMAS = 2048;
/** Headroom for gemm packing workspaces and kernel scratch, beyond the operands themselves. */
const HEADROOM_BYTES = 32 << 20;

type Args = object;
type Kernel<A extends Args> = (a: A, k?: KernelContext) => void;

/**
 * Every Float32Array among the arguments (one level into `cache`), by key: `name` or `cache.name`.
 * Plain loops, not Object.entries or spreads: this runs at every call, and batch-1 steps are short.
 */
function floatArrays(a: Args): { arrays: Map<string, Float32Array>; float64: boolean } {
  const arrays = new Map<string, Float32Array>();
  let float64 = false;
  const args = a as Record<string, unknown>;
  for (const key in args) {
    const value = args[key];
    if (value instanceof Float32Array) arrays.set(key, value);
    else if (value instanceof Float64Array) float64 = true;
    else if (key === 'cache' && typeof value === 'object' && value !== null) {
      const cache = value as Record<string, unknown>;
      for (const k2 in cache) {
        const v2 = cache[k2];
        if (v2 instanceof Float32Array) arrays.set(`cache.${k2}`, v2);
      }
    }
  }
  return { arrays, float64 };
}

/** Same arguments with the given arrays replaced (one level into `cache`, copied once). */
function withArrays<A extends Args>(a: A, replaced: Map<string, Float32Array>): A {
  const copy = Object.assign({}, a) as Record<string, unknown>;
  let cache: Record<string, unknown> | null = null;
  for (const [key, array] of replaced) {
    if (!key.startsWith('cache.')) {
      copy[key] = array;
      continue;
    }
    cache ??= Object.assign({}, copy.cache as object) as Record<string, unknown>;
    cache[key.slice(6)] = array;
  }
  if (cache !== null) copy.cache = cache;
  return copy as A;
}

function context(rt: WasmRuntime, weights: ReadonlySet<Float32Array>): KernelContext {
  const packed = new Map<string, PackedB>();
  const inWasm = (x: FloatArray): x is Float32Array => x instanceof Float32Array && rt.owns(x);
  const ptr = (x: Float32Array, offset: number): number => x.byteOffset + 4 * offset;
  return {
    gates: wasmGateSteps(rt),
    gemm(g: Gemm): void {
      const { c, a, b, m, k, n } = g;
      if (!inWasm(c) || !inWasm(a) || !inWasm(b) || m * n * k < MIN_FMAS) {
        referenceGemm(g);
        return;
      }
      if (m === 0 || n === 0) return;
      if (k === 0) {
        if (!g.accumulate) for (let i = 0; i < m; i++) c.fill(0, g.cOffset + i * g.ldc, g.cOffset + i * g.ldc + n);
        return;
      }
      if (m === 1 && !g.transA) {
        // One row (batch 1): reading B in place beats packing it.
        rt.gemv(ptr(c, g.cOffset), ptr(a, g.aOffset), ptr(b, g.bOffset), g.ldb, g.transB, k, n, g.accumulate);
        return;
      }
      if (weights.has(b)) {
        // The recurrent weights meet every step: pack op(B) once for the whole call.
        const key = `${ptr(b, g.bOffset)}:${g.ldb}:${g.transB}:${k}:${n}`;
        let p = packed.get(key);
        if (p === undefined) {
          p = rt.packB(ptr(b, g.bOffset), g.ldb, g.transB, k, n);
          packed.set(key, p);
        }
        rt.gemmPacked({ c: ptr(c, g.cOffset), ldc: g.ldc, a: ptr(a, g.aOffset), lda: g.lda, transA: g.transA, b: p, m, accumulate: g.accumulate });
        return;
      }
      rt.gemm({
        c: ptr(c, g.cOffset), ldc: g.ldc, a: ptr(a, g.aOffset), lda: g.lda, transA: g.transA,
        b: ptr(b, g.bOffset), ldb: g.ldb, transB: g.transB, m, k, n, accumulate: g.accumulate,
      });
    },
    columnSums(out: FloatArray, a: FloatArray, rows: number, cols: number): void {
      // sum_rows adds in float32 in row order, as the reference does.
      if (inWasm(out) && inWasm(a) && rows * cols >= MIN_FMAS) rt.kernels.sum_rows(ptr(out, 0), ptr(a, 0), rows, cols);
      else columnSums(out, a, rows, cols);
    },
    scratch(like: FloatArray, n: number): FloatArray {
      if (!(like instanceof Float32Array)) return new Float64Array(n);
      const view = rt.f32(rt.allocF32(n), n);
      view.fill(0);
      return view;
    },
  };
}

function lengthOf(x: unknown): number {
  return x instanceof Float32Array ? x.length : 0;
}

/** Which arguments a kernel writes, and how. Keys are argument names or `cache.name`. */
interface KernelWrites {
  /** Arguments it writes whole without reading: placed in wasm memory without copying in. */
  fresh: readonly string[];
  /** Arguments it reads and writes (accumulates into): copied in and out. */
  updated: readonly string[];
  /** Arguments it never reads (backward's xProj and bHH): passed on as they are, not copied in. */
  unread?: readonly string[];
}

/**
 * Runs a reference sequence kernel with its float32 arrays in wasm memory: resident ones (the
 * parameters) in place, the others copied in unless written whole, and the outputs copied back,
 * except a cache nobody will read (`keepCache: false`). `weightKeys` are packed once.
 */
function onWasm<A extends Args>(rt: WasmRuntime, kernel: Kernel<A>, writes: KernelWrites, weightKeys: readonly string[]): (a: A) => void {
  const outputs = [...writes.fresh, ...writes.updated];
  const fresh = new Set(writes.fresh);
  const unread = new Set(writes.unread ?? []);
  return (a: A) => {
    const dropCache = (a as { keepCache?: boolean }).keepCache === false;
    const { arrays, float64 } = floatArrays(a);
    for (const key of unread) arrays.delete(key);
    if (arrays.size === 0 || float64) {
      kernel(a);
      return;
    }
    rt.scope(() => {
      // Copies, scratch of their size, and packed weights: reserved now, so that an unshared
      // memory (whose growth detaches views) does not grow while the kernel holds views.
      let copied = 0;
      for (const x of arrays.values()) if (!rt.owns(x)) copied += x.length;
      const weightFloats = weightKeys.reduce((s, k) => s + lengthOf((a as Record<string, unknown>)[k]), 0);
      rt.memory.ensure(rt.mark() + 4 * (3 * copied + 2 * weightFloats) + HEADROOM_BYTES);
      const buffer = rt.memory.memory.buffer;
      const placed = new Map<string, Float32Array>();
      for (const [key, x] of arrays) {
        if (rt.owns(x)) {
          placed.set(key, x);
          continue;
        }
        const view = rt.f32(rt.allocF32(x.length), x.length);
        if (!fresh.has(key)) view.set(x);
        placed.set(key, view);
      }
      const weights = new Set<Float32Array>();
      for (const k of weightKeys) {
        const w = placed.get(k);
        if (w !== undefined) weights.add(w);
      }
      kernel(withArrays(a, placed), context(rt, weights));
      if (!rt.shared && rt.memory.memory.buffer !== buffer) throw new BackendError('wasm recurrent kernel: memory grew during the call');
      for (const key of outputs) {
        if (dropCache && key.startsWith('cache.')) continue;
        const view = placed.get(key);
        const target = arrays.get(key);
        if (view && target && view !== target) target.set(view);
      }
    });
  };
}

/** The recurrent kernels of the wasm backend. */
export function wasmRecurrentKernels(rt: WasmRuntime): RecurrentKernels {
  // Forward writes every row of its outputs and cache; backward every row of dXProj and the
  // initial-state gradients. The weight gradients stay copied in and out.
  const forward = (...extra: string[]): KernelWrites => ({ fresh: ['out', 'hN', ...extra], updated: [] });
  const backward = (fresh: string[], updated: string[]): KernelWrites => ({
    fresh: ['dXProj', 'dH0', ...fresh], updated: ['dWHH', 'dBHH', ...updated], unread: ['xProj', 'bHH'],
  });
  const weights = ['wHH'];
  return {
    rnnForward: onWasm(rt, rnnForward, forward(), weights),
    rnnBackward: onWasm(rt, rnnBackward, backward([], []), weights),
    lstmForward: onWasm(rt, lstmForwardOnUnits(rt), forward('cN', 'cache.gates', 'cache.cells', 'cache.m'), [...weights, 'wHR']),
    lstmBackward: onWasm(rt, lstmBackwardOnUnits(rt), backward(['dC0'], ['dWHR', 'dPeep']), [...weights, 'wHR']),
    gruForward: onWasm(rt, gruForwardOnUnits(rt), forward('cache.gates', 'cache.hn'), weights),
    gruBackward: onWasm(rt, gruBackwardOnUnits(rt), backward([], []), weights),
  };
}
