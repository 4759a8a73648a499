import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  arange,
  gradcheck,
  Tensor,
  sum,
  mean,
  max,
  min,
  maxWithIndices,
  minWithIndices,
  argmax,
  argmin,
  add,
  mul,
  DTypeError,
  IndexError,
  ValueError,
} from '../../src/index.js';
import { flat, shapeOf, assertValues, assertThrows, f64 } from '../helpers/values.js';
import type { NestedArray } from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Exact comparison of shape and values, for integer results. */
function assertExact(actual: Tensor, expected: NestedArray, shape?: number[]): void {
  assert.deepEqual([...actual.shape], shape ?? shapeOf(expected));
  assert.deepEqual(Array.from(actual.data), flat(expected));
}

/** [2, 3, 4] with value 12i + 4j + k at [i, j, k]. */
function cube(dtype: 'float32' | 'float64' | 'int32' = 'float32'): Tensor {
  return arange(24, undefined, 1, { dtype }).reshape(2, 3, 4);
}

/** [2, 3, 4] float64 leaf with distinct values 0.25 apart (no ties anywhere). */
function distinct(): Tensor {
  const values = Array.from({ length: 24 }, (_, n) => ((7 * n) % 24) * 0.25 - 3);
  const t = tensor(Float64Array.from(values), [2, 3, 4]);
  t.requiresGrad = true;
  return t;
}

const x23 = (): Tensor =>
  tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

// ---------------------------------------------------------------------------------------------
// sum and mean

describe('sum', () => {
  test('over everything, one axis, negative axes, with keepDim', () => {
    const x = x23();
    assertValues(sum(x), 21, 0, []);
    assertValues(sum(x, 0), [5, 7, 9], 0);
    assertValues(sum(x, 1), [6, 15], 0);
    assertValues(sum(x, -1), [6, 15], 0);
    assertValues(sum(x, -2), [5, 7, 9], 0);
    assertValues(sum(x, 1, true), [[6], [15]], 0);
    assertValues(sum(x, [0, 1]), 21, 0, []);
    assertValues(sum(x, [0, 1], true), [[21]], 0);
    assertValues(x.sum(0, true), [[5, 7, 9]], 0);
  });

  test('over several axes, contiguous or not, in any order', () => {
    const c = cube();
    assertValues(sum(c, [0, 2]), [60, 92, 124], 0);
    assertValues(sum(c, [2, 0]), [60, 92, 124], 0);
    assertValues(sum(c, [-1, -3]), [60, 92, 124], 0);
    assertValues(sum(c, [0, 2], true), [[[60], [92], [124]]], 0);
    assertValues(sum(c, [1, 2]), [66, 210], 0);
    assertValues(sum(c, [0, 1]), [60, 66, 72, 78], 0);
    assertValues(sum(c), 276, 0, []);
  });

  test('int32 sums stay int32', () => {
    const r = sum(cube('int32'), [0, 2]);
    assert.equal(r.dtype, 'int32');
    assertExact(r, [60, 92, 124]);
    assert.equal(sum(cube('float64')).dtype, 'float64');
  });

  test('a size-1 axis sums to itself', () => {
    assertValues(sum(tensor([[1, 2, 3]]), 0), [1, 2, 3], 0);
  });

  test('empty axes sum to zero; reducing a non-empty axis of an empty tensor gives an empty result', () => {
    const e = zeros([0, 3]);
    assertValues(sum(e, 0), [0, 0, 0], 0);
    assertValues(sum(e, 1), [], 0, [0]);
    assertValues(sum(e), 0, 0, []);
    assertValues(sum(e, 0, true), [[0, 0, 0]], 0);
  });

  test('a 0-d tensor sums to itself over nothing, axis 0 or axis −1', () => {
    const s = tensor(5);
    for (const r of [sum(s), sum(s, 0), sum(s, -1), sum(s, 0, true)]) {
      assert.deepEqual([...r.shape], []);
      assert.equal(r.item(), 5);
    }
  });

  test('the gradient is ones spread over the reduced axes', () => {
    const x = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    mul(sum(x, 1), tensor([10, 20], { dtype: 'float64' }))
      .sum()
      .backward();
    assertValues(
      x.grad!,
      [
        [10, 10, 10],
        [20, 20, 20],
      ],
      0,
    );
  });
});

