import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  gradcheck,
  Tensor,
  add,
  sub,
  mul,
  div,
  pow,
  neg,
  exp,
  log,
  log1p,
  sqrt,
  abs,
  tanh,
  sigmoid,
  relu,
  sign,
  clamp,
  maximum,
  minimum,
  where,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  ShapeError,
  DTypeError,
  ValueError,
} from '../../src/index.js';
import { assertValues, assertThrows, f64 } from '../helpers/values.js';
import type { NestedArray, TensorLike } from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Helpers

function i32(data: NestedArray): Tensor {
  return tensor(data, { dtype: 'int32' });
}

const LN2 = Math.LN2;
const LN3 = Math.log(3);

// ---------------------------------------------------------------------------------------------
// Binary arithmetic: values and broadcasting

describe('add / sub / mul / div', () => {
  test('same-shape values', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([
      [10, 20],
      [30, 40],
    ]);
    assertValues(add(a, b), [
      [11, 22],
      [33, 44],
    ]);
    assertValues(sub(a, b), [
      [-9, -18],
      [-27, -36],
    ]);
    assertValues(mul(a, b), [
      [10, 40],
      [90, 160],
    ]);
    assertValues(div(a, b), [
      [0.1, 0.1],
      [0.1, 0.1],
    ]);
    assertValues(div(tensor([1, 2, 3]), tensor([2, 4, 8])), [0.5, 0.5, 0.375]);
  });

  test('tensor methods are the same ops', () => {
    const a = tensor([1, 2]);
    assertValues(a.add(3).mul(2).sub(1).div(4), [1.75, 2.25]);
  });

  test('a number operand on either side', () => {
    const x = tensor([1, 2, 4]);
    assertValues(add(x, 1), [2, 3, 5]);
    assertValues(add(1, x), [2, 3, 5]);
    assertValues(sub(x, 1), [0, 1, 3]);
    assertValues(sub(10, x), [9, 8, 6]);
    assertValues(mul(x, -2), [-2, -4, -8]);
    assertValues(div(x, 4), [0.25, 0.5, 1]);
    assertValues(div(1, x), [1, 0.5, 0.25]);
  });

  test('a row broadcasts over the rows of a matrix', () => {
    assertValues(
      add(
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        tensor([10, 20, 30]),
      ),
      [
        [11, 22, 33],
        [14, 25, 36],
      ],
    );
    assertValues(
      sub(
        tensor([10, 20, 30]),
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
      [
        [9, 18, 27],
        [6, 15, 24],
      ],
    );
  });

  test('a column and a row broadcast to an outer table', () => {
    const col = tensor([[1], [2], [3]]);
    const row = tensor([[10, 20]]);
    assertValues(mul(col, row), [
      [10, 20],
      [20, 40],
      [30, 60],
    ]);
    assertValues(div(row, col), [
      [10, 20],
      [5, 10],
      [10 / 3, 20 / 3],
    ]);
  });

  test('different ranks with size-1 axes in the middle', () => {
    const a = tensor([[[1, 2, 3]], [[4, 5, 6]]]); // [2, 1, 3]
    const b = tensor([
      [100, 200, 300],
      [400, 500, 600],
    ]); // [2, 3]
    assertValues(add(a, b), [
      [
        [101, 202, 303],
        [401, 502, 603],
      ],
      [
        [104, 205, 306],
        [404, 505, 606],
      ],
    ]);
  });

  test('a 0-d tensor broadcasts against any shape, and two 0-d tensors give a 0-d tensor', () => {
    const s = tensor(3);
    assertValues(
      mul(
        s,
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
      [
        [3, 6],
        [9, 12],
      ],
    );
    const r = add(tensor(2), tensor(5));
    assert.deepEqual([...r.shape], []);
    assert.equal(r.item(), 7);
  });

  test('empty axes broadcast to empty results', () => {
    const e = zeros([0, 3]);
    assertValues(add(e, tensor([1, 2, 3])), [], 0, [0, 3]);
    assertValues(mul(e, tensor([[5]])), [], 0, [0, 3]);
    assertValues(sub(e, 1), [], 0, [0, 3]);
    assertValues(add(zeros([0]), tensor([4])), [], 0, [0]);
    assertValues(add(zeros([2, 0]), zeros([2, 1])), [], 0, [2, 0]);
  });

  test('division by zero follows IEEE arithmetic, as PyTorch does', () => {
    assertValues(div(tensor([1, -1]), 0), [Infinity, -Infinity]);
  });

  test('float64 operands give float64 results at full precision', () => {
    const r = add(tensor([0.1], { dtype: 'float64' }), 0.2);
    assert.equal(r.dtype, 'float64');
    assert.equal(r.data[0], 0.1 + 0.2);
    const r32 = add(tensor([0.1]), 0.2);
    assert.equal(r32.dtype, 'float32');
    assert.equal(r32.data[0], Math.fround(Math.fround(0.1) + Math.fround(0.2)));
  });
});

describe('pow', () => {
  test('values with a number exponent, a number base and tensor exponents', () => {
    assertValues(pow(tensor([1, 2, 3]), 2), [1, 4, 9]);
    assertValues(pow(tensor([4, 9, 0.25]), 0.5), [2, 3, 0.5]);
    assertValues(pow(2, tensor([0, 1, 3, -1])), [1, 2, 8, 0.5]);
    assertValues(pow(tensor([[2], [3]]), tensor([1, 2, 3])), [
      [2, 4, 8],
      [3, 9, 27],
    ]);
  });

  test('x ** 0 is 1 everywhere, 0 ** 0 included', () => {
    assertValues(pow(tensor([0, -2, 5]), 0), [1, 1, 1]);
  });

  test('gradients: b·a^(b−1) for the base, a^b·log a for the exponent', () => {
    const a = f64([2, 3]);
    const b = f64([3, 2]);
    pow(a, b).sum().backward();
    assertValues(a.grad!, [12, 6], 1e-12);
    assertValues(b.grad!, [8 * LN2, 9 * LN3], 1e-12);
  });

  test('at a zero base the exponent gradient is 0, and at a zero exponent the base gradient is 0 (no NaN)', () => {
    const a = f64([0, 0, 2]);
    const b = f64([2, 0, 0]);
    pow(a, b).sum().backward();
    assertValues(a.grad!, [0, 0, 0], 1e-12);
    assertValues(b.grad!, [0, 0, LN2], 1e-12);
  });
});

// ---------------------------------------------------------------------------------------------
// Unary ops: values

describe('unary ops', () => {
  test('neg', () => {
    assertValues(neg(tensor([1, -2, 0])), [-1, 2, 0]);
    assertValues(tensor([[1.5]]).neg(), [[-1.5]]);
  });

  test('exp', () => {
    assertValues(exp(tensor([0, LN2, -2 * LN2, 1])), [1, 2, 0.25, Math.E]);
    assert.equal(exp(tensor([1000], { dtype: 'float64' })).data[0], Infinity);
  });

  test('log', () => {
    assertValues(log(tensor([1, Math.E, 0.5, 8])), [0, 1, -LN2, 3 * LN2]);
    assertValues(log(tensor([0])), [-Infinity]);
  });

  test('log1p is accurate near zero', () => {
    const r = log1p(tensor([0, Math.E - 1, 1e-10, -0.5], { dtype: 'float64' }));
    assertValues(r, [0, 1, 1e-10 - 5e-21, -LN2], 1e-14);
    // log(1 + 1e-10) would lose about eight digits here.
    assert.ok(Math.abs(r.data[2]! - 9.9999999995e-11) < 1e-24);
  });

  test('sqrt', () => {
    assertValues(sqrt(tensor([0, 4, 2.25, 1e-4])), [0, 2, 1.5, 0.01]);
  });

  test('abs', () => {
    assertValues(abs(tensor([-3, 0, 2.5])), [3, 0, 2.5]);
  });

  test('tanh', () => {
    assertValues(tanh(tensor([0, LN2, -LN2, LN3, 30])), [0, 0.6, -0.6, 0.8, 1]);
  });

  test('sigmoid, stable for large magnitudes', () => {
    assertValues(sigmoid(tensor([0, LN3, -LN3])), [0.5, 0.75, 0.25]);
    const big = sigmoid(tensor([-800, 800], { dtype: 'float64' }));
    assert.deepEqual(Array.from(big.data), [0, 1]);
  });

  test('relu', () => {
    assertValues(
      relu(
        tensor([
          [-1, 0],
          [0.5, 2],
        ]),
      ),
      [
        [0, 0],
        [0.5, 2],
      ],
    );
  });

  test('sign', () => {
    assertValues(sign(tensor([-2, 0, 3, -0.1])), [-1, 0, 1, -1]);
  });

  test('unary ops keep the shape: 0-d and empty inputs', () => {
    const s = exp(tensor(0));
    assert.deepEqual([...s.shape], []);
    assert.equal(s.item(), 1);
    for (const op of [neg, exp, log, log1p, sqrt, abs, tanh, sigmoid, relu, sign]) {
      const r = op(zeros([0, 3]));
      assert.deepEqual([...r.shape], [0, 3]);
      assert.equal(r.dtype, 'float32');
    }
  });

  test('unary ops keep float64', () => {
    for (const op of [neg, exp, log, log1p, sqrt, abs, tanh, sigmoid, relu, sign]) {
      assert.equal(op(tensor([1], { dtype: 'float64' })).dtype, 'float64');
    }
  });
});

describe('clamp', () => {
  test('both bounds, only min, only max', () => {
    const x = tensor([-2, -0.5, 0.5, 2]);
    assertValues(clamp(x, -1, 1), [-1, -0.5, 0.5, 1]);
    assertValues(clamp(x, 0), [0, 0, 0.5, 2]);
    assertValues(clamp(x, undefined, 0), [-2, -0.5, 0, 0]);
    assertValues(x.clamp(-1, -1), [-1, -1, -1, -1]);
  });

  test('int32 with integer bounds stays int32', () => {
    const r = clamp(i32([-5, 0, 5]), -1, 2);
    assert.equal(r.dtype, 'int32');
    assert.deepEqual(Array.from(r.data), [-1, 0, 2]);
  });

  test('min above max, or a NaN bound, is a ValueError', () => {
    assertThrows(() => clamp(tensor([1]), 2, 1), ValueError, 'clamp: min must not exceed max; got min=2, max=1');
    assertThrows(() => clamp(tensor([1]), Number.NaN, 1), ValueError, /^clamp: .*min=NaN/);
  });
});

describe('maximum / minimum', () => {
  test('values with broadcasting and a number operand', () => {
    const a = tensor([
      [1, 5],
      [7, 2],
    ]);
    assertValues(maximum(a, tensor([3, 3])), [
      [3, 5],
      [7, 3],
    ]);
    assertValues(minimum(a, tensor([[4], [1]])), [
      [1, 4],
      [1, 1],
    ]);
    assertValues(maximum(a, 4), [
      [4, 5],
      [7, 4],
    ]);
    assertValues(minimum(0, tensor([-1, 1])), [-1, 0]);
  });

  test('NaN propagates from either side, as in PyTorch', () => {
    const n = Number.NaN;
    assertValues(maximum(tensor([n, 1]), tensor([1, n])), [n, n]);
    assertValues(minimum(tensor([n, 1]), tensor([1, n])), [n, n]);
  });

  test('ties split the gradient evenly', () => {
    const a = f64([1, 2, 3]);
    const b = f64([1, 5, 0]);
    maximum(a, b).sum().backward();
    assertValues(a.grad!, [0.5, 0, 1], 0);
    assertValues(b.grad!, [0.5, 1, 0], 0);
    const c = f64([4, 1]);
    const d = f64([4, 2]);
    minimum(c, d).sum().backward();
    assertValues(c.grad!, [0.5, 1], 0);
    assertValues(d.grad!, [0.5, 0], 0);
  });

  test('a broadcast operand collects the gradient of every position it wins', () => {
    const a = f64([[1, 5, 2]]);
    const b = f64([3]);
    maximum(a, b).sum().backward();
    assertValues(a.grad!, [[0, 1, 0]], 0);
    assertValues(b.grad!, [2], 0);
  });
});

describe('where', () => {
  test('picks from a where the condition is nonzero, else from b', () => {
    const cond = tensor([1, 0, 1, 0]);
    assertValues(where(cond, tensor([1, 2, 3, 4]), tensor([10, 20, 30, 40])), [1, 20, 3, 40]);
    assertValues(where(tensor([2, 0]), tensor([1, 1]), tensor([0, 0])), [1, 0]);
  });

  test('the condition may be int32 while a and b are float', () => {
    const r = where(i32([0, 1]), tensor([1, 2]), tensor([3, 4]));
    assert.equal(r.dtype, 'float32');
    assertValues(r, [3, 2]);
  });

  test('condition, a and b broadcast together; numbers work on either side', () => {
    const cond = tensor([[1], [0]]); // [2, 1]
    assertValues(where(cond, tensor([1, 2, 3]), -1), [
      [1, 2, 3],
      [-1, -1, -1],
    ]);
    assertValues(
      where(
        cond,
        7,
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
      [
        [7, 7],
        [3, 4],
      ],
    );
  });

  test('a comparison mask works as the condition', () => {
    const x = tensor([-1, 2, -3]);
    assertValues(where(gt(x, 0), x, 0), [0, 2, 0]);
  });

  test('the gradient flows to the chosen side, summed over broadcast axes', () => {
    const cond = tensor([
      [1, 0, 1],
      [0, 0, 1],
    ]);
    const a = f64([1, 2, 3]);
    const b = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    where(cond, a, b).sum().backward();
    assertValues(a.grad!, [1, 0, 2], 0);
    assertValues(
      b.grad!,
      [
        [0, 1, 0],
        [1, 1, 0],
      ],
      0,
    );
  });

  test('shapes that do not broadcast are a ShapeError naming the arguments', () => {
    assertThrows(
      () => where(tensor([1, 0]), tensor([1, 2, 3]), tensor([1, 2, 3])),
      ShapeError,
      'where: shapes cannot be broadcast: condition is [2], a is [3]',
    );
    assertThrows(
      () => where(tensor([1, 0]), tensor([1, 2]), tensor([1, 2, 3])),
      ShapeError,
      'where: shapes cannot be broadcast: condition and a is [2], b is [3]',
    );
  });

  test('a and b of different dtypes are a DTypeError', () => {
    assertThrows(() => where(tensor([1]), tensor([1]), tensor([1], { dtype: 'float64' })), DTypeError, 'where: dtypes differ: a is float32, b is float64');
    assertThrows(() => where(tensor([1]), i32([1]), 0.5), DTypeError, /^where: b is 0\.5/);
  });

  test('two numbers are a ValueError', () => {
    assertThrows(() => where(tensor([1]), 1, 2), ValueError, 'where: at least one of a and b must be a Tensor');
  });
});

// ---------------------------------------------------------------------------------------------
// Comparisons

describe('comparisons', () => {
  const a = tensor([1, 2, 3]);
  const cases: [string, (x: TensorLike, y: TensorLike) => Tensor, number[]][] = [
    ['eq', eq, [0, 1, 0]],
    ['ne', ne, [1, 0, 1]],
    ['lt', lt, [1, 0, 0]],
    ['le', le, [1, 1, 0]],
    ['gt', gt, [0, 0, 1]],
    ['ge', ge, [0, 1, 1]],
  ];
  for (const [name, op, expected] of cases) {
    test(`${name} against a number gives a 0/1 mask of the input dtype`, () => {
      const r = op(a, 2);
      assert.equal(r.dtype, 'float32');
      assert.deepEqual(Array.from(r.data), expected);
      const r64 = op(tensor([1, 2, 3], { dtype: 'float64' }), 2);
      assert.equal(r64.dtype, 'float64');
      assert.deepEqual(Array.from(r64.data), expected);
      const ri = op(i32([1, 2, 3]), 2);
      assert.equal(ri.dtype, 'int32');
      assert.deepEqual(Array.from(ri.data), expected);
    });
  }

  test('comparisons broadcast', () => {
    const col = tensor([[1], [2], [3]]);
    const row = tensor([1, 2]);
    assertValues(
      lt(col, row),
      [
        [0, 1],
        [0, 0],
        [0, 0],
      ],
      0,
    );
    assertValues(
      eq(col, row),
      [
        [1, 0],
        [0, 1],
        [0, 0],
      ],
      0,
    );
    assertValues(ge(2, row), [1, 1], 0);
  });

  test('NaN compares unequal to everything, itself included', () => {
    const n = tensor([Number.NaN]);
    assert.deepEqual(Array.from(eq(n, n).data), [0]);
    assert.deepEqual(Array.from(ne(n, n).data), [1]);
    assert.deepEqual(Array.from(le(n, 1).data), [0]);
  });

  test('comparisons and sign are not differentiable', () => {
    const x = f64([1, -2]);
    for (const r of [eq(x, 1), ne(x, 1), lt(x, 1), le(x, 1), gt(x, 1), ge(x, 1), sign(x)]) {
      assert.equal(r.requiresGrad, false);
    }
    // A mask used as a factor passes gradient to the other factor only.
    const y = mul(x, gt(x, 0)).sum();
    y.backward();
    assertValues(x.grad!, [1, 0], 0);
  });
});

// ---------------------------------------------------------------------------------------------
// dtype rules

describe('dtypes', () => {
  test('int32 works for add, sub, mul, neg, abs, relu, sign and stays int32', () => {
    const a = i32([1, -2, 3]);
    const b = i32([4, 5, -6]);
    const check = (t: Tensor, expected: number[]): void => {
      assert.equal(t.dtype, 'int32');
      assert.deepEqual(Array.from(t.data), expected);
    };
    check(add(a, b), [5, 3, -3]);
    check(sub(a, b), [-3, -7, 9]);
    check(mul(a, b), [4, -10, -18]);
    check(add(a, 10), [11, 8, 13]);
    check(mul(-1, a), [-1, 2, -3]);
    check(neg(a), [-1, 2, -3]);
    check(abs(a), [1, 2, 3]);
    check(relu(a), [1, 0, 3]);
    check(sign(a), [1, -1, 1]);
    check(maximum(a, b), [4, 5, 3]);
    check(minimum(a, 0), [0, -2, 0]);
  });

  const floatOnlyUnary: [string, (x: Tensor) => Tensor][] = [
    ['exp', exp],
    ['log', log],
    ['log1p', log1p],
    ['sqrt', sqrt],
    ['tanh', tanh],
    ['sigmoid', sigmoid],
  ];
  for (const [name, op] of floatOnlyUnary) {
    test(`${name} of int32 is a DTypeError`, () => {
      assertThrows(() => op(i32([1, 2])), DTypeError, `${name}: x must be float32 or float64; got int32`);
    });
  }

  test('div and pow of int32 are DTypeErrors', () => {
    assertThrows(() => div(i32([1]), i32([2])), DTypeError, 'div: a must be float32 or float64; got int32');
    assertThrows(() => pow(i32([2]), 2), DTypeError, 'pow: a must be float32 or float64; got int32');
    assertThrows(() => div(1, i32([2])), DTypeError, /^div: /);
  });

  test('a fractional number with an int32 tensor is a DTypeError, not a silent truncation', () => {
    assertThrows(() => add(i32([1, 2]), 1.5), DTypeError, 'add: b is 1.5, not an integer, but the other operand is int32');
    assertThrows(() => mul(0.5, i32([1, 2])), DTypeError, 'mul: a is 0.5, not an integer, but the other operand is int32');
    assertThrows(() => lt(i32([1, 2]), 1.5), DTypeError, /^lt: b is 1\.5/);
  });

  test('mixing dtypes is a DTypeError naming both', () => {
    const f32 = tensor([1]);
    const d64 = tensor([1], { dtype: 'float64' });
    const int = i32([1]);
    assertThrows(() => add(f32, d64), DTypeError, 'add: dtypes differ: a is float32, b is float64');
    assertThrows(() => sub(int, f32), DTypeError, 'sub: dtypes differ: a is int32, b is float32');
    assertThrows(() => mul(d64, int), DTypeError, 'mul: dtypes differ: a is float64, b is int32');
    assertThrows(() => maximum(f32, d64), DTypeError, /^maximum: dtypes differ/);
    assertThrows(() => eq(f32, int), DTypeError, /^eq: dtypes differ/);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors

describe('errors', () => {
  test('shapes that do not broadcast are a ShapeError naming op and both shapes', () => {
    assertThrows(
      () =>
        add(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          tensor([1, 2, 3, 4]),
        ),
      ShapeError,
      'add: shapes cannot be broadcast: a is [2, 3], b is [4]',
    );
    assertThrows(() => mul(tensor([1, 2, 3]), tensor([1, 2])), ShapeError, 'mul: shapes cannot be broadcast: a is [3], b is [2]');
    assertThrows(() => add(zeros([0]), zeros([2])), ShapeError, 'add: shapes cannot be broadcast: a is [0], b is [2]');
    assertThrows(() => gt(zeros([2, 3]), zeros([3, 2])), ShapeError, /^gt: .*\[2, 3\].*\[3, 2\]/);
  });

  test('two numbers are a ValueError', () => {
    assertThrows(() => add(1, 2), ValueError, 'add: at least one operand must be a Tensor');
  });

  test('a non-tensor operand is a DTypeError on either side', () => {
    const bad = null as unknown as Tensor;
    assertThrows(() => add(bad, tensor([1])), DTypeError, 'add: a must be a Tensor; got null');
    assertThrows(() => add(tensor([1]), bad), DTypeError, 'add: b must be a Tensor; got null');
    assertThrows(() => add(1, bad), DTypeError, 'add: b must be a Tensor; got null');
    assertThrows(() => exp(bad), DTypeError, 'exp: x must be a Tensor; got null');
  });
});

// ---------------------------------------------------------------------------------------------
// Gradients

describe('gradients', () => {
  test('hand-computed gradients of the arithmetic ops', () => {
    const a = f64([
      [1, 2],
      [3, 4],
    ]);
    const b = f64([2, 4]);
    div(mul(a, a), b).sum().backward();
    // ∂/∂a (a²/b) = 2a/b; ∂/∂b = −a²/b², summed over rows.
    assertValues(
      a.grad!,
      [
        [1, 1],
        [3, 2],
      ],
      1e-12,
    );
    assertValues(b.grad!, [-(1 + 9) / 4, -(4 + 16) / 16], 1e-12);
  });

  test('hand-computed gradients of unary ops', () => {
    const x = f64([0]);
    sigmoid(x).sum().backward();
    assertValues(x.grad!, [0.25], 1e-12);
    const y = f64([0, LN2]);
    tanh(y).sum().backward();
    assertValues(y.grad!, [1, 1 - 0.36], 1e-12);
    const z = f64([4]);
    sqrt(z).sum().backward();
    assertValues(z.grad!, [0.25], 1e-12);
  });

  test('PyTorch conventions at kinks: relu and abs give 0 at 0, clamp gives 1 on the bounds', () => {
    const x = f64([-1, 0, 2]);
    relu(x).sum().backward();
    assertValues(x.grad!, [0, 0, 1], 0);
    const y = f64([-1, 0, 2]);
    abs(y).sum().backward();
    assertValues(y.grad!, [-1, 0, 1], 0);
    const z = f64([-2, -1, 0, 1, 2]);
    clamp(z, -1, 1).sum().backward();
    assertValues(z.grad!, [0, 1, 1, 1, 0], 0);
  });

  test('gradients accumulate over repeated use of an input', () => {
    const x = f64([3]);
    add(mul(x, 2), mul(x, x)).sum().backward();
    assertValues(x.grad!, [2 + 6], 1e-12);
  });

  const opts = { eps: 1e-6, atol: 1e-6, rtol: 1e-5 };
  const gc = (fn: (...t: Tensor[]) => Tensor, inputs: Tensor[]): void => {
    assert.equal(gradcheck(fn, inputs, opts), true);
  };

  test('gradcheck add and sub, with broadcasting and numbers', () => {
    gc(
      (a, b) => add(a, b),
      [
        f64([
          [0.3, -1.2, 2],
          [0.5, 0.7, -0.1],
        ]),
        f64([1.5, -0.5, 0.25]),
      ],
    );
    gc((a, b) => add(a, b), [f64([[[0.3, -1.2, 2]], [[0.5, 0.7, -0.1]]]), f64([[1], [2], [3], [4]])]);
    gc((a) => add(a, 2.5), [f64([1, 2])]);
    gc((a, b) => add(a, b), [f64(0.7), f64([1, 2, 3])]);
    gc(
      (a, b) => sub(a, b),
      [
        f64([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        f64([[0.5], [-0.5]]),
      ],
    );
    gc((a) => sub(1, a), [f64([0.2, 0.9])]);
  });

  test('gradcheck mul and div, with broadcasting and numbers', () => {
    gc(
      (a, b) => mul(a, b),
      [
        f64([
          [0.3, -1.2, 2],
          [0.5, 0.7, -0.1],
        ]),
        f64([1.5, -0.5, 0.25]),
      ],
    );
    gc((a, b) => mul(a, b), [f64([[1.1], [-0.4], [0.9]]), f64([[0.2, -0.6, 1.3, 0.8]])]);
    gc(
      (a, b) => div(a, b),
      [
        f64([
          [0.3, -1.2, 2],
          [0.5, 0.7, -0.1],
        ]),
        f64([1.5, -0.8, 2.25]),
      ],
    );
    gc((b) => div(2, b), [f64([0.5, -1.5, 3])]);
    gc((a) => div(a, 4), [f64([0.5, -1.5, 3])]);
  });

  test('gradcheck pow in base and exponent, with broadcasting', () => {
    gc(
      (a, b) => pow(a, b),
      [
        f64([
          [0.5, 1.2, 2],
          [1.7, 0.9, 3.1],
        ]),
        f64([1.5, -0.7, 2.2]),
      ],
    );
    gc((a) => pow(a, 3), [f64([-1.5, 0.3, 2])]);
    gc((b) => pow(2, b), [f64([-1, 0.5, 2])]);
  });

  test('gradcheck each unary op away from its kinks', () => {
    const x = (): Tensor =>
      f64([
        [-1.3, 0.4, 2.1],
        [0.7, -0.2, -2.6],
      ]);
    const pos = (): Tensor =>
      f64([
        [0.3, 1.4, 2.1],
        [0.7, 5.2, 0.05],
      ]);
    gc((a) => neg(a), [x()]);
    gc((a) => exp(a), [x()]);
    gc((a) => log(a), [pos()]);
    gc((a) => log1p(a), [f64([-0.5, 0, 0.4, 3])]);
    gc((a) => sqrt(a), [pos()]);
    gc((a) => abs(a), [x()]);
    gc((a) => tanh(a), [x()]);
    gc((a) => sigmoid(a), [x()]);
    gc((a) => relu(a), [x()]);
    gc((a) => clamp(a, -1, 1), [x()]);
    gc((a) => clamp(a, 0.5), [x()]);
    gc((a) => clamp(a, undefined, 0.5), [x()]);
  });

  test('gradcheck maximum and minimum without ties, with broadcasting', () => {
    gc(
      (a, b) => maximum(a, b),
      [
        f64([
          [0.3, -1.2, 2],
          [0.5, 0.7, -0.1],
        ]),
        f64([0.1, 0.2, 0.25]),
      ],
    );
    gc(
      (a, b) => minimum(a, b),
      [
        f64([
          [0.3, -1.2, 2],
          [0.5, 0.7, -0.1],
        ]),
        f64([[0.1], [0.6]]),
      ],
    );
    gc((a) => maximum(a, 0.5), [f64([0.1, 0.9])]);
  });

  test('gradcheck where, with broadcast a and b', () => {
    const cond = tensor(
      [
        [1, 0, 1],
        [0, 0, 1],
      ],
      { dtype: 'float64' },
    );
    gc(
      (a, b) => where(cond, a, b),
      [
        f64([1.5, -0.5, 0.25]),
        f64([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ],
    );
    gc((a, b) => where(cond, a, b), [f64([[0.5], [-0.5]]), f64(2)]);
  });

  test('gradcheck clone, alone and beside its source', () => {
    gc(
      (a) => a.clone(),
      [
        f64([
          [0.5, -1.5],
          [2, 0.25],
        ]),
      ],
    );
    gc((a) => mul(a.clone(), a), [f64([0.5, -1.5, 3])]);
  });

  test('gradcheck a composition of several ops', () => {
    gc(
      (a, b) => tanh(add(mul(a, b), sigmoid(sub(a, exp(b))))),
      [
        f64([
          [0.1, -0.2],
          [0.3, 0.4],
        ]),
        f64([0.5, -0.6]),
      ],
    );
  });
});
