/**
 * The fused recurrent kernels on the wasm runtime. The step loops are the reference ones
 * (src/backend/cells/*.ts): here they run on arrays placed in wasm memory, their
 * products on the wasm gemm, with each recurrent weight matrix packed once per call rather than
 * once per step. Float64 (gradient checks) runs the reference kernels unchanged.
 *
 * All memory a call needs is reserved before any view is taken, so the memory never grows while
 * views are live (growth would detach them on an unshared memory).
 */
import type { Gemm } from '../backend.js';
import type { RecurrentKernels } from '../recurrent_kernels.js';
import { gemm as referenceGemm } from '../reference/gemm.js';
import { rnnBackward, rnnForward } from '../cells/rnn.js';
import { referenceBackend as ref } from '../reference/reference_backend.js';
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
type Kernel<A extends Args> = (a: A, k: KernelContext) => void;

/** The argument names of A whose values are float arrays (or null): what placement may move. */
type ArrayKey<A> = { [K in keyof A]-?: A[K] extends FloatArray | null | undefined ? K : never }[keyof A] & string;
/** The type of A's `cache` argument, if it has one. */
type CacheOf<A> = A extends { cache: infer C } ? C : never;

/**
 * Where the float32 arrays of one call are: by argument name, and by field of its `cache`. The
 * names are typed by the kernel's argument type, so renaming a field breaks the build rather than
 * silently leaving it uncopied.
 */
interface Placement<A> {
  args: Map<ArrayKey<A>, Float32Array>;
  cache: Map<ArrayKey<CacheOf<A>>, Float32Array>;
}

/**
 * Every Float32Array among the arguments and their cache's fields; `float64` when any argument is
 * a Float64Array (then the reference kernel runs unchanged).
 * Plain loops, not Object.entries or spreads: this runs at every call, and batch-1 steps are short.
 */
function floatArrays<A extends Args>(a: A): Placement<A> & { float64: boolean } {
  const args = new Map<ArrayKey<A>, Float32Array>();
  const cache = new Map<ArrayKey<CacheOf<A>>, Float32Array>();
  let float64 = false;
  for (const key in a) {
    const value: unknown = a[key];
    if (value instanceof Float32Array && holdsArray(a, key)) args.set(key, value);
    else if (value instanceof Float64Array) float64 = true;
    else if (key === 'cache' && typeof value === 'object' && value !== null) {
      const c = value as CacheOf<A> & object;
      for (const k2 in c) {
        const v2: unknown = c[k2];
        if (v2 instanceof Float32Array && holdsArray(c, k2)) cache.set(k2, v2);
      }
    }
  }
  return { args, cache, float64 };
}

/** Whether `a[key]` holds a float array: then `key` is one of A's array keys. */
function holdsArray<A extends object, K extends Extract<keyof A, string>>(a: A, key: K): key is K & ArrayKey<A> {
  const v: unknown = a[key];
  return v instanceof Float32Array || v instanceof Float64Array;
}

