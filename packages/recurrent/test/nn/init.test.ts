// The initialisers in nn: their distributions (bounds, moments), orthogonality, dtypes and seeded determinism.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, manualSeed, nn, type Tensor, ValueError } from '../../src/index.js';

const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: ArrayLike<number>): number => {
  const m = mean(xs);
  return Array.from(xs).reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/** The largest |(AᵀA − I)ᵢⱼ| of a (rows, cols) matrix A with cols ≤ rows, or of AAᵀ otherwise. */
function orthonormalError(q: Tensor, gain = 1): number {
  const [rows, cols] = q.shape as [number, number];
  const tall = rows >= cols;
  const n = tall ? cols : rows;
  const at = (vector: number, k: number): number => q.data[tall ? k * cols + vector : vector * cols + k]! / gain;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < (tall ? rows : cols); k++) dot += at(i, k) * at(j, k);
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

test('orthogonal: QᵀQ = I for square and tall matrices, QQᵀ = I for wide ones', () => {
  manualSeed(1);
  for (const shape of [
    [16, 16],
    [24, 8],
    [8, 24],
    [1, 5],
    [5, 1],
  ] as [number, number][]) {
    const q = nn.orthogonal(shape, 1, 'float64');
    assert.deepEqual(q.shape, shape);
    assert.equal(q.dtype, 'float64');
    assert.ok(orthonormalError(q) < 1e-12, `${shape}: error ${orthonormalError(q)}`);
  }
  const f32 = nn.orthogonal([32, 32]);
  assert.equal(f32.dtype, 'float32');
  assert.ok(orthonormalError(f32) < 1e-5, `float32: error ${orthonormalError(f32)}`);
});

test('orthogonal scales by gain', () => {
  manualSeed(2);
  const q = nn.orthogonal([12, 6], 2.5, 'float64');
  assert.ok(orthonormalError(q, 2.5) < 1e-12);
  // Columns of norm 2.5, not 1.
  let norm = 0;
  for (let k = 0; k < 12; k++) norm += q.data[k * 6]! ** 2;
  assert.ok(Math.abs(Math.sqrt(norm) - 2.5) < 1e-12, `column norm ${Math.sqrt(norm)}`);
});

test('orthogonal is reproducible under manualSeed and differs across seeds', () => {
  manualSeed(7);
  const a = nn.orthogonal([6, 4]).toArray();
  manualSeed(7);
  const b = nn.orthogonal([6, 4]).toArray();
  manualSeed(8);
  const c = nn.orthogonal([6, 4]).toArray();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('xavierUniform: U(±gain·√(6 / (fanIn + fanOut))), with the variance bound²/3', () => {
  manualSeed(3);
  const [fanOut, fanIn] = [200, 100];
  for (const gain of [1, 5 / 3]) {
    const w = nn.xavierUniform([fanOut, fanIn], gain);
    const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
    assert.deepEqual(w.shape, [fanOut, fanIn]);
    assert.equal(w.dtype, 'float32');
    const values = Array.from(w.data);
    assert.ok(
      values.every((x) => Math.abs(x) <= bound),
      `a value outside ±${bound}`,
    );
    // 20,000 draws: the largest magnitude comes close to the bound, the moments match U(−b, b).
    assert.ok(Math.max(...values.map(Math.abs)) > 0.99 * bound);
    assert.ok(Math.abs(mean(values)) < 0.02 * bound, `mean ${mean(values)}`);
    const expected = bound ** 2 / 3;
    assert.ok(Math.abs(variance(values) / expected - 1) < 0.05, `variance ${variance(values)}, expected ${expected}`);
  }
});

test('xavierUniform defaults to gain 1, takes a dtype, and repeats under manualSeed', () => {
  manualSeed(4);
  const a = nn.xavierUniform([3, 5]);
  manualSeed(4);
  const b = nn.xavierUniform([3, 5], 1);
  assert.deepEqual(a.toArray(), b.toArray());
  const d = nn.xavierUniform([3, 5], 1, 'float64');
  assert.equal(d.dtype, 'float64');
  assert.ok(Array.from(d.data).every((x) => Math.abs(x) <= Math.sqrt(6 / 8)));
});

test('uniformInit and normalInit: bounds, moments, dtype and seeded determinism', () => {
  manualSeed(5);
  const u = nn.uniformInit([100, 100], 0.3);
  assert.deepEqual(u.shape, [100, 100]);
  assert.ok(Array.from(u.data).every((x) => Math.abs(x) <= 0.3));
  assert.ok(Math.abs(variance(u.data) / (0.3 ** 2 / 3) - 1) < 0.05, `variance ${variance(u.data)}`);
  const n = nn.normalInit([100, 100], 'float64');
  assert.equal(n.dtype, 'float64');
  assert.ok(Math.abs(mean(n.data)) < 0.05, `mean ${mean(n.data)}`);
  assert.ok(Math.abs(variance(n.data) - 1) < 0.05, `variance ${variance(n.data)}`);
  manualSeed(6);
  const first = [nn.uniformInit([4], 1).toArray(), nn.normalInit([4]).toArray()];
  manualSeed(6);
  assert.deepEqual([nn.uniformInit([4], 1).toArray(), nn.normalInit([4]).toArray()], first);
});

test('bad shapes, gains, bounds and integer dtypes are typed errors naming the initialiser and argument', () => {
  const fails = (run: () => unknown, kind: typeof ValueError | typeof DTypeError, message: string) =>
    assert.throws(run, (e: unknown) => e instanceof kind && e.message === message, message);
  fails(() => nn.orthogonal([-1, 3]), ValueError, 'orthogonal: shape must hold two non-negative integers; got [-1, 3]');
  fails(() => nn.orthogonal([2.5, 2]), ValueError, 'orthogonal: shape must hold two non-negative integers; got [2.5, 2]');
  fails(() => nn.orthogonal([3, 3], NaN), ValueError, 'orthogonal: gain must be a finite number; got NaN');
  fails(() => nn.orthogonal([3, 3], 1, 'int32'), DTypeError, 'orthogonal: dtype must be float32 or float64; got int32');
  fails(() => nn.xavierUniform([2, 2], -1), ValueError, 'xavierUniform: gain must be a finite number ≥ 0; got -1');
  fails(() => nn.xavierUniform([2, 2], 1, 'int32'), DTypeError, 'xavierUniform: dtype must be float32 or float64; got int32');
  fails(() => nn.uniformInit([2], -1), ValueError, 'uniformInit: bound must be a finite number ≥ 0; got -1');
  fails(() => nn.uniformInit([2], Infinity), ValueError, 'uniformInit: bound must be a finite number ≥ 0; got Infinity');
  fails(() => nn.uniformInit([2], 1, 'int32'), DTypeError, 'uniformInit: dtype must be float32 or float64; got int32');
  fails(() => nn.normalInit([2], 'int32'), DTypeError, 'normalInit: dtype must be float32 or float64; got int32');
  // A gain of 0 is allowed (all zeros), as in PyTorch; a negative orthogonal gain flips the signs.
  assert.ok(Array.from(nn.xavierUniform([2, 2], 0).data).every((x) => x === 0));
  assert.deepEqual(nn.xavierUniform([0, 0]).shape, [0, 0]);
  manualSeed(9);
  const q = nn.orthogonal([3, 3], 1, 'float64');
  manualSeed(9);
  assert.deepEqual(
    Array.from(nn.orthogonal([3, 3], -1, 'float64').data),
    Array.from(q.data, (x) => -x),
  );
});
