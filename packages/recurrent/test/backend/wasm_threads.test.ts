// Threaded products of the wasm runtime: the same bits with 1 and with N threads, whichever way
// the product is split; thread-count settings; workers that never keep the process alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { wasmFeatures } from '../../src/backend/wasm/features.js';
import { splitProduct } from '../../src/backend/wasm/gemm_ptr.js';
import { WasmRuntime, gemvParts } from '../../src/backend/wasm/runtime.js';
import { unitRanges } from '../../src/backend/wasm/recurrent_units.js';
import { makeWasmBackend } from '../../src/backend/wasm/wasm_backend.js';
import { ValueError, getNumThreads, setNumThreads } from '../../src/index.js';

const { simd, sharedMemory } = wasmFeatures();
const skip = simd && sharedMemory ? false : 'needs WebAssembly SIMD and shared memory';

let seed = 99;
function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
    a[i] = (seed >>> 8) / 8388608 - 1;
  }
  return a;
}

test('splitProduct cuts C into whole tiles that cover it exactly once', () => {
  for (const [m, n, k, threads] of [
    [32, 1024, 256, 2],
    [1024, 256, 3200, 3],
    [3, 2048, 512, 4],
    [130, 131, 700, 5],
    [1, 40, 9000, 8],
  ] as const) {
    const parts = splitProduct(m, n, k, threads);
    assert.ok(parts.length >= 1 && parts.length <= threads);
    const covered = new Uint8Array(m * n);
    for (const p of parts) {
      if (p.j0 + p.n < n) assert.equal(p.n % 8, 0, 'column blocks end on a panel boundary');
      if (p.i0 + p.m < m) assert.equal(p.m % 4, 0, 'row blocks end on a tile boundary');
      for (let i = p.i0; i < p.i0 + p.m; i++) for (let j = p.j0; j < p.j0 + p.n; j++) covered[i * n + j]!++;
    }
    assert.ok(
      covered.every((c) => c === 1),
      `split of ${m}×${n} covers every element once`,
    );
  }
  assert.equal(splitProduct(4, 4, 4, 8).length, 1, 'small products stay on one thread');
  assert.ok(blocks(64, 128, 128) > 1, 'the stress product below is split');
});

/** Blocks a product is cut into with 3 threads (the caller and two workers). */
function blocks(m: number, k: number, n: number): number {
  const parts = splitProduct(m, n, k, 3 * 4).length;
  return parts > 1 ? parts : 0;
}

test('products give the same bits on 1 and on 3 threads (workers running every block), split by columns or by rows', { skip }, () => {
  const one = new WasmRuntime({ threads: 1 });
  const many = new WasmRuntime({ threads: 3, callerWorks: false });
  try {
    assert.equal(many.startThreads(), 3, 'three threads start');
    const shapes = [
      [32, 256, 1024, false, true], // a recurrent step: split by columns
      [1024, 300, 64, true, false], // a weight gradient: split by rows
      [3, 512, 2048, false, true], // thin rows
      [130, 133, 131, true, true],
      [77, 1000, 90, false, false],
    ] as const;
    for (const [m, k, n, transA, transB] of shapes) {
      const a = randomArray(m * k);
      const b = randomArray(k * n);
      const c0 = randomArray(m * n);
      const results = [one, many].map((rt) =>
        rt.scope(() => {
          const pa = rt.copyIn(a);
          const pb = rt.copyIn(b);
          const pc = rt.copyIn(c0);
          const lda = transA ? m : k;
          const ldb = transB ? k : n;
          rt.gemm({ c: pc, ldc: n, a: pa, lda, transA, b: pb, ldb, transB, m, k, n, accumulate: true });
          const packed = rt.packB(pb, ldb, transB, k, n);
          const pc2 = rt.allocF32(m * n);
          rt.gemmPacked({ c: pc2, ldc: n, a: pa, lda, transA, b: packed, m, accumulate: false });
          return [rt.f32(pc, m * n).slice(), rt.f32(pc2, m * n).slice()];
        }),
      );
      assert.deepEqual(results[1]![0], results[0]![0], `gemm ${m}×${k}×${n}`);
      assert.deepEqual(results[1]![1], results[0]![1], `packed gemm ${m}×${k}×${n}`);
    }
    const expected = shapes.reduce((sum, [m, k, n]) => sum + 2 * blocks(m, k, n), 0);
    assert.equal(many.chunksOnWorkers, expected, 'workers ran every block');
  } finally {
    many.stopThreads();
  }
});

