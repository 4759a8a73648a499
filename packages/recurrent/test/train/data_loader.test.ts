import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataLoader, ValueError, bucketBatches, getRngState, manualSeed, padCollate, rand } from '../../src/index.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const epoch = <B>(loader: DataLoader<number, B>): B[] => [...loader];
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

test('without shuffle, batches follow the dataset order; the last batch may be short', () => {
  const loader = new DataLoader([10, 11, 12, 13, 14], { batchSize: 2 });
  assert.equal(loader.length, 3);
  assert.deepEqual(epoch(loader), [[10, 11], [12, 13], [14]]);
  assert.deepEqual(epoch(loader), [[10, 11], [12, 13], [14]]);
  assert.equal(loader.epoch, 2);
});

test('the defaults give batches of one item', () => {
  const loader = new DataLoader(['a', 'b']);
  assert.equal(loader.length, 2);
  assert.deepEqual([...loader], [['a'], ['b']]);
});

test('dropLast drops the short last batch and counts it out of length', () => {
  const loader = new DataLoader(range(7), { batchSize: 3, dropLast: true });
  assert.equal(loader.length, 2);
  assert.deepEqual(epoch(loader), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  const exact = new DataLoader(range(6), { batchSize: 3, dropLast: true });
  assert.equal(exact.length, 2);
  assert.equal(new DataLoader([], { batchSize: 3 }).length, 0);
  assert.deepEqual([...new DataLoader([], { batchSize: 3 })], []);
});

test('shuffled epochs cover the dataset exactly once, in batches of batchSize', () => {
  const loader = new DataLoader(range(23), { batchSize: 5, shuffle: true, seed: 3 });
  for (let e = 0; e < 3; e++) {
    const batches = epoch(loader);
    assert.deepEqual(
      batches.map((b) => b.length),
      [5, 5, 5, 5, 3],
    );
    assert.deepEqual(sorted(batches.flat()), range(23));
  }
});

test('a seed makes shuffling reproducible, differs between epochs, and ignores the global generator', () => {
  const make = (): DataLoader<number> => new DataLoader(range(20), { batchSize: 4, shuffle: true, seed: 42 });
  const a = make();
  const b = make();
  const a0 = epoch(a).flat();
  rand([100]); // consuming global randomness in between changes nothing
  const b0 = epoch(b).flat();
  assert.deepEqual(a0, b0);
  const a1 = epoch(a).flat();
  assert.notDeepEqual(a1, a0);
  assert.deepEqual(epoch(b).flat(), a1);
  assert.notDeepEqual(a0, range(20));
  const before = getRngState();
  epoch(make());
  assert.deepEqual(getRngState(), before, 'a seeded loader leaves the global generator alone');
});

test('epoch k of a seeded loader is the first epoch of a loader seeded with seed + k; setEpoch resumes', () => {
  const a = new DataLoader(range(12), { batchSize: 3, shuffle: true, seed: 5 });
  epoch(a);
  const second = epoch(a);
  assert.deepEqual(second, epoch(new DataLoader(range(12), { batchSize: 3, shuffle: true, seed: 6 })));
  const resumed = new DataLoader(range(12), { batchSize: 3, shuffle: true, seed: 5 });
  resumed.setEpoch(1);
  assert.deepEqual(epoch(resumed), second);
  assert.throws(() => resumed.setEpoch(-1), /epoch must be a non-negative integer/);
});

test('without a seed, shuffling draws from the global generator: manualSeed reproduces it', () => {
  manualSeed(7);
  const first = new DataLoader(range(16), { batchSize: 4, shuffle: true });
  const run1 = [epoch(first), epoch(first)];
  manualSeed(7);
  const second = new DataLoader(range(16), { batchSize: 4, shuffle: true });
  const run2 = [epoch(second), epoch(second)];
  assert.deepEqual(run1, run2);
  assert.notDeepEqual(run1[0], run1[1]);
  manualSeed(8);
  assert.notDeepEqual(epoch(new DataLoader(range(16), { batchSize: 4, shuffle: true })), run1[0]);
});

test('peekIndices shows the next epoch, and the iteration uses the same batches', () => {
  manualSeed(1);
  const loader = new DataLoader(range(10), { batchSize: 4, shuffle: true });
  const peek = loader.peekIndices();
  assert.deepEqual(epoch(loader), peek);
  assert.equal(loader.epoch, 1);
});

test('collate turns the items of a batch into the batch', () => {
  const loader = new DataLoader([[1, 2], [3], [4, 5, 6]], { batchSize: 2, collate: (items) => items.map((s) => s.length) });
  assert.deepEqual([...loader], [[2, 1], [3]]);
});

test('a fixed batchSampler gives the batches; a function of the epoch is called once per epoch', () => {
  const data = ['a', 'b', 'c', 'd'];
  const fixed = new DataLoader(data, { batchSampler: [[3, 0], [1], [2]] });
  assert.equal(fixed.length, 3);
  assert.deepEqual([...fixed], [['d', 'a'], ['b'], ['c']]);
  const calls: number[] = [];
  const perEpoch = new DataLoader(data, {
    batchSampler: (e) => {
      calls.push(e);
      return e === 0 ? [[0, 1, 2, 3]] : [[e % 4]];
    },
  });
  assert.equal(perEpoch.length, 1);
  assert.deepEqual([...perEpoch], [['a', 'b', 'c', 'd']]);
  assert.deepEqual([...perEpoch], [['b']]);
  assert.deepEqual(calls, [0, 1]);
});

test('bucketBatches works as a batchSampler with padCollate', () => {
  const seqs = [[1], [1, 2, 3, 4, 5], [1, 2], [1, 2, 3, 4], [1, 2, 3], [1, 2, 3, 4, 5, 6]];
  const lengths = seqs.map((s) => s.length);
  const loader = new DataLoader(seqs, {
    batchSampler: (e) => bucketBatches(lengths, { batchSize: 2, seed: 11 + e }),
    collate: padCollate({ batchFirst: true }),
  });
  const batches = [...loader];
  assert.equal(batches.length, 3);
  const seen = batches.flatMap((b) => Array.from(b.lengths.data)).sort((x, y) => x - y);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
  for (const b of batches) {
    const [x, y] = Array.from(b.lengths.data);
    assert.equal(Math.abs(x! - y!), 1, 'sorted buckets pair neighbouring lengths');
    assert.deepEqual(b.input.shape, [2, Math.max(x!, y!)]);
  }
});

test('bad options and bad sampler indices are clear errors', () => {
  assert.throws(
    () => new DataLoader([1], { batchSize: 0 }),
    (e: unknown) => e instanceof ValueError && /batchSize must be a positive integer; got 0/.test(e.message),
  );
  assert.throws(() => new DataLoader([1], { seed: 1.5, shuffle: true }), /seed must be an integer; got 1.5/);
  assert.throws(() => new DataLoader({} as unknown as number[]), /dataset must be an array/);
  assert.throws(() => new DataLoader([1], { batchSampler: [[0]], batchSize: 2, shuffle: true }), /batchSampler is mutually exclusive with batchSize, shuffle/);
  const bad = new DataLoader([1, 2], { batchSampler: [[0, 2]] });
  assert.throws(() => [...bad], /batchSampler batch 0, position 1: 2 is not an index into the dataset \(2 items\)/);
});
