// The pinball (quantile) loss: values by hand, the median as half the absolute error, a float64
// gradient check, and the shape checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError, gradcheck, l1Loss, manualSeed, pinballLoss, randn, tensor } from '../../src/index.js';

test('values: q·d above the prediction, (1 − q)·|d| below; reductions', () => {
  const input = tensor([
    [1, 2, 3],
    [5, 5, 5],
  ]);
  const target = tensor([2, 4]);
  const q = [0.1, 0.5, 0.9];
  // Row 0: d = 1, 0, −1 → 0.1, 0, 0.1; row 1: d = −1 → 0.9, 0.5, 0.1.
  const none = pinballLoss(input, target, q, { reduction: 'none' });
  assert.deepEqual(none.shape, [2, 3]);
  assert.deepEqual(
    Array.from(none.data, (v) => Math.round(v * 1e6) / 1e6),
    [0.1, 0, 0.1, 0.9, 0.5, 0.1],
  );
  assert.ok(Math.abs(pinballLoss(input, target, q, { reduction: 'sum' }).item() - 1.7) < 1e-6);
  assert.ok(Math.abs(pinballLoss(input, target, q).item() - 1.7 / 6) < 1e-6);
  const x = tensor([[3], [1], [4]]);
  const y = tensor([1, 5, 9]);
  assert.ok(Math.abs(pinballLoss(x, y, [0.5]).item() - l1Loss(tensor([3, 1, 4]), y).item() / 2) < 1e-6);
});

test('float64 gradient check', () => {
  manualSeed(4);
  const x = randn([4, 3, 3], { dtype: 'float64', requiresGrad: true });
  const y = randn([4, 3], { dtype: 'float64' });
  gradcheck((a) => pinballLoss(a!, y, [0.1, 0.5, 0.9]), [x], { atol: 1e-6, rtol: 1e-5 });
  gradcheck((a) => pinballLoss(a!, y, [0.2, 0.5, 0.7], { reduction: 'sum' }), [x], { atol: 1e-6, rtol: 1e-5 });
});

test('bad input: the shape and the quantiles named', () => {
  assert.throws(
    () => pinballLoss(tensor([[1, 2]]), tensor([1, 2]), [0.1, 0.9]),
    (e: unknown) => e instanceof ShapeError && /must be target's shape plus the 2 quantiles: \[2, 2\]/.test(e.message),
  );
  assert.throws(
    () => pinballLoss(tensor([[1]]), tensor([1]), [1]),
    (e: unknown) => e instanceof ValueError && /quantiles must be numbers in \(0, 1\)/.test(e.message),
  );
});
