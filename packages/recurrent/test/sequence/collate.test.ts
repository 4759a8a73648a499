import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, PackedSequence, Tensor, ValueError, packCollate, padCollate, padPackedSequence, tensor } from '../../src/index.js';

test('padCollate pads plain id sequences time-major by default, with int32 lengths', () => {
  const batch = padCollate()([[5, 6, 7], [8], new Int32Array([9, 10])]);
  assert.equal(batch.input.dtype, 'int32');
  assert.deepEqual(batch.input.toArray(), [
    [5, 8, 9],
    [6, 0, 10],
    [7, 0, 0],
  ]);
  assert.equal(batch.lengths.dtype, 'int32');
  assert.deepEqual(batch.lengths.toArray(), [3, 1, 2]);
  assert.equal(batch.target, undefined);
  assert.equal(batch.targetLengths, undefined);
});

test('padCollate stacks scalar targets and pads batch-first with a padding value', () => {
  const batch = padCollate({ batchFirst: true, paddingValue: -1 })([
    { input: [5, 6, 7], target: 1 },
    { input: [8], target: 0 },
  ]);
  assert.deepEqual(batch.input.toArray(), [
    [5, 6, 7],
    [8, -1, -1],
  ]);
  assert.deepEqual(batch.lengths.toArray(), [3, 1]);
  assert.equal(batch.target!.dtype, 'int32');
  assert.deepEqual(batch.target!.toArray(), [1, 0]);
  const real = padCollate()([
    { input: [1], target: 0.5 },
    { input: [2], target: 2 },
  ]);
  assert.equal(real.target!.dtype, 'float32');
  assert.deepEqual(real.target!.toArray(), [0.5, 2]);
  const tensors = padCollate()([
    { input: [1], target: tensor(2.5, { dtype: 'float64' }) },
    { input: [2], target: tensor(1, { dtype: 'float64' }) },
  ]);
  assert.equal(tensors.target!.dtype, 'float64');
  assert.deepEqual(tensors.target!.toArray(), [2.5, 1]);
});

test('padCollate pads sequence targets with targetPaddingValue and reports their lengths', () => {
  const batch = padCollate({ batchFirst: true, targetPaddingValue: -100 })([
    { input: [1, 2], target: [3, 4] },
    { input: [5, 6, 7], target: [8, 9, 10] },
  ]);
  assert.deepEqual(batch.input.toArray(), [
    [1, 2, 0],
    [5, 6, 7],
  ]);
  assert.deepEqual(batch.target!.toArray(), [
    [3, 4, -100],
    [8, 9, 10],
  ]);
  assert.deepEqual(batch.targetLengths!.toArray(), [2, 3]);
});

test('padCollate keeps feature axes of tensor sequences', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
    [5, 6],
  ]); // (3, 2)
  const b = tensor([[7, 8]]); // (1, 2)
  const batch = padCollate()([a, b]);
  assert.deepEqual(batch.input.shape, [3, 2, 2]);
  assert.equal(batch.input.dtype, 'float32');
  assert.deepEqual(batch.input.toArray(), [
    [
      [1, 2],
      [7, 8],
    ],
    [
      [3, 4],
      [0, 0],
    ],
    [
      [5, 6],
      [0, 0],
    ],
  ]);
  const floats = padCollate({ batchFirst: true })([new Float32Array([0.5, 1.5]), new Float32Array([2.5])]);
  assert.deepEqual(floats.input.toArray(), [
    [0.5, 1.5],
    [2.5, 0],
  ]);
});

test('padCollate accepts empty sequences', () => {
  const batch = padCollate({ batchFirst: true })([[], [1, 2]]);
  assert.deepEqual(batch.input.toArray(), [
    [0, 0],
    [1, 2],
  ]);
  assert.deepEqual(batch.lengths.toArray(), [0, 2]);
});

