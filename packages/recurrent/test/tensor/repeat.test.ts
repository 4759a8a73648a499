import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, tensor, randn, manualSeed, gradcheck, repeat, tile, unbind, cat, maskedFill, ValueError } from '../../src/index.js';

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

test('repeat tiles whole copies (torch.Tensor.repeat); tile pads short reps with 1s', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(repeat(x, [1, 2]).toArray(), [
    [1, 2, 1, 2],
    [3, 4, 3, 4],
  ]);
  assert.deepEqual(x.repeat(2, 1).toArray(), [
    [1, 2],
    [3, 4],
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(repeat(tensor([1, 2]), [2, 2]).shape, [2, 4]);
  assert.deepEqual(tile(x, [2]).toArray(), [
    [1, 2, 1, 2],
    [3, 4, 3, 4],
  ]);
  assert.deepEqual(x.tile([2, 1, 1]).shape, [2, 2, 2]);
  assert.throws(() => repeat(x, [2]), ValueError);
  assert.ok(gradcheck((a) => repeat(a, [2, 1, 3]), [leaf([2, 3], 1)]));
  assert.ok(gradcheck((a) => tile(a, [2]), [leaf([3, 2], 2)]));
});

test('unbind is the inverse of stack; cat is concat', () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(
    unbind(x).map((t) => t.toArray()),
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
  );
  assert.deepEqual(
    x.unbind(1).map((t) => t.toArray()),
    [
      [1, 4],
      [2, 5],
      [3, 6],
    ],
  );
  assert.deepEqual(cat([x, x], 1).shape, [2, 6]);
  assert.ok(
    gradcheck(
      (a) =>
        cat(
          unbind(a, 1).map((t, i) => t.mul(i + 1)),
          0,
        ),
      [leaf([2, 3], 3)],
    ),
  );
});

test('maskedFill fills where the mask is set and passes the gradient elsewhere', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
  ]);
  const mask = tensor([[1], [0]], { dtype: 'int32' });
  assert.deepEqual(maskedFill(x, mask, -1).toArray(), [
    [-1, -1],
    [3, 4],
  ]);
  assert.deepEqual(x.maskedFill(tensor([0, 1]), 9).toArray(), [
    [1, 9],
    [3, 9],
  ]);
  assert.throws(() => maskedFill(tensor([1, 2]), tensor([[1], [0]]), 0), ValueError);
  assert.ok(gradcheck((a) => maskedFill(a, mask, 0.5), [leaf([2, 2], 4)]));
});

test('Tensor.where, tolist and the dtype casts float, double, int', () => {
  const x = tensor([1.5, -2.7, 3]);
  assert.deepEqual(x.where(tensor([1, 0, 1]), 0).toArray(), [1.5, 0, 3]);
  assert.deepEqual(
    tensor([
      [1, 2],
      [3, 4],
    ]).tolist(),
    [
      [1, 2],
      [3, 4],
    ],
  );
  assert.equal(tensor(7).tolist(), 7);
  assert.equal(x.double().dtype, 'float64');
  assert.deepEqual(x.int().toArray(), [1, -2, 3]);
  assert.equal(x.int().float().dtype, 'float32');
  const y = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  y.float()
    .mul(tensor([3, 4]))
    .sum()
    .backward();
  assert.equal(y.grad!.dtype, 'float64');
  assert.deepEqual(y.grad!.toArray(), [3, 4]);
  assert.ok(gradcheck((a, b) => a.where(tensor([1, 0, 1], { dtype: 'float64' }), b), [leaf([3], 5), leaf([2, 3], 6)]));
});
