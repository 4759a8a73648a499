import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, zeros, randn, manualSeed, gradcheck, Tensor, matmul, linear, add, transpose, ShapeError, DTypeError } from '../../src/index.js';
import { assertValues, assertThrows, f64 } from '../helpers/values.js';

// ---------------------------------------------------------------------------------------------
// Helpers

function assertAllClose(a: Tensor, b: Tensor, tol: number): void {
  assert.deepEqual([...a.shape], [...b.shape]);
  for (let i = 0; i < a.size; i++) {
    assert.ok(Math.abs(a.data[i]! - b.data[i]!) <= tol, `element ${i}: ${a.data[i]} vs ${b.data[i]}`);
  }
}

/** A standard-normal float64 leaf that requires grad. */
function rn(shape: number[]): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

const A = [
  [1, 2],
  [3, 4],
];
const B = [
  [5, 6],
  [7, 8],
];
const M23 = [
  [1, 2, 3],
  [4, 5, 6],
];

// ---------------------------------------------------------------------------------------------

describe('matmul', () => {
  test('2-D × 2-D', () => {
    assertValues(
      matmul(tensor(A), tensor(B)),
      [
        [19, 22],
        [43, 50],
      ],
      0,
    );
    assertValues(matmul(tensor(M23), tensor([[1], [0], [-1]])), [[-2], [-2]], 0);
    assertValues(
      tensor(B).matmul(tensor(A)),
      [
        [23, 34],
        [31, 46],
      ],
      0,
    );
  });

  test('batched, one product per batch entry', () => {
    const a = tensor([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [2, 0],
        [0, 3],
      ],
    ]);
    const b = tensor([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1, 1],
        [1, 1],
      ],
    ]);
    assertValues(
      matmul(a, b),
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [2, 2],
          [3, 3],
        ],
      ],
      0,
    );
  });

  test('a 2-D operand broadcasts over the batch of the other', () => {
    const batch = tensor([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [0, 1],
        [1, 0],
      ],
      [
        [2, 0],
        [0, 2],
      ],
    ]); // [3, 2, 2]
    assertValues(
      matmul(tensor(A), batch),
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [2, 1],
          [4, 3],
        ],
        [
          [2, 4],
          [6, 8],
        ],
      ],
      0,
    );
    assertValues(
      matmul(batch, tensor(A)),
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [3, 4],
          [1, 2],
        ],
        [
          [2, 4],
          [6, 8],
        ],
      ],
      0,
    );
  });

  test('batch axes of size 1 and of different ranks broadcast', () => {
    const a = tensor([[[[1, 2]]], [[[3, 4]]]]); // [2, 1, 1, 2]
    const b = tensor([
      [[1], [0]],
      [[0], [1]],
      [[1], [1]],
    ]); // [3, 2, 1]
    assertValues(
      matmul(a, b),
      [
        [[[1]], [[2]], [[3]]],
        [[[3]], [[4]], [[7]]],
      ],
      0,
    );
  });

  test('1-D operands: dot product, row vector, column vector', () => {
    const dot = matmul(tensor([1, 2, 3]), tensor([4, 5, 6]));
    assert.deepEqual([...dot.shape], []);
    assert.equal(dot.item(), 32);
    assertValues(matmul(tensor([1, 2]), tensor(M23)), [9, 12, 15], 0);
    assertValues(matmul(tensor(M23), tensor([1, 0, -1])), [-2, -2], 0);
  });

  test('1-D operands against a batch', () => {
    const batch = tensor([
      M23,
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
    ]); // [2, 2, 3]
    assertValues(
      matmul(tensor([1, 2]), batch),
      [
        [9, 12, 15],
        [1, 2, 0],
      ],
      0,
    );
    assertValues(
      matmul(batch, tensor([1, 0, -1])),
      [
        [-2, -2],
        [1, 0],
      ],
      0,
    );
  });

  test('empty dimensions', () => {
    assertValues(matmul(zeros([0, 3]), zeros([3, 4])), [], 0, [0, 4]);
    assertValues(matmul(zeros([2, 3]), zeros([3, 0])), [], 0, [2, 0]);
    assertValues(matmul(zeros([0, 2, 3]), zeros([3, 4])), [], 0, [0, 2, 4]);
    // An empty inner dimension is an empty sum: zeros.
    assertValues(
      matmul(zeros([2, 0]), zeros([0, 3])),
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
      0,
    );
  });

  test('keeps float64 precision', () => {
    const r = matmul(tensor([[1e-10, 1]], { dtype: 'float64' }), tensor([[1], [1]], { dtype: 'float64' }));
    assert.equal(r.dtype, 'float64');
    assert.equal(r.item(), 1 + 1e-10);
  });

  test('gradients by hand: ones·Bᵀ and Aᵀ·ones', () => {
    const a = f64(A);
    const b = f64(B);
    matmul(a, b).sum().backward();
    assertValues(
      a.grad!,
      [
        [11, 15],
        [11, 15],
      ],
      0,
    );
    assertValues(
      b.grad!,
      [
        [4, 4],
        [6, 6],
      ],
      0,
    );
  });

  test('the gradient of a broadcast operand sums over the batch', () => {
    const a = f64(A);
    const batch = f64([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [0, 1],
        [1, 0],
      ],
      [
        [2, 0],
        [0, 2],
      ],
    ]);
    matmul(a, batch).sum().backward();
    // Σ_i ones·B_iᵀ: row sums of the B_i are [1, 1], [1, 1], [2, 2].
    assertValues(
      a.grad!,
      [
        [4, 4],
        [4, 4],
      ],
      0,
    );
    assertValues(
      batch.grad!,
      [
        [
          [4, 4],
          [6, 6],
        ],
        [
          [4, 4],
          [6, 6],
        ],
        [
          [4, 4],
          [6, 6],
        ],
      ],
      0,
    );
  });

  test("gradients with an empty inner dimension have the operands' shapes", () => {
    const a = tensor(new Float64Array(0), [2, 0]);
    a.requiresGrad = true;
    const b = tensor(new Float64Array(0), [0, 3]);
    b.requiresGrad = true;
    matmul(a, b).sum().backward();
    assert.deepEqual([...a.grad!.shape], [2, 0]);
    assert.deepEqual([...b.grad!.shape], [0, 3]);
  });

  test('errors name the op, the arguments and their shapes', () => {
    assertThrows(() => matmul(zeros([32, 64]), zeros([128, 256])), ShapeError, 'matmul: inner dimensions differ: a is [32, 64], b is [128, 256]');
    assertThrows(() => matmul(zeros([3]), zeros([4])), ShapeError, 'matmul: inner dimensions differ: a is [3], b is [4]');
    assertThrows(() => matmul(zeros([2, 3]), zeros([2])), ShapeError, 'matmul: inner dimensions differ: a is [2, 3], b is [2]');
    assertThrows(() => matmul(zeros([2]), zeros([3, 2])), ShapeError, 'matmul: inner dimensions differ: a is [2], b is [3, 2]');
    assertThrows(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 4])), ShapeError, 'matmul: batch dimensions cannot be broadcast: a is [2, 2, 3], b is [3, 3, 4]');
    assertThrows(() => matmul(tensor(2), zeros([3])), ShapeError, 'matmul: both operands need at least one axis: a is [], b is [3]');
  });

  test('dtype errors', () => {
    const i = tensor([[1, 2]], { dtype: 'int32' });
    assertThrows(() => matmul(i, tensor([[1], [2]], { dtype: 'int32' })), DTypeError, 'matmul: a must be float32 or float64; got int32');
    assertThrows(() => matmul(zeros([1, 2]), zeros([2, 1], { dtype: 'float64' })), DTypeError, 'matmul: dtypes differ: a is float32, b is float64');
    assertThrows(() => matmul(zeros([1, 2]), tensor([[1], [2]], { dtype: 'int32' })), DTypeError, /^matmul: dtypes differ/);
    assertThrows(() => matmul(zeros([1, 2]), null as unknown as Tensor), DTypeError, 'matmul: b must be a Tensor; got null');
  });
});

