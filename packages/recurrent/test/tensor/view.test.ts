import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  ones,
  randn,
  manualSeed,
  gradcheck,
  Tensor,
  reshape,
  transpose,
  permute,
  squeeze,
  unsqueeze,
  expand,
  flatten,
  narrow,
  slice,
  select,
  flip,
  pad,
  IndexError,
  ShapeError,
  ValueError,
} from '../../src/index.js';
import { placeInZeros } from '../../src/tensor/ops/view.js';

/** [[0, 1, 2], [3, 4, 5]] */
const m23 = (): Tensor =>
  tensor([
    [0, 1, 2],
    [3, 4, 5],
  ]);
/** Shape [2, 3, 4] holding 12i + 4j + k at [i][j][k]. */
const t234 = (): Tensor =>
  tensor(
    Array.from({ length: 24 }, (_, n) => n),
    [2, 3, 4],
  );

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

/** Element [i][j][k] of a rank-3 tensor. */
function at3(t: Tensor, i: number, j: number, k: number): number {
  return t.data[(i * t.shape[1]! + j) * t.shape[2]! + k]!;
}

// reshape

test('reshape reorders nothing, infers −1 and shares storage', () => {
  const x = m23();
  assert.deepEqual(reshape(x, [3, 2]).toArray(), [
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  assert.deepEqual(reshape(x, [-1]).toArray(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(reshape(x, [3, -1]).shape, [3, 2]);
  assert.deepEqual(reshape(x, [-1, 1, 2]).shape, [3, 1, 2]);
  assert.deepEqual(x.reshape(6, 1).toArray(), [[0], [1], [2], [3], [4], [5]]);
  assert.deepEqual(x.view([1, 6]).toArray(), [[0, 1, 2, 3, 4, 5]]);
  const r = reshape(x, [6]);
  assert.equal(r.data, x.data);
  r.data[4] = 40;
  assert.deepEqual(x.toArray(), [
    [0, 1, 2],
    [3, 40, 5],
  ]);
  assert.deepEqual(x.shape, [2, 3]);
});

test('reshape of 0-d, one-element and empty tensors', () => {
  assert.deepEqual(reshape(tensor(5), [1, 1]).toArray(), [[5]]);
  const s = reshape(tensor([[7]]), []);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 7);
  assert.deepEqual(reshape(tensor(3), [-1]).toArray(), [3]);
  assert.deepEqual(reshape(zeros([0, 3]), [-1, 3]).shape, [0, 3]);
  assert.deepEqual(reshape(zeros([0, 3]), [3, 0, 5]).shape, [3, 0, 5]);
});

test('impossible reshapes are ShapeErrors', () => {
  const x = m23();
  assert.throws(() => reshape(x, [4, 2]), ShapeError);
  assert.throws(() => reshape(x, [-1, 4]), ShapeError);
  assert.throws(() => reshape(x, [-1, -1]), ShapeError);
  assert.throws(() => reshape(x, [-2, -3]), ShapeError);
  assert.throws(() => reshape(x, [2.5, 2]), ShapeError);
  assert.throws(() => reshape(zeros([0, 3]), [0, -1]), ShapeError);
  assert.throws(
    () => reshape(x, [7]),
    (e: unknown) => e instanceof ShapeError && e.message.includes('[2, 3]') && e.message.includes('[7]'),
  );
});

test('reshape gradcheck', () => {
  assert.ok(gradcheck((x) => reshape(x, [3, -1]).mul(reshape(x, [3, 2])), [leaf([2, 3], 1)]));
});

// transpose / permute

test('transpose swaps two axes; default is the last two', () => {
  assert.deepEqual(transpose(m23()).toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(transpose(m23(), 1, 0).toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  const y = t234();
  const t = transpose(y, 0, 2);
  assert.deepEqual(t.shape, [4, 3, 2]);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) assert.equal(at3(t, k, j, i), 12 * i + 4 * j + k);
  assert.deepEqual(transpose(y, -1, -3).toArray(), t.toArray());
  const last = y.transpose();
  assert.deepEqual(last.shape, [2, 4, 3]);
  assert.equal(at3(last, 1, 3, 2), 12 + 8 + 3);
  assert.deepEqual(transpose(y, 1, 1).toArray(), y.toArray());
  assert.deepEqual(transpose(zeros([0, 2])).shape, [2, 0]);
});

test('transpose with an axis out of range is an IndexError', () => {
  assert.throws(() => transpose(m23(), 0, 2), IndexError);
  assert.throws(() => transpose(m23(), -3, 0), IndexError);
  assert.throws(() => transpose(tensor([1, 2])), IndexError);
});

test('permute reorders axes', () => {
  const y = t234();
  const p = permute(y, [2, 0, 1]);
  assert.deepEqual(p.shape, [4, 2, 3]);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) assert.equal(at3(p, k, i, j), 12 * i + 4 * j + k);
  assert.deepEqual(y.permute(-1, 0, -2).toArray(), p.toArray());
  assert.deepEqual(permute(y, [0, 1, 2]).toArray(), y.toArray());
  assert.notEqual(permute(y, [0, 1, 2]).data, y.data);
  assert.equal(permute(tensor(4), []).item(), 4);
  assert.deepEqual(permute(zeros([2, 0, 3]), [2, 1, 0]).shape, [3, 0, 2]);
});

test('permute errors', () => {
  const y = t234();
  assert.throws(() => permute(y, [0, 1]), ShapeError);
  assert.throws(() => permute(y, [0, 1, 3]), IndexError);
  assert.throws(() => permute(y, [0, 1, -4]), IndexError);
  assert.throws(() => permute(y, [0, 1, 1]), ValueError);
  assert.throws(() => permute(y, [2, 0, -1]), ValueError);
});

test('transpose and permute gradchecks', () => {
  assert.ok(gradcheck((x) => transpose(x, 0, 2), [leaf([2, 3, 4], 2)]));
  assert.ok(gradcheck((x) => permute(x, [2, 0, 1]), [leaf([2, 3, 4], 3)]));
  assert.ok(gradcheck((x) => permute(x, [1, 2, 0]).mul(permute(x, [1, 2, 0])), [leaf([2, 3, 4], 4)]));
});

test('permute backward applies the inverse permutation', () => {
  const x = zeros([2, 3, 4], { dtype: 'float64', requiresGrad: true });
  const y = permute(x, [2, 0, 1]);
  // Upstream gradient with value 12i + 4j + k at y[k][i][j] (shape [4, 2, 3]).
  const g = zeros([4, 2, 3], { dtype: 'float64' });
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) g.data[(k * 2 + i) * 3 + j] = 12 * i + 4 * j + k;
  y.backward(g);
  assert.deepEqual(
    Array.from(x.grad!.data),
    Array.from({ length: 24 }, (_, n) => n),
  );
});

// squeeze / unsqueeze

test('squeeze removes size-1 axes, all or the listed ones', () => {
  const x = zeros([1, 3, 1, 2]);
  assert.deepEqual(squeeze(x).shape, [3, 2]);
  assert.deepEqual(squeeze(x, 0).shape, [3, 1, 2]);
  assert.deepEqual(squeeze(x, -2).shape, [1, 3, 2]);
  assert.deepEqual(squeeze(x, 1).shape, [1, 3, 1, 2]);
  assert.deepEqual(squeeze(x, [0, 2]).shape, [3, 2]);
  assert.deepEqual(x.squeeze([-4, 1]).shape, [3, 1, 2]);
  assert.deepEqual(squeeze(tensor([[5]])).shape, []);
  assert.equal(squeeze(tensor([[5]])).item(), 5);
  assert.deepEqual(squeeze(tensor(5)).shape, []);
  assert.deepEqual(squeeze(zeros([1, 0])).shape, [0]);
  assert.deepEqual(squeeze(tensor([[1, 2, 3]])).toArray(), [1, 2, 3]);
  assert.throws(() => squeeze(x, 4), IndexError);
  assert.throws(() => squeeze(x, -5), IndexError);
});

test('unsqueeze inserts a size-1 axis', () => {
  const x = m23();
  assert.deepEqual(unsqueeze(x, 0).toArray(), [
    [
      [0, 1, 2],
      [3, 4, 5],
    ],
  ]);
  assert.deepEqual(unsqueeze(x, 1).toArray(), [[[0, 1, 2]], [[3, 4, 5]]]);
  assert.deepEqual(unsqueeze(x, 2).toArray(), [
    [[0], [1], [2]],
    [[3], [4], [5]],
  ]);
  assert.deepEqual(unsqueeze(x, -1).shape, [2, 3, 1]);
  assert.deepEqual(unsqueeze(x, -3).shape, [1, 2, 3]);
  assert.deepEqual(x.unsqueeze(-2).shape, [2, 1, 3]);
  assert.deepEqual(unsqueeze(tensor(9), 0).toArray(), [9]);
  assert.deepEqual(unsqueeze(tensor(9), -1).toArray(), [9]);
  assert.throws(() => unsqueeze(x, 3), IndexError);
  assert.throws(() => unsqueeze(x, -4), IndexError);
});

test('squeeze and unsqueeze gradchecks', () => {
  assert.ok(gradcheck((x) => squeeze(x), [leaf([1, 3, 1, 2], 5)]));
  assert.ok(gradcheck((x) => unsqueeze(x, 1).mul(unsqueeze(x, 1)), [leaf([2, 3], 6)]));
});

// expand

test('expand broadcasts size-1 axes and adds leading axes', () => {
  const col = tensor([[1], [2]]);
  assert.deepEqual(expand(col, [2, 3]).toArray(), [
    [1, 1, 1],
    [2, 2, 2],
  ]);
  assert.deepEqual(col.expand(3, -1, 2).toArray(), [
    [
      [1, 1],
      [2, 2],
    ],
    [
      [1, 1],
      [2, 2],
    ],
    [
      [1, 1],
      [2, 2],
    ],
  ]);
  assert.deepEqual(expand(tensor([1, 2, 3]), [2, 3]).toArray(), [
    [1, 2, 3],
    [1, 2, 3],
  ]);
  assert.deepEqual(expand(tensor(5), [2, 2]).toArray(), [
    [5, 5],
    [5, 5],
  ]);
  assert.deepEqual(expand(tensor([[4]]), [1, 1]).toArray(), [[4]]);
  assert.deepEqual(expand(zeros([1, 3]), [0, 3]).shape, [0, 3]);
});

test('expand errors', () => {
  assert.throws(() => expand(tensor([1, 2, 3]), [2, 2]), ShapeError);
  assert.throws(() => expand(m23(), [3]), ShapeError);
  assert.throws(() => expand(tensor([1, 2]), [-1, 2]), ShapeError);
  assert.throws(() => expand(tensor([1, 2]), [2, 4]), ShapeError);
});

test('expand backward sums over the broadcast axes', () => {
  const x = tensor([[1], [2]], { dtype: 'float64', requiresGrad: true });
  const g = tensor(
    [
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [10, 20, 30],
        [40, 50, 60],
      ],
    ],
    { dtype: 'float64' },
  );
  expand(x, [2, 2, 3]).backward(g);
  assert.deepEqual(x.grad!.toArray(), [[1 + 2 + 3 + 10 + 20 + 30], [4 + 5 + 6 + 40 + 50 + 60]]);
  assert.ok(gradcheck((a) => expand(a, [3, 2, 4]), [leaf([2, 1], 7)]));
});

// flatten

test('flatten merges a range of axes', () => {
  const y = t234();
  assert.deepEqual(flatten(y).shape, [24]);
  assert.deepEqual(
    Array.from(flatten(y).data),
    Array.from({ length: 24 }, (_, n) => n),
  );
  assert.deepEqual(flatten(y, 1).shape, [2, 12]);
  assert.deepEqual(flatten(y, 0, 1).shape, [6, 4]);
  assert.deepEqual(flatten(y, -2, -1).shape, [2, 12]);
  assert.deepEqual(y.flatten(1, 1).shape, [2, 3, 4]);
  assert.deepEqual(flatten(tensor(3)).toArray(), [3]);
  assert.deepEqual(flatten(zeros([2, 0, 3]), 1).shape, [2, 0]);
  assert.throws(() => flatten(y, 2, 1), ValueError);
  assert.throws(() => flatten(y, 0, 3), IndexError);
  assert.throws(() => flatten(y, -4), IndexError);
});

test('flatten gradcheck', () => {
  assert.ok(gradcheck((x) => flatten(x, 1).mul(flatten(x, 1)), [leaf([2, 3, 2], 8)]));
});

// narrow / slice / select

test('narrow takes a contiguous block along an axis', () => {
  const x = m23();
  assert.deepEqual(narrow(x, 1, 1, 2).toArray(), [
    [1, 2],
    [4, 5],
  ]);
  assert.deepEqual(narrow(x, 0, 1, 1).toArray(), [[3, 4, 5]]);
  assert.deepEqual(narrow(x, -1, 2, 1).toArray(), [[2], [5]]);
  assert.deepEqual(narrow(x, 1, -2, 2).toArray(), [
    [1, 2],
    [4, 5],
  ]);
  assert.deepEqual(narrow(x, 1, 3, 0).shape, [2, 0]);
  assert.deepEqual(x.narrow(0, 0, 2).toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  const y = t234();
  const n = narrow(y, 1, 1, 2);
  assert.deepEqual(n.shape, [2, 2, 4]);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 4; k++) assert.equal(at3(n, i, j, k), 12 * i + 4 * (j + 1) + k);
});

test('narrow out of range is an IndexError', () => {
  const x = m23();
  assert.throws(() => narrow(x, 1, 2, 2), IndexError);
  assert.throws(() => narrow(x, 1, 0, -1), IndexError);
  assert.throws(() => narrow(x, 1, -4, 1), IndexError);
  assert.throws(() => narrow(x, 2, 0, 1), IndexError);
});

test('narrow, slice and select refuse 0-d tensors, as torch', () => {
  assert.throws(() => narrow(tensor(5), 0, 0, 1), ShapeError);
  assert.throws(() => slice(tensor(5), 0, 0, 1), ShapeError);
  assert.throws(() => select(tensor(5), 0, 0), ShapeError);
});

test('narrow gradcheck and backward', () => {
  assert.ok(gradcheck((x) => narrow(x, -1, 1, 2), [leaf([3, 4], 9)]));
  const x = zeros([2, 3], { requiresGrad: true });
  narrow(x, 1, 1, 2).backward(
    tensor([
      [1, 2],
      [3, 4],
    ]),
  );
  assert.deepEqual(x.grad!.toArray(), [
    [0, 1, 2],
    [0, 3, 4],
  ]);
});

// placeInZeros (internal: the backward of narrow and scatterAdd; it records like any op when grad is on)

test('placeInZeros writes g into zeros at the offsets, and gradchecks', () => {
  assert.deepEqual(placeInZeros(tensor([[1, 2]]), [2, 4], [1, 1]).toArray(), [
    [0, 0, 0, 0],
    [0, 1, 2, 0],
  ]);
  assert.ok(gradcheck((g) => placeInZeros(g, [3, 4, 2], [1, 0, 1]), [leaf([2, 3, 1], 15)]));
  assert.ok(gradcheck((g) => placeInZeros(g, [2, 5], [0, 2]).mul(placeInZeros(g, [2, 5], [0, 2])), [leaf([2, 3], 16)]));
});

test('slice follows Python: negative bounds count from the end, out-of-range bounds clip', () => {
  const v = tensor([0, 1, 2, 3, 4, 5]);
  assert.deepEqual(slice(v, 0, 1, 4).toArray(), [1, 2, 3]);
  assert.deepEqual(slice(v, 0, -2).toArray(), [4, 5]);
  assert.deepEqual(slice(v, 0, 0, -2).toArray(), [0, 1, 2, 3]);
  assert.deepEqual(slice(v, 0, -4, -1).toArray(), [2, 3, 4]);
  assert.deepEqual(slice(v, 0, 4, 100).toArray(), [4, 5]);
  assert.deepEqual(slice(v, 0, -100, 2).toArray(), [0, 1]);
  assert.deepEqual(slice(v, 0, 5, 2).shape, [0]);
  assert.deepEqual(slice(v, 0, 10).shape, [0]);
  assert.deepEqual(slice(v, 0).toArray(), [0, 1, 2, 3, 4, 5]);
  const x = m23();
  assert.deepEqual(slice(x, 1, 1).toArray(), [
    [1, 2],
    [4, 5],
  ]);
  assert.deepEqual(x.slice(-2, 1, 2).toArray(), [[3, 4, 5]]);
  assert.throws(() => slice(x, 2, 0, 1), IndexError);
  assert.throws(() => slice(x, -3), IndexError);
});

test('slice gradcheck', () => {
  assert.ok(gradcheck((x) => slice(x, 0, -3, 100), [leaf([4, 2], 10)]));
});

test('select removes the selected axis', () => {
  const x = m23();
  assert.deepEqual(select(x, 0, 1).toArray(), [3, 4, 5]);
  assert.deepEqual(select(x, 1, 0).toArray(), [0, 3]);
  assert.deepEqual(select(x, 1, -1).toArray(), [2, 5]);
  assert.deepEqual(x.select(-1, 1).toArray(), [1, 4]);
  const s = select(tensor([7, 8, 9]), 0, 2);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 9);
  const y = select(t234(), 1, 2);
  assert.deepEqual(y.toArray(), [
    [8, 9, 10, 11],
    [20, 21, 22, 23],
  ]);
  assert.throws(() => select(x, 0, 2), IndexError);
  assert.throws(() => select(x, 0, -3), IndexError);
  assert.throws(() => select(x, 1, 0.5), IndexError);
  assert.throws(() => select(x, 2, 0), IndexError);
  assert.throws(() => select(zeros([0, 2]), 0, 0), IndexError);
});

