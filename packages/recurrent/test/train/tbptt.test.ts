import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toStreams, windowCount, windows } from '../../src/train/tbptt.js';

test('toStreams lays the corpus out as B contiguous streams, time-major', () => {
  const ids = Int32Array.from({ length: 11 }, (_, i) => i);
  const { streams, steps } = toStreams(ids, 2);
  assert.equal(steps, 5);
  // stream 0 = 0..4, stream 1 = 5..9; row t holds [stream0[t], stream1[t]]; the tail (10) is dropped
  assert.deepEqual(Array.from(streams), [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
  assert.throws(() => toStreams(ids, 6), /too few/);
});

test('windows cover every step once and targets are the next token of the same stream', () => {
  const ids = Int32Array.from({ length: 20 }, (_, i) => i);
  const { streams, steps } = toStreams(ids, 2); // steps = 10
  const all = [...windows(streams, steps, 2, 4)];
  assert.equal(all.length, windowCount(steps, 4));
  assert.deepEqual(
    all.map((w) => w.input.shape[0]),
    [4, 4, 1],
  );
  assert.deepEqual(Array.from(all[0]!.input.data), [0, 10, 1, 11, 2, 12, 3, 13]);
  assert.deepEqual(Array.from(all[0]!.target.data), [1, 11, 2, 12, 3, 13, 4, 14]);
  assert.deepEqual(Array.from(all[2]!.input.data), [8, 18]);
  assert.deepEqual(Array.from(all[2]!.target.data), [9, 19]);
});