test('packCollate packs unsorted items and records the permutation', () => {
  const batch = packCollate()([[1, 2], [3, 4, 5], [6]]);
  assert.ok(batch.input instanceof PackedSequence);
  assert.deepEqual(batch.input.data.toArray(), [3, 1, 6, 4, 2, 5]);
  assert.deepEqual(batch.input.batchSizes.toArray(), [3, 2, 1]);
  assert.deepEqual(batch.input.sortedIndices!.toArray(), [1, 0, 2]);
  assert.deepEqual(batch.lengths.toArray(), [2, 3, 1]);
  const [padded, lengths] = padPackedSequence(batch.input, { batchFirst: true });
  assert.deepEqual(padded.toArray(), [
    [1, 2, 0],
    [3, 4, 5],
    [6, 0, 0],
  ]);
  assert.deepEqual(lengths.toArray(), [2, 3, 1]);
});

test('packCollate packs same-length targets in the same order as the inputs', () => {
  const batch = packCollate()([
    { input: [1, 2], target: [10, 20] },
    { input: [3, 4, 5], target: [30, 40, 50] },
  ]);
  const target = batch.target as PackedSequence;
  assert.ok(target instanceof PackedSequence);
  assert.deepEqual(batch.input.data.toArray(), [3, 1, 4, 2, 5]);
  assert.deepEqual(target.data.toArray(), [30, 10, 40, 20, 50]);
  assert.deepEqual(target.batchSizes.toArray(), [2, 2, 1]);
  assert.deepEqual(batch.targetLengths!.toArray(), [2, 3]);
});

test('packCollate can pad the targets, or stack scalar ones', () => {
  const padded = packCollate({ target: 'padded', batchFirst: true, targetPaddingValue: -100 })([
    { input: [1, 2], target: [7] },
    { input: [3], target: [8, 9] },
  ]);
  assert.ok(padded.target instanceof Tensor);
  assert.deepEqual(padded.target.toArray(), [
    [7, -100],
    [8, 9],
  ]);
  assert.deepEqual(padded.targetLengths!.toArray(), [1, 2]);
  const labels = packCollate({ enforceSorted: true })([
    { input: [1, 2], target: 4 },
    { input: [3], target: 5 },
  ]);
  assert.equal(labels.input.sortedIndices, null);
  assert.deepEqual((labels.target as Tensor).toArray(), [4, 5]);
});

test('packCollate with enforceSorted rejects unsorted items and rejects empty sequences', () => {
  assert.throws(() => packCollate({ enforceSorted: true })([[1], [2, 3]]), /must be sorted in decreasing order/);
  assert.throws(() => packCollate()([[1], []]), ValueError);
  assert.throws(() => packCollate({ target: 'sideways' as 'packed' }), /target must be 'packed' or 'padded'; got sideways/);
});

test('collate errors name the item that is wrong', () => {
  const collate = padCollate();
  assert.throws(() => collate([]), /padCollate: expected a non-empty array of items/);
  assert.throws(
    () => collate([[1, 2.5]]),
    (e: unknown) => e instanceof ValueError && /items\[0\]\[1\] must be an int32 integer; got 2.5/.test(e.message),
  );
  assert.throws(() => collate([{ input: [1], target: 1 }, { input: [2] }]), /either every item has a target or none does \(1 of 2 have one\)/);
  assert.throws(
    () =>
      collate([
        { input: [1], target: 1 },
        { input: [2], target: [1] },
      ]),
    /items\[0\]\.target differs/,
  );
  assert.throws(() => collate(['abc' as unknown as number[]]), /items\[0\] must be a sequence or an \{ input, target\? \} object/);
  assert.throws(() => collate([{ input: 3 as unknown as number[] }]), /items\[0\]\.input must be a sequence/);
  assert.throws(() => collate([[1], new Float32Array([1])]), DTypeError);
  assert.throws(() => collate([tensor(1)]), /items\[0\] must be a sequence \(L, \*\); got a 0-d tensor/);
});