test('gemvParts cuts a row into ranges at multiples of 16 that cover it once', () => {
  for (const [n, parts] of [
    [2048, 2],
    [1000, 3],
    [17, 4],
    [16, 5],
    [5000, 7],
  ] as const) {
    const ranges = gemvParts(n, parts);
    assert.ok(ranges.length >= 1 && ranges.length <= parts);
    let next = 0;
    for (const [j0, j1] of ranges) {
      assert.equal(j0, next);
      assert.equal(j0 % 16, 0);
      assert.ok(j1 > j0);
      next = j1;
    }
    assert.equal(next, n);
  }
});

test('single-row products give the same bits on 1 and on 3 threads (workers running every part)', { skip }, () => {
  const one = new WasmRuntime({ threads: 1 });
  const many = new WasmRuntime({ threads: 3, callerWorks: false });
  try {
    assert.equal(many.startThreads(), 3, 'three threads start');
    for (const [k, n, transB] of [
      [512, 2048, true],
      [512, 2048, false],
      [1023, 701, true],
      [301, 1500, false],
      [64, 4100, true],
    ] as const) {
      const x = randomArray(k);
      const b = randomArray(k * n);
      const y0 = randomArray(n);
      const before = many.chunksOnWorkers;
      const results = [one, many].map((rt) =>
        rt.scope(() => {
          const px = rt.copyIn(x);
          const pb = rt.copyIn(b);
          const py = rt.copyIn(y0);
          rt.gemv(py, px, pb, transB ? k : n, transB, k, n, true);
          return rt.f32(py, n).slice();
        }),
      );
      assert.deepEqual(results[1], results[0], `gemv ${transB ? 'Bᵀ' : 'B'} k=${k} n=${n}`);
      assert.ok(many.chunksOnWorkers > before, `workers ran parts (k=${k} n=${n})`);
    }
  } finally {
    many.stopThreads();
  }
});

test('thousands of back-to-back threaded products, with or without the caller working, never stall and always agree', { skip, timeout: 120_000 }, () => {
  const [m, k, n] = [64, 128, 128]; // 2^20 multiply-adds: just large enough to be split
  for (const callerWorks of [true, false]) {
    const one = new WasmRuntime({ threads: 1 });
    const many = new WasmRuntime({ threads: 3, callerWorks, contentionBackoff: false });
    try {
      many.startThreads();
      const a = randomArray(m * k);
      const b = randomArray(k * n);
      const [expected, actual] = [one, many].map((rt) => {
        const pa = rt.copyIn(a);
        const pb = rt.copyIn(b);
        return { rt, pa, pb, pc: rt.allocF32(m * n) };
      });
      expected!.rt.gemm({
        c: expected!.pc,
        ldc: n,
        a: expected!.pa,
        lda: k,
        transA: false,
        b: expected!.pb,
        ldb: n,
        transB: false,
        m,
        k,
        n,
        accumulate: false,
      });
      const want = expected!.rt.f32(expected!.pc, m * n).slice();
      for (let i = 0; i < 2000; i++) {
        const { rt, pa, pb, pc } = actual!;
        rt.gemm({ c: pc, ldc: n, a: pa, lda: k, transA: false, b: pb, ldb: n, transB: false, m, k, n, accumulate: false });
        if (i % 97 === 0) assert.deepEqual(rt.f32(pc, m * n), want, `iteration ${i}`);
      }
      assert.deepEqual(actual!.rt.f32(actual!.pc, m * n), want);
      if (!callerWorks) assert.equal(many.chunksOnWorkers, blocks(m, k, n) * 2000);
    } finally {
      many.stopThreads();
    }
  }
});

test('parallel runs every chunk of a kernel once, on the workers too', { skip }, () => {
  const rt = new WasmRuntime({ threads: 3, contentionBackoff: false });
  try {
    rt.startThreads();
    const rows = 64;
    const cols = 1000;
    const x = randomArray(rows * cols);
    rt.scope(() => {
      const p = rt.copyIn(x);
      const out = rt.allocF32(rows * cols);
      const chunks = Array.from({ length: rows / 4 }, (_, i) => [out + i * 4 * cols * 4, p + i * 4 * cols * 4, 4 * cols]);
      rt.parallel('tanh_f32', chunks, rows * cols);
      const whole = rt.allocF32(rows * cols);
      rt.kernels.tanh_f32(whole, p, rows * cols);
      assert.deepEqual(rt.f32(out, rows * cols), rt.f32(whole, rows * cols));
    });
  } finally {
    rt.stopThreads();
  }
});

