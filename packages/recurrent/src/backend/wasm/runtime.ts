/**
 * The wasm runtime: one kernel instance over one memory, an arena, and a worker pool. It is the
 * pointer-level API that fused kernels (the recurrent sequence ops) build on: put operands in
 * wasm memory once, then run products and elementwise kernels on pointers with no copies.
 *
 *   const rt = wasmRuntime();
 *   const mark = rt.mark();
 *   try {
 *     const h = rt.copyIn(h0);                        // (B, P) → pointer
 *     const w = rt.packB(rt.copyIn(wHH), P, true, P, G * H);  // W_hhᵀ packed once
 *     const gates = rt.allocF32(B * G * H);
 *     for (…each step…) {
 *       rt.gemmPacked({ c: gates, ldc: G * H, a: h, lda: P, transA: false, b: w, m: B, accumulate: false });
 *       rt.kernels.sigmoid_f32(gates, gates, B * G * H);
 *     }
 *     rt.copyOut(gates, out);
 *   } finally {
 *     rt.release(mark);
 *   }
 *
 * Pointers are byte addresses into rt.memory. Views (rt.f32) are invalidated by any allocation
 * that grows the memory: take them after allocating, or reserve first with
 * rt.memory.ensure(rt.mark() + bytes). gemm and gemmPacked take their packing workspaces from the
 * arena and release them before returning: at most threads × gemm_workspace_bytes(m, k, n) bytes
 * (about 2.2 MB per thread for large products), so a reserve of that much keeps them from growing
 * the memory. Kernels in rt.kernels (see kernels/*.ts) take byte pointers and element counts,
 * outputs first; sigmoid_f32, tanh_f32, exp_f32, add_bias_rows and sum_rows are meant for the
 * per-step work of fused kernels, and rt.parallel spreads independent calls of any kernel over the
 * threads.
 */
import { wasmFeatures } from './features.js';
import { GemmRunner, type GemmPackedArgs, type GemmPtrArgs, type PackedB } from './gemm_ptr.js';
import { INITIAL_PAGES, KERNEL_NAMES, MAXIMUM_PAGES, compileKernelModule, instantiateKernels, kernelModule, type KernelExports } from './kernel_module.js';
import { Arena, WasmMemory } from './memory.js';
import { ResidentHeap } from './resident.js';
import { availableCores, inBrowser, readEnv, threadsStartWhileBusy } from './platform.js';
import { printNoteOnce, threadsNote } from './thread_note.js';
import { ThreadPool } from './thread_pool.js';
import { BackendError, EnvironmentError, ValueError, fmtValue } from '../../errors.js';

export type { GemmPackedArgs, GemmPtrArgs, PackedB };

/** Most threads a runtime uses; the control block is sized for them. */
export const MAX_THREADS = 64;
/** Pages a fresh memory starts with (4 MiB); it grows on demand. */
const START_PAGES = 64;

export interface WasmRuntimeOptions {
  /** Use the relaxed-SIMD (FMA) kernels; default: when the runtime supports them. */
  relaxedSimd?: boolean;
  /** Use a shared memory (needed for threads); default: when the runtime supports it. */
  shared?: boolean;
  /** Threads, the calling one included; default: getNumThreads(). */
  threads?: number;
  /**
   * Whether the calling thread takes blocks of a threaded product too (default true). False makes
   * it only hand blocks out and wait, so that workers run all of them: for tests and experiments.
   */
  callerWorks?: boolean;
  /**
   * Whether jobs run on the calling thread alone while that is measured to be faster than with the
   * workers (a busy machine; see ThreadModeChooser). Default true; false offers every job to the
   * workers: for tests that count their chunks.
   */
  contentionBackoff?: boolean;
}

