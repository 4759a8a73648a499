import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, zeros, ones, add, mul, sum, noGrad, isGradEnabled, DTypeError, ShapeError, ValueError } from '../../../src/index.js';

test('backward on a scalar fills .grad of every leaf that requires grad', () => {
  const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  const w = tensor([4, 5, 6], { dtype: 'float64', requiresGrad: true });
  const c = tensor([7, 8, 9], { dtype: 'float64' });
  // y = Σ x·w + Σ x·x + Σ c·w
  const y = x.mul(w).sum().add(x.mul(x).sum()).add(c.mul(w).sum());
  assert.equal(y.requiresGrad, true);
  assert.equal(y.isLeaf, false);
  y.backward();
  // ∂y/∂x = w + 2x; ∂y/∂w = x + c
  assert.deepEqual(x.grad!.toArray(), [6, 9, 12]);
  assert.deepEqual(w.grad!.toArray(), [8, 10, 12]);
  assert.equal(c.grad, null);
  assert.equal(x.grad!.dtype, 'float64');
  assert.deepEqual(x.grad!.shape, [3]);
});

test('backward on a 0-d leaf itself gives a gradient of one', () => {
  const x = tensor(3, { requiresGrad: true });
  x.backward();
  assert.equal(x.grad!.item(), 1);
});

test('backward with an explicit gradient on a non-scalar', () => {
  const x = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const y = x.mul(x); // dy/dx = 2x elementwise
  y.backward(
    tensor([
      [1, 0],
      [10, -1],
    ]),
  );
  assert.deepEqual(x.grad!.toArray(), [
    [2, 0],
    [60, -8],
  ]);
});

test('the explicit gradient must have the output shape', () => {
  const x = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const y = x.mul(2);
  assert.throws(
    () => y.backward(tensor([1, 2, 3, 4])),
    (e: unknown) => e instanceof ShapeError && e.message.includes('[2, 2]') && e.message.includes('[4]'),
  );
  assert.throws(() => y.backward(ones([2, 1])), ShapeError);
  assert.equal(x.grad, null);
});

test('backward on a non-scalar without a gradient is a ShapeError', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => x.mul(3).backward(), ShapeError);
  // A one-element tensor of any rank counts as a scalar.
  const z = tensor([[2]], { requiresGrad: true });
  z.mul(z).backward();
  assert.deepEqual(z.grad!.toArray(), [[4]]);
});

test('backward on a tensor that does not require grad is an error', () => {
  const x = tensor([1, 2]);
  assert.throws(() => x.sum().backward(), ValueError);
});

test('gradients accumulate across two backward calls', () => {
  const x = tensor([1, -2], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward({ retainGraph: true });
  assert.deepEqual(x.grad!.toArray(), [2, -4]);
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [4, -8]);
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [7, -5]);
  x.grad = null;
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [3, 3]);
});

test('a tensor used twice gets the sum of both gradients', () => {
  const x = tensor([2, 3], { requiresGrad: true });
  add(x, x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [2, 2]);
  const a = tensor([2, 3], { requiresGrad: true });
  mul(a, a).sum().backward();
  assert.deepEqual(a.grad!.toArray(), [4, 6]);
  // An intermediate used on two paths: h = 3a; y = Σ h·h + Σ h → dy/da = 3·(2h + 1) = 18a + 3.
  const b = tensor([1, 2], { requiresGrad: true });
  const h = b.mul(3);
  h.mul(h).sum().add(h.sum()).backward();
  assert.deepEqual(b.grad!.toArray(), [21, 39]);
});

test('a diamond graph accumulates both branches before flowing on', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const u = x.mul(2);
  const p = u.mul(u); // 4x²
  const q = u.mul(5); // 10x
  p.add(q).sum().backward();
  // d/dx (4x² + 10x) = 8x + 10
  assert.deepEqual(x.grad!.toArray(), [18, 26]);
});

test('detach cuts the graph and shares the data', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.isLeaf, true);
  assert.equal(d.data, x.data);
  const y = x.mul(2);
  const yd = y.detach();
  assert.equal(yd.requiresGrad, false);
  assert.equal(yd.gradNode, null);
  // y·detach(y) differentiates only through the first factor: d/dx (2x·c) = 2c with c = 2x.
  y.mul(yd).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [4, 8]);
  assert.throws(() => yd.sum().backward(), ValueError);
});

