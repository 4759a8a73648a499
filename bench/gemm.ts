/**
 * GFLOP/s of the wasm gemm on the product shapes the recurrent layers run, at 1 thread and at
 * every core; medians of repeated timed samples.
 *
 *   node --import tsx bench/gemm.ts [--threads 1,2] [--samples 15] [--copy]
 *
 * Operands sit in wasm memory (rt.gemm on pointers), as inside the fused kernels; `--copy` also
 * times the Backend's gemm on JavaScript arrays, copies in and out included. RECURRENT_WASM_RELAXED=0
 * selects the plain SIMD kernels.
 */
import { availableParallelism } from 'node:os';
import { makeWasmBackend } from '../packages/recurrent/src/backend/wasm/wasm_backend.js';
import { WasmRuntime } from '../packages/recurrent/src/backend/wasm/runtime.js';
import { median } from './common.js';

interface Shape {
  name: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  /** Multiply by a B packed once (the recurrent weights at every step). */
  packed?: boolean;
}

const SHAPES: Shape[] = [
  { name: 'step B=1 P=32 G·H=128 (x·Wᵀ)', m: 1, k: 32, n: 128, transA: false, transB: true },
  { name: 'step B=1 P=512 G·H=2048 (x·Wᵀ)', m: 1, k: 512, n: 2048, transA: false, transB: true },
  { name: 'step B=32 P=256 G·H=1024 (x·Wᵀ)', m: 32, k: 256, n: 1024, transA: false, transB: true },
  { name: 'step B=32 P=256 G·H=1024 packed', m: 32, k: 256, n: 1024, transA: false, transB: true, packed: true },
  { name: 'step B=64 P=512 G·H=2048 (x·Wᵀ)', m: 64, k: 512, n: 2048, transA: false, transB: true },
  { name: 'step B=64 P=512 G·H=2048 packed', m: 64, k: 512, n: 2048, transA: false, transB: true, packed: true },
  { name: 'step back B=32 G·H=1024 P=256 (d·W)', m: 32, k: 1024, n: 256, transA: false, transB: false },
  { name: 'input proj 3200×64·64×1024 (x·Wᵀ)', m: 3200, k: 64, n: 1024, transA: false, transB: true },
  { name: 'input proj 3200×512·512×2048 (x·Wᵀ)', m: 3200, k: 512, n: 2048, transA: false, transB: true },
  { name: 'weight grad 1024×3200·3200×256 (dᵀ·h)', m: 1024, k: 3200, n: 256, transA: true, transB: false },
  { name: 'input grad 3200×1024·1024×64 (d·W)', m: 3200, k: 1024, n: 64, transA: false, transB: false },
  { name: 'square 256×1024·1024×1024', m: 256, k: 1024, n: 1024, transA: false, transB: false },
  { name: 'square 256×1024·1024×1024 (Aᵀ·Bᵀ)', m: 256, k: 1024, n: 1024, transA: true, transB: true },
];

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1]! : fallback;
}

function randomFill(view: Float32Array): void {
  for (let i = 0; i < view.length; i++) view[i] = Math.random() * 2 - 1;
}

/** Median seconds per call of fn, each sample repeating it for about 25 ms. */
function time(fn: () => void, samples: number): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= 25 || reps >= 1 << 20) break;
    reps = Math.max(reps * 2, Math.ceil((reps * 25) / Math.max(ms, 0.01)));
  }
  const per: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    per.push((performance.now() - t0) / 1000 / reps);
  }
  return median(per);
}

const threadCounts = option('--threads', `1,${availableParallelism()}`).split(',').map(Number);
const samples = Number(option('--samples', '15'));
const withCopy = process.argv.includes('--copy');

const rt = new WasmRuntime({ threads: Math.max(...threadCounts) });
const backend = makeWasmBackend(rt);
console.log(
  `wasm gemm: ${rt.relaxedSimd ? 'relaxed SIMD (FMA)' : 'SIMD128'}, shared memory ${rt.shared}, ${availableParallelism()} cores; started ${rt.startThreads()} threads`,
);
console.log(`GFLOP/s, median of ${samples} samples\n`);
const header = ['shape', ...threadCounts.map((t) => `${t} thr`), ...(withCopy ? threadCounts.map((t) => `${t} thr +copy`) : [])];
const rows: string[][] = [];

for (const s of SHAPES) {
  const flops = 2 * s.m * s.n * s.k;
  const row = [s.name];
  rt.scope(() => {
    const aLen = s.m * s.k;
    const bLen = s.k * s.n;
    const a = rt.allocF32(aLen);
    const b = rt.allocF32(bLen);
    const c = rt.allocF32(s.m * s.n);
    randomFill(rt.f32(a, aLen));
    randomFill(rt.f32(b, bLen));
    const lda = s.transA ? s.m : s.k;
    const ldb = s.transB ? s.k : s.n;
    const packed = s.packed ? rt.packB(b, ldb, s.transB, s.k, s.n) : null;
    for (const t of threadCounts) {
      rt.threads = t;
      const sec = packed
        ? time(() => rt.gemmPacked({ c, ldc: s.n, a, lda, transA: s.transA, b: packed, m: s.m, accumulate: false }), samples)
        : time(() => rt.gemm({ c, ldc: s.n, a, lda, transA: s.transA, b, ldb, transB: s.transB, m: s.m, k: s.k, n: s.n, accumulate: false }), samples);
      row.push((flops / sec / 1e9).toFixed(1));
    }
  });
  if (withCopy) {
    const a = new Float32Array(s.m * s.k).map(() => Math.random());
    const b = new Float32Array(s.k * s.n).map(() => Math.random());
    const c = new Float32Array(s.m * s.n);
    for (const t of threadCounts) {
      rt.threads = t;
      const sec = time(
        () =>
          backend.gemm({
            c,
            cOffset: 0,
            ldc: s.n,
            a,
            aOffset: 0,
            lda: s.transA ? s.m : s.k,
            transA: s.transA,
            b,
            bOffset: 0,
            ldb: s.transB ? s.k : s.n,
            transB: s.transB,
            m: s.m,
            k: s.k,
            n: s.n,
            accumulate: false,
          }),
        samples,
      );
      row.push((flops / sec / 1e9).toFixed(1));
    }
  }
  rows.push(row);
  console.log(row.join('  |  '));
}

const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(`\n${line(header)}\n|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) console.log(line(r));
rt.stopThreads();
