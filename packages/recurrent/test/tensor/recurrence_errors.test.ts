// The fused recurrence ops check their arguments on entry: every wrong dtype, layout or shape is
// a typed error naming the op, the argument, the expected and the actual value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, gruRecurrence, lstmRecurrence, rnnRecurrence, ShapeError, type Tensor, ValueError, zeros } from '../../src/index.js';

const B = 2;
const H = 3;
const steps = new Int32Array([2, 2]); // T = 2, N = 4 packed rows
const f64 = { dtype: 'float64' } as const;

type ErrorClass = typeof ShapeError | typeof DTypeError | typeof ValueError;
const fails = (run: () => unknown, kind: ErrorClass, message: string): void => {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof kind, `expected a ${kind.name}; got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
};

/** The op run on valid arguments, with `over` replacing some of them. */
function rnn(over: Partial<{ x: Tensor; h0: Tensor; w: Tensor; b: Tensor | null; batchSizes: Int32Array }> = {}): unknown {
  const { x = zeros([4, H]), h0 = zeros([B, H]), w = zeros([H, H]), b = zeros([H]), batchSizes = steps } = over;
  return rnnRecurrence(x, h0, w, b, { batchSizes, nonlinearity: 'tanh' });
}
function gru(over: Partial<{ x: Tensor; h0: Tensor; w: Tensor; b: Tensor | null; batchSizes: Int32Array }> = {}): unknown {
  const { x = zeros([4, 3 * H]), h0 = zeros([B, H]), w = zeros([3 * H, H]), b = zeros([3 * H]), batchSizes = steps } = over;
  return gruRecurrence(x, h0, w, b, { batchSizes, resetAfter: true });
}
function lstm(
  over: Partial<{ x: Tensor; h0: Tensor; c0: Tensor; w: Tensor; b: Tensor | null; wHR: Tensor | null; peep: Tensor | null; batchSizes: Int32Array }> = {},
): unknown {
  const {
    x = zeros([4, 4 * H]),
    h0 = zeros([B, H]),
    c0 = zeros([B, H]),
    w = zeros([4 * H, H]),
    b = zeros([4 * H]),
    wHR = null,
    peep = null,
    batchSizes = steps,
  } = over;
  return lstmRecurrence(x, h0, c0, w, b, wHR, peep, { batchSizes });
}

test('valid arguments run, with and without bias, projection and peepholes', () => {
  assert.equal((rnn() as Tensor[])[0]!.shape.join(), '4,3');
  assert.equal((gru({ b: null }) as Tensor[])[1]!.shape.join(), '2,3');
  const [out, hN, cN] = lstm({ h0: zeros([B, 2]), w: zeros([4 * H, 2]), wHR: zeros([2, H]), peep: zeros([3 * H]) }) as Tensor[];
  assert.deepEqual(
    [out!.shape, hN!.shape, cN!.shape],
    [
      [4, 2],
      [B, 2],
      [B, H],
    ],
  );
  // h0 may hold more sequences than the first step uses.
  assert.equal((rnn({ h0: zeros([3, H]), x: zeros([3, H]), batchSizes: new Int32Array([2, 1]) }) as Tensor[])[1]!.shape.join(), '3,3');
});

test('xProj must be floating', () => {
  fails(() => rnn({ x: zeros([4, H], { dtype: 'int32' }) }), DTypeError, 'rnnRecurrence: xProj must be float32 or float64; got int32');
  fails(() => gru({ x: zeros([4, 3 * H], { dtype: 'int32' }) }), DTypeError, 'gruRecurrence: xProj must be float32 or float64; got int32');
  fails(() => lstm({ x: zeros([4, 4 * H], { dtype: 'int32' }) }), DTypeError, 'lstmRecurrence: xProj must be float32 or float64; got int32');
});

test('batchSizes must be non-increasing and non-negative', () => {
  fails(
    () => rnn({ batchSizes: new Int32Array([1, 2]), x: zeros([3, H]) }),
    ValueError,
    'rnnRecurrence: batchSizes must be non-increasing and non-negative; got [1, 2]',
  );
  fails(() => gru({ batchSizes: new Int32Array([2, -1]) }), ValueError, 'gruRecurrence: batchSizes must be non-increasing and non-negative; got [2, -1]');
  fails(() => lstm({ batchSizes: new Int32Array([-2]) }), ValueError, 'lstmRecurrence: batchSizes must be non-increasing and non-negative; got [-2]');
});

test('xProj must be (Σ batchSizes, gates·H)', () => {
  fails(() => rnn({ x: zeros([5, H]) }), ShapeError, 'rnnRecurrence: xProj must be (4, 3); got [5, 3]');
  fails(() => gru({ x: zeros([4, H]) }), ShapeError, 'gruRecurrence: xProj must be (4, 9); got [4, 3]');
  fails(() => lstm({ x: zeros([4, 4 * H, 1]) }), ShapeError, 'lstmRecurrence: xProj must be (4, 12); got [4, 12, 1]');
});

test('the states must be (B, ·) matrices with at least the first step’s sequences', () => {
  fails(() => rnn({ h0: zeros([1, H]) }), ShapeError, 'rnnRecurrence: h0 has 1 rows but the first step has 2 sequences');
  fails(() => gru({ h0: zeros([1, H]) }), ShapeError, 'gruRecurrence: h0 has 1 rows but the first step has 2 sequences');
  fails(() => lstm({ c0: zeros([1, H]), h0: zeros([1, H]) }), ShapeError, 'lstmRecurrence: h0 has 1 rows but the first step has 2 sequences');
  fails(() => rnn({ h0: zeros([B * H]) }), ShapeError, 'rnnRecurrence: h0 must be 2-D (B, H); got [6]');
  fails(() => gru({ h0: zeros([1, B, H]) }), ShapeError, 'gruRecurrence: h0 must be 2-D (B, H); got [1, 2, 3]');
  fails(() => lstm({ c0: zeros([B * H]) }), ShapeError, 'lstmRecurrence: c0 must be 2-D (B, H); got [6]');
  fails(() => lstm({ h0: zeros([B, H + 1]) }), ShapeError, 'lstmRecurrence: h0 must be [2, 3]; got [2, 4]');
  fails(() => lstm({ h0: zeros([B, H]), wHR: zeros([2, H]), w: zeros([4 * H, 2]) }), ShapeError, 'lstmRecurrence: h0 must be [2, 2]; got [2, 3]');
});

test('weights, biases, projection and peepholes must have their shapes', () => {
  fails(() => rnn({ w: zeros([H, H + 1]) }), ShapeError, 'rnnRecurrence: wHH must be [3, 3]; got [3, 4]');
  fails(() => rnn({ b: zeros([H, 1]) }), ShapeError, 'rnnRecurrence: bHH must be [3]; got [3, 1]');
  fails(() => gru({ w: zeros([H, H]) }), ShapeError, 'gruRecurrence: wHH must be [9, 3]; got [3, 3]');
  fails(() => gru({ b: zeros([H]) }), ShapeError, 'gruRecurrence: bHH must be [9]; got [3]');
  fails(() => lstm({ w: zeros([3 * H, H]) }), ShapeError, 'lstmRecurrence: wHH must be [12, 3]; got [9, 3]');
  fails(() => lstm({ b: zeros([3 * H]) }), ShapeError, 'lstmRecurrence: bHH must be [12]; got [9]');
  fails(() => lstm({ h0: zeros([B, 2]), w: zeros([4 * H, 2]), wHR: zeros([2, H + 1]) }), ShapeError, 'lstmRecurrence: wHR must be [2, 3]; got [2, 4]');
  fails(() => lstm({ peep: zeros([4 * H]) }), ShapeError, 'lstmRecurrence: peepholes must be [9]; got [12]');
});

test('states and weights must share xProj’s dtype, each named', () => {
  fails(() => rnn({ h0: zeros([B, H], f64) }), DTypeError, 'rnnRecurrence: dtypes differ: xProj is float32, h0 is float64');
  fails(() => rnn({ w: zeros([H, H], f64) }), DTypeError, 'rnnRecurrence: dtypes differ: xProj is float32, wHH is float64');
  fails(() => gru({ b: zeros([3 * H], f64) }), DTypeError, 'gruRecurrence: dtypes differ: xProj is float32, bHH is float64');
  fails(() => lstm({ c0: zeros([B, H], f64) }), DTypeError, 'lstmRecurrence: dtypes differ: xProj is float32, c0 is float64');
  fails(() => lstm({ peep: zeros([3 * H], f64) }), DTypeError, 'lstmRecurrence: dtypes differ: xProj is float32, peepholes is float64');
  fails(
    () =>
      lstm({
        x: zeros([4, 4 * H], f64),
        h0: zeros([B, 2], f64),
        c0: zeros([B, H], f64),
        w: zeros([4 * H, 2], f64),
        b: zeros([4 * H], f64),
        wHR: zeros([2, H]),
      }),
    DTypeError,
    'lstmRecurrence: dtypes differ: xProj is float64, wHR is float32',
  );
});
