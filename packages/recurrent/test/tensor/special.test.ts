// erf, gelu and leakyRelu: values against reference constants (scipy.special.erf, torch's gelu),
// and float64 gradchecks of the compositions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, erf, gelu, gradcheck, leakyRelu, manualSeed, randn, tensor } from '../../src/index.js';

function close(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i]! - e) <= tol, `element ${i}: ${actual[i]} vs ${e}`));
}

describe('special functions', () => {
  test('erf matches reference values to float32 precision', () => {
    const x = tensor([-3, -1, -0.5, 0, 0.1, 0.5, 1, 2, 4], { dtype: 'float64' });
    close(
      erf(x).data,
      [
        -0.9999779095030014, -0.8427007929497149, -0.5204998778130465, 0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527,
        0.9999999845827421,
      ],
      2e-7,
    );
  });

  test('gelu is exact (erf) by default and tanh-approximate on request, as torch', () => {
    const x = tensor([-2, -1, 0, 0.5, 1, 3], { dtype: 'float64' });
    close(gelu(x).data, [-0.04550026389635842, -0.15865525393145707, 0, 0.34573123063700656, 0.8413447460685429, 2.99595030590511], 3e-7);
    close(gelu(x, 'tanh').data, [-0.04540230591222, -0.15880800939172324, 0, 0.34571400982514394, 0.8411919906082768, 2.996362607918227], 1e-7);
  });

  test("gelu's gradient is Φ(x) + x·φ(x)", () => {
    const x = tensor([1, -0.5], { dtype: 'float64', requiresGrad: true });
    gelu(x).sum().backward();
    const phi = (v: number): number => Math.exp((-v * v) / 2) / Math.sqrt(2 * Math.PI);
    close(x.grad!.data, [0.8413447460685429 + phi(1), 0.3085375387259869 - 0.5 * phi(-0.5)], 2e-6);
  });

  test('leakyRelu scales the negative part (default slope 0.01)', () => {
    close(leakyRelu(tensor([-2, 0, 3])).data, [-0.02, 0, 3], 1e-7);
    close(leakyRelu(tensor([-2, 3]), 0.2).data, [-0.4, 3], 1e-7);
  });

  test('gradchecks in float64', () => {
    manualSeed(7);
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true }).mul(2).detach();
    x.requiresGrad = true;
    assert.equal(
      gradcheck((a) => erf(a), [x]),
      true,
    );
    assert.equal(
      gradcheck((a) => gelu(a), [x]),
      true,
    );
    assert.equal(
      gradcheck((a) => gelu(a, 'tanh'), [x]),
      true,
    );
    assert.equal(
      gradcheck((a) => leakyRelu(a, 0.1), [x]),
      true,
    );
  });

  test('integer input is a dtype error', () => {
    assert.throws(() => erf(tensor([1], { dtype: 'int32' })), DTypeError);
  });
});