test('select gradcheck', () => {
  assert.ok(gradcheck((x) => select(x, 1, -1), [leaf([2, 3, 2], 11)]));
  assert.ok(gradcheck((x) => select(x, 0, 1), [leaf([3], 12)]));
});

// flip

test('flip reverses the listed axes', () => {
  const x = m23();
  assert.deepEqual(flip(x, 0).toArray(), [
    [3, 4, 5],
    [0, 1, 2],
  ]);
  assert.deepEqual(flip(x, 1).toArray(), [
    [2, 1, 0],
    [5, 4, 3],
  ]);
  assert.deepEqual(flip(x, [0, -1]).toArray(), [
    [5, 4, 3],
    [2, 1, 0],
  ]);
  assert.deepEqual(x.flip(-2).toArray(), [
    [3, 4, 5],
    [0, 1, 2],
  ]);
  assert.deepEqual(flip(x, []).toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(flip(tensor([[1, 2]]), 0).toArray(), [[1, 2]]);
  const y = flip(t234(), 1);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) assert.equal(at3(y, i, j, k), 12 * i + 4 * (2 - j) + k);
  assert.deepEqual(flip(zeros([0, 2]), 0).shape, [0, 2]);
  assert.deepEqual(flip(tensor([1, 2, 3], { dtype: 'int32' }), 0).toArray(), [3, 2, 1]);
  assert.throws(() => flip(x, 2), IndexError);
  assert.throws(() => flip(x, [0, 0]), ValueError);
});

