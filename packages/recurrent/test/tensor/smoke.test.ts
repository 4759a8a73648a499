import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/index.js';

test('a product of a broadcast vector has the expected gradient', () => {
  const a = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const y = a.mul(tensor([10, 20])).sum();
  y.backward();
  assert.equal(y.item(), 160);
  assert.deepEqual(a.grad!.toArray(), [
    [10, 20],
    [10, 20],
  ]);
});
