// allClose follows torch.allclose: |a − b| ≤ atol + rtol·|b| elementwise, NaN never close,
// infinities close only to themselves, shapes must match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allClose, tensor, ValueError } from '../../src/index.js';

test('allClose: within atol + rtol·|b|, and not beyond', () => {
  assert.equal(allClose(tensor([1, 2, 3]), tensor([1, 2, 3])), true);
  assert.equal(allClose(tensor([1, 2, 3], { dtype: 'float64' }), tensor([1, 2, 3 + 4e-5], { dtype: 'float64' })), false); // 4e-5 > 1e-8 + 1e-5·3
  assert.equal(allClose(tensor([100], { dtype: 'float64' }), tensor([100.0009], { dtype: 'float64' })), true); // rtol·|b| ≈ 1e-3
  assert.equal(allClose(tensor([1]), tensor([1.5]), 0, 0.5), true);
  assert.equal(allClose(tensor([1]), tensor([1.5]), 0, 0.49), false);
  assert.equal(allClose(tensor([2]), tensor([1]), 1, 0), true);
  // The tolerance scales with |b| only, as in PyTorch: asymmetric.
  assert.equal(allClose(tensor([1]), tensor([2]), 0.5, 0), true);
  assert.equal(allClose(tensor([2]), tensor([1]), 0.5, 0), false);
});

test('allClose: shapes must be equal, NaN is never close', () => {
  assert.equal(allClose(tensor([1, 2]), tensor([[1, 2]])), false);
  assert.equal(allClose(tensor([1, 2]), tensor([1, 2, 3])), false);
  assert.equal(allClose(tensor([NaN]), tensor([NaN])), false);
  assert.equal(allClose(tensor([1, NaN]), tensor([1, 0])), false);
  assert.equal(allClose(tensor([], { dtype: 'float32' }), tensor([], { dtype: 'float32' })), true);
});

test('allClose: an infinity is close only to the same infinity', () => {
  assert.equal(allClose(tensor([Infinity, -Infinity]), tensor([Infinity, -Infinity])), true);
  assert.equal(allClose(tensor([Infinity]), tensor([-Infinity])), false);
  assert.equal(allClose(tensor([-Infinity]), tensor([Infinity])), false);
  assert.equal(allClose(tensor([1]), tensor([Infinity])), false);
  assert.equal(allClose(tensor([Infinity]), tensor([1])), false);
  assert.equal(allClose(tensor([1e30]), tensor([Infinity]), 1, 1), false);
});

test('allClose: negative or NaN tolerances are ValueErrors naming them', () => {
  assert.throws(
    () => allClose(tensor([1]), tensor([1]), -1e-5),
    (e: unknown) => e instanceof ValueError && /allClose: rtol must be a number ≥ 0; got -0\.00001/.test(e.message),
  );
  assert.throws(
    () => allClose(tensor([1]), tensor([1]), 1e-5, NaN),
    (e: unknown) => e instanceof ValueError && /allClose: atol must be a number ≥ 0; got NaN/.test(e.message),
  );
});
