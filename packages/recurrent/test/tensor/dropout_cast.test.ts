import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, zeros, ones, arange, manualSeed, getRngState, gradcheck, Tensor, cast, dropout, mul, sum, DTypeError, ValueError } from '../../src/index.js';
import { assertThrows, f64 } from '../helpers/values.js';
import type { DType } from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Helpers

function values(t: Tensor): number[] {
  return Array.from(t.data);
}

function countZeros(t: Tensor): number {
  let n = 0;
  for (let i = 0; i < t.size; i++) if (t.data[i] === 0) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// cast / to

describe('cast', () => {
  test('float32 → float64 is exact; float64 → float32 rounds', () => {
    const up = cast(tensor([1.5, -2.25]), 'float64');
    assert.equal(up.dtype, 'float64');
    assert.ok(up.data instanceof Float64Array);
    assert.deepEqual(values(up), [1.5, -2.25]);
    const down = tensor([0.1, 1e-3], { dtype: 'float64' }).to('float32');
    assert.equal(down.dtype, 'float32');
    assert.deepEqual(values(down), [Math.fround(0.1), Math.fround(1e-3)]);
  });

  test('float → int32 truncates toward zero, as PyTorch does', () => {
    const r = cast(tensor([1.7, -1.7, 2.5, -0.5, 0, 3]), 'int32');
    assert.equal(r.dtype, 'int32');
    assert.ok(r.data instanceof Int32Array);
    assert.deepEqual(values(r), [1, -1, 2, 0, 0, 3]);
  });

  test('int32 → float keeps the integers', () => {
    const i = tensor([-3, 7, 0], { dtype: 'int32' });
    assert.deepEqual(values(i.to('float32')), [-3, 7, 0]);
    assert.equal(i.to('float64').dtype, 'float64');
  });

  test('keeps the shape, for 0-d, empty and 3-D tensors', () => {
    const s = cast(tensor(2.5), 'int32');
    assert.deepEqual([...s.shape], []);
    assert.equal(s.item(), 2);
    assert.deepEqual([...cast(zeros([0, 3]), 'float64').shape], [0, 3]);
    assert.deepEqual([...cast(zeros([2, 1, 3]), 'int32').shape], [2, 1, 3]);
  });

  test('to the same dtype returns the tensor itself, as PyTorch does', () => {
    const x = tensor([1, 2]);
    assert.equal(x.to('float32'), x);
  });

  test('the result owns its storage', () => {
    const x = tensor([1, 2]);
    const y = x.to('float64');
    x.data[0] = 100;
    assert.equal(y.data[0], 1);
  });

  test('an unknown dtype is a DTypeError', () => {
    assertThrows(() => cast(tensor([1]), 'float16' as DType), DTypeError, 'to: dtype must be one of float32, float64, int32; got float16');
  });

  test('the gradient is cast back to the input dtype', () => {
    const x = f64([1, 2, 3]);
    const y = x.to('float32');
    assert.equal(y.requiresGrad, true);
    mul(y, tensor([1, 2, 3]))
      .sum()
      .backward();
    assert.equal(x.grad!.dtype, 'float64');
    assert.deepEqual(values(x.grad!), [1, 2, 3]);
  });

  test('a cast to int32 leaves the graph', () => {
    const x = f64([1.5, 2]);
    assert.equal(x.to('int32').requiresGrad, false);
  });

  test('gradcheck through float32 and back', () => {
    // Points and step that float32 holds exactly, so the forward round trip adds no rounding
    // error; the upstream gradient passes through float32, hence the float32-sized tolerance.
    const x = f64([0.5, -1.25, 2, 3.75]);
    const scale = tensor([1, -2, 0.5, 4], { dtype: 'float64' });
    const fn = (t: Tensor): Tensor => mul(cast(cast(t, 'float32'), 'float64'), scale);
    assert.equal(gradcheck(fn, [x], { eps: 2 ** -10, atol: 1e-9, rtol: 1e-6 }), true);
  });
});

// ---------------------------------------------------------------------------------------------
// dropout

describe('dropout', () => {
  test('the mask is reproducible under manualSeed and changes with the seed', () => {
    const x = ones([1000]);
    manualSeed(7);
    const a = dropout(x, 0.3);
    const a2 = dropout(x, 0.3);
    manualSeed(7);
    const b = dropout(x, 0.3);
    manualSeed(8);
    const c = dropout(x, 0.3);
    assert.deepEqual(values(a), values(b));
    assert.notDeepEqual(values(a), values(a2));
    assert.notDeepEqual(values(a), values(c));
  });

  test('kept elements are scaled by 1/(1 − p), the rest are 0', () => {
    const x = tensor(Float64Array.from({ length: 200 }, (_, i) => i + 1));
    manualSeed(1);
    const y = dropout(x, 0.25);
    let kept = 0;
    for (let i = 0; i < y.size; i++) {
      const v = y.data[i]!;
      if (v === 0) continue;
      kept++;
      assert.ok(Math.abs(v - (i + 1) / 0.75) <= 1e-12 * v, `element ${i}: ${v}`);
    }
    assert.ok(kept > 0 && kept < 200);
    manualSeed(1);
    const f = dropout(ones([50]), 0.3);
    for (const v of values(f)) assert.ok(v === 0 || v === Math.fround(1 / 0.7), `value ${v}`);
    assert.equal(f.dtype, 'float32');
  });

  test('the fraction dropped over a large tensor is near p, and the mean is kept', () => {
    const n = 100_000;
    for (const p of [0.1, 0.5, 0.8]) {
      manualSeed(42);
      const y = dropout(ones([n], { dtype: 'float64' }), p);
      const dropped = countZeros(y) / n;
      // The standard deviation of the fraction is at most 0.0016 here.
      assert.ok(Math.abs(dropped - p) < 0.01, `p=${p}: dropped ${dropped}`);
      const avg = sum(y).item() / n;
      assert.ok(Math.abs(avg - 1) < 0.05, `p=${p}: mean ${avg}`);
    }
  });

  test('training = false and p = 0 are the identity and draw no random numbers', () => {
    const x = tensor([
      [1, -2],
      [3, 4],
    ]);
    manualSeed(3);
    const before = getRngState();
    const e = dropout(x, 0.5, false);
    const z = dropout(x, 0);
    assert.deepEqual(getRngState(), before);
    assert.deepEqual(values(e), [1, -2, 3, 4]);
    assert.deepEqual(values(z), [1, -2, 3, 4]);
    assert.deepEqual([...e.shape], [2, 2]);
  });

  test('p = 1 zeroes everything, without NaN', () => {
    const x = f64([1, -2, 3]);
    const y = dropout(x, 1);
    // −2·0 is −0, which equals 0.
    assert.ok(
      values(y).every((v) => v === 0),
      `${values(y)}`,
    );
    y.sum().backward();
    assert.ok(
      values(x.grad!).every((v) => v === 0),
      `${values(x.grad!)}`,
    );
  });

  test('the gradient is the mask', () => {
    const x = tensor(Float64Array.from({ length: 100 }, (_, i) => i + 1));
    x.requiresGrad = true;
    manualSeed(9);
    const y = dropout(x, 0.5);
    y.sum().backward();
    for (let i = 0; i < x.size; i++) {
      const mask = y.data[i]! / x.data[i]!;
      assert.ok(mask === 0 || Math.abs(mask - 2) < 1e-12);
      assert.equal(x.grad!.data[i], mask === 0 ? 0 : 2);
    }
    assert.ok(countZeros(x.grad!) > 0 && countZeros(x.grad!) < 100);
  });

  test('the gradient in evaluation mode passes through', () => {
    const x = f64([1, 2]);
    dropout(x, 0.5, false).sum().backward();
    assert.deepEqual(values(x.grad!), [1, 1]);
  });

  test('gradcheck with a fixed mask', () => {
    const x = f64([
      [0.5, -1, 2, 0.25],
      [1.5, -0.75, 3, -2],
    ]);
    const fn = (t: Tensor): Tensor => {
      manualSeed(5);
      return dropout(t, 0.4);
    };
    assert.equal(gradcheck(fn, [x]), true);
  });

  test('keeps dtype and shape, for float64, 0-d and empty tensors', () => {
    manualSeed(0);
    assert.equal(dropout(ones([4], { dtype: 'float64' }), 0.5).dtype, 'float64');
    assert.deepEqual([...dropout(zeros([0, 3]), 0.5).shape], [0, 3]);
    assert.deepEqual([...dropout(tensor(1), 0.5).shape], []);
    assert.deepEqual([...dropout(zeros([2, 3, 4]), 0.5).shape], [2, 3, 4]);
  });

  test('p outside [0, 1] is a ValueError; int32 input a DTypeError', () => {
    const x = ones([3]);
    assertThrows(() => dropout(x, -0.1), ValueError, 'dropout: p must be in [0, 1]; got -0.1');
    assertThrows(() => dropout(x, 1.5), ValueError, 'dropout: p must be in [0, 1]; got 1.5');
    assertThrows(() => dropout(x, Number.NaN), ValueError, 'dropout: p must be in [0, 1]; got NaN');
    assertThrows(() => dropout(arange(3), 0.5), DTypeError, 'dropout: x must be float32 or float64; got int32');
  });
});
