// Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (test/fixtures/optim,
// kinds "clip_grad_norm" and "clip_grad_value") and by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError, optim, tensor, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';
import { fixtures, leaf } from './fixtures.js';

/** Three float64 parameters; the first two get copies of the fixture's gradients, the third none. */
function withGrads(grads: Tensor[]): Tensor[] {
  const params = [leaf(grads[0]!.mul(0)), leaf(grads[1]!.mul(0)), leaf(tensor([0, 0], { dtype: 'float64' }))];
  params[0]!.grad = grads[0]!.clone();
  params[1]!.grad = grads[1]!.clone();
  return params;
}

describe('clipping matches PyTorch', () => {
  const norm = fixtures('clip_grad_norm');
  const value = fixtures('clip_grad_value');
  test('fixtures exist for every norm type and for clipping by value', () => {
    const types = norm.map((f) => (JSON.parse(f.metadata.options!) as { normType: number | string }).normType);
    for (const t of [1, 2, 3, 0.5, 'inf']) assert.ok(types.includes(t), `no fixture for normType ${t}`);
    assert.ok(value.length > 0);
  });

  for (const f of norm) {
    test(f.name, () => {
      const { maxNorm, normType } = JSON.parse(f.metadata.options!) as { maxNorm: number; normType: number | 'inf' };
      const params = withGrads([f.get('grad.0'), f.get('grad.1')]);
      const total = optim.clipGradNorm(params, maxNorm, normType === 'inf' ? Infinity : normType);
      const expected = f.get('total_norm').item();
      assert.ok(Math.abs(total - expected) <= 1e-12 * expected, `total norm ${total}, expected ${expected}`);
      assertClose(params[0]!.grad!, f.get('clipped.0'), 'grad 0', 1e-12, 1e-12);
      assertClose(params[1]!.grad!, f.get('clipped.1'), 'grad 1', 1e-12, 1e-12);
      assert.equal(params[2]!.grad, null);
    });
  }

  for (const f of value) {
    test(f.name, () => {
      const { clipValue } = JSON.parse(f.metadata.options!) as { clipValue: number };
      const params = withGrads([f.get('grad.0'), f.get('grad.1')]);
      optim.clipGradValue(params, clipValue);
      assert.deepEqual(params[0]!.grad!.data, f.get('clipped.0').data);
      assert.deepEqual(params[1]!.grad!.data, f.get('clipped.1').data);
    });
  }
});

describe('clipping by hand', () => {
  function param(grad: number[]): Tensor {
    const p = leaf(
      tensor(
        grad.map(() => 0),
        { dtype: 'float64' },
      ),
    );
    p.grad = tensor(grad, { dtype: 'float64' });
    return p;
  }

  test('the 2-norm is taken over all gradients together and the scale is maxNorm / (total + 1e-6)', () => {
    const a = param([3]);
    const b = param([0, 4]);
    assert.equal(optim.clipGradNorm([a, b], 1), 5);
    const c = 1 / (5 + 1e-6);
    assert.deepEqual([...a.grad!.data, ...b.grad!.data], [3 * c, 0, 4 * c]);
  });

  test('no change when the norm is within maxNorm; a single tensor is accepted', () => {
    const a = param([0.3, -0.4]);
    assert.ok(Math.abs(optim.clipGradNorm(a, 1) - 0.5) < 1e-16);
    assert.deepEqual([...a.grad!.data], [0.3, -0.4]);
  });

  test('the infinity norm is the largest magnitude; 1-norm the sum of magnitudes', () => {
    const a = param([1, -6]);
    const b = param([2]);
    assert.equal(optim.clipGradNorm([a, b], 100, Infinity), 6);
    assert.equal(optim.clipGradNorm([a, b], 100, 1), 9);
    assert.equal(optim.clipGradNorm([a, b], 3, Infinity), 6);
    assertClose(a.grad!, tensor([0.5, -3], { dtype: 'float64' }), 'clipped', 1e-6, 0);
  });

  test('no gradients at all: the norm is 0', () => {
    assert.equal(optim.clipGradNorm([leaf(tensor([1]))], 1), 0);
  });

  test('a non-finite norm scales the gradients by it, or throws with errorIfNonfinite', () => {
    const a = param([Infinity, 1]);
    assert.throws(() => optim.clipGradNorm([a], 1, 2, { errorIfNonfinite: true }), /clipGradNorm: the total norm of order 2 of the gradients is Infinity/);
    assert.equal(optim.clipGradNorm([a], 1), Infinity);
    assert.deepEqual([...a.grad!.data].map(Number.isNaN), [true, false]);
  });

  test('clipGradValue clamps each element into [−v, v]', () => {
    const a = param([-3, -0.5, 0, 0.25, 7]);
    optim.clipGradValue([a], 0.5);
    assert.deepEqual([...a.grad!.data], [-0.5, -0.5, 0, 0.25, 0.5]);
  });

  test('bad arguments are clear errors', () => {
    const a = param([1]);
    assert.throws(
      () => optim.clipGradNorm([a], -1),
      (e: Error) => e instanceof ValueError && /clipGradNorm: maxNorm must be a number >= 0; got -1/.test(e.message),
    );
    assert.throws(() => optim.clipGradNorm([a], 1, 0), /clipGradNorm: normType must be a number > 0 or Infinity; got 0/);
    assert.throws(() => optim.clipGradValue([a], Number.NaN), /clipGradValue: clipValue must be a number >= 0; got NaN/);
    assert.throws(() => optim.clipGradValue([a, 3 as unknown as Tensor], 1), /clipGradValue: params\[1\] must be a Tensor; got 3/);
  });
});