/** Same arguments with the placed arrays in place of the originals (the cache copied once, if any). */
function withArrays<A extends Args>(a: A, placed: Placement<A>): A {
  const copy: A = Object.assign({}, a);
  const slots = copy as Record<ArrayKey<A>, FloatArray | null>;
  for (const [key, array] of placed.args) slots[key] = array;
  if (placed.cache.size > 0) {
    const withCache = copy as A & { cache: CacheOf<A> };
    const cache: CacheOf<A> = Object.assign({}, withCache.cache);
    const cacheSlots = cache as Record<ArrayKey<CacheOf<A>>, FloatArray | null>;
    for (const [key, array] of placed.cache) cacheSlots[key] = array;
    withCache.cache = cache;
  }
  return copy;
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
        c: ptr(c, g.cOffset),
        ldc: g.ldc,
        a: ptr(a, g.aOffset),
        lda: g.lda,
        transA: g.transA,
        b: ptr(b, g.bOffset),
        ldb: g.ldb,
        transB: g.transB,
        m,
        k,
        n,
        accumulate: g.accumulate,
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

/** Which arguments a kernel writes, and how, by name. */
interface KernelWrites<A> {
  /** Arguments it writes whole without reading: placed in wasm memory without copying in. */
  fresh: readonly ArrayKey<A>[];
  /** Arguments it reads and writes (accumulates into): copied in and out. */
  updated: readonly ArrayKey<A>[];
  /** Arguments it never reads (backward's xProj and bHH): passed on as they are, not copied in. */
  unread: readonly ArrayKey<A>[];
  /** Fields of the cache it writes whole (forward): copied out unless nobody will read them. */
  cache: readonly ArrayKey<CacheOf<A>>[];
  /** The recurrent weights, which meet every step: packed once per call. */
  weights: readonly ArrayKey<A>[];
}

/**
 * Runs a reference sequence kernel with its float32 arrays in wasm memory: resident ones (the
 * parameters) in place, the others copied in unless written whole, and the outputs copied back,
 * except a cache nobody will read (`keepCache: false`). Float64 calls run `plain`, the reference kernel.
 */
function onWasm<A extends Args>(rt: WasmRuntime, kernel: Kernel<A>, writes: KernelWrites<A>, plain: (a: A) => void): (a: A) => void {
  const outputs = [...writes.fresh, ...writes.updated];
  const fresh = new Set<string>([...writes.fresh, ...writes.cache]);
  return (a: A) => {
    const dropCache = (a as { keepCache?: boolean }).keepCache === false;
    const found = floatArrays(a);
    for (const key of writes.unread) found.args.delete(key);
    if ((found.args.size === 0 && found.cache.size === 0) || found.float64) {
      plain(a);
      return;
    }
    rt.scope(() => {
      // Copies, scratch of their size, and packed weights: reserved now, so that an unshared
      // memory (whose growth detaches views) does not grow while the kernel holds views.
      let copied = 0;
      for (const x of found.args.values()) if (!rt.owns(x)) copied += x.length;
      for (const x of found.cache.values()) if (!rt.owns(x)) copied += x.length;
      let weightFloats = 0;
      for (const k of writes.weights) weightFloats += found.args.get(k)?.length ?? 0;
      rt.memory.ensure(rt.mark() + 4 * (3 * copied + 2 * weightFloats) + HEADROOM_BYTES);
      const buffer = rt.memory.memory.buffer;
      const place = (key: string, x: Float32Array): Float32Array => {
        if (rt.owns(x)) return x;
        const view = rt.f32(rt.allocF32(x.length), x.length);
        if (!fresh.has(key)) view.set(x);
        return view;
      };
      const placed: Placement<A> = { args: new Map(), cache: new Map() };
      for (const [key, x] of found.args) placed.args.set(key, place(key, x));
      for (const [key, x] of found.cache) placed.cache.set(key, place(key, x));
      const weights = new Set<Float32Array>();
      for (const k of writes.weights) {
        const w = placed.args.get(k);
        if (w !== undefined) weights.add(w);
      }
      kernel(withArrays(a, placed), context(rt, weights));
      if (!rt.shared && rt.memory.memory.buffer !== buffer) throw new BackendError('wasm recurrent kernel: memory grew during the call');
      const copyBack = (view: Float32Array | undefined, target: Float32Array | undefined): void => {
        if (view && target && view !== target) target.set(view);
      };
      for (const key of outputs) copyBack(placed.args.get(key), found.args.get(key));
      if (!dropCache) for (const key of writes.cache) copyBack(placed.cache.get(key), found.cache.get(key));
    });
  };
}

/** The recurrent kernels of the wasm backend. */
export function wasmRecurrentKernels(rt: WasmRuntime): RecurrentKernels {
  // Forward writes every row of its outputs and cache; backward every row of dXProj and the
  // initial-state gradients. The weight gradients stay copied in and out.
  return {
    rnnForward: onWasm(rt, rnnForward, { fresh: ['out', 'hN'], updated: [], unread: [], cache: [], weights: ['wHH'] }, ref.rnnForward),
    rnnBackward: onWasm(
      rt,
      rnnBackward,
      { fresh: ['dXProj', 'dH0'], updated: ['dWHH', 'dBHH'], unread: ['xProj', 'bHH'], cache: [], weights: ['wHH'] },
      ref.rnnBackward,
    ),
    lstmForward: onWasm(
      rt,
      lstmForwardOnUnits(rt),
      { fresh: ['out', 'hN', 'cN'], updated: [], unread: [], cache: ['gates', 'cells', 'm'], weights: ['wHH', 'wHR'] },
      ref.lstmForward,
    ),
    lstmBackward: onWasm(
      rt,
      lstmBackwardOnUnits(rt),
      {
        fresh: ['dXProj', 'dH0', 'dC0'],
        updated: ['dWHH', 'dBHH', 'dWHR', 'dPeep'],
        unread: ['xProj', 'bHH'],
        cache: [],
        weights: ['wHH', 'wHR'],
      },
      ref.lstmBackward,
    ),
    gruForward: onWasm(rt, gruForwardOnUnits(rt), { fresh: ['out', 'hN'], updated: [], unread: [], cache: ['gates', 'hn'], weights: ['wHH'] }, ref.gruForward),
    gruBackward: onWasm(
      rt,
      gruBackwardOnUnits(rt),
      { fresh: ['dXProj', 'dH0'], updated: ['dWHH', 'dBHH'], unread: ['xProj', 'bHH'], cache: [], weights: ['wHH'] },
      ref.gruBackward,
    ),
  };
}
