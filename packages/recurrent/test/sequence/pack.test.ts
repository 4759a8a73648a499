import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, packPaddedSequence, packSequence, tensor, zeros } from '../../src/index.js';
import { distinctSequences, expectedPacked, paddedOf } from './helpers.js';

const SORT_MESSAGE =
  'packPaddedSequence: `lengths` array must be sorted in decreasing order when `enforceSorted` is true. ' +
  'You can pass `enforceSorted: false` to packPaddedSequence and/or packSequence to sidestep this requirement ' +
  'if you do not need ONNX exportability.';
const ZERO_MESSAGE = "packPaddedSequence: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0";

test('packPaddedSequence packs the torch docs example, batch first', () => {
  const p = packPaddedSequence(
    tensor([
      [1, 2, 3],
      [4, 5, 0],
    ]),
    [3, 2],
    { batchFirst: true },
  );
  assert.deepEqual(p.data.toArray(), [1, 4, 2, 5, 3]);
  assert.deepEqual(p.batchSizes.toArray(), [2, 2, 1]);
  assert.equal(p.batchSizes.dtype, 'int32');
  assert.equal(p.data.dtype, 'float32');
  assert.equal(p.sortedIndices, null);
  assert.equal(p.unsortedIndices, null);
});

test('packPaddedSequence packs a time-major input the same way', () => {
  const p = packPaddedSequence(
    tensor([
      [1, 4],
      [2, 5],
      [3, 0],
    ]),
    [3, 2],
  );
  assert.deepEqual(p.data.toArray(), [1, 4, 2, 5, 3]);
  assert.deepEqual(p.batchSizes.toArray(), [2, 2, 1]);
});

test('packPaddedSequence accepts lengths as an int32 tensor and ignores steps past every length', () => {
  const x = tensor([
    [1, 4],
    [2, 5],
    [3, 0],
    [7, 8],
  ]);
  const p = packPaddedSequence(x, tensor([3, 2], { dtype: 'int32' }));
  assert.deepEqual(p.data.toArray(), [1, 4, 2, 5, 3]);
  assert.deepEqual(p.batchSizes.toArray(), [2, 2, 1]);
});

test('packPaddedSequence sorts unsorted lengths and records both permutations (torch docs example)', () => {
  const x = tensor([
    [1, 2, 0],
    [3, 0, 0],
    [4, 5, 6],
  ]);
  const p = packPaddedSequence(x, [2, 1, 3], { batchFirst: true, enforceSorted: false });
  assert.deepEqual(p.data.toArray(), [4, 1, 3, 5, 2, 6]);
  assert.deepEqual(p.batchSizes.toArray(), [3, 2, 1]);
  assert.deepEqual(p.sortedIndices!.toArray(), [2, 0, 1]);
  assert.deepEqual(p.unsortedIndices!.toArray(), [1, 2, 0]);
  assert.equal(p.sortedIndices!.dtype, 'int32');
});

test('packPaddedSequence sorts ties stably', () => {
  const p = packPaddedSequence(
    tensor([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [0, 9, 0, 10],
    ]),
    [2, 3, 2, 3],
    { enforceSorted: false },
  );
  assert.deepEqual(p.sortedIndices!.toArray(), [1, 3, 0, 2]);
  assert.deepEqual(p.unsortedIndices!.toArray(), [2, 0, 3, 1]);
  assert.deepEqual(p.data.toArray(), [2, 4, 1, 3, 6, 8, 5, 7, 9, 10]);
  assert.deepEqual(p.batchSizes.toArray(), [4, 4, 2]);
});

test('packPaddedSequence without enforceSorted records the identity for sorted lengths', () => {
  const p = packPaddedSequence(
    tensor([
      [1, 4],
      [2, 5],
      [3, 0],
    ]),
    [3, 2],
    { enforceSorted: false },
  );
  assert.deepEqual(p.sortedIndices!.toArray(), [0, 1]);
  assert.deepEqual(p.unsortedIndices!.toArray(), [0, 1]);
  assert.deepEqual(p.data.toArray(), [1, 4, 2, 5, 3]);
});

test('packPaddedSequence keeps feature axes and dtype', () => {
  for (const dtype of ['float32', 'float64', 'int32'] as const) {
    for (const batchFirst of [false, true]) {
      const seqs = distinctSequences([3, 1, 2], [2, 2], dtype);
      const p = packPaddedSequence(paddedOf(seqs, batchFirst), [3, 1, 2], { batchFirst, enforceSorted: false });
      assert.equal(p.data.dtype, dtype);
      assert.deepEqual(p.data.shape, [6, 2, 2]);
      assert.deepEqual(p.data.toArray(), expectedPacked(seqs, [0, 2, 1]));
      assert.deepEqual(p.batchSizes.toArray(), [3, 2, 1]);
    }
  }
});

test("packPaddedSequence rejects unsorted lengths with enforceSorted, in torch's words", () => {
  const x = zeros([3, 2]);
  assert.throws(
    () => packPaddedSequence(x, [2, 3]),
    (e: unknown) => e instanceof ValueError && e.message === SORT_MESSAGE,
  );
});

