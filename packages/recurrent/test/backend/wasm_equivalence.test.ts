// The wasm backend against the reference backend, kernel by kernel, on random inputs of many
// shapes: odd sizes that exercise the SIMD tails and the gemm edge tiles, every transpose, leading
// dimensions wider than a row, accumulation and offsets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BinaryOp, Gemm, UnaryOp } from '../../src/backend/backend.js';
import { referenceBackend as ref } from '../../src/backend/reference/reference_backend.js';
import { WasmRuntime, type WasmRuntimeOptions } from '../../src/backend/wasm/runtime.js';
import { makeWasmBackend } from '../../src/backend/wasm/wasm_backend.js';
import { wasmFeatures } from '../../src/backend/wasm/features.js';
import { listBackends } from '../../src/index.js';

const U = 2 ** -24; // float32 unit roundoff

let seed = 12345;
function random(): number {
  // xorshift32: reproducible inputs.
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
function randomArray(n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (random() * 2 - 1) * scale;
  return a;
}

const features = wasmFeatures();
const skip = features.simd ? false : 'WebAssembly SIMD unavailable';

test('the wasm backend is registered where WebAssembly SIMD is available', { skip }, () => {
  assert.ok(listBackends().includes('wasm'));
});

/** Kernel builds to check: the default one, the plain SIMD one, and the unshared-memory one. */
const FLAVOURS: { name: string; options: WasmRuntimeOptions }[] = [
  { name: features.relaxedSimd ? 'relaxed SIMD (FMA)' : 'SIMD128', options: {} },
  ...(features.relaxedSimd ? [{ name: 'SIMD128 without FMA', options: { relaxedSimd: false } }] : []),
  { name: 'unshared memory', options: { shared: false } },
];

for (const flavour of FLAVOURS) {
  describe(`wasm kernels, ${flavour.name}`, { skip }, () => {
    const rt = features.simd ? new WasmRuntime({ ...flavour.options, threads: 1 }) : null;
    const wasm = rt ? makeWasmBackend(rt) : null;

    // --- gemm ------------------------------------------------------------------------------------

    interface GemmCase {
      m: number;
      k: number;
      n: number;
      transA: boolean;
      transB: boolean;
      accumulate: boolean;
      pad: number;
      offset: number;
    }

    function gemmCase(c: GemmCase): { g: Omit<Gemm, 'c'>; c0: Float32Array; absBound: Float64Array } {
      const { m, k, n, transA, transB, accumulate, pad, offset } = c;
      const lda = (transA ? m : k) + pad;
      const ldb = (transB ? k : n) + pad;
      const ldc = n + pad;
      const a = randomArray(offset + (transA ? k : m) * lda);
      const b = randomArray(offset + (transB ? n : k) * ldb);
      const c0 = randomArray(offset + m * ldc);
      const g = { cOffset: offset, ldc, a, aOffset: offset, lda, transA, b, bOffset: offset, ldb, transB, m, k, n, accumulate };
      // Rigorous float32 error bound of a k-term dot product: (k + 2)·u·Σ|a||b| (+ u·|c| when accumulating).
      const absBound = new Float64Array(offset + m * ldc);
      ref.gemm({ ...g, c: absBound, a: Float64Array.from(a, Math.abs), b: Float64Array.from(b, Math.abs), accumulate: false });
      for (let i = 0; i < absBound.length; i++) absBound[i] = (k + 2) * U * absBound[i]! + (accumulate ? 2 * U * Math.abs(c0[i]!) : 0) + 1e-30;
      return { g, c0, absBound };
    }

    function checkGemm(c: GemmCase): void {
      const { g, c0, absBound } = gemmCase(c);
      const expected = c0.slice();
      const actual = c0.slice();
      ref.gemm({ ...g, c: expected });
      wasm!.gemm({ ...g, c: actual });
      for (let i = 0; i < expected.length; i++) {
        const inBlock = i >= g.cOffset && (i - g.cOffset) % g.ldc < g.n && i - g.cOffset < g.m * g.ldc;
        if (!inBlock) {
          assert.equal(actual[i], c0[i], `gemm ${JSON.stringify(c)} wrote outside C at ${i}`);
          continue;
        }
        const err = Math.abs(actual[i]! - expected[i]!);
        if (!(err <= absBound[i]!)) assert.fail(`gemm ${JSON.stringify(c)}: element ${i} is ${actual[i]}, expected ${expected[i]} (bound ${absBound[i]})`);
      }
    }

    const SIZES = [1, 3, 17, 33, 130];

    test('gemm matches the reference for odd sizes, every transpose, padding, offsets and accumulation', { skip }, () => {
      let count = 0;
      for (const m of SIZES)
        for (const k of SIZES)
          for (const n of SIZES) {
            for (const transA of [false, true])
              for (const transB of [false, true]) {
                const accumulate = (m + k + n) % 2 === 0;
                const pad = (m * 7 + n) % 3;
                checkGemm({ m, k, n, transA, transB, accumulate, pad, offset: (k % 4) + 1 });
                count++;
              }
          }
      assert.equal(count, 500);
    });

    test('gemm matches the reference on recurrent-sized products and across KC blocks', { skip }, () => {
      for (const [m, k, n] of [
        [32, 256, 1024],
        [1, 300, 257],
        [64, 600, 40],
        [200, 70, 9],
        [5, 1024, 64],
      ] as const) {
        for (const transA of [false, true])
          for (const transB of [false, true]) {
            checkGemm({ m, k, n, transA, transB, accumulate: false, pad: 0, offset: 0 });
            checkGemm({ m, k, n, transA, transB, accumulate: true, pad: 5, offset: 3 });
          }
      }
    });

    test('gemm with k = 0 clears C, or leaves it when accumulating', { skip }, () => {
      for (const accumulate of [false, true]) {
        const c = randomArray(40 * 40);
        const before = c.slice();
        // Large enough in m·n to pass the small-product cut-off only through the k = 0 path itself.
        rt!.scope(() => {
          const p = rt!.copyIn(c);
          rt!.gemm({ c: p, ldc: 40, a: p, lda: 1, transA: false, b: p, ldb: 40, transB: false, m: 40, k: 0, n: 40, accumulate });
          rt!.copyOut(p, c);
        });
        assert.deepEqual(c, accumulate ? before : new Float32Array(40 * 40));
      }
    });

    test('float64 gemm runs the reference kernel exactly', { skip }, () => {
      const a = Float64Array.from(randomArray(40 * 50));
      const b = Float64Array.from(randomArray(50 * 30));
      const g = { cOffset: 0, ldc: 30, a, aOffset: 0, lda: 50, transA: false, b, bOffset: 0, ldb: 30, transB: false, m: 40, k: 50, n: 30, accumulate: false };
      const expected = new Float64Array(40 * 30);
      const actual = new Float64Array(40 * 30);
      ref.gemm({ ...g, c: expected });
      wasm!.gemm({ ...g, c: actual });
      assert.deepEqual(actual, expected);
    });

    test('a pre-packed B gives the same product as the unpacked one, bitwise', { skip }, () => {
      for (const [m, k, n, transA, transB] of [
        [1, 32, 128, false, true],
        [33, 257, 130, true, false],
        [64, 512, 300, false, true],
      ] as const) {
        rt!.scope(() => {
          const lda = transA ? m : k;
          const ldb = transB ? k : n;
          const a = rt!.copyIn(randomArray(m * k));
          const b = rt!.copyIn(randomArray(k * n));
          const c1 = rt!.allocF32(m * n);
          const c2 = rt!.allocF32(m * n);
          rt!.gemm({ c: c1, ldc: n, a, lda, transA, b, ldb, transB, m, k, n, accumulate: false });
          const packed = rt!.packB(b, ldb, transB, k, n);
          rt!.gemmPacked({ c: c2, ldc: n, a, lda, transA, b: packed, m, accumulate: false });
          assert.deepEqual(rt!.f32(c2, m * n), rt!.f32(c1, m * n), `packed ${m}×${k}×${n}`);
        });
      }
    });

    test('single-row products: gemv_n equals the gemm bitwise, gemv_t agrees within the dot-product bound', { skip }, () => {
      for (const k of [0, 1, 3, 17, 256, 257, 600])
        for (const n of [1, 5, 16, 17, 33, 130]) {
          for (const transB of [false, true])
            for (const accumulate of [false, true]) {
              const pad = (k + n) % 3;
              const ldb = (transB ? k : n) + pad;
              rt!.scope(() => {
                const xs = randomArray(Math.max(k, 1));
                const bs = randomArray((transB ? n : k) * ldb + 1);
                const c0 = randomArray(n);
                const x = rt!.copyIn(xs);
                const b = rt!.copyIn(bs);
                const viaGemm = rt!.copyIn(c0);
                const viaGemv = rt!.copyIn(c0);
                rt!.gemm({ c: viaGemm, ldc: n, a: x, lda: k, transA: false, b, ldb, transB, m: 1, k, n, accumulate });
                (transB ? rt!.kernels.gemv_t_f32 : rt!.kernels.gemv_n_f32)(viaGemv, x, b, ldb, k, n, accumulate ? 1 : 0);
                const expected = rt!.f32(viaGemm, n);
                const actual = rt!.f32(viaGemv, n);
                const label = `gemv ${transB ? 't' : 'n'} k=${k} n=${n} accumulate=${accumulate}`;
                if (!transB) {
                  assert.deepEqual(actual, expected, label);
                  return;
                }
                for (let j = 0; j < n; j++) {
                  let bound = accumulate ? 2 * U * Math.abs(c0[j]!) : 0;
                  for (let p = 0; p < k; p++) bound += (k + 2) * U * Math.abs(xs[p]! * bs[j * ldb + p]!);
                  assert.ok(Math.abs(actual[j]! - expected[j]!) <= 2 * bound + 1e-30, `${label}: element ${j} is ${actual[j]}, expected ${expected[j]}`);
                }
              });
            }
        }
    });

    test('resident arrays are used in place: operands read and the result written with no copy', { skip }, () => {
      const b = rt!.resident.f32(40 * 30);
      if (b === null) {
        assert.equal(rt!.shared, false, 'only an unshared memory may refuse resident arrays');
        return;
      }
      const c = rt!.resident.f32(7 * 30)!;
      assert.ok(rt!.owns(b) && rt!.owns(c));
      b.set(randomArray(40 * 30));
      const a = randomArray(7 * 40);
      const expected = new Float32Array(7 * 30);
      const g = { cOffset: 0, ldc: 30, a, aOffset: 0, lda: 40, transA: false, b, bOffset: 0, ldb: 30, transB: false, m: 7, k: 40, n: 30, accumulate: false };
      ref.gemm({ ...g, b: b.slice(), c: expected });
      wasm!.gemm({ ...g, c });
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(c[i]! - expected[i]!) <= 1e-5, `element ${i}`);
    });

    // --- elementwise -----------------------------------------------------------------------------

    /** Inputs with specials, and a dense sweep of ordinary values. */
    function unaryInput(op: UnaryOp, n: number): Float32Array {
      const specials = [
        0,
        -0,
        Infinity,
        -Infinity,
        NaN,
        1e-45,
        -1e-45,
        1e-40,
        3.4e38,
        -3.4e38,
        0.625,
        -0.625,
        0.6249999,
        88.7,
        89,
        -87.5,
        -103,
        -104,
        9,
        -9,
        20,
        -20,
        1,
        -1,
      ];
      const a = new Float32Array(n);
      const span = op === 'exp' ? 100 : op === 'log' || op === 'sqrt' || op === 'log1p' ? 50 : 25;
      for (let i = 0; i < n; i++) a[i] = i < specials.length ? specials[i]! : (random() * 2 - 1) * span * (i % 3 === 0 ? 0.01 : 1);
      if (op === 'log1p') for (let i = specials.length; i < n; i += 5) a[i] = (random() - 0.5) * 1e-6;
      return a;
    }

    function assertUlpClose(actual: Float32Array, expected: Float32Array, input: Float32Array, label: string, rtol: number): void {
      for (let i = 0; i < expected.length; i++) {
        const e = expected[i]!;
        const x = actual[i]!;
        if (Number.isNaN(e) || !Number.isFinite(e)) {
          assert.ok(Object.is(x, e) || (Number.isNaN(e) && Number.isNaN(x)), `${label}(${input[i]}): got ${x}, expected ${e}`);
          continue;
        }
        // Results in the denormal range carry fewer significant bits.
        const err = Math.abs(x - e);
        if (!(err <= rtol * Math.abs(e) + 1e-38)) assert.fail(`${label}(${input[i]}): got ${x}, expected ${e} (relative error ${err / Math.abs(e)})`);
      }
    }

    const UNARY: UnaryOp[] = ['exp', 'log', 'log1p', 'tanh', 'sigmoid', 'relu', 'neg', 'abs', 'sqrt'];

    test('unary ops match Math.* within 1e-6 relative, specials included, for lengths with every tail', { skip }, () => {
      for (const op of UNARY) {
        for (const n of [1024, 1025, 1026, 1027, 5003]) {
          const a = unaryInput(op, n);
          const expected = new Float32Array(n);
          const actual = new Float32Array(n);
          ref.unary(op, expected, a);
          wasm!.unary(op, actual, a);
          assertUlpClose(actual, expected, a, op, ['relu', 'neg', 'abs', 'sqrt'].includes(op) ? 0 : 1e-6);
        }
      }
    });

    test('tanh and sigmoid kernels: max relative error ≤ 1e-6 over a dense sweep, no NaN for large |x|', { skip }, () => {
      const n = 200_001;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = -30 + (60 * i) / (n - 1);
      x[0] = -1e30;
      x[n - 1] = 1e30;
      rt!.scope(() => {
        const p = rt!.copyIn(x);
        const t = rt!.allocF32(n);
        const s = rt!.allocF32(n);
        rt!.kernels.tanh_f32(t, p, n);
        rt!.kernels.sigmoid_f32(s, p, n);
        const expectedT = Float32Array.from(x, Math.tanh);
        const expectedS = Float32Array.from(x, (v) => 1 / (1 + Math.exp(-v)));
        assertUlpClose(rt!.f32(t, n), expectedT, x, 'tanh_f32', 1e-6);
        assertUlpClose(rt!.f32(s, n), expectedS, x, 'sigmoid_f32', 1e-6);
      });
    });

    const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div'];

    test('binary add/sub/mul/div on contiguous and scalar operands equal the reference bitwise', { skip }, () => {
      for (const op of BINARY) {
        for (const shape of [[1031], [33, 65], [4, 17, 19]]) {
          const size = shape.reduce((x, y) => x * y, 1);
          const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
          const zeros = shape.map(() => 0);
          const a = randomArray(size, 10);
          const b = randomArray(size, 10);
          const s = randomArray(1, 10);
          for (const [x, xs, y, ys] of [
            [a, strides, b, strides],
            [a, strides, s, zeros],
            [s, zeros, b, strides],
          ] as const) {
            const expected = new Float32Array(size);
            const actual = new Float32Array(size);
            ref.binary(op, expected, x, xs, y, ys, shape);
            wasm!.binary(op, actual, x, xs, y, ys, shape);
            assert.deepEqual(actual, expected, `${op} ${shape}`);
          }
        }
      }
    });

    test('binary ops on a row broadcast over leading axes equal the reference bitwise', { skip }, () => {
      for (const op of BINARY) {
        for (const [shape, rowShape] of [
          [[64, 40], [40]],
          [
            [5, 7, 33],
            [7, 33],
          ],
          [[3, 9, 41], [41]],
        ] as const) {
          const size = shape.reduce((x, y) => x * y, 1);
          const len = rowShape.reduce((x, y) => x * y, 1);
          const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
          const rowStrides = strides.map((s, i) => (i < shape.length - rowShape.length ? 0 : s));
          const a = randomArray(size, 10);
          const row = randomArray(len, 10);
          for (const rowFirst of [false, true]) {
            const expected = new Float32Array(size);
            const actual = new Float32Array(size);
            if (rowFirst) {
              ref.binary(op, expected, row, rowStrides, a, strides, shape);
              wasm!.binary(op, actual, row, rowStrides, a, strides, shape);
            } else {
              ref.binary(op, expected, a, strides, row, rowStrides, shape);
              wasm!.binary(op, actual, a, strides, row, rowStrides, shape);
            }
            assert.deepEqual(actual, expected, `${op} ${shape} by ${rowShape}${rowFirst ? ' (row first)' : ''}`);
          }
        }
      }
    });

    test('binary ops on column broadcasts and non-float32 arrays fall back to the reference', { skip }, () => {
      const shape = [64, 40];
      const a = randomArray(64 * 40);
      const col = randomArray(64);
      const expected = new Float32Array(64 * 40);
      const actual = new Float32Array(64 * 40);
      ref.binary('sub', expected, a, [40, 1], col, [1, 0], shape);
      wasm!.binary('sub', actual, a, [40, 1], col, [1, 0], shape);
      assert.deepEqual(actual, expected);
      const i1 = Int32Array.from({ length: 2048 }, (_, i) => i);
      const iOut = new Int32Array(2048);
      wasm!.binary('mul', iOut, i1, [1], i1, [1], [2048]);
      assert.equal(iOut[2047], 2047 * 2047);
    });

    // --- reductions ------------------------------------------------------------------------------

    test('sum reductions match the reference (float64 accumulation) over rows and middle axes', { skip }, () => {
      for (const [outer, len, inner] of [
        [1, 5000, 1],
        [37, 129, 1],
        [3, 400, 17],
        [2, 33, 130],
        [1, 1024, 4],
      ] as const) {
        const a = randomArray(outer * len * inner, 5);
        const expected = new Float32Array(outer * inner);
        const actual = new Float32Array(outer * inner);
        ref.reduce('sum', expected, a, outer, len, inner);
        wasm!.reduce('sum', actual, a, outer, len, inner);
        for (let i = 0; i < expected.length; i++) {
          assert.ok(
            Math.abs(actual[i]! - expected[i]!) <= 2 * U * Math.abs(expected[i]!) + 1e-9 * len,
            `sum (${outer}, ${len}, ${inner}) at ${i}: ${actual[i]} vs ${expected[i]}`,
          );
        }
      }
    });

    test('row gathers and scatter-adds (embedding lookups and gradients) equal the reference bitwise', { skip }, () => {
      // [outer, len, inner, n]: an embedding table, repeated rows, odd widths, several outer blocks.
      for (const [outer, len, inner, n] of [
        [1, 80, 64, 6400],
        [1, 7, 33, 500],
        [3, 50, 5, 300],
        [2, 1000, 16, 200],
        [1, 4, 1, 2048],
      ] as const) {
        const src = randomArray(outer * len * inner);
        const index = Int32Array.from({ length: n }, () => Math.floor(random() * len));
        const expected = new Float32Array(outer * n * inner);
        const actual = new Float32Array(outer * n * inner);
        ref.indexSelect(expected, src, index, outer, len, inner);
        wasm!.indexSelect(actual, src, index, outer, len, inner);
        assert.deepEqual(actual, expected, `indexSelect (${outer}, ${len}, ${inner}) × ${n}`);
        const rows = randomArray(outer * n * inner);
        const dst0 = randomArray(outer * len * inner);
        const sumExpected = dst0.slice();
        const sumActual = dst0.slice();
        ref.indexAdd(sumExpected, index, rows, outer, len, inner);
        wasm!.indexAdd(sumActual, index, rows, outer, len, inner);
        assert.deepEqual(sumActual, sumExpected, `indexAdd (${outer}, ${len}, ${inner}) × ${n}`);
      }
    });

    test('row gathers from a resident table read it in place, even when it is large', { skip }, () => {
      const [len, inner, n] = [1000, 16, 100];
      const table = rt!.resident.f32(len * inner);
      if (table === null) return; // an unshared memory keeps parameters in plain arrays
      table.set(randomArray(len * inner));
      const index = Int32Array.from({ length: n }, (_, i) => (i * 37) % len);
      const expected = new Float32Array(n * inner);
      const actual = new Float32Array(n * inner);
      ref.indexSelect(expected, table, index, 1, len, inner);
      // Spies: the wasm path allocates (the positions, the rows) but copies nothing in.
      const copyIn = rt!.copyIn.bind(rt!);
      const alloc = rt!.alloc.bind(rt!);
      let copies = 0;
      let allocs = 0;
      rt!.copyIn = (x) => {
        copies++;
        return copyIn(x);
      };
      rt!.alloc = (bytes) => {
        allocs++;
        return alloc(bytes);
      };
      try {
        wasm!.indexSelect(actual, table, index, 1, len, inner);
      } finally {
        rt!.copyIn = copyIn;
        rt!.alloc = alloc;
      }
      assert.deepEqual(actual, expected);
      assert.ok(allocs > 0, 'the wasm kernel ran');
      assert.equal(copies, 0, 'the table was not copied');
    });

    test('softmax, log-softmax and log-sum-exp along the last axis match the reference', { skip }, () => {
      for (const [rows, len] of [
        [1, 1024],
        [33, 130],
        [7, 1027],
        [300, 5],
      ] as const) {
        const a = randomArray(rows * len, 30);
        a[3] = -Infinity;
        if (rows > 2) for (let j = 0; j < len; j++) a[2 * len + j] = -Infinity; // an all −∞ row
        for (const log of [false, true]) {
          const expected = new Float32Array(rows * len);
          const actual = new Float32Array(rows * len);
          ref.softmax(expected, a, rows, len, 1, log);
          wasm!.softmax(actual, a, rows, len, 1, log);
          for (let i = 0; i < expected.length; i++) {
            const e = expected[i]!;
            const x = actual[i]!;
            if (!Number.isFinite(e)) {
              assert.ok(Object.is(x, e) || (Number.isNaN(e) && Number.isNaN(x)), `softmax special at ${i}: ${x} vs ${e}`);
              continue;
            }
            let rowMax = -Infinity;
            const r = Math.floor(i / len);
            for (let j = 0; j < len; j++) rowMax = Math.max(rowMax, a[r * len + j]!);
            // exp of a float32 argument x − max carries a relative error of about |x − max|·u, plus a few
            // ulp from the polynomial and the normalisation; log-softmax is a float64 difference, rounded.
            const bound = log ? 8 * U * (Math.abs(e) + Math.abs(rowMax) + 1) : (Math.abs(a[i]! - rowMax) + 8) * U * Math.abs(e) + 1e-38;
            assert.ok(x === e || Math.abs(x - e) <= bound, `${log ? 'logSoftmax' : 'softmax'} row ${r} at ${i}: ${x} vs ${e}`);
          }
        }
        const expected = new Float32Array(rows);
        const actual = new Float32Array(rows);
        ref.logSumExp(expected, a, rows, len, 1);
        wasm!.logSumExp(actual, a, rows, len, 1);
        assertUlpClose(actual, expected, a, 'logSumExp', 1e-6);
      }
    });

    // --- kernels for the fused recurrent ops ------------------------------------------------------

    test('add_bias_rows and sum_rows match plain loops', { skip }, () => {
      for (const [rows, cols] of [
        [1, 1],
        [3, 17],
        [33, 130],
        [64, 1024],
      ] as const) {
        const x = randomArray(rows * cols);
        const bias = randomArray(cols);
        const withBias = x.map((v, i) => v + bias[i % cols]!);
        const sums = new Float32Array(cols);
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) sums[j]! += x[r * cols + j]!;
        rt!.scope(() => {
          const px = rt!.copyIn(x);
          const pb = rt!.copyIn(bias);
          const ps = rt!.allocF32(cols);
          rt!.kernels.sum_rows(ps, px, rows, cols);
          assert.deepEqual(rt!.f32(ps, cols), sums);
          rt!.kernels.add_bias_rows(px, pb, rows, cols);
          assert.deepEqual(rt!.f32(px, rows * cols), withBias);
        });
      }
    });
  });
}