export class WasmRuntime {
  /** The kernels' exported functions, called directly on pointers. */
  readonly kernels: KernelExports;
  readonly memory: WasmMemory;
  readonly arena: Arena;
  /** Arrays that live in wasm memory (parameters), used by kernels in place. */
  readonly resident: ResidentHeap;
  readonly relaxedSimd: boolean;
  readonly shared: boolean;
  private readonly module: WebAssembly.Module;
  private readonly gemmRunner: GemmRunner;
  private pool: ThreadPool | null = null;
  private readonly callerWorks: boolean;
  private adaptiveThreads: boolean;
  private threadCount: number;

  constructor(options: WasmRuntimeOptions = {}) {
    const features = wasmFeatures();
    if (!features.simd) throw new BackendError('wasm backend: this runtime lacks WebAssembly SIMD');
    this.relaxedSimd = options.relaxedSimd ?? features.relaxedSimd;
    this.shared = options.shared ?? features.sharedMemory;
    this.module = kernelModule({ relaxedSimd: this.relaxedSimd, shared: this.shared });
    this.memory = new WasmMemory(this.shared, Math.max(START_PAGES, INITIAL_PAGES), MAXIMUM_PAGES);
    this.kernels = instantiateKernels(this.module, this.memory.memory);
    this.arena = new Arena(this.memory, this.kernels.heap_base());
    this.resident = new ResidentHeap(this.memory, this.arena);
    this.threadCount = this.shared ? clampThreads(options.threads ?? requestedNumThreads()) : 1;
    this.callerWorks = options.callerWorks ?? true;
    this.adaptiveThreads = options.contentionBackoff ?? true;
    this.gemmRunner = new GemmRunner(this.kernels, this.arena, () => this.threadsForProduct(), this.callerWorks);
    this.startWorkersEarly();
  }

  /**
   * Threads that really run products: 1 without shared memory; workers that failed to start do not
   * count, nor, in a browser, workers that have not started yet (they start only while the page
   * returns to its event loop: `await ready()` waits for them).
   */
  get threadsInUse(): number {
    const workers = this.threadCount - 1;
    if (!this.shared || workers === 0) return 1;
    if (threadsStartWhileBusy()) return this.threadCount - (this.pool?.failedAmong(workers) ?? 0);
    return 1 + (this.pool?.ready(workers).length ?? 0);
  }

  /** Why fewer threads run than `requested` (a sentence for the console), or null. */
  threadsNote(requested: number): string | null {
    return threadsNote({ requested, inUse: Math.min(requested, this.threadsInUse), shared: this.shared, workerFailure: this.pool?.failure ?? null });
  }

  /** Threads used for large products, the calling one included. */
  get threads(): number {
    return this.threadCount;
  }

  set threads(n: number) {
    this.threadCount = this.shared ? clampThreads(n) : 1;
    this.startWorkersEarly();
  }

  /**
   * In a browser, starts the workers as soon as their number is known: they come up at the page's
   * next return to the event loop, before a synchronous training loop could need them. (Node starts
   * them at the first threaded product, in the background.)
   */
  private startWorkersEarly(): void {
    if (this.threadCount > 1 && !threadsStartWhileBusy()) this.ensurePool()?.grow(this.threadCount - 1);
  }

  /**
   * Starts the workers and resolves, without blocking, when they are ready (or failed, or after
   * `timeoutMs`), with the threads usable. A browser page awaits this (through `ready()`) since it
   * cannot block its main thread.
   */
  async startThreadsAsync(timeoutMs = 10_000): Promise<number> {
    const pool = this.ensurePool();
    if (pool === null || this.threadCount <= 1) return 1;
    pool.grow(this.threadCount - 1);
    return 1 + (await pool.whenReady(this.threadCount - 1, timeoutMs));
  }

  /** Starts the workers now and blocks until they are ready (or `timeoutMs` passes); returns the threads usable. */
  startThreads(timeoutMs = 5000): number {
    const pool = this.ensurePool();
    if (pool === null) return 1;
    pool.grow(this.threadCount - 1);
    return 1 + pool.waitReady(this.threadCount - 1, timeoutMs);
  }

