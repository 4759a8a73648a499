import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  randn,
  manualSeed,
  gradcheck,
  Tensor,
  concat,
  stack,
  split,
  chunk,
  DTypeError,
  IndexError,
  ShapeError,
  ValueError,
} from '../../src/index.js';

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

const shapes = (ts: readonly Tensor[]): number[][] => ts.map((t) => [...t.shape]);
const values = (ts: readonly Tensor[]): unknown[] => ts.map((t) => t.toArray());

// concat

test('concat joins along an existing axis', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(concat([a, tensor([[5, 6]])]).toArray(), [
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  assert.deepEqual(concat([a, tensor([[7], [8]])], 1).toArray(), [
    [1, 2, 7],
    [3, 4, 8],
  ]);
  assert.deepEqual(concat([tensor([[7], [8]]), a, a], -1).toArray(), [
    [7, 1, 2, 1, 2],
    [8, 3, 4, 3, 4],
  ]);
  assert.deepEqual(concat([tensor([1, 2]), tensor([3])]).toArray(), [1, 2, 3]);
  const same = concat([a]);
  assert.deepEqual(same.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.notEqual(same.data, a.data);
  assert.deepEqual(concat([zeros([0, 2]), a, zeros([0, 2])]).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(concat([zeros([2, 0]), zeros([2, 0])], 1).shape, [2, 0]);
  const i = concat([tensor([1], { dtype: 'int32' }), tensor([2, 3], { dtype: 'int32' })]);
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(i.toArray(), [1, 2, 3]);
});

test('concat along the middle axis of a rank-3 tensor', () => {
  const a = tensor([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
  const b = tensor([
    [
      [5, 6],
      [7, 8],
    ],
    [
      [9, 10],
      [11, 12],
    ],
  ]); // [2, 2, 2]
  assert.deepEqual(concat([a, b], 1).toArray(), [
    [
      [1, 2],
      [5, 6],
      [7, 8],
    ],
    [
      [3, 4],
      [9, 10],
      [11, 12],
    ],
  ]);
});

test('concat with mismatched shapes is a ShapeError naming both shapes', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.throws(
    () => concat([a, zeros([2, 3])], 0),
    (e: unknown) => e instanceof ShapeError && e.message.includes('[2, 2]') && e.message.includes('[2, 3]'),
  );
  assert.throws(
    () => concat([a, a, zeros([1, 2, 1])], 1),
    (e: unknown) => e instanceof ShapeError && e.message.includes('[2, 2]') && e.message.includes('[1, 2, 1]'),
  );
  assert.throws(() => concat([tensor([1]), zeros([1, 1])]), ShapeError);
});

test('concat errors: dtype, axis, empty list', () => {
  const a = tensor([[1, 2]]);
  assert.throws(() => concat([a, tensor([[1, 2]], { dtype: 'float64' })]), DTypeError);
  assert.throws(() => concat([a, a], 2), IndexError);
  assert.throws(() => concat([a, a], -3), IndexError);
  assert.throws(() => concat([]), ValueError);
  assert.throws(() => concat([tensor(1), tensor(2)]), ShapeError);
});

test('concat gradcheck, with one input not requiring grad', () => {
  const b = randn([2, 1], { dtype: 'float64' });
  assert.ok(gradcheck((x, y, z) => concat([x, y, z], 1), [leaf([2, 3], 1), b, leaf([2, 2], 2)]));
  assert.ok(gradcheck((x, y) => concat([y, x, y], -2), [leaf([1, 3], 3), leaf([2, 3], 4)]));
});

test('concat backward splits the gradient', () => {
  const a = zeros([1, 2], { requiresGrad: true });
  const b = zeros([2, 2], { requiresGrad: true });
  concat([a, b]).backward(
    tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
  );
  assert.deepEqual(a.grad!.toArray(), [[1, 2]]);
  assert.deepEqual(b.grad!.toArray(), [
    [3, 4],
    [5, 6],
  ]);
});

// stack

test('stack joins along a new axis', () => {
  const a = tensor([1, 2]);
  const b = tensor([3, 4]);
  assert.deepEqual(stack([a, b]).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(stack([a, b], 1).toArray(), [
    [1, 3],
    [2, 4],
  ]);
  assert.deepEqual(stack([a, b], -1).toArray(), [
    [1, 3],
    [2, 4],
  ]);
  assert.deepEqual(stack([a, b], -2).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(stack([a]).toArray(), [[1, 2]]);
  const s = stack([tensor(1), tensor(2), tensor(3)]);
  assert.deepEqual(s.shape, [3]);
  assert.deepEqual(s.toArray(), [1, 2, 3]);
  const m = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(stack([m, m.mul(10)], 1).toArray(), [
    [
      [1, 2],
      [10, 20],
    ],
    [
      [3, 4],
      [30, 40],
    ],
  ]);
  assert.deepEqual(stack([zeros([0]), zeros([0])]).shape, [2, 0]);
});

test('stack errors', () => {
  assert.throws(
    () => stack([tensor([1, 2]), tensor([1, 2, 3])]),
    (e: unknown) => e instanceof ShapeError && e.message.includes('[2]') && e.message.includes('[3]'),
  );
  assert.throws(() => stack([tensor([1, 2]), tensor([[1, 2]])]), ShapeError);
  assert.throws(() => stack([tensor([1, 2])], 2), IndexError);
  assert.throws(() => stack([tensor([1, 2])], -3), IndexError);
  assert.throws(() => stack([]), ValueError);
});

test('stack gradcheck', () => {
  assert.ok(gradcheck((x, y) => stack([x, y, x], 1), [leaf([2, 3], 5), leaf([2, 3], 6)]));
});

// split

test('split by a size: equal pieces, the last smaller', () => {
  const v = tensor([0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(values(split(v, 3)), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.deepEqual(values(split(v, 7)), [[0, 1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(values(split(v, 10)), [[0, 1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(values(split(v, 1)), [[0], [1], [2], [3], [4], [5], [6]]);
  const x = tensor([
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(values(split(x, 1, 1)), [
    [[0], [3]],
    [[1], [4]],
    [[2], [5]],
  ]);
  assert.deepEqual(values(x.split(2, -1)), [
    [
      [0, 1],
      [3, 4],
    ],
    [[2], [5]],
  ]);
  assert.deepEqual(shapes(split(zeros([0, 2]), 2)), [[0, 2]]);
});

test('split by a list of sizes', () => {
  const v = tensor([0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(values(split(v, [2, 0, 5])), [[0, 1], [], [2, 3, 4, 5, 6]]);
  assert.deepEqual(values(split(v, [7])), [[0, 1, 2, 3, 4, 5, 6]]);
  const x = tensor([
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(values(split(x, [1, 1], 0)), [[[0, 1, 2]], [[3, 4, 5]]]);
  assert.deepEqual(values(split(x, [2, 1], -1)), [
    [
      [0, 1],
      [3, 4],
    ],
    [[2], [5]],
  ]);
});

test('split errors', () => {
  const v = tensor([0, 1, 2, 3]);
  assert.throws(() => split(v, 0), ValueError);
  assert.throws(() => split(v, -1), ValueError);
  assert.throws(() => split(v, 1.5), ValueError);
  assert.throws(() => split(v, [1, 2]), ValueError);
  assert.throws(() => split(v, [2, 3]), ValueError);
  assert.throws(() => split(v, [5, -1]), ValueError);
  assert.throws(() => split(v, 2, 1), IndexError);
  assert.throws(() => split(tensor(3), 1), ShapeError);
});

test('split gradcheck', () => {
  assert.ok(
    gradcheck(
      (x) => {
        const [a, b, c] = split(x, [1, 2, 1], 1) as [Tensor, Tensor, Tensor];
        return concat([c, a.mul(3), b.mul(b)], 1);
      },
      [leaf([2, 4], 7)],
    ),
  );
  assert.ok(
    gradcheck(
      (x) => {
        const [a, b] = split(x, 2) as [Tensor, Tensor];
        return concat([b.mul(b), a]);
      },
      [leaf([3, 2], 8)],
    ),
  );
});

// chunk

test('chunk follows torch.chunk: pieces of ceil(n / chunks)', () => {
  const range = (n: number): Tensor => tensor(Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(values(chunk(range(5), 3)), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(values(chunk(range(6), 3)), [
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  // ceil(6 / 4) = 2, so only three pieces.
  assert.deepEqual(values(chunk(range(6), 4)), [
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  assert.deepEqual(values(chunk(range(2), 5)), [[0], [1]]);
  assert.deepEqual(values(chunk(range(4), 1)), [[0, 1, 2, 3]]);
  const x = tensor([
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(values(chunk(x, 2, 1)), [
    [
      [0, 1],
      [3, 4],
    ],
    [[2], [5]],
  ]);
  assert.deepEqual(values(x.chunk(2, -2)), [[[0, 1, 2]], [[3, 4, 5]]]);
});

test('chunk of an empty axis gives `chunks` empty pieces, as torch', () => {
  assert.deepEqual(shapes(chunk(zeros([0]), 3)), [[0], [0], [0]]);
  assert.deepEqual(shapes(chunk(zeros([2, 0]), 2, 1)), [
    [2, 0],
    [2, 0],
  ]);
});

test('chunk errors', () => {
  assert.throws(() => chunk(tensor([1, 2]), 0), ValueError);
  assert.throws(() => chunk(tensor([1, 2]), 1.5), ValueError);
  assert.throws(() => chunk(tensor([1, 2]), 2, 1), IndexError);
  assert.throws(() => chunk(tensor(3), 1), ShapeError);
});

test('chunk gradcheck', () => {
  assert.ok(
    gradcheck(
      (x) => {
        const [a, b, c] = chunk(x, 3, -1) as [Tensor, Tensor, Tensor];
        return concat([a.mul(b), c.mul(2)], -1);
      },
      [leaf([2, 5], 9)],
    ),
  );
});

test('split backward: one node for all pieces; pieces without a gradient contribute zeros', () => {
  const x = leaf([5, 2], 31);
  const pieces = split(x, [2, 0, 3], 0);
  assert.ok(pieces.every((p) => p.gradNode === pieces[0]!.gradNode));
  pieces[2]!.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [
    [0, 0],
    [0, 0],
    [3, 3],
    [3, 3],
    [3, 3],
  ]);
  assert.equal(
    gradcheck(
      (t) =>
        concat(
          split(t, [1, 2], 1).map((p, i) => p.mul(i + 2)),
          1,
        ),
      [leaf([3, 3], 32)],
    ),
    true,
  );
});
