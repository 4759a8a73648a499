import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutogradError, tensor, exp, mul, sum } from '../../../src/index.js';

test('a second backward through the same graph raises AutogradError naming the op', () => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const y = sum(exp(x));
  y.backward();
  assert.throws(
    () => y.backward(),
    (e: unknown) => e instanceof AutogradError && /second time/.test(e.message) && e.message.includes('sum') && e.message.includes('retainGraph'),
  );
});

test('reusing an intermediate after a backward released it raises', () => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const h = exp(x);
  sum(h).backward();
  assert.throws(
    () => sum(mul(h, 2)).backward(),
    (e: unknown) => e instanceof AutogradError && e.message.includes('exp'),
  );
});

test('retainGraph: true keeps the graph; gradients accumulate over the two calls', () => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const y = sum(mul(x, x));
  y.backward({ retainGraph: true });
  y.backward(undefined, { retainGraph: true });
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [6, 12]);
  assert.throws(() => y.backward(), AutogradError);
});

test('a backward drops the saved tensors of the graph', () => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const y = sum(exp(x));
  assert.notEqual(y.gradNode!.saved, null);
  y.backward();
  assert.equal(y.gradNode!.saved, null);
});