  /** Blocks of threaded products that worker threads have run so far. */
  get chunksOnWorkers(): number {
    return this.pool?.chunksOnWorkers ?? 0;
  }

  /** Stops the workers (they restart on demand). */
  stopThreads(): void {
    this.pool?.terminate();
    this.pool = null;
  }

  // --- memory -----------------------------------------------------------------------------

  /** A 64-byte aligned block of `bytes` bytes from the arena (contents undefined). */
  alloc(bytes: number): number {
    return this.arena.alloc(bytes);
  }

  /** A block of n float32 values. */
  allocF32(n: number): number {
    return this.arena.alloc(n * 4);
  }

  /** The arena position; release(mark) frees everything allocated since. */
  mark(): number {
    return this.arena.mark();
  }

  release(mark: number): void {
    this.arena.release(mark);
  }

  /** Runs fn, then frees what it allocated (also when it throws). */
  scope<T>(fn: () => T): T {
    const mark = this.arena.mark();
    try {
      return fn();
    } finally {
      this.arena.release(mark);
    }
  }

  /** A Float32Array over n floats at ptr: no copy; valid until the memory next grows. */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.f32().buffer, ptr, n);
  }

  /** Whether kernels can use `x` in place (a resident array, or a view of the arena). */
  owns(x: ArrayBufferView): boolean {
    return this.memory.owns(x);
  }

  /** Copies src (float64 is rounded to float32) into a fresh block; returns its pointer. */
  copyIn(src: Float32Array | Float64Array): number {
    const ptr = this.allocF32(src.length);
    this.memory.f32().set(src, ptr >>> 2);
    return ptr;
  }

  /** Copies dst.length floats at ptr into dst. */
  copyOut(ptr: number, dst: Float32Array | Float64Array): void {
    dst.set(this.memory.f32().subarray(ptr >>> 2, (ptr >>> 2) + dst.length));
  }

  // --- products ---------------------------------------------------------------------------

  /** C = op(A)·op(B) (or +=) on pointers, threaded when large. See GemmPtrArgs. */
  gemm(g: GemmPtrArgs): void {
    this.gemmRunner.gemm(g);
  }

  /**
   * y (n) = x (k) · op(B), or += with accumulate: a single-row product, reading B in place (no
   * packing). B is k×n, or n×k when transB, with row stride ldb.
   */
  gemv(y: number, x: number, b: number, ldb: number, transB: boolean, k: number, n: number, accumulate: boolean): void {
    const acc = accumulate ? 1 : 0;
    const parts = this.threadCount > 1 && k * n >= GEMV_SPLIT_MIN ? gemvParts(n, Math.min(this.threadCount, Math.floor((k * n) / GEMV_PART_MIN))) : [];
    if (parts.length <= 1) {
      (transB ? this.kernels.gemv_t_f32 : this.kernels.gemv_n_f32)(y, x, b, ldb, k, n, acc);
      return;
    }
    // Memory-bound: threads stream disjoint blocks of B (rows when transB, else columns).
    this.parallel(
      transB ? 'gemv_t_f32' : 'gemv_n_f32',
      parts.map(([j0, j1]) => [y + 4 * j0, x, b + 4 * (transB ? j0 * ldb : j0), ldb, k, j1 - j0, acc]),
      k * n,
    );
  }

  /** op(B) (k×n, B at pointer b with row stride ldb) packed into a new arena block. */
  packB(b: number, ldb: number, transB: boolean, k: number, n: number): PackedB {
    return this.gemmRunner.packB(b, ldb, transB, k, n);
  }

  /** C = op(A)·B (or +=) for a B packed by packB; same result as gemm with the unpacked B. */
  gemmPacked(g: GemmPackedArgs): void {
    this.gemmRunner.gemmPacked(g);
  }

  /**
   * Runs kernel `name` once per argument list in `chunks` (independent pieces of work, e.g. row
   * blocks of a per-step gate kernel), spread over the threads; returns when all are done. Worth it
   * for pieces of tens of µs or more; at most MAX_CHUNKS pieces of MAX_ARGS − 1 arguments.
   */
  parallel(name: keyof KernelExports, chunks: readonly (readonly number[])[], work: number): void {
    // A kernel without a workspace ignores the extra (empty) one.
    this.parallelWithWorkspace(name, chunks, 0, work);
  }

  /**
   * As `parallel`, for kernels whose last argument is a workspace private to the running thread:
   * each thread gets `wsBytes` bytes from the arena. The pieces may run in any order and at once.
   */
  parallelWithWorkspace(name: keyof KernelExports, chunks: readonly (readonly number[])[], wsBytes: number, work: number): void {
    const fn = this.kernels[name] as (...args: number[]) => unknown;
    const kind = KERNEL_NAMES.indexOf(name);
    const threads = chunks.length > 1 ? this.threadsForProduct() : null;
    const mark = this.arena.mark();
    try {
      let workers: number[] = [];
      if (threads !== null) {
        threads.pool.grow(threads.count - 1);
        workers = threads.pool.workersFor(Math.min(threads.count - 1, chunks.length - 1));
      }
      const callerWs = this.arena.alloc(wsBytes);
      if (threads === null || workers.length === 0) {
        for (const args of chunks) fn(...args, callerWs);
      } else {
        const workerWs = workers.map(() => this.arena.alloc(wsBytes));
        threads.pool.run(kind, chunks, workers, workerWs, this.callerWorks ? (args) => fn(...args, callerWs) : null);
      }
      threads?.pool.jobDone(name, work);
    } finally {
      this.arena.release(mark);
    }
  }

  /**
   * Whether jobs may run on the calling thread alone when that is measured faster (see
   * WasmRuntimeOptions.contentionBackoff); false offers every job to the workers. Never on when the
   * caller does not work (callerWorks false).
   */
  get contentionBackoff(): boolean {
    return this.adaptiveThreads;
  }

  set contentionBackoff(on: boolean) {
    this.adaptiveThreads = on;
    if (this.pool !== null) this.pool.adaptive = on && this.callerWorks;
  }

  private ensurePool(): ThreadPool | null {
    if (!this.shared) return null;
    if (this.pool === null) {
      // A browser page hears once why its workers failed; Node's callers see it in getNumThreads().
      const onFailure = inBrowser() ? (): void => printNoteOnce(this.threadsNote(this.threadCount)) : null;
      this.pool = new ThreadPool(this.module, this.memory.memory, KERNEL_NAMES, MAX_THREADS - 1, onFailure, this.adaptiveThreads && this.callerWorks);
    }
    return this.pool;
  }

  private threadsForProduct(): { pool: ThreadPool; count: number } | null {
    if (this.threadCount <= 1) return null;
    const pool = this.ensurePool();
    return pool === null ? null : { pool, count: this.threadCount };
  }
}

