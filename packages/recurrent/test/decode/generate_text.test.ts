import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateText, manualSeed, nn, noGrad, Vocabulary } from '../../src/index.js';

/** A tiny model whose decoder strongly prefers `<unk>` (index 0), as an untrained one may. */
function unkLovingModel(vocab: Vocabulary): nn.LanguageModel {
  manualSeed(0);
  const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 8, embeddingDim: 4 });
  noGrad(() => {
    const bias = model.namedParameters().find(([name]) => name === 'decoder.bias')![1];
    bias.data.fill(0);
    bias.data[0] = 20;
  });
  return model;
}

test('generateText never samples a special token unless asked to', () => {
  const vocab = Vocabulary.build([...'abcab'], { specials: ['<unk>'], unkToken: '<unk>' });
  const model = unkLovingModel(vocab);
  for (const temperature of [0, 0.8, 2]) {
    const text = generateText(model, vocab, { prime: 'ab', length: 50, temperature });
    assert.equal(text.length, 50, `temperature ${temperature}: ${text}`);
    assert.ok(!text.includes('<unk>'), `temperature ${temperature}: ${text}`);
  }
  const withSpecials = generateText(model, vocab, { prime: 'ab', length: 10, temperature: 0, sampleSpecials: true });
  assert.equal(withSpecials, '<unk>'.repeat(10));
});
