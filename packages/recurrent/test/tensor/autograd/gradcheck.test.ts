import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, randn, manualSeed, gradcheck, GradcheckError, ValueError, Tensor } from '../../../src/index.js';

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

test('gradcheck passes a correct gradient', () => {
  assert.equal(
    gradcheck((x) => x.mul(x), [leaf([2, 3], 1)]),
    true,
  );
  assert.equal(
    gradcheck((x, y) => x.mul(y).add(x), [leaf([3], 2), leaf([3], 3)]),
    true,
  );
});

test('gradcheck detects a wrong gradient: x · detach(x) has analytic gradient x, true gradient 2x', () => {
  const x = tensor([0.5, -1.25, 2], { dtype: 'float64', requiresGrad: true });
  assert.throws(() => gradcheck((a) => a.mul(a.detach()), [x]), GradcheckError);
});

test('gradcheck names the input and element that disagree', () => {
  const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const b = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
  // Correct for a, wrong for b: b·detach(b) differentiates as if the second factor were constant.
  assert.throws(
    () => gradcheck((x, y) => x.mul(3).add(y.mul(y.detach())), [a, b]),
    (e: unknown) => e instanceof GradcheckError && e.message.includes('inputs[1]') && e.message.includes('element 0'),
  );
});

test('gradcheck detects a gradient that is missing entirely', () => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  // The result depends on x but through a detached path only: analytic gradient 0, true gradient 3.
  assert.throws(() => gradcheck((a) => a.detach().mul(3).add(a.mul(0)), [x]), GradcheckError);
});

test('gradcheck restores the inputs after perturbing them', () => {
  const x = tensor([0.25, -0.75], { dtype: 'float64', requiresGrad: true });
  gradcheck((a) => a.mul(a), [x]);
  assert.deepEqual(Array.from(x.data), [0.25, -0.75]);
  assert.throws(() => gradcheck((a) => a.mul(a.detach()), [x]), GradcheckError);
  assert.deepEqual(Array.from(x.data), [0.25, -0.75]);
});

test('gradcheck leaves the global generator alone', () => {
  manualSeed(77);
  const expected = randn([4], { dtype: 'float64' }).toArray();
  manualSeed(77);
  gradcheck((a) => a.mul(a), [tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true })]);
  assert.deepEqual(randn([4], { dtype: 'float64' }).toArray(), expected);
});

test('gradcheck refuses float32 inputs and inputs that need no grad', () => {
  assert.throws(() => gradcheck((a) => a.mul(a), [tensor([1, 2], { requiresGrad: true })]), ValueError);
  assert.throws(() => gradcheck((a) => a.mul(a), [tensor([1, 2], { dtype: 'float64' })]), ValueError);
});

test('gradcheck skips inputs that do not require grad', () => {
  const c = tensor([1, 2], { dtype: 'float64' });
  assert.equal(
    gradcheck((x, k) => x.mul(k), [leaf([2], 4), c]),
    true,
  );
  assert.equal(c.grad, null);
});

test('gradcheck tolerance options are honoured', () => {
  // A gradient 0.25% too small: fails rtol 1e-3, passes rtol 1e-2.
  const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  const f = (a: Tensor): Tensor => a.mul(a.detach().mul(0.005)).add(a.mul(a).mul(0.995));
  // f = 0.005·a·detach(a) + 0.995·a²: analytic 0.005a + 1.99a = 1.995a, true 2a (0.25% low).
  assert.throws(() => gradcheck(f, [x], { rtol: 1e-3, atol: 0 }), GradcheckError);
  assert.equal(gradcheck(f, [x], { rtol: 1e-2, atol: 0 }), true);
});
