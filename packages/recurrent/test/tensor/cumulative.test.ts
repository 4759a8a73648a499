import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, tensor, randn, manualSeed, gradcheck, cumsum, cumprod } from '../../src/index.js';

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

test('cumsum and cumprod run along the axis', () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(cumsum(x, 1).toArray(), [
    [1, 3, 6],
    [4, 9, 15],
  ]);
  assert.deepEqual(x.cumsum(0).toArray(), [
    [1, 2, 3],
    [5, 7, 9],
  ]);
  assert.deepEqual(cumprod(x, -1).toArray(), [
    [1, 2, 6],
    [4, 20, 120],
  ]);
  assert.deepEqual(x.cumprod(0).toArray(), [
    [1, 2, 3],
    [4, 10, 18],
  ]);
  assert.equal(cumsum(tensor([1, 2], { dtype: 'int32' }), 0).dtype, 'int32');
});

test('cumsum and cumprod gradients (gradcheck, float64), cumprod through zeros', () => {
  assert.ok(gradcheck((x) => cumsum(x, 1), [leaf([3, 4], 1)]));
  assert.ok(gradcheck((x) => cumsum(x, 0), [leaf([3, 2, 2], 2)]));
  assert.ok(gradcheck((x) => cumprod(x, -1), [leaf([2, 5], 3)]));
  const z = tensor(
    [
      [0.5, 0, 2, -1],
      [0, 0, 3, 1],
    ],
    { dtype: 'float64', requiresGrad: true },
  );
  assert.ok(gradcheck((x) => cumprod(x, 1), [z]));
});
