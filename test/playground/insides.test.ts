// The playground's unrolled copy of a language model (playground/src/insides.ts) gives the model's
// own results: the same next-character probabilities and top-layer hidden states as the fused
// layers, for every cell on two layers, and the gradient at the last step that the decoder implies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, nn, noGrad, softmax, Tensor } from 'recurrent';
import { unroll } from '../../playground/src/insides.js';

const V = 11;
const ids = Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const cell of ['lstm', 'gru', 'rnn'] as const) {
  test(`${cell}: the unrolled probabilities, states and last gradient are the model's`, () => {
    manualSeed(1);
    const model = new nn.LanguageModel({ vocabSize: V, cell, hiddenSize: 16, embeddingDim: 8, numLayers: 2 });
    const T = ids.length;
    const [logits] = noGrad(() => model.forward(new Tensor(ids, [T, 1])));
    const probs = softmax(logits.reshape([T, V]), -1).data;
    const hTop = noGrad(() => {
      const x = model.embedding.forward(new Tensor(ids, [T, 1]));
      return model.rnn instanceof nn.LSTM ? model.rnn.forward(x)[0] : model.rnn.forward(x)[0];
    }).data;

    const target = 7;
    const u = unroll(model, ids, target);
    assert.ok(maxDiff(u.probs, probs) < 1e-5, `probabilities differ by ${maxDiff(u.probs, probs)}`);
    assert.ok(maxDiff(u.h[1]!, hTop) < 1e-5, `top hidden states differ by ${maxDiff(u.h[1]!, hTop)}`);
    assert.equal(u.h.length, 2);
    assert.equal(u.c.length, cell === 'lstm' ? 2 : 0);
    assert.deepEqual(
      u.gates.map((g) => g.name),
      cell === 'lstm' ? ['input', 'forget', 'output'] : cell === 'gru' ? ['reset', 'update'] : [],
    );
    for (const g of u.gates) assert.ok(g.values.every((v) => v > 0 && v < 1) && g.values.length === T * 16, g.name);

    // At the last step, ∂L/∂h = W_decᵀ (p − onehot(target)).
    const w = model.decoder.weight.data;
    const p = probs.subarray((T - 1) * V, T * V);
    let norm = 0;
    for (let k = 0; k < 16; k++) {
      let g = 0;
      for (let v = 0; v < V; v++) g += w[v * 16 + k]! * (p[v]! - (v === target ? 1 : 0));
      norm += g * g;
    }
    const norms = u.gradNorms!;
    assert.equal(norms.length, T);
    assert.ok(Math.abs(norms[T - 1]! - Math.sqrt(norm)) < 1e-5, `last gradient norm ${norms[T - 1]} vs ${Math.sqrt(norm)}`);
    assert.ok(norms.every((n) => Number.isFinite(n) && n > 0));
    assert.equal(model.decoder.weight.grad, null, 'the model gets no gradient');
  });
}
