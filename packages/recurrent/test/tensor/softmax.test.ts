import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  randn,
  manualSeed,
  gradcheck,
  Tensor,
  softmax,
  logSoftmax,
  logSumExp,
  sub,
  exp,
  sum,
  mul,
  DTypeError,
  IndexError,
  ValueError,
} from '../../src/index.js';
import { assertValues, assertThrows, f64 } from '../helpers/values.js';

// ---------------------------------------------------------------------------------------------
// Helpers

function assertAllClose(a: Tensor, b: Tensor, tol: number): void {
  assert.deepEqual([...a.shape], [...b.shape]);
  for (let i = 0; i < a.size; i++) {
    assert.ok(Math.abs(a.data[i]! - b.data[i]!) <= tol, `element ${i}: ${a.data[i]} vs ${b.data[i]}`);
  }
}

const LN2 = Math.LN2;
const LN3 = Math.log(3);
const LN5 = Math.log(5);
/** exp of the row is [1, 2, 5]: softmax [1/8, 2/8, 5/8]. */
const ROW = [0, LN2, LN5];

// ---------------------------------------------------------------------------------------------

describe('softmax', () => {
  test('values along the last axis by default', () => {
    assertValues(softmax(tensor(ROW)), [1 / 8, 2 / 8, 5 / 8]);
    assertValues(tensor([ROW, [LN3, LN3, 0]]).softmax(), [
      [1 / 8, 2 / 8, 5 / 8],
      [3 / 7, 3 / 7, 1 / 7],
    ]);
  });

  test('along axis 0 and along a negative axis', () => {
    const x = tensor([ROW, [LN3, LN3, 0]]);
    const byColumn = [
      [1 / 4, 2 / 5, 5 / 6],
      [3 / 4, 3 / 5, 1 / 6],
    ];
    assertValues(softmax(x, 0), byColumn);
    assertValues(softmax(x, -2), byColumn);
  });

  test('along the middle axis of a 3-D tensor: each fibre sums to 1, values match by hand', () => {
    const x = tensor([
      [
        [0, 1],
        [LN3, 1],
      ],
      [
        [LN2, 5],
        [LN2, 5],
      ],
    ]); // [2, 2, 2]
    assertValues(softmax(x, 1), [
      [
        [1 / 4, 0.5],
        [3 / 4, 0.5],
      ],
      [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
    ]);
    manualSeed(1);
    const r = softmax(randn([3, 4, 5], { dtype: 'float64' }), 1);
    assertAllClose(
      sum(r, 1),
      tensor(
        Array.from({ length: 15 }, () => 1),
        [3, 5],
        { dtype: 'float64' },
      ),
      1e-12,
    );
  });

  test('is shift-invariant and stable for large inputs', () => {
    const big = softmax(tensor([1000, 1000 + LN3], { dtype: 'float64' }));
    assertValues(big, [0.25, 0.75], 1e-10);
    assertValues(softmax(tensor([-1000, -1000])), [0.5, 0.5]);
    assertValues(softmax(tensor([1000, 0])), [1, 0]);
  });

  test('−∞ entries get probability 0', () => {
    assertValues(softmax(tensor([-Infinity, 0, -Infinity])), [0, 1, 0]);
  });

  test('size-1 axes give 1; 0-d tensors give 1; empty tensors stay empty', () => {
    assertValues(softmax(tensor([[4], [-7]])), [[1], [1]], 0);
    const s = softmax(tensor(3));
    assert.deepEqual([...s.shape], []);
    assert.equal(s.item(), 1);
    assertValues(softmax(zeros([0, 3])), [], 0, [0, 3]);
    assertValues(softmax(zeros([2, 0])), [], 0, [2, 0]);
    assertValues(softmax(zeros([0, 3]), 0), [], 0, [0, 3]);
  });

  test('keeps float32 and float64', () => {
    assert.equal(softmax(tensor([1, 2])).dtype, 'float32');
    assert.equal(softmax(tensor([1, 2], { dtype: 'float64' })).dtype, 'float64');
  });

  test('the gradient of the sum of a softmax is zero', () => {
    const x = f64([
      [0.3, -1, 2],
      [1, 1, 1],
    ]);
    sum(softmax(x)).backward();
    assertValues(
      x.grad!,
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
      1e-15,
    );
  });

  test('the gradient of one output: ∂y0/∂x = y0 (e0 − y)', () => {
    const x = f64(ROW);
    mul(softmax(x), tensor([1, 0, 0], { dtype: 'float64' }))
      .sum()
      .backward();
    const y0 = 1 / 8;
    assertValues(x.grad!, [y0 * (1 - y0), -y0 * (2 / 8), -y0 * (5 / 8)], 1e-14);
  });
});

describe('logSoftmax', () => {
  test('values', () => {
    assertValues(logSoftmax(tensor(ROW, { dtype: 'float64' })), [-3 * LN2, -2 * LN2, LN5 - 3 * LN2], 1e-14);
    assertValues(logSoftmax(tensor([ROW, [LN3, LN3, 0]]), 0), [
      [-2 * LN2, LN2 - LN5, LN5 - Math.log(6)],
      [LN3 - 2 * LN2, LN3 - LN5, -Math.log(6)],
    ]);
  });

  test('is stable for large inputs and −∞', () => {
    assertValues(logSoftmax(tensor([1000, 0])), [0, -1000]);
    assertValues(logSoftmax(tensor([-1000, -1000])), [-LN2, -LN2]);
    assertValues(logSoftmax(tensor([-Infinity, 0])), [-Infinity, 0]);
  });

  test('equals x − logSumExp(x) and log(softmax(x))', () => {
    manualSeed(2);
    const x = randn([4, 6], { dtype: 'float64' });
    const ls = logSoftmax(x, 1);
    assertAllClose(ls, sub(x, logSumExp(x, 1, true)), 1e-12);
    assertAllClose(exp(ls), softmax(x, 1), 1e-12);
  });

  test('size-1 axes give 0; 0-d gives 0; empty stays empty', () => {
    assertValues(logSoftmax(tensor([[4], [-7]])), [[0], [0]], 0);
    assert.equal(logSoftmax(tensor(3)).item(), 0);
    assertValues(logSoftmax(zeros([0, 3])), [], 0, [0, 3]);
  });

  test('the gradient of the sum is 1 − n·softmax', () => {
    const x = f64(ROW);
    sum(logSoftmax(x)).backward();
    assertValues(x.grad!, [5 / 8, 2 / 8, -7 / 8], 1e-14);
  });
});

describe('logSumExp', () => {
  test('values over all, one and several axes, with keepDim', () => {
    assertValues(logSumExp(tensor(ROW)), 3 * LN2, 1e-6, []);
    const x = tensor(
      [
        [0, LN3],
        [LN2, LN2],
      ],
      { dtype: 'float64' },
    );
    assertValues(logSumExp(x), 3 * LN2, 1e-14, []);
    assertValues(logSumExp(x, 0), [LN3, LN5], 1e-14);
    assertValues(logSumExp(x, -1), [2 * LN2, 2 * LN2], 1e-14);
    assertValues(logSumExp(x, 1, true), [[2 * LN2], [2 * LN2]], 1e-14);
    assertValues(x.logSumExp([0, 1], true), [[3 * LN2]], 1e-14);
    // exp values 1..8 over axes 0 and 2 of a [2, 2, 2] tensor.
    const c = tensor(
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ].map((m) => m.map((r) => r.map(Math.log))),
      { dtype: 'float64' },
    );
    assertValues(logSumExp(c, [0, 2]), [Math.log(1 + 2 + 5 + 6), Math.log(3 + 4 + 7 + 8)], 1e-14);
    assertValues(logSumExp(c, [2, 0], true), [[[Math.log(14)], [Math.log(22)]]], 1e-14);
  });

  test('is stable for large magnitudes', () => {
    assertValues(logSumExp(tensor([1000, 1000], { dtype: 'float64' })), 1000 + LN2, 1e-14, []);
    assertValues(logSumExp(tensor([-1000, -1000], { dtype: 'float64' })), -1000 + LN2, 1e-14, []);
  });

  test('−∞ entries add nothing; all −∞ or an empty axis gives −∞, as in PyTorch', () => {
    assertValues(logSumExp(tensor([-Infinity, 0])), 0, 0, []);
    assertValues(logSumExp(tensor([-Infinity, -Infinity])), -Infinity, 0, []);
    assertValues(logSumExp(zeros([2, 0]), 1), [-Infinity, -Infinity]);
    assertValues(logSumExp(zeros([0, 3]), 1), [], 0, [0]);
  });

  test('size-1 axes and 0-d tensors give the value itself', () => {
    assertValues(logSumExp(tensor([[4], [-7]]), 1), [4, -7], 0);
    const s = logSumExp(tensor(3), -1);
    assert.deepEqual([...s.shape], []);
    assert.equal(s.item(), 3);
  });

  test('the gradient is the softmax over the reduced axes', () => {
    const x = f64(ROW);
    logSumExp(x).backward();
    assertValues(x.grad!, [1 / 8, 2 / 8, 5 / 8], 1e-14);
  });
});

