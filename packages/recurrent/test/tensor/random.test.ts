import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rand, randn, randint, manualSeed, getRngState, setRngState, ValueError } from '../../src/index.js';

function draws(): number[] {
  return [...rand([5], { dtype: 'float64' }).data, ...randn([5], { dtype: 'float64' }).data, ...randint(0, 1000, [5]).data];
}

test('manualSeed makes rand, randn and randint reproducible', () => {
  manualSeed(42);
  const a = draws();
  manualSeed(42);
  const b = draws();
  assert.deepEqual(a, b);
  // Without reseeding the generator moves on.
  const c = draws();
  assert.notDeepEqual(a, c);
});

test('different seeds give different sequences', () => {
  manualSeed(1);
  const a = draws();
  manualSeed(2);
  const b = draws();
  assert.notDeepEqual(a, b);
  // Every position differs for the continuous draws (a collision is vanishingly unlikely).
  for (let i = 0; i < 10; i++) assert.notEqual(a[i], b[i]);
});

test('seeds are taken modulo 2^32', () => {
  manualSeed(7);
  const a = draws();
  manualSeed(7 + 2 ** 32);
  assert.deepEqual(draws(), a);
});

test('a non-finite seed is a ValueError', () => {
  assert.throws(() => manualSeed(Number.NaN), ValueError);
  assert.throws(() => manualSeed(Number.POSITIVE_INFINITY), ValueError);
});

test('getRngState / setRngState restore a sequence exactly', () => {
  manualSeed(123);
  rand([17]);
  const saved = getRngState();
  assert.equal(saved.length, 4);
  for (const w of saved) assert.ok(Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
  const first = draws();
  const after = getRngState();
  assert.notDeepEqual(after, saved);
  setRngState(saved);
  assert.deepEqual(getRngState(), saved);
  assert.deepEqual(draws(), first);
  assert.deepEqual(getRngState(), after);
});

test('the state returned is a copy, not the live state', () => {
  manualSeed(5);
  const saved = getRngState();
  const copy = [...saved];
  rand([4]);
  assert.deepEqual(saved, copy);
});

test('setRngState rejects malformed states', () => {
  assert.throws(() => setRngState([1, 2, 3]), ValueError);
  assert.throws(() => setRngState([1, 2, 3, -1]), ValueError);
  assert.throws(() => setRngState([1, 2, 3, 2 ** 32]), ValueError);
  assert.throws(() => setRngState([1, 2, 3, 0.5]), ValueError);
});

test('100k standard normals have mean near 0 and std near 1', () => {
  manualSeed(2024);
  const x = randn([100_000], { dtype: 'float64' }).data;
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let ss = 0;
  let beyond3 = 0;
  for (const v of x) {
    ss += (v - mean) ** 2;
    if (Math.abs(v) > 3) beyond3++;
  }
  const std = Math.sqrt(ss / (x.length - 1));
  // Standard error of the mean is 1/sqrt(1e5) ≈ 0.0032; of the std ≈ 0.0022.
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.02, `std ${std}`);
  // P(|Z| > 3) ≈ 0.0027: about 270 of 100k.
  assert.ok(beyond3 > 170 && beyond3 < 380, `beyond 3 sigma: ${beyond3}`);
});

test('100k uniforms lie in [0, 1) with mean near 1/2 and variance near 1/12', () => {
  manualSeed(99);
  const x = rand([100_000], { dtype: 'float64' }).data;
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const bins = new Array<number>(10).fill(0);
  for (const v of x) {
    s += v;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    bins[Math.floor(v * 10)]!++;
  }
  assert.ok(lo >= 0 && hi < 1, `range [${lo}, ${hi}]`);
  const mean = s / x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(ss / x.length - 1 / 12) < 0.002, `variance ${ss / x.length}`);
  // Each tenth of the interval holds about 10k draws (sd ≈ 95).
  for (const b of bins) assert.ok(b > 9500 && b < 10500, `bin count ${b}`);
});

test('randint stays in [low, high) and hits every value', () => {
  manualSeed(11);
  const x = randint(-3, 4, [20_000]).data;
  const counts = new Map<number, number>();
  for (const v of x) {
    assert.ok(Number.isInteger(v) && v >= -3 && v < 4, `value ${v}`);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  assert.deepEqual(
    [...counts.keys()].sort((a, b) => a - b),
    [-3, -2, -1, 0, 1, 2, 3],
  );
  // About 20000/7 ≈ 2857 each.
  for (const c of counts.values()) assert.ok(c > 2600 && c < 3100, `count ${c}`);
});

test('randint over a single value always returns it', () => {
  const x = randint(5, 6, [50]).data;
  assert.ok(x.every((v) => v === 5));
});
