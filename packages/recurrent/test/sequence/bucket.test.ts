import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bucketBatches, getRngState, manualSeed, paddingFraction } from '../../src/index.js';

const RUNS = { numRuns: 60 };

/** Lengths from a wide (log-uniform, 1..1000) distribution, drawn by a small LCG from `seed`. */
function wideLengths(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.max(1, Math.round(Math.exp((s / 2 ** 32) * Math.log(1000))));
  });
}

/** Batches of consecutive indices of a random permutation: what batching without bucketing gives. */
function randomBatches(n: number, batchSize: number, seed: number): number[][] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = Math.floor((s / 2 ** 32) * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const batches: number[][] = [];
  for (let at = 0; at < n; at += batchSize) batches.push(order.slice(at, at + batchSize));
  return batches;
}

test('bucketBatches without shuffle sorts by decreasing length and cuts in order', () => {
  assert.deepEqual(bucketBatches([5, 1, 4, 2, 3, 6], { batchSize: 2, shuffle: false }), [
    [5, 0],
    [2, 4],
    [3, 1],
  ]);
  // two buckets of 3: [5, 1, 4] → [0, 2, 1]; [2, 3, 6] → [5, 4, 3]
  assert.deepEqual(bucketBatches([5, 1, 4, 2, 3, 6], { batchSize: 2, bucketSize: 3, shuffle: false }), [[0, 2], [1], [5, 4], [3]]);
  assert.deepEqual(bucketBatches([5, 1, 4, 2, 3, 6], { batchSize: 2, bucketSize: 3, shuffle: false, dropLast: true }), [
    [0, 2],
    [5, 4],
  ]);
  assert.deepEqual(bucketBatches([], { batchSize: 4 }), []);
});

test('paddingFraction counts padded positions over all positions', () => {
  assert.equal(
    paddingFraction(
      [4, 2, 3, 3],
      [
        [0, 1],
        [2, 3],
      ],
    ),
    2 / 14,
  );
  assert.equal(paddingFraction([4, 2, 3, 3], [[0], [1], [2], [3]]), 0);
  assert.equal(paddingFraction([0, 0], [[0, 1]]), 0);
  assert.throws(() => paddingFraction([1, 2], [[0, 2]]), /batches\[0\]\[1\] = 2 is not an index into lengths \(2\)/);
});

test('a seed makes bucketBatches reproducible without touching the global generator', () => {
  const lengths = wideLengths(200, 1);
  const before = getRngState();
  const a = bucketBatches(lengths, { batchSize: 8, seed: 3 });
  assert.deepEqual(getRngState(), before);
  assert.deepEqual(bucketBatches(lengths, { batchSize: 8, seed: 3 }), a);
  assert.notDeepEqual(bucketBatches(lengths, { batchSize: 8, seed: 4 }), a);
  manualSeed(9);
  const b = bucketBatches(lengths, { batchSize: 8 });
  manualSeed(9);
  assert.deepEqual(bucketBatches(lengths, { batchSize: 8 }), b);
  assert.notDeepEqual(getRngState(), before);
});

test('bad arguments are clear errors', () => {
  assert.throws(() => bucketBatches([1, 2], { batchSize: 0 }), /bucketBatches: batchSize must be a positive integer; got 0/);
  assert.throws(() => bucketBatches([1, 2], { batchSize: 4, bucketSize: 2 }), /bucketSize \(2\) must be at least batchSize \(4\)/);
  assert.throws(() => bucketBatches([1, -2], { batchSize: 1 }), /lengths\[1\] must be a non-negative integer; got -2/);
  assert.throws(() => bucketBatches([1, 2], { batchSize: 1, seed: 0.5 }), /seed must be an integer; got 0.5/);
});

test('property: every index appears exactly once, batches hold at most batchSize, sorted by decreasing length', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 120 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      fc.boolean(),
      (lengths, batchSize, bucketFactor, seed, shuffle) => {
        const batches = bucketBatches(lengths, { batchSize, bucketSize: batchSize * bucketFactor, seed, shuffle });
        const seen = batches.flat().sort((a, b) => a - b);
        assert.deepEqual(
          seen,
          lengths.map((_, i) => i),
        );
        for (const batch of batches) {
          assert.ok(batch.length >= 1 && batch.length <= batchSize);
          for (let j = 1; j < batch.length; j++) assert.ok(lengths[batch[j]!]! <= lengths[batch[j - 1]!]!);
        }
        const short = batches.filter((b) => b.length < batchSize).length;
        assert.ok(short <= Math.ceil(lengths.length / (batchSize * bucketFactor)), 'at most one short batch per bucket');
      },
    ),
    RUNS,
  );
});

test('property: with dropLast every batch is full and only short batches are dropped', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (lengths, batchSize, seed) => {
      const batches = bucketBatches(lengths, { batchSize, bucketSize: batchSize * 3, seed, dropLast: true });
      assert.ok(batches.every((b) => b.length === batchSize));
      assert.equal(new Set(batches.flat()).size, batches.length * batchSize);
      assert.ok(lengths.length - batches.length * batchSize <= Math.ceil(lengths.length / (batchSize * 3)) * (batchSize - 1));
    }),
    RUNS,
  );
});

test('property: bucketing wastes far less on padding than random batches for widely spread lengths', () => {
  fc.assert(
    fc.property(fc.integer({ min: 400, max: 800 }), fc.integer({ min: 4, max: 16 }), fc.integer(), fc.integer(), (n, batchSize, dataSeed, seed) => {
      const lengths = wideLengths(n, dataSeed);
      const random = paddingFraction(lengths, randomBatches(n, batchSize, seed));
      const bucketed = paddingFraction(lengths, bucketBatches(lengths, { batchSize, seed }));
      const smallBuckets = paddingFraction(lengths, bucketBatches(lengths, { batchSize, seed, bucketSize: batchSize * 4 }));
      assert.ok(random > 0.4, `random batches waste ${random}`);
      assert.ok(bucketed < 0.25 && bucketed < random / 3, `bucketed ${bucketed} vs random ${random}`);
      assert.ok(smallBuckets < 0.9 * random, `bucketSize 4·batchSize: ${smallBuckets} vs random ${random}`);
    }),
    { numRuns: 40 },
  );
});