// ---------------------------------------------------------------------------------------------

describe('errors', () => {
  test('int32 input is a DTypeError', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    assertThrows(() => softmax(i), DTypeError, 'softmax: x must be float32 or float64; got int32');
    assertThrows(() => logSoftmax(i), DTypeError, 'logSoftmax: x must be float32 or float64; got int32');
    assertThrows(() => logSumExp(i), DTypeError, 'logSumExp: x must be float32 or float64; got int32');
  });

  test('an axis out of range is an IndexError; repeated axes a ValueError', () => {
    const x = zeros([2, 3]);
    assertThrows(() => softmax(x, 2), IndexError, 'softmax: axis 2 is out of range for a tensor of rank 2');
    assertThrows(() => logSoftmax(x, -3), IndexError, 'logSoftmax: axis -3 is out of range for a tensor of rank 2');
    assertThrows(() => logSumExp(x, [0, 3]), IndexError, 'logSumExp: axis 3 is out of range for a tensor of rank 2');
    assertThrows(() => logSumExp(x, [1, -1]), ValueError, 'logSumExp: axes repeat: [1, -1]');
  });

  test('a non-tensor is a DTypeError', () => {
    const bad = null as unknown as Tensor;
    assertThrows(() => softmax(bad), DTypeError, 'softmax: x must be a Tensor; got null');
    assertThrows(() => logSumExp(bad), DTypeError, 'logSumExp: x must be a Tensor; got null');
  });
});

