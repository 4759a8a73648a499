import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, tensor, randn, manualSeed, gradcheck, sort, argsort, topk, ValueError } from '../../src/index.js';

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

test('sort is stable on ties, ascending and descending, and puts NaN last', () => {
  const x = tensor([2, 1, 2, 1, NaN, 0]);
  const [v, i] = sort(x);
  assert.deepEqual(Array.from(v.data).slice(0, 5), [0, 1, 1, 2, 2]);
  assert.ok(Number.isNaN(v.data[5]!));
  assert.deepEqual(i.toArray(), [5, 1, 3, 0, 2, 4]);
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(x.sort(0, true)[1].toArray(), [4, 0, 2, 1, 3, 5]);
  assert.deepEqual(
    argsort(
      tensor([
        [3, 1, 2],
        [0, 0, -1],
      ]),
      1,
    ).toArray(),
    [
      [1, 2, 0],
      [2, 0, 1],
    ],
  );
  assert.deepEqual(
    tensor([
      [3, 1],
      [0, 5],
    ])
      .argsort(0)
      .toArray(),
    [
      [1, 0],
      [0, 1],
    ],
  );
});

test('topk takes the k largest or smallest, sorted or in input order', () => {
  const x = tensor([
    [1, 5, 3, 4],
    [9, 0, 8, 7],
  ]);
  const [v, i] = topk(x, 2);
  assert.deepEqual(v.toArray(), [
    [5, 4],
    [9, 8],
  ]);
  assert.deepEqual(i.toArray(), [
    [1, 3],
    [0, 2],
  ]);
  assert.deepEqual(x.topk(2, { largest: false })[0].toArray(), [
    [1, 3],
    [0, 7],
  ]);
  assert.deepEqual(x.topk(1, { axis: 0 })[1].toArray(), [[1, 0, 1, 1]]);
  assert.deepEqual(topk(tensor([1, 5, 3, 4]), 3, { sorted: false })[0].toArray(), [5, 3, 4]);
  assert.throws(() => topk(x, 5), ValueError);
});

test('sort and topk gradients scatter back through the indices (gradcheck, float64)', () => {
  assert.ok(gradcheck((x) => sort(x, 1)[0], [leaf([3, 5], 1)]));
  assert.ok(gradcheck((x) => sort(x, 0, true)[0], [leaf([4, 2, 3], 2)]));
  assert.ok(gradcheck((x) => topk(x, 2, { axis: -1 })[0], [leaf([3, 6], 3)]));
  assert.ok(gradcheck((x) => topk(x, 3, { axis: 0, largest: false, sorted: false })[0], [leaf([5, 2], 4)]));
});

test('sort, topk and cumsum work on int32 tensors', () => {
  const x = tensor(
    [
      [3, 1, 2],
      [0, 5, 5],
    ],
    { dtype: 'int32' },
  );
  const [v, i] = sort(x, 1, true);
  assert.equal(v.dtype, 'int32');
  assert.deepEqual(v.toArray(), [
    [3, 2, 1],
    [5, 5, 0],
  ]);
  assert.deepEqual(i.toArray(), [
    [0, 2, 1],
    [1, 2, 0],
  ]);
  assert.deepEqual(topk(x, 2, { sorted: false })[0].toArray(), [
    [3, 2],
    [5, 5],
  ]);
});