test('setNumThreads and getNumThreads', () => {
  const before = getNumThreads();
  assert.ok(Number.isInteger(before) && before >= 1);
  try {
    setNumThreads(1);
    assert.equal(getNumThreads(), 1);
    setNumThreads(3);
    assert.equal(getNumThreads(), 3);
    assert.throws(() => setNumThreads(0), ValueError);
    assert.throws(() => setNumThreads(1.5), ValueError);
  } finally {
    setNumThreads(before);
  }
});

test('RECURRENT_NUM_THREADS sets the default, and threads never keep the process alive', { skip }, () => {
  const script = `
    import { getNumThreads, matmul, randn } from './src/index.js';
    import { wasmRuntime } from './src/backend/wasm/runtime.js';
    const rt = wasmRuntime();
    const started = rt.startThreads();
    matmul(randn([256, 256]), randn([256, 256]));
    console.log(getNumThreads(), rt.threads, started);
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, RECURRENT_NUM_THREADS: '3', RECURRENT_BACKEND: 'wasm' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, `child exited with ${child.status} (signal ${child.signal}): ${child.stderr}`);
  assert.equal(child.stdout.trim(), '3 3 3');
});

test('unitRanges cuts the hidden units into aligned ranges covering them once', () => {
  for (const [H, parts] of [
    [256, 2],
    [64, 3],
    [16, 8],
    [520, 4],
  ] as const) {
    const ranges = unitRanges(H, parts);
    assert.ok(ranges.length >= 1 && ranges.length <= parts);
    let next = 0;
    for (const [u0, u1] of ranges) {
      assert.equal(u0, next);
      assert.equal(u0 % 8, 0);
      assert.ok(u1 > u0);
      next = u1;
    }
    assert.equal(next, H);
  }
});

test('the LSTM forward and backward split by hidden units equal the one-thread kernels bitwise, packed, reversed and with peepholes', { skip }, () => {
  const one = makeWasmBackend(new WasmRuntime({ threads: 1 }));
  // The caller only hands unit ranges out, so that the worker runs every one of them.
  const rt = new WasmRuntime({ threads: 2, callerWorks: false });
  assert.equal(rt.startThreads(), 2, 'two threads start');
  const two = makeWasmBackend(rt);
  const B = 64;
  const H = 64;
  for (const [sizes, reverse, peepholes] of [
    [[64, 64, 64, 64, 64], false, false],
    [[64, 64, 50, 40, 40, 9], false, true],
    [[64, 60, 33, 33, 2], true, false],
  ] as const) {
    const batchSizes = Int32Array.from(sizes);
    const N = sizes.reduce((s, x) => s + x, 0);
    const layout = { batch: B, hiddenSize: H, batchSizes, reverse };
    const inputs = {
      xProj: randomArray(N * 4 * H),
      h0: randomArray(B * H),
      c0: randomArray(B * H),
      wHH: randomArray(4 * H * H),
      bHH: randomArray(4 * H),
      peep: peepholes ? randomArray(3 * H) : null,
    };
    const forward = (backend: typeof one) => {
      const out = new Float32Array(N * H);
      const hN = new Float32Array(B * H);
      const cN = new Float32Array(B * H);
      const cache = { gates: new Float32Array(N * 4 * H), cells: new Float32Array(N * H), m: null };
      backend.lstmForward({ ...layout, ...inputs, wHR: null, out, hN, cN, cache });
      return { out, hN, cN, cache };
    };
    const upstream = { dOut: randomArray(N * H), dHN: randomArray(B * H), dCN: randomArray(B * H) };
    const backward = (backend: typeof one, f: ReturnType<typeof forward>): Float32Array[] => {
      const grads = {
        dXProj: new Float32Array(N * 4 * H),
        dH0: new Float32Array(B * H),
        dC0: new Float32Array(B * H),
        dWHH: new Float32Array(4 * H * H),
        dBHH: new Float32Array(4 * H),
        dWHR: null,
        dPeep: peepholes ? new Float32Array(3 * H) : null,
      };
      backend.lstmBackward({ ...layout, ...inputs, wHR: null, out: f.out, cN: f.cN, cache: f.cache, ...upstream, ...grads });
      return [grads.dXProj, grads.dH0, grads.dC0, grads.dWHH, grads.dBHH, grads.dPeep ?? new Float32Array(0)];
    };
    const before = rt.chunksOnWorkers;
    const expected = forward(one);
    const actual = forward(two);
    const label = `batchSizes [${sizes.join(', ')}]${reverse ? ', reversed' : ''}${peepholes ? ', peepholes' : ''}`;
    for (const name of ['out', 'hN', 'cN'] as const) assert.deepEqual(actual[name], expected[name], `${name}, ${label}`);
    assert.deepEqual(actual.cache.gates, expected.cache.gates, `gates, ${label}`);
    assert.deepEqual(actual.cache.cells, expected.cache.cells, `cells, ${label}`);
    const afterForward = rt.chunksOnWorkers;
    assert.ok(afterForward > before, `the worker ran forward unit ranges (${label})`);
    const expectedGrads = backward(one, expected);
    const actualGrads = backward(two, expected);
    ['dXProj', 'dH0', 'dC0', 'dWHH', 'dBHH', 'dPeep'].forEach((name, i) => assert.deepEqual(actualGrads[i], expectedGrads[i], `${name}, ${label}`));
    assert.ok(rt.chunksOnWorkers > afterForward, `the worker ran backward unit ranges (${label})`);
  }
  rt.stopThreads();
});

test('the reset-after GRU forward and backward split by hidden units equal the one-thread kernels bitwise, packed and reversed', { skip }, () => {
  const one = makeWasmBackend(new WasmRuntime({ threads: 1 }));
  const rt = new WasmRuntime({ threads: 2, callerWorks: false });
  assert.equal(rt.startThreads(), 2, 'two threads start');
  const two = makeWasmBackend(rt);
  const B = 64;
  const H = 80;
  for (const [sizes, reverse] of [
    [[64, 64, 64, 64], false],
    [[64, 64, 50, 40, 40, 9], false],
    [[64, 60, 33, 33, 2], true],
  ] as const) {
    const batchSizes = Int32Array.from(sizes);
    const N = sizes.reduce((s, x) => s + x, 0);
    const layout = { batch: B, hiddenSize: H, batchSizes, reverse };
    const inputs = { xProj: randomArray(N * 3 * H), h0: randomArray(B * H), wHH: randomArray(3 * H * H), bHH: randomArray(3 * H) };
    const forward = (backend: typeof one) => {
      const out = new Float32Array(N * H);
      const hN = new Float32Array(B * H);
      const cache = { gates: new Float32Array(N * 3 * H), hn: new Float32Array(N * H) };
      backend.gruForward({ ...layout, ...inputs, out, hN, cache, resetAfter: true });
      return { out, hN, cache };
    };
    const upstream = { dOut: randomArray(N * H), dHN: randomArray(B * H) };
    const backward = (backend: typeof one, f: ReturnType<typeof forward>): Float32Array[] => {
      const grads = { dXProj: new Float32Array(N * 3 * H), dH0: new Float32Array(B * H), dWHH: new Float32Array(3 * H * H), dBHH: new Float32Array(3 * H) };
      backend.gruBackward({ ...layout, ...inputs, out: f.out, cache: f.cache, resetAfter: true, ...upstream, ...grads });
      return [grads.dXProj, grads.dH0, grads.dWHH, grads.dBHH];
    };
    const before = rt.chunksOnWorkers;
    const expected = forward(one);
    const actual = forward(two);
    const label = `batchSizes [${sizes.join(', ')}]${reverse ? ', reversed' : ''}`;
    for (const name of ['out', 'hN'] as const) assert.deepEqual(actual[name], expected[name], `${name}, ${label}`);
    assert.deepEqual(actual.cache.gates, expected.cache.gates, `gates, ${label}`);
    assert.deepEqual(actual.cache.hn, expected.cache.hn, `hn, ${label}`);
    const afterForward = rt.chunksOnWorkers;
    assert.ok(afterForward > before, `the worker ran forward unit ranges (${label})`);
    const expectedGrads = backward(one, expected);
    const actualGrads = backward(two, expected);
    ['dXProj', 'dH0', 'dWHH', 'dBHH'].forEach((name, i) => assert.deepEqual(actualGrads[i], expectedGrads[i], `${name}, ${label}`));
    assert.ok(rt.chunksOnWorkers > afterForward, `the worker ran backward unit ranges (${label})`);
  }
  rt.stopThreads();
});