test('packPaddedSequence rejects a length of zero or less', () => {
  const x = zeros([3, 2]);
  assert.throws(
    () => packPaddedSequence(x, [3, 0]),
    (e: unknown) => e instanceof ValueError && e.message === ZERO_MESSAGE,
  );
  assert.throws(
    () => packPaddedSequence(x, [0, 3], { enforceSorted: false }),
    (e: unknown) => e instanceof ValueError && e.message === ZERO_MESSAGE,
  );
  assert.throws(
    () => packPaddedSequence(x, [2, -1]),
    (e: unknown) => e instanceof ValueError && e.message === ZERO_MESSAGE,
  );
});

test('packPaddedSequence rejects a length past the time axis', () => {
  assert.throws(() => packPaddedSequence(zeros([3, 2]), [4, 2]), {
    name: 'ValueError',
    message: "packPaddedSequence: lengths[0] = 4 exceeds the input's time axis of size 3 (input [3, 2])",
  });
  assert.throws(() => packPaddedSequence(zeros([2, 3]), [1, 4], { batchFirst: true, enforceSorted: false }), {
    name: 'ValueError',
    message: "packPaddedSequence: lengths[1] = 4 exceeds the input's time axis of size 3 (input [2, 3])",
  });
});

test('packPaddedSequence rejects a lengths count other than the batch size', () => {
  assert.throws(
    () => packPaddedSequence(zeros([3, 2]), [3, 2, 1]),
    (e: unknown) =>
      e instanceof ShapeError &&
      e.message === 'packPaddedSequence: Expected `lengths.length` to be equal to batchSize, but got 3 (batchSize=2) for input [3, 2]',
  );
  assert.throws(() => packPaddedSequence(zeros([3, 2]), [3], { batchFirst: true }), /got 1 \(batchSize=3\)/);
});

test('packPaddedSequence rejects bad inputs and bad lengths', () => {
  assert.throws(
    () => packPaddedSequence(zeros([3]), [3]),
    (e: unknown) => e instanceof ShapeError && /at least 2 axes/.test(e.message),
  );
  assert.throws(
    () => packPaddedSequence(zeros([3, 0]), []),
    (e: unknown) => e instanceof ValueError && /Cannot pack empty tensors/.test(e.message),
  );
  assert.throws(
    () => packPaddedSequence(zeros([3, 2]), tensor([3, 2])),
    (e: unknown) =>
      e instanceof DTypeError && e.message === "packPaddedSequence: 'lengths' argument should be a 1-D int32 tensor, but got a 1-D float32 tensor",
  );
  assert.throws(() => packPaddedSequence(zeros([3, 2]), tensor([[3, 2]], { dtype: 'int32' })), ShapeError);
  assert.throws(() => packPaddedSequence(zeros([3, 2]), [3, 1.5]), {
    name: 'ValueError',
    message: 'packPaddedSequence: lengths[1] must be an integer; got 1.5',
  });
});

test('packSequence packs the torch docs example', () => {
  const p = packSequence([tensor([1, 2, 3]), tensor([4, 5]), tensor([6])]);
  assert.deepEqual(p.data.toArray(), [1, 4, 6, 2, 5, 3]);
  assert.deepEqual(p.batchSizes.toArray(), [3, 2, 1]);
  assert.equal(p.sortedIndices, null);
});

test('packSequence sorts when asked, with feature axes', () => {
  const seqs = distinctSequences([1, 3, 2], [2], 'int32');
  const p = packSequence(seqs, { enforceSorted: false });
  assert.deepEqual(p.data.toArray(), expectedPacked(seqs, [1, 2, 0]));
  assert.deepEqual(p.data.toArray(), [
    [3, 4],
    [9, 10],
    [1, 2],
    [5, 6],
    [11, 12],
    [7, 8],
  ]);
  assert.deepEqual(p.sortedIndices!.toArray(), [1, 2, 0]);
  assert.deepEqual(p.unsortedIndices!.toArray(), [2, 0, 1]);
});

test('packSequence rejects what packing cannot represent', () => {
  assert.throws(
    () => packSequence([tensor([1]), tensor([1, 2])]),
    (e: unknown) => e instanceof ValueError && e.message === SORT_MESSAGE.replace('packPaddedSequence:', 'packSequence:'),
  );
  assert.throws(() => packSequence([tensor([1, 2]), zeros([0])]), { name: 'ValueError', message: ZERO_MESSAGE.replace('packPaddedSequence', 'packSequence') });
  assert.throws(() => packSequence([]), { name: 'ValueError', message: 'packSequence: received an empty list of sequences' });
  assert.throws(() => packSequence([zeros([0, 3])]), /packSequence: Cannot pack empty tensors/);
  assert.throws(
    () => packSequence([zeros([2, 3]), zeros([1, 4])]),
    (e: unknown) =>
      e instanceof ShapeError && e.message === 'packSequence: sequences must share their trailing shape *: sequences[0] is [2, 3], sequences[1] is [1, 4]',
  );
  assert.throws(
    () => packSequence([zeros([2]), zeros([1], { dtype: 'float64' })]),
    (e: unknown) => e instanceof DTypeError && e.message === 'packSequence: dtypes differ: sequences[0] is float32, sequences[1] is float64',
  );
  assert.throws(() => packSequence([tensor(3)]), ShapeError);
});