describe('gradcheck', () => {
  const opts = { eps: 1e-6, atol: 1e-6, rtol: 1e-5 };
  const x23 = (): Tensor =>
    f64([
      [0.3, -1.2, 2],
      [0.5, 0.7, -0.1],
    ]);
  const x234 = (): Tensor => {
    const t = tensor(
      Float64Array.from({ length: 24 }, (_, n) => Math.sin(1.7 * n) * 2),
      [2, 3, 4],
    );
    t.requiresGrad = true;
    return t;
  };
  const gc = (fn: (x: Tensor) => Tensor, x: Tensor): void => {
    assert.equal(
      gradcheck((t) => fn(t), [x], opts),
      true,
    );
  };

  test('softmax along each axis', () => {
    gc((x) => softmax(x), x23());
    gc((x) => softmax(x, 0), x23());
    gc((x) => softmax(x, 1), x234());
    gc((x) => softmax(x, -3), x234());
  });

  test('logSoftmax along each axis', () => {
    gc((x) => logSoftmax(x), x23());
    gc((x) => logSoftmax(x, 0), x234());
    gc((x) => logSoftmax(x, 1), x234());
  });

  test('logSumExp over all, one and several axes', () => {
    gc((x) => logSumExp(x), x23());
    gc((x) => logSumExp(x, 1), x23());
    gc((x) => logSumExp(x, [0, 2], true), x234());
    gc((x) => logSumExp(x, [-1, -2]), x234());
  });

  test('a composition: softmax of a logSoftmax', () => {
    gc((x) => softmax(mul(logSoftmax(x, 0), 2), -1), x234());
  });
});