test('flip gradcheck', () => {
  assert.ok(gradcheck((x) => flip(x, [0, 2]), [leaf([2, 3, 2], 13)]));
});

// pad

test('pad takes (before, after) pairs from the last axis', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(pad(x, [1, 2]).toArray(), [
    [0, 1, 2, 0, 0],
    [0, 3, 4, 0, 0],
  ]);
  assert.deepEqual(pad(x, [0, 1, 1, 0]).toArray(), [
    [0, 0, 0],
    [1, 2, 0],
    [3, 4, 0],
  ]);
  assert.deepEqual(pad(x, [1, 1], -1).toArray(), [
    [-1, 1, 2, -1],
    [-1, 3, 4, -1],
  ]);
  assert.deepEqual(pad(x, [0, 0, 0, 1], 9).toArray(), [
    [1, 2],
    [3, 4],
    [9, 9],
  ]);
  assert.deepEqual(pad(x, []).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(pad(tensor([1, 2, 3]), [2, 0]).toArray(), [0, 0, 1, 2, 3]);
  assert.deepEqual(pad(zeros([0]), [1, 1], 5).toArray(), [5, 5]);
  assert.deepEqual(pad(zeros([2, 0]), [0, 0, 1, 0]).shape, [3, 0]);
});

test('pad errors', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.throws(() => pad(x, [1]), ValueError);
  assert.throws(() => pad(x, [1, 1, 1]), ValueError);
  assert.throws(() => pad(x, [1, 1, 1, 1, 1, 1]), ValueError);
  assert.throws(() => pad(x, [1.5, 0]), ValueError);
});

test('pad gradcheck and backward', () => {
  assert.ok(gradcheck((x) => pad(x, [1, 0, 2, 1], 0.5), [leaf([2, 3], 14)]));
  const x = zeros([1, 2], { requiresGrad: true });
  pad(x, [1, 1, 1, 0]).backward(
    tensor([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]),
  );
  assert.deepEqual(x.grad!.toArray(), [[6, 7]]);
});

test('ops on int32 tensors keep int32 and do not track gradients', () => {
  const i = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: 'int32' },
  );
  for (const out of [reshape(i, [4]), transpose(i), flip(i, 0), pad(i, [1, 0]), narrow(i, 0, 0, 1), expand(ones([1], { dtype: 'int32' }), [3])]) {
    assert.equal(out.dtype, 'int32');
    assert.equal(out.requiresGrad, false);
  }
});
