// nn.LanguageModel with each cell: output and state shapes, a training step that has finite,
// nonzero gradients and lowers the loss, a state-dict round trip through safetensors, and
// option errors that name the LanguageModel option the user gave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEntropy, manualSeed, nn, noGrad, optim, randint, readSafetensors, type Tensor, ValueError, writeSafetensors } from '../../src/index.js';

const V = 7;
const [T, B] = [5, 3];

function batch(seed: number): [Tensor, Tensor] {
  manualSeed(seed);
  return [randint(0, V, [T, B], { dtype: 'int32' }), randint(0, V, [T, B], { dtype: 'int32' })];
}

const loss = (lm: nn.LanguageModel, ids: Tensor, targets: Tensor): Tensor => crossEntropy(lm.forward(ids)[0].reshape([T * B, V]), targets.reshape([T * B]));

for (const cell of ['gru', 'rnn'] as const) {
  for (const numLayers of [1, 2]) {
    test(`${cell}, ${numLayers} layer(s): logits (T, B, V), state (numLayers, B, H)`, () => {
      manualSeed(1);
      const lm = new nn.LanguageModel({ vocabSize: V, cell, hiddenSize: 6, embeddingDim: 4, numLayers });
      assert.ok(lm.rnn instanceof (cell === 'gru' ? nn.GRU : nn.RNN));
      const [ids] = batch(2);
      const [logits, state] = lm.forward(ids);
      assert.deepEqual(logits.shape, [T, B, V]);
      assert.ok(!Array.isArray(state), 'a GRU or RNN carries one state tensor');
      assert.deepEqual((state as Tensor).shape, [numLayers, B, 6]);
      // The carried state changes the next window's output.
      const [again] = lm.forward(ids, nn.detachState(state));
      assert.notDeepEqual(again.toArray(), logits.toArray());
    });
  }

  test(`${cell}: gradients are finite and nonzero, and Adam steps lower the loss`, () => {
    manualSeed(3);
    const lm = new nn.LanguageModel({ vocabSize: V, cell, hiddenSize: 8, embeddingDim: 4, numLayers: 2 });
    const [ids, targets] = batch(4);
    const optimizer = new optim.Adam(lm.parameters(), { lr: 0.05 });
    const first = loss(lm, ids, targets);
    first.backward();
    for (const [name, p] of lm.namedParameters()) {
      const g = Array.from(p.grad!.data);
      assert.ok(
        g.every((x) => Number.isFinite(x)),
        `${name}: a non-finite gradient`,
      );
      assert.ok(
        g.some((x) => x !== 0),
        `${name}: all gradients zero`,
      );
    }
    optimizer.step();
    for (let i = 0; i < 10; i++) {
      optimizer.zeroGrad();
      loss(lm, ids, targets).backward();
      optimizer.step();
    }
    const last = noGrad(() => loss(lm, ids, targets)).item();
    assert.ok(last < first.item() * 0.9, `${cell}: loss went from ${first.item()} to ${last}`);
  });

  test(`${cell}: the state dict round-trips through safetensors into a new model`, () => {
    manualSeed(5);
    const options = { vocabSize: V, cell, hiddenSize: 6, embeddingDim: 4, numLayers: 2 } as const;
    const lm = new nn.LanguageModel(options);
    const keys = Object.keys(lm.stateDict());
    assert.ok(keys.includes('rnn.weight_hh_l1') && keys.includes('embedding.weight') && keys.includes('decoder.bias'), keys.join());
    const restored = new nn.LanguageModel(options);
    restored.loadStateDict(readSafetensors(writeSafetensors(lm.stateDict())));
    const [ids] = batch(6);
    lm.eval();
    restored.eval();
    assert.deepEqual(restored.forward(ids)[0].toArray(), lm.forward(ids)[0].toArray());
    // A checkpoint of one cell does not load into another.
    const other = new nn.LanguageModel({ ...options, cell: cell === 'gru' ? 'rnn' : 'gru' });
    assert.throws(() => other.loadStateDict(lm.stateDict()));
  });
}

test('LanguageModel option errors name the LanguageModel option given', () => {
  const fails = (options: Partial<nn.LanguageModelOptions>, message: string) =>
    assert.throws(
      () => new nn.LanguageModel({ vocabSize: V, ...options }),
      (e: unknown) => e instanceof ValueError && e.message === message,
    );
  fails({ hiddenSize: 0 }, 'LanguageModel: hiddenSize must be a positive integer; got 0');
  fails({ hiddenSize: 2.5 }, 'LanguageModel: hiddenSize must be a positive integer; got 2.5');
  fails({ embeddingDim: -1 }, 'LanguageModel: embeddingDim must be a positive integer; got -1');
  fails({ numLayers: 0 }, 'LanguageModel: numLayers must be a positive integer; got 0');
  // With one layer the recurrent layer has no dropout of its own, but the embeddings and decoder do.
  fails({ dropout: 1.5 }, 'LanguageModel: dropout must be a number in [0, 1]; got 1.5');
  fails({ dropout: NaN, cell: 'gru' }, 'LanguageModel: dropout must be a number in [0, 1]; got NaN');
  fails({ dropout: -0.1, numLayers: 2 }, 'LanguageModel: dropout must be a number in [0, 1]; got -0.1');
});