describe('mean', () => {
  test('values over all, one and several axes', () => {
    const x = x23();
    assertValues(mean(x), 3.5, 1e-7, []);
    assertValues(mean(x, 0), [2.5, 3.5, 4.5]);
    assertValues(mean(x, -1, true), [[2], [5]]);
    const c = cube('float64');
    assertValues(mean(c, [0, 2]), [7.5, 11.5, 15.5], 1e-12);
    assertValues(mean(c, [2, 0], true), [[[7.5], [11.5], [15.5]]], 1e-12);
    assertValues(mean(c), 11.5, 1e-12, []);
  });

  test('keeps the dtype; a 0-d tensor is its own mean; an empty result stays empty', () => {
    assert.equal(mean(tensor([1, 2], { dtype: 'float64' })).dtype, 'float64');
    assert.equal(mean(tensor(4), -1).item(), 4);
    assertValues(mean(zeros([0, 3]), 1), [], 0, [0]);
  });

  test('mean of int32 is a DTypeError (it would truncate)', () => {
    assertThrows(() => mean(tensor([1, 2], { dtype: 'int32' })), DTypeError, 'mean: x must be float32 or float64; got int32');
  });

  test('the gradient is 1/count on every element', () => {
    const x = f64([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    mean(x, [0, 2]).sum().backward();
    assertValues(
      x.grad!,
      [
        [
          [0.25, 0.25],
          [0.25, 0.25],
        ],
        [
          [0.25, 0.25],
          [0.25, 0.25],
        ],
      ],
      0,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// max and min (amax / amin)

describe('max / min', () => {
  test('values over all, one axis, several axes, with keepDim', () => {
    const x = tensor([
      [1, 5, 2],
      [7, 0, 3],
    ]);
    assertValues(max(x), 7, 0, []);
    assertValues(min(x), 0, 0, []);
    assertValues(max(x, 0), [7, 5, 3], 0);
    assertValues(min(x, 1), [1, 0], 0);
    assertValues(max(x, -1, true), [[5], [7]], 0);
    assertValues(x.min(0, true), [[1, 0, 2]], 0);
    const c = cube();
    assertValues(max(c, [0, 2]), [15, 19, 23], 0);
    assertValues(min(c, [2, 0]), [0, 4, 8], 0);
    assertValues(max(c, [1, 2]), [11, 23], 0);
    assertValues(
      max(c, -1),
      [
        [3, 7, 11],
        [15, 19, 23],
      ],
      0,
    );
  });

  test('int32 works and stays int32; negative values are not clipped at 0', () => {
    const r = max(
      tensor(
        [
          [-5, -3],
          [-9, -8],
        ],
        { dtype: 'int32' },
      ),
      1,
    );
    assert.equal(r.dtype, 'int32');
    assertExact(r, [-3, -8]);
    assertExact(min(tensor([-5, -3], { dtype: 'int32' })), -5, []);
  });

  test('infinite and NaN elements: −∞ is an ordinary value, NaN propagates as in PyTorch', () => {
    assertValues(max(tensor([-Infinity, -Infinity])), -Infinity, 0, []);
    assertValues(max(tensor([1, Number.NaN, 3])), Number.NaN, 0, []);
    assertValues(min(tensor([1, Number.NaN, 3])), Number.NaN, 0, []);
  });

  test('empty tensors: an empty axis is a ValueError; other axes give empty results', () => {
    const e = zeros([0, 3]);
    assertValues(max(e, 1), [], 0, [0]);
    assertThrows(() => max(e, 0), ValueError, 'max: cannot reduce over an empty axis; input is [0, 3]');
    assertThrows(() => min(e), ValueError, 'min: cannot reduce over an empty axis; input is [0, 3]');
  });

  test('a 0-d tensor is its own max over axis 0 or −1', () => {
    const s = tensor(-2);
    assert.equal(max(s, 0).item(), -2);
    assert.equal(min(s, -1).item(), -2);
    assert.deepEqual([...max(s).shape], []);
  });

  test('the gradient goes to the winner', () => {
    const x = f64([
      [1, 5, 2],
      [7, 0, 3],
    ]);
    max(x, 1).sum().backward();
    assertValues(
      x.grad!,
      [
        [0, 1, 0],
        [1, 0, 0],
      ],
      0,
    );
  });

  test('ties share the gradient evenly: max of [1, 3, 3] gives [0, 0.5, 0.5]', () => {
    const x = f64([1, 3, 3]);
    max(x).backward();
    assertValues(x.grad!, [0, 0.5, 0.5], 0);
    const y = f64([2, 1, 1, 1]);
    min(y).backward();
    assertValues(y.grad!, [0, 1 / 3, 1 / 3, 1 / 3], 1e-15);
  });

  test('the tape names each reduction: max records amax, min records amin', () => {
    const x = f64([1, 5, 2]);
    assert.equal(max(x).gradNode?.op, 'amax');
    assert.equal(min(x).gradNode?.op, 'amin');
    assert.equal(sum(x).gradNode?.op, 'sum');
  });

  test('ties share per reduced slice, also over several axes', () => {
    const x = f64([
      [1, 3, 3],
      [5, 2, 5],
    ]);
    max(x, 1, true).sum().backward();
    assertValues(
      x.grad!,
      [
        [0, 0.5, 0.5],
        [0.5, 0, 0.5],
      ],
      0,
    );
    const y = f64([
      [3, 1],
      [3, 3],
    ]);
    max(y, [0, 1]).backward();
    assertValues(
      y.grad!,
      [
        [1 / 3, 0],
        [1 / 3, 1 / 3],
      ],
      1e-15,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// maxWithIndices, minWithIndices, argmax, argmin

describe('maxWithIndices / minWithIndices', () => {
  test('values and int32 indices along an axis, with keepDim', () => {
    const x = tensor([
      [1, 5, 2],
      [7, 0, 7],
    ]);
    const [v, i] = maxWithIndices(x, 1);
    assertValues(v, [5, 7], 0);
    assert.equal(i.dtype, 'int32');
    assertExact(i, [1, 0]);
    const [v0, i0] = minWithIndices(x, 0);
    assertValues(v0, [1, 0, 2], 0);
    assertExact(i0, [0, 1, 0]);
    const [vk, ik] = x.maxWithIndices(-1, true);
    assertValues(vk, [[5], [7]], 0);
    assertExact(ik, [[1], [0]]);
  });

  test('on ties the first position is returned and gets all the gradient', () => {
    const x = f64([1, 3, 3]);
    const [v, i] = maxWithIndices(x, 0);
    assert.equal(v.item(), 3);
    assert.equal(i.item(), 1);
    v.backward();
    assertValues(x.grad!, [0, 1, 0], 0);
  });

  test('the values are differentiable, the indices are not', () => {
    const x = f64([
      [1, 5, 2],
      [7, 0, 3],
    ]);
    const [v, i] = minWithIndices(x, 1);
    assert.equal(i.requiresGrad, false);
    mul(v, tensor([2, 3], { dtype: 'float64' }))
      .sum()
      .backward();
    assertValues(
      x.grad!,
      [
        [2, 0, 0],
        [0, 3, 0],
      ],
      0,
    );
  });

  test('a 0-d tensor: value itself, index 0, gradient 1', () => {
    const s = f64(4);
    const [v, i] = maxWithIndices(s, 0);
    assert.deepEqual([...v.shape], []);
    assert.equal(v.item(), 4);
    assert.equal(i.item(), 0);
    v.backward();
    assert.equal(s.grad!.item(), 1);
  });

  test('an empty axis is a ValueError; a bad axis an IndexError', () => {
    assertThrows(() => maxWithIndices(zeros([2, 0]), 1), ValueError, 'maxWithIndices: cannot reduce over an empty axis; input is [2, 0]');
    assertThrows(() => minWithIndices(zeros([2, 3]), 2), IndexError, 'minWithIndices: axis 2 is out of range for a tensor of rank 2');
  });
});

describe('argmax / argmin', () => {
  const x = (): Tensor =>
    tensor([
      [1, 5, 2],
      [7, 0, 7],
    ]);

  test('over the flattened tensor when no axis is given', () => {
    assertExact(argmax(x()), 3, []);
    assertExact(argmin(x()), 4, []);
    assertExact(argmax(x(), undefined, true), [[3]]);
  });

  test('along an axis, negative axes, keepDim, first position on ties', () => {
    assertExact(argmax(x(), 1), [1, 0]);
    assertExact(argmax(x(), -1), [1, 0]);
    assertExact(argmax(x(), 0), [1, 0, 1]);
    assertExact(argmin(x(), 1), [0, 1]);
    assertExact(x().argmin(0, true), [[0, 1, 0]]);
    assert.equal(argmax(x(), 1).dtype, 'int32');
  });

  test('int32 input, size-1 axes and 0-d tensors', () => {
    assertExact(argmax(tensor([[3, 9, 9, 1]], { dtype: 'int32' }), 1), [1]);
    assertExact(argmax(tensor([[3, 9, 9, 1]]), 0), [0, 0, 0, 0]);
    assertExact(argmax(tensor(2.5)), 0, []);
    assertExact(argmin(tensor(2.5), -1), 0, []);
  });

  test('NaN counts as the maximum, as in PyTorch', () => {
    assertExact(argmax(tensor([1, Number.NaN, 3])), 1, []);
  });

  test('empty inputs are a ValueError', () => {
    assertThrows(() => argmax(zeros([0, 3])), ValueError, 'argmax: cannot reduce over an empty axis; input is [0, 3]');
    assertThrows(() => argmin(zeros([0, 3]), 0), ValueError, 'argmin: cannot reduce over an empty axis; input is [0, 3]');
    assertExact(argmax(zeros([0, 3]), 1), [], [0]);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors

describe('errors', () => {
  test('an axis out of range is an IndexError naming op, axis and rank', () => {
    const x = x23();
    assertThrows(() => sum(x, 2), IndexError, 'sum: axis 2 is out of range for a tensor of rank 2');
    assertThrows(() => sum(x, -3), IndexError, 'sum: axis -3 is out of range for a tensor of rank 2');
    assertThrows(() => max(x, [0, 5]), IndexError, 'max: axis 5 is out of range for a tensor of rank 2');
    assertThrows(() => mean(x, 0.5), IndexError, 'mean: axis 0.5 is out of range for a tensor of rank 2');
    assertThrows(() => argmax(x, -3), IndexError, 'argmax: axis -3 is out of range for a tensor of rank 2');
    assertThrows(() => sum(tensor(1), 1), IndexError, 'sum: axis 1 is out of range for a tensor of rank 0');
  });

  test('a repeated axis is a ValueError', () => {
    assertThrows(() => sum(x23(), [0, -2]), ValueError, 'sum: axes repeat: [0, -2]');
    assertThrows(() => min(cube(), [1, 1]), ValueError, 'min: axes repeat: [1, 1]');
  });

  test('a non-tensor is a DTypeError', () => {
    const bad = null as unknown as Tensor;
    assertThrows(() => sum(bad), DTypeError, 'sum: x must be a Tensor; got null');
    assertThrows(() => mean(bad), DTypeError, 'mean: x must be a Tensor; got null');
    assertThrows(() => argmax(bad), DTypeError, 'argmax: x must be a Tensor; got null');
  });
});

// ---------------------------------------------------------------------------------------------
// gradcheck

describe('gradcheck', () => {
  const opts = { eps: 1e-6, atol: 1e-6, rtol: 1e-5 };
  const gc = (fn: (x: Tensor) => Tensor): void => {
    assert.equal(
      gradcheck((x) => fn(x), [distinct()], opts),
      true,
    );
  };

  test('sum over all, one, several (non-contiguous) and negative axes', () => {
    gc((x) => sum(x));
    gc((x) => sum(x, 1));
    gc((x) => sum(x, [0, 2]));
    gc((x) => sum(x, [0, 2], true));
    gc((x) => sum(x, [-1, -2], true));
  });

  test('mean over all, one and several axes', () => {
    gc((x) => mean(x));
    gc((x) => mean(x, -1, true));
    gc((x) => mean(x, [0, 2]));
  });

  test('max and min without ties over all, one and several axes', () => {
    gc((x) => max(x));
    gc((x) => min(x));
    gc((x) => max(x, 1));
    gc((x) => max(x, [0, 2], true));
    gc((x) => min(x, [1, 2]));
    gc((x) => min(x, -3, true));
  });

  test('max and min with two-way ties, where an even split is what finite differences see', () => {
    // Moving one of two tied elements by ±eps moves the result by eps one way and 0 the other: slope ½.
    const cases: [(x: Tensor) => Tensor, NestedArray][] = [
      [
        (x) => max(x, 1),
        [
          [1, 2.5, 2.5],
          [3, -1, 3],
        ],
      ],
      [
        (x) => min(x, 1, true),
        [
          [1, 1, 2.5],
          [-0.5, 3, -0.5],
        ],
      ],
      [
        (x) => min(x, [0, 1]),
        [
          [0.5, -2],
          [-2, 1],
        ],
      ],
      [
        (x) => max(x),
        [
          [4, 1],
          [0, 4],
        ],
      ],
    ];
    for (const [fn, data] of cases)
      assert.equal(
        gradcheck((t) => fn(t), [f64(data)], opts),
        true,
      );
  });

  test('maxWithIndices and minWithIndices values', () => {
    gc((x) => maxWithIndices(x, 1)[0]);
    gc((x) => maxWithIndices(x, -1, true)[0]);
    gc((x) => minWithIndices(x, 0)[0]);
  });

  test('a reduction of a product', () => {
    // Shifted to positive values so that the squares stay distinct.
    gc((x) => max(mul(add(x, 4), add(x, 4)), [0, 1]));
  });

  test('reductions of a 0-d tensor', () => {
    assert.equal(
      gradcheck((s) => mul(sum(s, 0), max(s, -1)), [f64(1.5)], opts),
      true,
    );
  });
});
