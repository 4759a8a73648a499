// nn.TextClassifier: each pooling gives a text the same logits alone or padded in a batch, the
// attention pooling's weights sum to 1 over the real steps, and float64 finite-difference checks of
// every parameter's gradient through packing, both directions and each pooling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradcheck, manualSeed, nn, tensor, type Tensor } from '../../src/index.js';

const IDS = tensor(
  [
    [3, 1, 4, 0],
    [1, 5, 2, 6],
    [2, 0, 0, 0],
  ],
  { dtype: 'int32' },
);
const LENGTHS = [3, 4, 1];

for (const pooling of nn.POOLING_KINDS) {
  test(`'${pooling}' pooling: padding and batch-mates change no text's logits`, () => {
    manualSeed(3);
    const model = new nn.TextClassifier({ vocabSize: 7, numClasses: 3, embeddingDim: 4, hiddenSize: 5, numLayers: 2, pooling, dtype: 'float64' });
    model.eval();
    const batched = model.forward(IDS, LENGTHS);
    assert.deepEqual(batched.logits.shape, [3, 3]);
    for (let n = 0; n < 3; n++) {
      const alone = model.forward(tensor([Array.from(IDS.data.slice(n * 4, n * 4 + LENGTHS[n]!), Number)], { dtype: 'int32' }));
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(alone.logits.data[c]! - batched.logits.data[n * 3 + c]!) < 1e-12, `text ${n}, class ${c}`);
    }
    if (pooling === 'attention') {
      const a = batched.attention!;
      assert.deepEqual(a.shape, [3, 4]);
      LENGTHS.forEach((len, n) => {
        const row = Array.from(a.data.slice(n * 4, n * 4 + 4), Number);
        assert.ok(Math.abs(row.slice(0, len).reduce((x, y) => x + y, 0) - 1) < 1e-12);
        assert.ok(row.slice(len).every((w) => w === 0));
      });
    } else assert.equal(batched.attention, null);
  });

  test(`'${pooling}' pooling: float64 gradcheck of every parameter (GRU, bidirectional)`, () => {
    manualSeed(5);
    const model = new nn.TextClassifier({
      vocabSize: 7,
      numClasses: 2,
      embeddingDim: 2,
      hiddenSize: 3,
      cell: 'gru',
      pooling,
      attentionDim: 2,
      dtype: 'float64',
    });
    const run = (): Tensor => model.forward(IDS, LENGTHS).logits;
    assert.ok(gradcheck(run, model.parameters(), { atol: 1e-7, rtol: 1e-6 }));
  });
}

test('bad options are named', () => {
  assert.throws(
    () => new nn.TextClassifier({ vocabSize: 7, numClasses: 2, pooling: 'sum' as never }),
    /TextClassifier: pooling must be one of last, max, mean, attention; got sum/,
  );
  assert.throws(() => new nn.TextClassifier({ vocabSize: 7, numClasses: 0 }), /numClasses/);
});
