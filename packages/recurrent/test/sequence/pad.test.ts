import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DTypeError,
  IndexError,
  PackedSequence,
  ShapeError,
  Tensor,
  ValueError,
  packPaddedSequence,
  padPackedSequence,
  padSequence,
  tensor,
  zeros,
} from '../../src/index.js';
import { distinctSequences, paddedOf } from './helpers.js';

test('padPackedSequence inverts the torch docs example, time-major', () => {
  const p = packPaddedSequence(
    tensor([
      [1, 4],
      [2, 5],
      [3, 0],
    ]),
    [3, 2],
  );
  const [padded, lengths] = padPackedSequence(p);
  assert.deepEqual(padded.toArray(), [
    [1, 4],
    [2, 5],
    [3, 0],
  ]);
  assert.deepEqual(lengths.toArray(), [3, 2]);
  assert.equal(lengths.dtype, 'int32');
  assert.equal(padded.dtype, 'float32');
});

test('padPackedSequence restores the original batch order (torch docs example)', () => {
  const x = tensor([
    [1, 2, 0],
    [3, 0, 0],
    [4, 5, 6],
  ]);
  const p = packPaddedSequence(x, [2, 1, 3], { batchFirst: true, enforceSorted: false });
  const [padded, lengths] = padPackedSequence(p, { batchFirst: true });
  assert.deepEqual(padded.toArray(), [
    [1, 2, 0],
    [3, 0, 0],
    [4, 5, 6],
  ]);
  assert.deepEqual(lengths.toArray(), [2, 1, 3]);
  const [timeMajor] = padPackedSequence(p);
  assert.deepEqual(timeMajor.toArray(), [
    [1, 3, 4],
    [2, 0, 5],
    [0, 0, 6],
  ]);
});

test('padPackedSequence pads with paddingValue up to totalLength', () => {
  const p = packPaddedSequence(
    tensor([
      [1, 2, 9],
      [3, 9, 9],
    ]),
    [2, 1],
    { batchFirst: true },
  );
  const [padded, lengths] = padPackedSequence(p, { batchFirst: true, paddingValue: -1, totalLength: 4 });
  assert.deepEqual(padded.toArray(), [
    [1, 2, -1, -1],
    [3, -1, -1, -1],
  ]);
  assert.deepEqual(lengths.toArray(), [2, 1]);
  const [timeMajor] = padPackedSequence(p, { paddingValue: 7, totalLength: 2 });
  assert.deepEqual(timeMajor.toArray(), [
    [1, 3],
    [2, 7],
  ]);
});

test('padPackedSequence keeps feature axes and dtype', () => {
  for (const dtype of ['float32', 'float64', 'int32'] as const) {
    const seqs = distinctSequences([2, 3], [1, 2], dtype);
    const p = packPaddedSequence(paddedOf(seqs, true), [2, 3], { batchFirst: true, enforceSorted: false });
    const [padded, lengths] = padPackedSequence(p, { batchFirst: true, paddingValue: 5 });
    assert.equal(padded.dtype, dtype);
    assert.deepEqual(padded.shape, [2, 3, 1, 2]);
    assert.deepEqual(padded.toArray(), paddedOf(seqs, true, 5).toArray());
    assert.deepEqual(lengths.toArray(), [2, 3]);
  }
});

test("padPackedSequence rejects a totalLength shorter than the longest sequence, in torch's words", () => {
  const p = packPaddedSequence(
    tensor([
      [1, 4],
      [2, 5],
      [3, 0],
    ]),
    [3, 2],
  );
  assert.throws(
    () => padPackedSequence(p, { totalLength: 2 }),
    (e: unknown) =>
      e instanceof ValueError &&
      e.message ===
        'padPackedSequence: Expected totalLength to be at least the length of the longest sequence in input, but got totalLength=2 and max sequence length being 3',
  );
  assert.throws(() => padPackedSequence(p, { totalLength: 3.5 }), /totalLength must be an integer/);
});

test('padPackedSequence rejects a non-PackedSequence and a corrupt permutation', () => {
  assert.throws(
    () => padPackedSequence(zeros([3]) as unknown as PackedSequence),
    (e: unknown) => e instanceof ValueError && /must be a PackedSequence/.test(e.message),
  );
  const idx = (v: number[]): Tensor => tensor(v, { dtype: 'int32' });
  const bad = new PackedSequence(zeros([3]), idx([2, 1]), idx([0, 1]), idx([0, 0]));
  assert.throws(
    () => padPackedSequence(bad),
    (e: unknown) => e instanceof IndexError && /permutation of 0\.\.1; got \[0, 0\]/.test(e.message),
  );
  const short = new PackedSequence(zeros([3]), idx([2, 1]), idx([0]), idx([0]));
  assert.throws(() => padPackedSequence(short), ShapeError);
});

test('padSequence stacks the torch docs example, both layouts', () => {
  const seqs = [tensor([1, 2, 3]), tensor([4, 5]), tensor([6])];
  assert.deepEqual(padSequence(seqs).toArray(), [
    [1, 4, 6],
    [2, 5, 0],
    [3, 0, 0],
  ]);
  assert.deepEqual(padSequence(seqs, { batchFirst: true }).toArray(), [
    [1, 2, 3],
    [4, 5, 0],
    [6, 0, 0],
  ]);
});

test('padSequence pads on the left and with paddingValue', () => {
  const seqs = [tensor([1, 2, 3]), tensor([4, 5]), tensor([6])];
  assert.deepEqual(padSequence(seqs, { batchFirst: true, paddingSide: 'left', paddingValue: -1 }).toArray(), [
    [1, 2, 3],
    [-1, 4, 5],
    [-1, -1, 6],
  ]);
  assert.deepEqual(padSequence(seqs, { paddingSide: 'left' }).toArray(), [
    [1, 0, 0],
    [2, 4, 0],
    [3, 5, 6],
  ]);
});

test('padSequence handles feature axes, zero-length sequences and every dtype', () => {
  for (const dtype of ['float32', 'float64', 'int32'] as const) {
    const seqs = distinctSequences([2, 0, 3], [2], dtype);
    const out = padSequence(seqs, { batchFirst: true, paddingValue: 8 });
    assert.equal(out.dtype, dtype);
    assert.deepEqual(out.toArray(), [
      [
        [1, 2],
        [3, 4],
        [8, 8],
      ],
      [
        [8, 8],
        [8, 8],
        [8, 8],
      ],
      [
        [5, 6],
        [7, 8],
        [9, 10],
      ],
    ]);
  }
  assert.deepEqual(padSequence([zeros([0, 2]), zeros([0, 2])]).shape, [0, 2, 2]);
});

test('padSequence rejects bad lists and options', () => {
  assert.throws(() => padSequence([]), { name: 'ValueError', message: 'padSequence: received an empty list of sequences' });
  assert.throws(
    () => padSequence([tensor([1])], { paddingSide: 'middle' as 'left' }),
    (e: unknown) => e instanceof ValueError && e.message === 'padSequence: Expected paddingSide to be one of left or right, but got middle.',
  );
  assert.throws(() => padSequence([zeros([1, 2]), zeros([1, 2, 1])]), ShapeError);
  assert.throws(() => padSequence([zeros([1], { dtype: 'int32' }), zeros([1])]), DTypeError);
  assert.throws(() => padSequence([tensor(1)]), /sequences\[0\] must have a time axis/);
  assert.throws(() => padSequence([tensor([1]), 3 as unknown as Tensor]), /sequences\[1\] must be a Tensor/);
});
