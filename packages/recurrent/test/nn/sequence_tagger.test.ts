// nn.SequenceTagger: float64 finite-difference checks of the loss in every parameter (character
// BiLSTM, sentence BiLSTM over packed input, softmax or CRF), and that a sentence's emissions do
// not depend on the other sentences of its batch or on padding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradcheck, manualSeed, nn, tensor, type Tensor } from '../../src/index.js';

const INPUT = {
  words: tensor(
    [
      [2, 3, 4],
      [5, 1, 0],
    ],
    { dtype: 'int32' },
  ),
  lengths: Int32Array.of(3, 2),
  chars: tensor(
    [
      [1, 2, 0],
      [3, 0, 0],
      [4, 5, 6],
      [2, 2, 0],
    ],
    { dtype: 'int32' },
  ),
  charLengths: Int32Array.of(2, 1, 3, 2),
  wordIndex: Int32Array.of(0, 1, 2, 3, 1, -1),
};
const TAGS = tensor(
  [
    [0, 1, 2],
    [2, 1, 0],
  ],
  { dtype: 'int32' },
);

for (const crf of [false, true]) {
  test(`float64 gradcheck of the ${crf ? 'CRF' : 'softmax'} loss in every parameter`, () => {
    manualSeed(3);
    const tagger = new nn.SequenceTagger({
      wordVocabSize: 6,
      charVocabSize: 7,
      numTags: 3,
      wordEmbeddingDim: 2,
      charEmbeddingDim: 2,
      charHiddenSize: 2,
      hiddenSize: 3,
      dropout: 0,
      crf,
      dtype: 'float64',
    });
    const run = (): Tensor => tagger.loss(tagger.emissions(INPUT), TAGS, INPUT.lengths);
    assert.ok(gradcheck(run, tagger.parameters(), { atol: 1e-7, rtol: 1e-6 }));
  });
}

test("a sentence's emissions are the same alone and in a padded batch", () => {
  manualSeed(4);
  const tagger = new nn.SequenceTagger({ wordVocabSize: 6, charVocabSize: 7, numTags: 3, hiddenSize: 4, dropout: 0, dtype: 'float64' });
  const batch = tagger.emissions(INPUT);
  const alone = tagger.emissions({
    words: tensor([[5, 1]], { dtype: 'int32' }),
    lengths: Int32Array.of(2),
    chars: tensor(
      [
        [2, 2],
        [3, 0],
      ],
      { dtype: 'int32' },
    ),
    charLengths: Int32Array.of(2, 1),
    wordIndex: Int32Array.of(0, 1),
  });
  const second = Array.from(batch.data.slice(9, 15));
  Array.from(alone.data).forEach((v, i) => assert.ok(Math.abs(v - second[i]!) < 1e-12));
  assert.throws(() => tagger.emissions({ ...INPUT, wordIndex: Int32Array.of(0, 1, 2, 3, 9, -1) }), /wordIndex\[4\] is 9; expected a row of chars in \[0, 4\)/);
});
