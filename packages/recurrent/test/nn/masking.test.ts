// Keras-style masks: nn.Masking and nn.Embedding({ maskZero }) against tfjs, and masks flowing
// through nn.Sequential into recurrent layers, past per-step layers and residual connections.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, Tensor, ValueError, manualSeed, nn, randn, tensor, zeros } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';
import { fromTf, kerasWeights, tf, tfScope, toTf, uniformInit } from '../helpers/tfjs.js';

const T = 5;
const F = 3;
const H = 4;

/** (N, T, F) input whose padded steps hold `value` in every feature. */
function padded(mask: number[][], value: number): Tensor {
  const x = randn([mask.length, T, F]);
  mask.forEach((row, n) =>
    row.forEach((m, t) => {
      if (m === 0) for (let f = 0; f < F; f++) x.data[(n * T + t) * F + f] = value;
    }),
  );
  return x;
}

const PATTERN = [
  [1, 1, 1, 0, 0],
  [0, 1, 1, 1, 1],
  [1, 0, 1, 1, 0],
];

describe('nn.Masking', () => {
  test('computeMask and forward = tfjs Masking', () => {
    manualSeed(1);
    for (const maskValue of [0, -1]) {
      const x = padded(PATTERN, maskValue);
      x.data[1] = maskValue; // one feature equal to maskValue does not mask a step
      const layer = new nn.Masking({ maskValue });
      const mask = layer.computeMask(x);
      assert.deepEqual(mask.toArray(), PATTERN);
      const [tfMask, tfOut] = tfScope(() => {
        const m = tf.layers.masking({ maskValue });
        const xt = toTf(x);
        return [fromTf(tf.cast(m.computeMask(xt) as tf.Tensor, 'float32')), fromTf(m.apply(xt) as tf.Tensor)];
      });
      assertClose(mask, tfMask!, 'mask', 0, 0);
      assertClose(layer.forward(x), tfOut!, 'output: masked steps zeroed', 0, 0);
    }
    assert.throws(() => new nn.Masking().computeMask(zeros([2, 3])), ShapeError);
  });

  test('Sequential(Masking, Recurrent(LSTM)) = tfjs masking + LSTM with the mask', () => {
    manualSeed(2);
    const x = padded(PATTERN, 0);
    const [expected, weights] = tfScope(() => {
      const lstm = tf.layers.lstm({
        units: H,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        kernelInitializer: uniformInit(1),
        recurrentInitializer: uniformInit(2),
        biasInitializer: uniformInit(3),
      });
      const masking = tf.layers.masking({ maskValue: 0 });
      const xt = toTf(x);
      const out = lstm.apply(masking.apply(xt), { mask: masking.computeMask(xt) }) as tf.Tensor;
      const w = kerasWeights(lstm.getWeights());
      lstm.dispose();
      return [fromTf(out), w] as const;
    });
    const cell = new nn.LSTMCell({ inputSize: F, hiddenSize: H });
    cell.loadStateDict(nn.kerasLstmToTorch(weights));
    const model = new nn.Sequential(new nn.Masking(), new nn.Recurrent(cell, { returnSequences: true }));
    assertClose(model.forward(x), expected, 'masked model', 1e-5, 1e-5);
  });
});

