import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, packPaddedSequence, packSequence, tensor, unpackSequence, unpadSequence, zeros } from '../../src/index.js';
import { distinctSequences, paddedOf } from './helpers.js';

test('unpadSequence splits a padded batch, both layouts', () => {
  const batchFirst = tensor([
    [1, 2, 3],
    [4, 5, 0],
  ]);
  assert.deepEqual(
    unpadSequence(batchFirst, [3, 2], { batchFirst: true }).map((s) => s.toArray()),
    [
      [1, 2, 3],
      [4, 5],
    ],
  );
  const timeMajor = tensor([
    [1, 4],
    [2, 5],
    [3, 0],
  ]);
  assert.deepEqual(
    unpadSequence(timeMajor, tensor([3, 2], { dtype: 'int32' })).map((s) => s.toArray()),
    [
      [1, 2, 3],
      [4, 5],
    ],
  );
  assert.deepEqual(timeMajor.shape, [3, 2]);
});

test('unpadSequence keeps feature axes and dtype and allows zero lengths', () => {
  const seqs = distinctSequences([2, 0, 3], [2, 1], 'int32');
  const out = unpadSequence(paddedOf(seqs, false, 0, 4), [2, 0, 3]);
  assert.deepEqual(
    out.map((s) => s.shape),
    [
      [2, 2, 1],
      [0, 2, 1],
      [3, 2, 1],
    ],
  );
  assert.deepEqual(
    out.map((s) => s.toArray()),
    seqs.map((s) => s.toArray()),
  );
  assert.ok(out.every((s) => s.dtype === 'int32'));
});

test('unpadSequence rejects lengths that do not fit the batch', () => {
  assert.throws(
    () => unpadSequence(zeros([3, 2]), [3]),
    (e: unknown) =>
      e instanceof ShapeError && e.message === 'unpadSequence: Expected `lengths.length` to be equal to batchSize, but got 1 (batchSize=2) for padded [3, 2]',
  );
  assert.throws(
    () => unpadSequence(zeros([3, 2]), [4, 1]),
    (e: unknown) => e instanceof ValueError && e.message === 'unpadSequence: lengths[0] = 4 is outside 0..3, the time axis of padded [3, 2]',
  );
  assert.throws(() => unpadSequence(zeros([3, 2]), [1, -1]), ValueError);
  assert.throws(() => unpadSequence(zeros([3]), [1]), ShapeError);
  assert.throws(() => unpadSequence(zeros([3, 2]), tensor([1, 1])), DTypeError);
});

test('unpackSequence returns the sequences in their original order', () => {
  const p = packSequence([tensor([1, 2]), tensor([3]), tensor([4, 5, 6])], { enforceSorted: false });
  assert.deepEqual(
    unpackSequence(p).map((s) => s.toArray()),
    [[1, 2], [3], [4, 5, 6]],
  );
  const q = packPaddedSequence(
    tensor([
      [1, 4],
      [2, 5],
      [3, 0],
    ]),
    [3, 2],
  );
  assert.deepEqual(
    unpackSequence(q).map((s) => s.toArray()),
    [
      [1, 2, 3],
      [4, 5],
    ],
  );
});

test('unpackSequence keeps feature axes', () => {
  const seqs = distinctSequences([1, 3, 2], [3], 'float32');
  const out = unpackSequence(packSequence(seqs, { enforceSorted: false }));
  assert.deepEqual(
    out.map((s) => s.toArray()),
    seqs.map((s) => s.toArray()),
  );
  assert.deepEqual(
    out.map((s) => s.shape),
    [
      [1, 3],
      [3, 3],
      [2, 3],
    ],
  );
});
