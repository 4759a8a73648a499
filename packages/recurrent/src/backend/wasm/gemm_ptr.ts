/**
 * Matrix products on operands already in wasm memory, split across threads.
 *
 * A product large enough is cut into column blocks of C (or row blocks, when C is taller than
 * wide), a few per thread; the calling thread and the ready workers take blocks until none is
 * left, each packing into its own workspace from the arena. Every element of C is computed the
 * same way whatever the split (see kernels/gemm.ts), so 1 and N threads agree bitwise.
 */
import { KERNEL_NAMES, type KernelExports } from './kernel_module.js';
import type { Arena } from './memory.js';
import { MAX_CHUNKS, type ThreadPool } from './thread_pool.js';

/** C (m×n) = op(A)·op(B), or += with accumulate. Pointers are byte addresses; ld* count elements. */
export interface GemmPtrArgs {
  c: number;
  ldc: number;
  /** A is m×k (row stride lda), or k×m when transA. */
  a: number;
  lda: number;
  transA: boolean;
  /** B is k×n (row stride ldb), or n×k when transB. */
  b: number;
  ldb: number;
  transB: boolean;
  m: number;
  k: number;
  n: number;
  accumulate: boolean;
}

/** op(B) (k×n) packed once by packB, for products that reuse it (recurrent weights per step). */
export interface PackedB {
  readonly ptr: number;
  readonly k: number;
  readonly n: number;
}

/** C (m×n) = op(A)·B, or += with accumulate, for a pre-packed B. */
export interface GemmPackedArgs {
  c: number;
  ldc: number;
  a: number;
  lda: number;
  transA: boolean;
  b: PackedB;
  m: number;
  accumulate: boolean;
}

/** Products under this many multiply-adds (about 40 µs on one core) stay on one thread: waking a
 * worker costs tens of µs. */
const SPLIT_MIN_FMAS = 1 << 20;
/** Each block is at least this much work (about 5 µs). */
const PART_MIN_FMAS = 1 << 17;
/** Blocks per thread: threads take blocks until none is left, which evens out uneven progress. */
const CHUNKS_PER_THREAD = 4;
const MR = 4;
const NR = 8;

interface Part {
  i0: number;
  m: number;
  j0: number;
  n: number;
}

/** Cuts an m×n output into at most `blocks` blocks along its longer side, in whole tiles. */
export function splitProduct(m: number, n: number, k: number, blocks: number): Part[] {
  const work = m * n * k;
  let parts = Math.min(blocks, Math.floor(work / PART_MIN_FMAS));
  if (work < SPLIT_MIN_FMAS || parts <= 1) return [{ i0: 0, m, j0: 0, n }];
  const alongN = n >= m;
  const len = alongN ? n : m;
  // Column blocks of 32 keep the one-row kernel busy for thin products.
  const unit = alongN ? (n >= 32 * parts ? 32 : NR) : MR;
  const units = Math.ceil(len / unit);
  parts = Math.min(parts, units);
  const out: Part[] = [];
  for (let p = 0, start = 0; p < parts; p++) {
    const end = Math.min(len, Math.round((units * (p + 1)) / parts) * unit);
    if (end > start) out.push(alongN ? { i0: 0, m, j0: start, n: end - start } : { i0: start, m: end - start, j0: 0, n });
    start = end;
  }
  return out;
}

const GEMM = KERNEL_NAMES.indexOf('gemm_f32');
const GEMM_PACKED = KERNEL_NAMES.indexOf('gemm_packed_f32');

export class GemmRunner {
  constructor(
    private readonly kernels: KernelExports,
    private readonly arena: Arena,
    /** The pool and how many threads (caller included) to use, or null for one thread. */
    private readonly threads: () => { pool: ThreadPool; count: number } | null,
    /** Whether the calling thread takes blocks too (else it only hands them out and waits). */
    private readonly callerWorks = true,
  ) {}

  gemm(g: GemmPtrArgs): void {
    const { m, k, n } = g;
    if (m <= 0 || n <= 0) return;
    this.run(
      m,
      n,
      k,
      (part) => [
        g.c + (part.i0 * g.ldc + part.j0) * 4,
        g.ldc,
        g.a + (g.transA ? part.i0 : part.i0 * g.lda) * 4,
        g.lda,
        +g.transA,
        g.b + (g.transB ? part.j0 * g.ldb : part.j0) * 4,
        g.ldb,
        +g.transB,
        part.m,
        k,
        part.n,
        +g.accumulate,
      ],
      GEMM,
    );
  }

  gemmPacked(g: GemmPackedArgs): void {
    const { m } = g;
    const { k, n } = g.b;
    if (m <= 0 || n <= 0) return;
    this.run(
      m,
      n,
      k,
      (part) => [
        g.c + (part.i0 * g.ldc + part.j0) * 4,
        g.ldc,
        g.a + (g.transA ? part.i0 : part.i0 * g.lda) * 4,
        g.lda,
        +g.transA,
        g.b.ptr + this.kernels.packed_b_offset(k, part.j0),
        part.m,
        k,
        part.n,
        +g.accumulate,
      ],
      GEMM_PACKED,
    );
  }

  /** op(B) packed into a fresh arena block. */
  packB(b: number, ldb: number, transB: boolean, k: number, n: number): PackedB {
    const ptr = this.arena.alloc(this.kernels.packed_b_bytes(k, n));
    this.kernels.pack_b_f32(ptr, b, ldb, +transB, k, n);
    return { ptr, k, n };
  }

  private run(m: number, n: number, k: number, argsOf: (part: Part) => number[], fn: number): void {
    const mark = this.arena.mark();
    try {
      const threads = m * n * k >= SPLIT_MIN_FMAS ? this.threads() : null;
      const workers = threads !== null && threads.count > 1 ? this.readyWorkers(threads.pool, threads.count - 1) : [];
      const parts = workers.length === 0 ? [] : splitProduct(m, n, k, Math.min(MAX_CHUNKS, (workers.length + 1) * CHUNKS_PER_THREAD));
      if (threads === null || parts.length <= 1) {
        this.call(fn, argsOf({ i0: 0, m, j0: 0, n }), this.arena.alloc(this.kernels.gemm_workspace_bytes(m, k, n)));
      } else {
        const wsBytes = Math.max(...parts.map((p) => this.kernels.gemm_workspace_bytes(p.m, k, p.n)));
        const used = workers.slice(0, parts.length);
        const workerWs = used.map(() => this.arena.alloc(wsBytes));
        const callerWs = this.callerWorks ? this.arena.alloc(wsBytes) : 0;
        threads.pool.run(fn, parts.map(argsOf), used, workerWs, this.callerWorks ? (args) => this.call(fn, args, callerWs) : null);
      }
      // Only jobs that asked for workers (big enough to split) take part in the choice of mode.
      // Keyed by shape: products of one shape recur every training step, and rates differ by shape.
      if (threads !== null && threads.count > 1) threads.pool.jobDone(`${fn}:${m}x${n}x${k}`, m * n * k);
    } finally {
      this.arena.release(mark);
    }
  }

  private readyWorkers(pool: ThreadPool, count: number): number[] {
    pool.grow(count);
    return pool.workersFor(count);
  }

  /** Calls gemm_f32 or gemm_packed_f32 with `a` and the workspace. */
  private call(fn: number, a: readonly number[], ws: number): void {
    const K = this.kernels;
    if (fn === GEMM) K.gemm_f32(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, ws);
    else K.gemm_packed_f32(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, ws);
  }
}