describe('nn.Embedding maskZero', () => {
  const ids = tensor(
    [
      [3, 1, 0, 0, 0],
      [2, 2, 4, 1, 0],
      [0, 0, 5, 1, 2],
    ],
    { dtype: 'int32' },
  );

  test('computeMask = tfjs Embedding({ maskZero }); null without maskZero; lookups unchanged', () => {
    const emb = new nn.Embedding({ numEmbeddings: 6, embeddingDim: F, maskZero: true });
    const mask = emb.computeMask(ids)!;
    assert.equal(mask.dtype, 'float32');
    const expected = tfScope(() =>
      fromTf(tf.cast(tf.layers.embedding({ inputDim: 6, outputDim: F, maskZero: true }).computeMask(toTf(ids)) as tf.Tensor, 'float32')),
    );
    assertClose(mask, expected, 'mask', 0, 0);
    assert.equal(new nn.Embedding({ numEmbeddings: 6, embeddingDim: F }).computeMask(ids), null);
    assert.equal(emb.forward(ids).select(0, 0).select(0, 2).abs().sum().item() > 0, true, 'id 0 still looks up its vector');
    const frozen = nn.Embedding.fromPretrained(emb.weight, { maskZero: true });
    assert.deepEqual(frozen.computeMask(ids)!.toArray(), mask.toArray());
    assert.throws(() => new nn.Embedding({ numEmbeddings: 6, embeddingDim: F, maskZero: 1 as unknown as boolean }), ValueError);
  });

  test('Sequential(Embedding maskZero, Recurrent) = the same layers with an explicit mask', () => {
    manualSeed(3);
    const emb = new nn.Embedding({ numEmbeddings: 6, embeddingDim: F, maskZero: true });
    const gru = new nn.Recurrent(new nn.GRUCell({ inputSize: F, hiddenSize: H }));
    const model = new nn.Sequential(emb, gru);
    const mask = emb.computeMask(ids)!;
    const explicit = gru.forward(emb.forward(ids), { mask });
    assertClose(model.forward(ids), explicit, 'implicit = explicit mask', 0, 0);
    assert.ok(
      model
        .forward(ids)
        .sub(gru.forward(emb.forward(ids)))
        .abs()
        .max()
        .item() > 1e-4,
      'the mask matters',
    );
  });

  test('masks pass through returnSequences layers, per-step Linear and Dropout, Bidirectional and Residual', () => {
    manualSeed(4);
    const emb = new nn.Embedding({ numEmbeddings: 6, embeddingDim: F, maskZero: true });
    const first = new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: H }), { returnSequences: true });
    const perStep = new nn.Linear({ inFeatures: H, outFeatures: H });
    const drop = new nn.Dropout({ p: 0.5 });
    const bi = new nn.Bidirectional(new nn.Recurrent(new nn.GRUCell({ inputSize: H, hiddenSize: H / 2 }), { returnSequences: true }));
    const skip = new nn.Residual(new nn.Recurrent(new nn.RNNCell({ inputSize: H, hiddenSize: H }), { returnSequences: true }));
    const last = new nn.Recurrent(new nn.LSTMCell({ inputSize: H, hiddenSize: 2 }));
    const head = new nn.Linear({ inFeatures: 2, outFeatures: 1 });
    const model = new nn.Sequential(emb, first, perStep, drop, bi, skip, last, head).eval();
    const mask = emb.computeMask(ids)!;
    let y = first.forward(emb.forward(ids), { mask });
    y = drop.forward(perStep.forward(y));
    y = bi.forward(y, { mask });
    y = skip.layer.forward(y, { mask }).add(y);
    const expected = head.forward(last.forward(y, { mask }));
    assertClose(model.forward(ids), expected, 'stack with masks', 0, 0);
    assert.deepEqual(skip.computeMask(y, mask), mask);
    assert.equal(last.computeMask(y, mask), null, 'a many-to-one layer consumes the mask');
  });

  test('Sequential takes a mask for its first layer; plain chains are unchanged', () => {
    manualSeed(5);
    const x = randn([2, T, F]);
    const rnn = new nn.Recurrent(new nn.RNNCell({ inputSize: F, hiddenSize: H }));
    const mask = tensor([
      [1, 1, 0, 0, 0],
      [1, 1, 1, 1, 1],
    ]);
    assertClose(new nn.Sequential(rnn).forward(x, { mask }), rnn.forward(x, { mask }), 'options.mask', 0, 0);
    assertClose(new nn.Sequential(rnn).forward(x), rnn.forward(x), 'no mask', 0, 0);
  });
});

describe('nn.Residual and mask-flow errors', () => {
  test('Residual adds its input; shapes must match; list results are refused in Sequential', () => {
    manualSeed(6);
    const lin = new nn.Linear({ inFeatures: F, outFeatures: F });
    const x = randn([2, T, F]);
    assertClose(new nn.Residual(lin).forward(x), lin.forward(x).add(x), 'x + f(x)', 0, 0);
    assert.deepEqual(Object.keys(new nn.Residual(lin).stateDict()), ['layer.weight', 'layer.bias']);
    const wide = new nn.Residual(new nn.Linear({ inFeatures: F, outFeatures: F + 1 }));
    assert.throws(
      () => wide.forward(x),
      (e: unknown) => e instanceof ShapeError && /keep the input's shape/.test(e.message),
    );
    const withState = new nn.Recurrent(new nn.GRUCell({ inputSize: F, hiddenSize: H }), { returnState: true });
    assert.throws(
      () => new nn.Sequential(withState as unknown as nn.TensorModule).forward(x),
      (e: unknown) => e instanceof ValueError && /returned a list/.test(e.message),
    );
    const emb = new nn.Embedding({ numEmbeddings: 3, embeddingDim: F, maskZero: true });
    const rnn = new nn.Recurrent(new nn.GRUCell({ inputSize: F, hiddenSize: H }));
    assert.throws(() => rnn.forward(emb.forward(tensor([[1, 0]], { dtype: 'int32' })), { mask: zeros([2, 2]) }), ShapeError);
  });
});
