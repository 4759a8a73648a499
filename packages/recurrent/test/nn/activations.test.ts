// Activation and reshaping modules: values, defaults, options, and use inside nn.Sequential.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError, gelu, nn, randn, relu, sigmoid, softmax, logSoftmax, tanh, tensor } from '../../src/index.js';

const same = (a: ArrayLike<number>, b: ArrayLike<number>): void => assert.deepEqual(Array.from(a), Array.from(b));

describe('activation modules', () => {
  const x = randn([2, 3, 4]);
  test('each applies its function', () => {
    same(new nn.ReLU().forward(x).data, relu(x).data);
    same(new nn.Tanh().forward(x).data, tanh(x).data);
    same(new nn.Sigmoid().forward(x).data, sigmoid(x).data);
    same(new nn.GELU().forward(x).data, gelu(x).data);
    same(new nn.GELU({ approximate: 'tanh' }).forward(x).data, gelu(x, 'tanh').data);
    same(new nn.Softmax({ dim: 1 }).forward(x).data, softmax(x, 1).data);
    same(new nn.LogSoftmax({ dim: 0 }).forward(x).data, logSoftmax(x, 0).data);
    same(new nn.Identity().forward(x).data, x.data);
  });

  test('LeakyReLU defaults to slope 0.01', () => {
    const y = new nn.LeakyReLU().forward(tensor([-1, 2]));
    assert.ok(Math.abs(y.data[0]! + 0.01) < 1e-7 && y.data[1] === 2);
    assert.ok(Math.abs(new nn.LeakyReLU({ negativeSlope: 0.5 }).forward(tensor([-1])).data[0]! + 0.5) < 1e-7);
  });

  test('bad options are errors', () => {
    assert.throws(() => new nn.GELU({ approximate: 'erf' as 'tanh' }), ValueError);
    assert.throws(() => new nn.LeakyReLU({ negativeSlope: 0.1, ...{ negative_slope: 0.1 } }), /did you mean 'negativeSlope'/);
    assert.throws(() => new nn.Softmax({ dim: 0.5 }), ValueError);
  });
});

describe('Flatten and Unflatten', () => {
  test('Flatten keeps the batch axis by default', () => {
    assert.deepEqual(new nn.Flatten().forward(randn([2, 3, 4, 5])).shape, [2, 60]);
    assert.deepEqual(new nn.Flatten({ startDim: 0, endDim: 1 }).forward(randn([2, 3, 4])).shape, [6, 4]);
  });

  test('Unflatten splits one axis, inferring a −1', () => {
    const x = randn([2, 12]);
    const y = new nn.Unflatten({ dim: 1, unflattenedSize: [3, 4] }).forward(x);
    assert.deepEqual(y.shape, [2, 3, 4]);
    same(y.data, x.data);
    assert.deepEqual(new nn.Unflatten({ dim: -1, unflattenedSize: [-1, 6] }).forward(x).shape, [2, 2, 6]);
    assert.throws(() => new nn.Unflatten({ dim: 1, unflattenedSize: [5, 2] }).forward(x), ShapeError);
    assert.throws(() => new nn.Unflatten({ dim: 1, unflattenedSize: [] }), ValueError);
  });
});

describe('in nn.Sequential', () => {
  test('an MLP of Linear and activation modules', () => {
    const mlp = new nn.Sequential(
      new nn.Flatten(),
      new nn.Linear({ inFeatures: 12, outFeatures: 8 }),
      new nn.GELU(),
      new nn.Linear({ inFeatures: 8, outFeatures: 3 }),
      new nn.LogSoftmax({ dim: -1 }),
    );
    const y = mlp.forward(randn([5, 3, 4]));
    assert.deepEqual(y.shape, [5, 3]);
    assert.deepEqual(Object.keys(mlp.stateDict()), ['1.weight', '1.bias', '3.weight', '3.bias']);
    y.sum().backward();
    assert.ok(mlp.parameters().every((p) => p.grad !== null));
  });
});