describe('linear', () => {
  const W = [
    [1, 0, -1],
    [0.5, 0.5, 0.5],
  ];
  const bias = [10, 20];

  test('x·Wᵀ + b, with and without bias', () => {
    assertValues(
      linear(tensor(M23), tensor(W), tensor(bias)),
      [
        [8, 23],
        [8, 27.5],
      ],
      0,
    );
    assertValues(
      linear(tensor(M23), tensor(W)),
      [
        [-2, 3],
        [-2, 7.5],
      ],
      0,
    );
    assertValues(
      linear(tensor(M23), tensor(W), null),
      [
        [-2, 3],
        [-2, 7.5],
      ],
      0,
    );
  });

  test('any number of leading axes, including none', () => {
    assertValues(linear(tensor([1, 2, 3]), tensor(W), tensor(bias)), [8, 23], 0);
    assertValues(linear(tensor([[[1, 2, 3]], [[4, 5, 6]]]), tensor(W), tensor(bias)), [[[8, 23]], [[8, 27.5]]], 0);
    assertValues(linear(zeros([0, 3]), tensor(W), tensor(bias)), [], 0, [0, 2]);
    assertValues(linear(zeros([2, 0, 3]), tensor(W)), [], 0, [2, 0, 2]);
  });

  test('equals matmul with the transposed weight plus the bias', () => {
    manualSeed(3);
    const x = randn([2, 4, 5], { dtype: 'float64' });
    const w = randn([3, 5], { dtype: 'float64' });
    const b = randn([3], { dtype: 'float64' });
    assertAllClose(linear(x, w, b), add(matmul(x, transpose(w)), b), 1e-12);
  });

  test('float32 with bias gives the same bits as without it followed by the add, for large and deep products', () => {
    manualSeed(4);
    for (const [m, k, n] of [
      [300, 64, 200],
      [70, 300, 33],
      [1, 40, 50],
      [5, 3, 2],
    ] as const) {
      const x = randn([m, k]);
      const w = randn([n, k]);
      const b = randn([n]);
      assert.deepEqual(linear(x, w, b).data, add(linear(x, w), b).data, `${m}×${k} by ${k}×${n}`);
    }
  });

  test('gradients by hand', () => {
    const x = f64(M23);
    const w = f64(W);
    const b = f64(bias);
    linear(x, w, b).sum().backward();
    assertValues(
      x.grad!,
      [
        [1.5, 0.5, -0.5],
        [1.5, 0.5, -0.5],
      ],
      0,
    );
    assertValues(
      w.grad!,
      [
        [5, 7, 9],
        [5, 7, 9],
      ],
      0,
    );
    assertValues(b.grad!, [2, 2], 0);
  });

  test('shape errors name the argument and the shapes', () => {
    assertThrows(() => linear(zeros([2, 3]), zeros([3])), ShapeError, 'linear: weight must be 2-D (out, in); got [3]');
    assertThrows(() => linear(zeros([2, 4]), zeros([2, 3])), ShapeError, "linear: x's last axis must be in_features 3 of weight [2, 3]; x is [2, 4]");
    assertThrows(() => linear(tensor(1), zeros([2, 3])), ShapeError, /^linear: x's last axis .* x is \[\]$/);
    assertThrows(() => linear(zeros([2, 3]), zeros([2, 3]), zeros([3])), ShapeError, 'linear: bias must be (2); got [3]');
    assertThrows(() => linear(zeros([2, 3]), zeros([2, 3]), zeros([1, 2])), ShapeError, 'linear: bias must be (2); got [1, 2]');
  });

  test('dtype errors name the argument', () => {
    const d64 = { dtype: 'float64' } as const;
    assertThrows(() => linear(zeros([2, 3]), zeros([2, 3], d64)), DTypeError, 'linear: dtypes differ: x is float32, weight is float64');
    assertThrows(() => linear(zeros([2, 3]), zeros([2, 3]), zeros([2], d64)), DTypeError, 'linear: dtypes differ: x is float32, bias is float64');
    assertThrows(
      () => linear(zeros([2, 3], { dtype: 'int32' }), zeros([2, 3], { dtype: 'int32' })),
      DTypeError,
      'linear: x must be float32 or float64; got int32',
    );
  });
});

describe('gradcheck', () => {
  const opts = { eps: 1e-6, atol: 1e-6, rtol: 1e-5 };
  const gc = (fn: (...t: Tensor[]) => Tensor, inputs: Tensor[]): void => {
    assert.equal(gradcheck(fn, inputs, opts), true);
  };

  test('matmul: 2-D, batched and broadcast batches', () => {
    manualSeed(10);
    gc((a, b) => matmul(a, b), [rn([2, 3]), rn([3, 4])]);
    gc((a, b) => matmul(a, b), [rn([2, 2, 3]), rn([2, 3, 2])]);
    gc((a, b) => matmul(a, b), [rn([2, 3]), rn([4, 3, 2])]);
    gc((a, b) => matmul(a, b), [rn([4, 2, 3]), rn([3, 2])]);
    gc((a, b) => matmul(a, b), [rn([2, 1, 2, 3]), rn([3, 3, 2])]);
  });

  test('matmul: 1-D promotion on either or both sides', () => {
    manualSeed(11);
    gc((a, b) => matmul(a, b), [rn([3]), rn([3, 2])]);
    gc((a, b) => matmul(a, b), [rn([2, 3]), rn([3])]);
    gc((a, b) => matmul(a, b), [rn([3]), rn([3])]);
    gc((a, b) => matmul(a, b), [rn([3]), rn([2, 3, 2])]);
    gc((a, b) => matmul(a, b), [rn([2, 2, 3]), rn([3])]);
  });

  test('matmul: one operand constant', () => {
    manualSeed(12);
    const c = randn([3, 2], { dtype: 'float64' });
    gc((a) => matmul(a, c), [rn([2, 3])]);
    gc((b) => matmul(c, b), [rn([2, 4])]);
  });

  test('linear with and without bias, 1-D to 3-D inputs', () => {
    manualSeed(13);
    gc((x, w, b) => linear(x, w, b), [rn([2, 3]), rn([4, 3]), rn([4])]);
    gc((x, w, b) => linear(x, w, b), [rn([2, 5, 3]), rn([4, 3]), rn([4])]);
    gc((x, w, b) => linear(x, w, b), [rn([3]), rn([4, 3]), rn([4])]);
    gc((x, w) => linear(x, w), [rn([2, 3]), rn([4, 3])]);
  });
});