test('noGrad records nothing and returns the value of fn', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.equal(isGradEnabled(), true);
  let inside = true;
  const y = noGrad(() => {
    inside = isGradEnabled();
    return x.mul(3).add(1);
  });
  assert.equal(inside, false);
  assert.equal(isGradEnabled(), true);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradNode, null);
  assert.deepEqual(y.toArray(), [4, 7]);
  assert.equal(
    noGrad(() => 42),
    42,
  );
  assert.deepEqual(
    noGrad(() => ({ a: 'b' })),
    { a: 'b' },
  );
});

test('noGrad nests and restores grad mode after an exception', () => {
  noGrad(() => {
    noGrad(() => assert.equal(isGradEnabled(), false));
    assert.equal(isGradEnabled(), false);
  });
  assert.equal(isGradEnabled(), true);
  assert.throws(
    () =>
      noGrad(() => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(isGradEnabled(), true);
  const x = tensor([1], { requiresGrad: true });
  assert.equal(x.mul(2).requiresGrad, true);
});

test('requiresGrad on an int32 tensor is a DTypeError', () => {
  const i = tensor([1, 2], { dtype: 'int32' });
  assert.throws(() => {
    i.requiresGrad = true;
  }, DTypeError);
  assert.equal(i.requiresGrad, false);
  // Turning it off is harmless.
  i.requiresGrad = false;
  assert.equal(i.requiresGrad, false);
});

test('the requiresGrad setter refuses non-leaves', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  assert.throws(() => {
    y.requiresGrad = false;
  }, ValueError);
  assert.equal(y.requiresGrad, true);
  const leaf = tensor([1, 2]);
  leaf.requiresGrad = true;
  assert.equal(leaf.requiresGrad, true);
  leaf.requiresGrad = false;
  assert.equal(leaf.mul(2).requiresGrad, false);
});

test('ops on leaves that do not require grad record nothing', () => {
  const a = tensor([1, 2]);
  const b = a.mul(a).add(1);
  assert.equal(b.requiresGrad, false);
  assert.equal(b.gradNode, null);
});

test('each leaf gets its own copy of the gradient', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3, 4], { requiresGrad: true });
  const g = tensor([5, 6]);
  a.add(b).backward(g);
  assert.deepEqual(a.grad!.toArray(), [5, 6]);
  assert.deepEqual(b.grad!.toArray(), [5, 6]);
  assert.notEqual(a.grad!.data, b.grad!.data);
  assert.notEqual(a.grad!.data, g.data);
  a.grad!.data[0] = 100;
  assert.deepEqual(b.grad!.toArray(), [5, 6]);
  assert.deepEqual(g.toArray(), [5, 6]);
  // A leaf that is the root: its gradient is not the seed either.
  const c = tensor([1, 1], { requiresGrad: true });
  const seed = tensor([2, 3]);
  c.backward(seed);
  c.grad!.data[1] = -1;
  assert.deepEqual(seed.toArray(), [2, 3]);
  // A reshape shares storage forward; its gradient must still not alias between leaves.
  const d = tensor([[1, 2]], { requiresGrad: true });
  const e = tensor([1, 2], { requiresGrad: true });
  d.reshape(2).add(e).sum().backward();
  d.grad!.data[0] = 50;
  assert.deepEqual(e.grad!.toArray(), [1, 1]);
});

test('a long chain of 5000 adds backpropagates without overflowing the stack', () => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  let y = x;
  for (let i = 0; i < 5000; i++) y = y.add(x);
  assert.deepEqual(y.toArray(), [5001, 10002]);
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [5001, 5001]);
});

test('a long chain of multiplications keeps the gradient exact', () => {
  // y = x · 1.0001^3000: dy/dx = 1.0001^3000.
  const x = tensor([2], { dtype: 'float64', requiresGrad: true });
  let y = x;
  for (let i = 0; i < 3000; i++) y = y.mul(1.0001);
  y.sum().backward();
  const expected = 1.0001 ** 3000;
  assert.ok(Math.abs(x.grad!.item() - expected) < 1e-9 * expected, `${x.grad!.item()} vs ${expected}`);
});

test('a float64 gradient seed on a float32 output is cast to float32', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  x.mul(2).backward(tensor([1, 1], { dtype: 'float64' }));
  assert.equal(x.grad!.dtype, 'float32');
  assert.deepEqual(x.grad!.toArray(), [2, 2]);
});

test('gradient flows to a leaf that only feeds a broadcast and a reduction', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = sum(
    zeros([2, 3])
      .add(x)
      .mul(tensor([[1], [10]])),
  );
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [11, 11, 11]);
});