/**
 * Single-row products of at least this many multiply-adds (1 MiB of B, ~100 µs from memory) are
 * split across threads, each part at least GEMV_PART_MIN.
 */
const GEMV_SPLIT_MIN = 1 << 18;
const GEMV_PART_MIN = 1 << 16;

/** Output ranges [j0, j1) of a single-row product of width n, one per part, cut at multiples of 16. */
export function gemvParts(n: number, parts: number): [number, number][] {
  const blocks = Math.ceil(n / 16);
  const count = Math.max(1, Math.min(parts, blocks));
  const out: [number, number][] = [];
  for (let p = 0; p < count; p++) {
    const j0 = Math.min(n, Math.round((blocks * p) / count) * 16);
    const j1 = Math.min(n, Math.round((blocks * (p + 1)) / count) * 16);
    if (j1 > j0) out.push([j0, j1]);
  }
  return out;
}

function clampThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new ValueError(`setNumThreads: n must be an integer of at least 1 (counts above ${MAX_THREADS} use ${MAX_THREADS}); got ${fmtValue(n)}`);
  }
  return Math.min(n, MAX_THREADS);
}

let requestedThreads: number | null = null;

/**
 * RECURRENT_NUM_THREADS, validated: unset (or empty) gives undefined; anything but a positive
 * integer is an EnvironmentError naming the variable and the value. (OpenMP's OMP_NUM_THREADS
 * warns and falls back instead; a silently ignored setting is worse than a clear stop.)
 */
