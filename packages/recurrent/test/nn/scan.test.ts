// scan (tf.scan): hand-computed cumulative results, tuple states and several element tensors,
// reverse order, empty sequences, float64 gradcheck and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { add, gradcheck, manualSeed, mul, randn, scan, tanh, tensor, zeros, DTypeError, ShapeError, ValueError, type Tensor } from '../../src/index.js';

describe('scan', () => {
  test('cumulative sum and product of a vector, forward and reverse', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], { dtype: 'float64' });
    assert.deepEqual(scan((acc, v) => add(acc, v), x, tensor(0, { dtype: 'float64' })).toArray(), [1, 3, 6, 10, 15, 21]);
    assert.deepEqual(scan((acc, v) => mul(acc, v), x, tensor(1, { dtype: 'float64' })).toArray(), [1, 2, 6, 24, 120, 720]);
    // tf.scan(..., reverse=True): last to first, result in the original order.
    assert.deepEqual(scan((acc, v) => add(acc, v), x, tensor(0, { dtype: 'float64' }), { reverse: true }).toArray(), [21, 20, 18, 15, 11, 6]);
  });

  test('rows: running sum over the first axis of a matrix, with a vector state', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assert.deepEqual(scan((acc, row) => add(acc, row), x, zeros([2])).toArray(), [
      [1, 2],
      [4, 6],
      [9, 12],
    ]);
    assert.deepEqual(scan((acc, row) => add(mul(acc, 2), row), x, zeros([2]), { reverse: true }).toArray(), [
      [27, 34],
      [13, 16],
      [5, 6],
    ]);
  });

  test('tuple state: Fibonacci numbers, as in the TensorFlow documentation', () => {
    const [a, b] = scan(([p, q]) => [q!, add(p!, q!)], zeros([6]), [tensor(0), tensor(1)]);
    assert.deepEqual(a!.toArray(), [1, 1, 2, 3, 5, 8]);
    assert.deepEqual(b!.toArray(), [1, 2, 3, 5, 8, 13]);
  });

  test('several element tensors: a running dot product and a running count', () => {
    const u = tensor([1, 2, 3]);
    const v = tensor([4, 5, 6]);
    const [dot, count] = scan(([d, n], [ut, vt]) => [add(d!, mul(ut!, vt!)), add(n!, 1)], [u, v], [tensor(0), tensor(0)]);
    assert.deepEqual(dot!.toArray(), [4, 14, 32]);
    assert.deepEqual(count!.toArray(), [1, 2, 3]);
  });

  test('reverse visits the elements last to first', () => {
    const seen: number[] = [];
    scan(
      (acc, v) => {
        seen.push(v.item());
        return acc;
      },
      tensor([7, 8, 9]),
      tensor(0),
      { reverse: true },
    );
    assert.deepEqual(seen, [9, 8, 7]);
  });

  test('zero steps give empty stacks of the state shapes', () => {
    const [h, c] = scan((s) => s, zeros([0, 3]), [zeros([2, 4]), zeros([5])]);
    assert.deepEqual(h!.shape, [0, 2, 4]);
    assert.deepEqual(c!.shape, [0, 5]);
  });

  test('float64 gradcheck of a nonlinear recurrence, forward and reverse', () => {
    manualSeed(4);
    const opts = { dtype: 'float64' as const, requiresGrad: true };
    const elems = randn([5, 2, 3], opts);
    const init = randn([2, 3], opts);
    const w = randn([3], opts);
    for (const reverse of [false, true]) {
      gradcheck((x, s0, wt) => scan((s: Tensor, xt: Tensor) => tanh(add(mul(s, wt!), xt)), x!, s0!, { reverse }), [elems, init, w]);
    }
  });

  test('errors name the problem', () => {
    assert.throws(
      () => scan((s) => s, tensor(1), tensor(0)),
      (e: Error) => e instanceof ShapeError && /first \(time\) axis/.test(e.message),
    );
    assert.throws(
      () => scan((s) => s, [zeros([3]), zeros([4])], tensor(0)),
      (e: Error) => e instanceof ShapeError && /same first axis/.test(e.message),
    );
    assert.throws(
      () => scan(() => zeros([2]), zeros([3]), tensor(0)),
      (e: Error) => e instanceof ShapeError && /shape of state 0 at step 0/.test(e.message),
    );
    assert.throws(() => scan(() => tensor(0, { dtype: 'float64' }), zeros([3]), tensor(0)), DTypeError);
    assert.throws(
      () => scan((s) => [s[0]!], zeros([3]), [tensor(0), tensor(1)]),
      (e: Error) => e instanceof ValueError && /structure of initial/.test(e.message),
    );
    assert.throws(() => scan((s) => s, [], tensor(0)), ValueError);
  });
});
