import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  ones,
  full,
  arange,
  eye,
  rand,
  randn,
  randint,
  zerosLike,
  onesLike,
  fullLike,
  randLike,
  randnLike,
  randintLike,
  manualSeed,
  Tensor,
  ShapeError,
  DTypeError,
  ValueError,
} from '../../src/index.js';

test('tensor from nested arrays infers shape, float32 by default', () => {
  const t = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(Array.from(t.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(t.ndim, 2);
  assert.equal(t.size, 6);
  assert.equal(t.requiresGrad, false);
});

test('tensor from a 3-level nested array', () => {
  const t = tensor([
    [[1], [2]],
    [[3], [4]],
    [[5], [6]],
  ]);
  assert.deepEqual(t.shape, [3, 2, 1]);
  assert.deepEqual(Array.from(t.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(t.toArray(), [
    [[1], [2]],
    [[3], [4]],
    [[5], [6]],
  ]);
});

test('tensor from a number is 0-d', () => {
  const t = tensor(2.5);
  assert.deepEqual(t.shape, []);
  assert.equal(t.ndim, 0);
  assert.equal(t.size, 1);
  assert.equal(t.item(), 2.5);
  assert.equal(t.toArray(), 2.5);
});

test('tensor from an empty array has shape [0]; [[]] has shape [1, 0]', () => {
  const a = tensor([]);
  assert.deepEqual(a.shape, [0]);
  assert.equal(a.size, 0);
  assert.deepEqual(a.toArray(), []);
  const b = tensor([[]]);
  assert.deepEqual(b.shape, [1, 0]);
  assert.deepEqual(b.toArray(), [[]]);
});

test('tensor from a flat array with a shape', () => {
  const t = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
  assert.deepEqual(t.shape, [3, 2]);
  assert.deepEqual(t.toArray(), [
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const u = tensor([1, 2, 3, 4, 5, 6], [2, 3], { dtype: 'float64' });
  assert.equal(u.dtype, 'float64');
  assert.deepEqual(u.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
});

test('tensor with a shape that does not match the element count is a ShapeError', () => {
  assert.throws(() => tensor([1, 2, 3, 4, 5], [2, 3]), ShapeError);
  assert.throws(() => tensor(new Float32Array(4), [3]), ShapeError);
});

test('tensor with a negative or fractional size in the shape is rejected', () => {
  assert.throws(() => tensor([1, 2], [-2]), ValueError);
  assert.throws(() => tensor([1, 2], [1.5, 2]), ValueError);
});

test('tensor from typed arrays takes their dtype and copies the data', () => {
  const f64 = new Float64Array([0.1, 0.2, 0.3, 0.4]);
  const a = tensor(f64, [2, 2]);
  assert.equal(a.dtype, 'float64');
  assert.deepEqual(a.toArray(), [
    [0.1, 0.2],
    [0.3, 0.4],
  ]);
  f64[0] = 99;
  assert.equal(a.data[0], 0.1);
  a.data[1] = -5;
  assert.equal(f64[1], 0.2);

  const i32 = new Int32Array([7, 8, 9]);
  const b = tensor(i32);
  assert.equal(b.dtype, 'int32');
  assert.deepEqual(b.shape, [3]);
  assert.notEqual(b.data, i32);
  i32[2] = 0;
  assert.deepEqual(Array.from(b.data), [7, 8, 9]);

  const f32 = new Float32Array([1.5, -2]);
  const c = tensor(f32);
  assert.equal(c.dtype, 'float32');
  assert.notEqual(c.data, f32);
  assert.deepEqual(Array.from(c.data), [1.5, -2]);
});

test('tensor converts a typed array to a requested dtype', () => {
  const t = tensor(new Int32Array([1, 2, 3]), { dtype: 'float64' });
  assert.equal(t.dtype, 'float64');
  assert.ok(t.data instanceof Float64Array);
  assert.deepEqual(Array.from(t.data), [1, 2, 3]);
});

test('float32 rounds values; float64 keeps them', () => {
  const a = tensor([0.1]);
  assert.equal(a.data[0], Math.fround(0.1));
  assert.notEqual(a.data[0], 0.1);
  const b = tensor([0.1], { dtype: 'float64' });
  assert.equal(b.data[0], 0.1);
});

test('ragged nested data is a ShapeError', () => {
  assert.throws(() => tensor([[1, 2], [3]]), ShapeError);
  assert.throws(() => tensor([[1, 2], 3]), ShapeError);
  assert.throws(() => tensor([1, [2, 3]]), ShapeError);
  assert.throws(
    () =>
      tensor([
        [[1, 2]],
        [
          [3, 4],
          [5, 6],
        ],
      ]),
    ShapeError,
  );
});

test('int32 tensors hold integers; non-integers are a DTypeError', () => {
  const t = tensor(
    [
      [1, -2],
      [3, 4],
    ],
    { dtype: 'int32' },
  );
  assert.equal(t.dtype, 'int32');
  assert.ok(t.data instanceof Int32Array);
  assert.deepEqual(t.toArray(), [
    [1, -2],
    [3, 4],
  ]);
  assert.throws(() => tensor([1, 2.5], { dtype: 'int32' }), DTypeError);
  assert.throws(() => tensor([[1], [Number.NaN]], { dtype: 'int32' }), DTypeError);
  assert.throws(() => tensor([1, 2, 3.25, 4], [2, 2], { dtype: 'int32' }), DTypeError);
  assert.throws(() => tensor(new Float64Array([1, 0.5]), { dtype: 'int32' }), DTypeError);
});

test('an unknown dtype is a DTypeError', () => {
  assert.throws(() => tensor([1], { dtype: 'float16' as unknown as 'float32' }), DTypeError);
});

test('requiresGrad option marks a floating leaf; int32 cannot require grad', () => {
  const t = tensor([1, 2], { requiresGrad: true });
  assert.equal(t.requiresGrad, true);
  assert.equal(t.isLeaf, true);
  assert.equal(t.grad, null);
  assert.throws(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true }), DTypeError);
  assert.throws(() => zeros([2], { dtype: 'int32', requiresGrad: true }), DTypeError);
});

test('item returns the one element and refuses larger tensors', () => {
  assert.equal(tensor([[7]]).item(), 7);
  assert.equal(tensor([-3], { dtype: 'int32' }).item(), -3);
  assert.throws(() => tensor([1, 2]).item(), ValueError);
  assert.throws(() => zeros([0]).item(), ValueError);
});

test('the Tensor constructor rejects data of the wrong length', () => {
  assert.throws(() => new Tensor(new Float32Array(5), [2, 3]), ValueError);
  const t = new Tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  assert.equal(t.dtype, 'float64');
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
});

test('shape is frozen', () => {
  const t = zeros([2, 3]);
  assert.ok(Object.isFrozen(t.shape));
});

test('zeros, ones and full', () => {
  const z = zeros([2, 3]);
  assert.deepEqual(z.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.equal(z.dtype, 'float32');
  const o = ones([3], { dtype: 'int32' });
  assert.equal(o.dtype, 'int32');
  assert.deepEqual(o.toArray(), [1, 1, 1]);
  const f = full([2, 2], -1.5, { dtype: 'float64' });
  assert.equal(f.dtype, 'float64');
  assert.deepEqual(f.toArray(), [
    [-1.5, -1.5],
    [-1.5, -1.5],
  ]);
  const s = full([], 4);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 4);
  const e = zeros([2, 0, 3]);
  assert.deepEqual(e.shape, [2, 0, 3]);
  assert.equal(e.size, 0);
  assert.deepEqual(e.toArray(), [[], []]);
  assert.throws(() => zeros([-1]), ValueError);
});

test('the *Like constructors copy shape and dtype unless told otherwise', () => {
  const x = tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: 'float64' },
  );
  const z = zerosLike(x);
  assert.deepEqual(z.shape, [2, 3]);
  assert.equal(z.dtype, 'float64');
  assert.deepEqual(z.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  const o = onesLike(x, { dtype: 'int32' });
  assert.equal(o.dtype, 'int32');
  assert.deepEqual(o.toArray(), [
    [1, 1, 1],
    [1, 1, 1],
  ]);
  const f = fullLike(x, 7);
  assert.equal(f.dtype, 'float64');
  assert.deepEqual(f.toArray(), [
    [7, 7, 7],
    [7, 7, 7],
  ]);
  assert.notEqual(f.data, x.data);
  const r = randLike(x);
  assert.deepEqual(r.shape, [2, 3]);
  assert.equal(r.dtype, 'float64');
  const n = randnLike(x, { dtype: 'float32' });
  assert.equal(n.dtype, 'float32');
  assert.deepEqual(n.shape, [2, 3]);
  const i = randintLike(tensor([[0, 0]], { dtype: 'int32' }), 3, 5);
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(i.shape, [1, 2]);
  for (const v of i.data) assert.ok(v === 3 || v === 4);
  // The like-constructors make fresh leaves that do not require grad.
  const g = tensor([1, 2], { requiresGrad: true });
  assert.equal(zerosLike(g).requiresGrad, false);
  assert.equal(onesLike(g, { requiresGrad: true }).requiresGrad, true);
});

test('arange with integer arguments is int32, like torch.arange', () => {
  const a = arange(5);
  assert.equal(a.dtype, 'int32');
  assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
  assert.deepEqual(arange(2, 6).toArray(), [2, 3, 4, 5]);
  assert.deepEqual(arange(1, 10, 3).toArray(), [1, 4, 7]);
  assert.deepEqual(arange(5, 0, -2).toArray(), [5, 3, 1]);
  assert.deepEqual(arange(-3, 0).toArray(), [-3, -2, -1]);
  const empty = arange(3, 3);
  assert.deepEqual(empty.shape, [0]);
  assert.deepEqual(arange(4, 1).shape, [0]);
  assert.deepEqual(arange(0).shape, [0]);
});

test('arange with a fractional argument is float32; dtype can be chosen', () => {
  const a = arange(0, 1, 0.25);
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.toArray(), [0, 0.25, 0.5, 0.75]);
  const b = arange(0.5, 3);
  assert.equal(b.dtype, 'float32');
  assert.deepEqual(b.toArray(), [0.5, 1.5, 2.5]);
  const c = arange(0, 2, 0.5);
  assert.deepEqual(c.toArray(), [0, 0.5, 1, 1.5]);
  const d = arange(4, undefined, 1, { dtype: 'float64' });
  assert.equal(d.dtype, 'float64');
  assert.deepEqual(d.toArray(), [0, 1, 2, 3]);
  // Length is ceil((end - start) / step), as torch: 0, 0.4, 0.8.
  assert.deepEqual(arange(0, 1, 0.4).shape, [3]);
});

test('arange with a zero or non-finite step is a ValueError', () => {
  assert.throws(() => arange(0, 5, 0), ValueError);
  assert.throws(() => arange(0, 5, Number.NaN), ValueError);
  assert.throws(() => arange(0, 5, Number.POSITIVE_INFINITY), ValueError);
});

test('eye', () => {
  assert.deepEqual(eye(3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  assert.deepEqual(eye(2, 3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
  ]);
  assert.deepEqual(eye(3, 2).toArray(), [
    [1, 0],
    [0, 1],
    [0, 0],
  ]);
  const e = eye(2, 2, { dtype: 'int32' });
  assert.equal(e.dtype, 'int32');
  assert.deepEqual(eye(0).shape, [0, 0]);
});

test('rand, randn and randint have the requested shapes and dtypes', () => {
  manualSeed(3);
  const r = rand([4, 5]);
  assert.deepEqual(r.shape, [4, 5]);
  assert.equal(r.dtype, 'float32');
  for (const v of r.data) assert.ok(v >= 0 && v < 1);
  const n = randn([3], { dtype: 'float64' });
  assert.equal(n.dtype, 'float64');
  assert.deepEqual(n.shape, [3]);
  assert.ok(n.data.every((v) => Number.isFinite(v)));
  // Three independent normals are not all equal.
  assert.ok(n.data[0] !== n.data[1] || n.data[1] !== n.data[2]);
  const i = randint(-2, 3, [10]);
  assert.equal(i.dtype, 'int32');
  for (const v of i.data) assert.ok(Number.isInteger(v) && v >= -2 && v < 3);
  const f = randint(0, 4, [6], { dtype: 'float64' });
  assert.equal(f.dtype, 'float64');
  for (const v of f.data) assert.ok(Number.isInteger(v) && v >= 0 && v < 4);
  assert.equal(rand([2], { requiresGrad: true }).requiresGrad, true);
  assert.deepEqual(rand([]).shape, []);
  assert.deepEqual(randn([0, 2]).shape, [0, 2]);
});

test('randint needs integer bounds with low < high', () => {
  assert.throws(() => randint(3, 3, [2]), ValueError);
  assert.throws(() => randint(5, 1, [2]), ValueError);
  assert.throws(() => randint(0, 2.5, [2]), ValueError);
});