function envThreads(): number | undefined {
  const env = readEnv('RECURRENT_NUM_THREADS');
  if (env === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(env) ? Number(env) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new EnvironmentError(
      `RECURRENT_NUM_THREADS: expected a positive integer (the threads the wasm backend may use); got '${env}'. Unset it to use every core`,
      'RECURRENT_NUM_THREADS',
      env,
    );
  }
  return Math.min(n, MAX_THREADS);
}

/** The threads asked for: setNumThreads, else RECURRENT_NUM_THREADS, else the core count. */
function requestedNumThreads(): number {
  return requestedThreads ?? envThreads() ?? Math.min(availableCores(), MAX_THREADS);
}

/**
 * Threads the wasm backend really uses for large products, the calling one included: what
 * setNumThreads, RECURRENT_NUM_THREADS or the core count ask for, but 1 where the wasm backend is
 * unavailable or has no shared memory (no SharedArrayBuffer, e.g. a page that is not
 * cross-origin isolated), and less the worker threads that failed to start. In a browser, workers
 * count once they have started, which needs the page to return to its event loop: after
 * `await ready()` this is the number that runs. Throws EnvironmentError if RECURRENT_NUM_THREADS
 * is not a positive integer.
 *
 * @example
 * ```ts
 * import { getNumThreads, setNumThreads } from 'recurrent';
 * setNumThreads(1);
 * getNumThreads(); // → 1
 * ```
 */
export function getNumThreads(): number {
  const requested = requestedNumThreads();
  const rt = tryWasmRuntime();
  return rt === null ? 1 : Math.min(requested, rt.threadsInUse);
}

/** Sets the threads the wasm backend uses (1 = the calling thread only). */
export function setNumThreads(n: number): void {
  requestedThreads = clampThreads(n);
  if (shared !== undefined && shared !== null) shared.threads = requestedThreads;
}

let shared: WasmRuntime | null | undefined;

/** The process-wide runtime, created on first use; null where WebAssembly SIMD is unavailable. */
export function tryWasmRuntime(): WasmRuntime | null {
  if (shared === undefined) {
    try {
      shared = new WasmRuntime();
      if (inBrowser()) printNoteOnce(shared.threadsNote(requestedNumThreads()));
    } catch (e) {
      // A bad setting is the user's to fix, not a reason to fall back to the reference backend.
      if (e instanceof EnvironmentError) throw e;
      shared = null;
    }
  }
  return shared;
}

/**
 * Compiles, without blocking, the kernels the process-wide runtime will use, so that creating it
 * later compiles nothing. Does nothing once the runtime exists or where WebAssembly SIMD is missing.
 */
export async function compileRuntimeKernels(): Promise<void> {
  if (shared !== undefined) return;
  const f = wasmFeatures();
  if (f.simd) await compileKernelModule({ relaxedSimd: f.relaxedSimd, shared: f.sharedMemory });
}

/** The threads asked for now: setNumThreads, else RECURRENT_NUM_THREADS, else the core count. */
export function requestedThreadCount(): number {
  return requestedNumThreads();
}

/** The process-wide runtime if something has used it already, else null (never creates it). */
export function existingWasmRuntime(): WasmRuntime | null {
  return shared ?? null;
}

/** The process-wide runtime; throws where WebAssembly SIMD is unavailable. */
export function wasmRuntime(): WasmRuntime {
  const rt = tryWasmRuntime();
  if (rt === null) throw new BackendError('wasm backend: unavailable in this runtime (no WebAssembly SIMD)');
  return rt;
}
