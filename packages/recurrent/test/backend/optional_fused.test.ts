// A backend may leave out any fused recurrent kernel: the layers then run that cell's composed
// recurrence on the backend's other kernels, with the same values and gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendError, getBackend, lstmRecurrence, manualSeed, nn, randn, registerBackend, setBackend, type Backend, type Tensor } from '../../src/index.js';
import { referenceBackend } from '../../src/backend/reference/reference_backend.js';
import { fusedRecurrenceAvailable } from '../../src/tensor/ops/recurrence.js';

const { lstmForward: _f, lstmBackward: _b, gruForward: _gf, gruBackward: _gb, rnnForward: _rf, rnnBackward: _rb, ...rest } = referenceBackend;
const unfused: Backend = { ...rest, name: 'reference-unfused' };
registerBackend(unfused);

interface Layer {
  forward(input: Tensor): [Tensor, unknown];
  zeroGrad(): void;
  parameters(): Tensor[];
}

function run(layer: Layer, x: Tensor): { out: number[]; grads: number[][] } {
  layer.zeroGrad();
  const [out] = layer.forward(x);
  out.tanh().sum().backward();
  return { out: Array.from(out.data), grads: layer.parameters().map((p) => Array.from(p.grad!.data)) };
}

for (const make of [
  // Each returns its layer as the common shape of their forward on a padded input.
  (): Layer => new nn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, dtype: 'float64' }),
  (): Layer => new nn.GRU({ inputSize: 3, hiddenSize: 4, dtype: 'float64' }),
  (): Layer => new nn.RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', dtype: 'float64' }),
]) {
  const name = make().constructor.name;
  test(`${name} on a backend without fused kernels runs composed, equal to the fused run`, () => {
    const before = getBackend();
    try {
      manualSeed(7);
      const layer = make();
      const x = randn([6, 2, 3], { dtype: 'float64' });
      setBackend('reference');
      assert.equal(fusedRecurrenceAvailable('lstm'), true);
      const fused = run(layer, x);
      setBackend('reference-unfused');
      for (const cell of ['rnn', 'lstm', 'gru'] as const) assert.equal(fusedRecurrenceAvailable(cell), false);
      const composed = run(layer, x);
      assert.equal(composed.out.length, fused.out.length);
      composed.out.forEach((v, i) => assert.ok(Math.abs(v - fused.out[i]!) < 1e-12, `output ${i}: ${v} vs ${fused.out[i]}`));
      composed.grads.forEach((g, p) => g.forEach((v, i) => assert.ok(Math.abs(v - fused.grads[p]![i]!) < 1e-12, `gradient ${p}[${i}]`)));
    } finally {
      setBackend(before);
    }
  });
}

test('the fused op itself names the backend that lacks its kernel', () => {
  const before = getBackend();
  try {
    setBackend('reference-unfused');
    const x = randn([4, 8]);
    assert.throws(
      () => lstmRecurrence(x, randn([4, 2]), randn([4, 2]), randn([8, 2]), null, null, null, { batchSizes: new Int32Array([4]) }),
      (e: unknown) => e instanceof BackendError && /lstmForward: the reference-unfused backend has no fused kernel/.test(e.message),
    );
  } finally {
    setBackend(before);
  }
});
