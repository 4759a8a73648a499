// consumesMask recognises the modules that take a mask (supportsMasking: true), built-in or a
// user's own, and only those; nn.Sequential hands the mask to them and to nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor, type Tensor } from '../../src/index.js';

/** A user's layer that takes a mask, recording what it received. */
class MaskRecorder extends nn.Module {
  readonly supportsMasking = true as const;
  readonly received: (Tensor | null)[] = [];
  forward(input: Tensor, options: { mask?: Tensor | null } = {}): Tensor {
    this.received.push(options.mask ?? null);
    return input;
  }
}

/** A layer without supportsMasking, recording whether it was ever offered options. */
class Plain extends nn.Module {
  readonly calls: number[] = [];
  forward(input: Tensor, ...rest: unknown[]): Tensor {
    this.calls.push(rest.length);
    return input;
  }
}

test('consumesMask: true for the built-in and user modules that take a mask', () => {
  const cell = new nn.LSTMCell({ inputSize: 2, hiddenSize: 3 });
  assert.equal(nn.consumesMask(new nn.Recurrent(cell)), true);
  assert.equal(nn.consumesMask(new nn.Bidirectional(new nn.Recurrent(cell, { returnSequences: true }))), true);
  assert.equal(nn.consumesMask(new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 2 }))), true);
  assert.equal(nn.consumesMask(new nn.Residual(new nn.Linear({ inFeatures: 2, outFeatures: 2 }))), true);
  assert.equal(nn.consumesMask(new MaskRecorder()), true);
  assert.equal(nn.consumesMask({ supportsMasking: true, forward: () => null }), true);
});

test('consumesMask: false for modules without it, truthy look-alikes and non-objects', () => {
  assert.equal(nn.consumesMask(new nn.Linear({ inFeatures: 2, outFeatures: 2 })), false);
  assert.equal(nn.consumesMask(new nn.Embedding({ numEmbeddings: 4, embeddingDim: 2, maskZero: true })), false); // produces, not consumes
  assert.equal(nn.consumesMask(new Plain()), false);
  assert.equal(nn.consumesMask({ supportsMasking: 'yes' }), false);
  assert.equal(nn.consumesMask({ supportsMasking: 1 }), false);
  for (const v of [null, undefined, true, 0, 'supportsMasking']) assert.equal(nn.consumesMask(v), false, String(v));
});

test('nn.Sequential passes the mask to a consumer and not to other layers', () => {
  const recorder = new MaskRecorder();
  const plain = new Plain();
  const model = new nn.Sequential(new nn.Embedding({ numEmbeddings: 5, embeddingDim: 2, maskZero: true }), plain, recorder);
  model.forward(tensor([[1, 2, 0]], { dtype: 'int32' }));
  assert.deepEqual(plain.calls, [0]);
  assert.equal(recorder.received.length, 1);
  assert.deepEqual(recorder.received[0]?.toArray(), [[1, 1, 0]]);
  // Without a mask-producing layer the consumer is called without one.
  const unmasked = new MaskRecorder();
  new nn.Sequential(new nn.Embedding({ numEmbeddings: 5, embeddingDim: 2 }), unmasked).forward(tensor([[1, 2, 0]], { dtype: 'int32' }));
  assert.deepEqual(unmasked.received, [null]);
});
