// Greedy decoding, sampling and beam search over nn.Seq2Seq's stepper: beam search finds the exact
// n-best list of a tiny model whose whole output space is enumerated; beamSize 1 is greedy; the
// attention rows returned are distributions over the real source positions; padding and BOS are
// never emitted; sampling is reproducible and at temperature 0 is greedy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beamDecode, greedyDecode, gnmtLengthPenalty, logSoftmax, manualSeed, nn, noGrad, sampleDecode, tensor } from '../../src/index.js';

const [PAD, BOS, EOS] = [0, 1, 2];
const OUTPUTS = [3, 4]; // the tiny model's non-special tokens

function tinyModel(seed: number, options: Partial<nn.Seq2SeqOptions> = {}): nn.Seq2Seq {
  manualSeed(seed);
  const model = new nn.Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 5, hiddenSize: 6, embeddingDim: 4, dtype: 'float64', ...options });
  // Larger weights than the default initialisation, so that the distributions are far from uniform.
  for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! * 3;
  model.eval();
  return model;
}

const SOURCE = tensor(
  [
    [3, 5, 4],
    [5, 0, 0],
  ],
  { dtype: 'int32' },
);
const LENGTHS = [3, 1];

/** log P(y | source n) under the stepper's masked distribution: y ends with EOS, or is cut at maxLength. */
function sequenceLogProb(model: nn.Seq2Seq, n: number, y: readonly number[]): number {
  const stepper = model.stepper(SOURCE, LENGTHS);
  let state = stepper.initial;
  let total = 0;
  let previous = BOS;
  for (const token of y) {
    const out = stepper.step(
      Int32Array.from({ length: SOURCE.shape[0]! }, () => previous),
      state,
    );
    total += logSoftmax(out.logits, -1).data[n * 5 + token]!;
    state = out.state;
    previous = token;
  }
  return total;
}

/** Every output of at most maxLength tokens (EOS included): strings over OUTPUTS then EOS, or maxLength tokens without it. */
function outputSpace(maxLength: number): { tokens: number[]; finished: boolean }[] {
  const all: { tokens: number[]; finished: boolean }[] = [];
  const grow = (prefix: number[]): void => {
    if (prefix.length === maxLength) return void all.push({ tokens: prefix, finished: false });
    all.push({ tokens: prefix, finished: true });
    for (const t of OUTPUTS) grow([...prefix, t]);
  };
  grow([]);
  return all;
}

describe('beam search is exact where the search space is enumerated', () => {
  for (const [alpha, style] of [
    [0, 'luong'],
    [1, 'bahdanau'],
  ] as const) {
    test(`length penalty ${alpha}, ${style} attention: the 5-best list equals the enumeration's top 5`, () => {
      const model = tinyModel(alpha === 0 ? 1 : 2, { style });
      const maxLength = 4;
      const space = outputSpace(maxLength); // 1 + 2 + 4 + 8 finished, 16 cut
      assert.equal(space.length, 31);
      noGrad(() => {
        const lists = beamDecode(model.stepper(SOURCE, LENGTHS), { beamSize: 32, nBest: 5, maxLength, lengthPenalty: alpha, earlyStopping: false });
        for (let n = 0; n < 2; n++) {
          const scored = space
            .map((h) => {
              const logProb = sequenceLogProb(model, n, h.finished ? [...h.tokens, EOS] : h.tokens);
              const length = h.tokens.length + (h.finished ? 1 : 0);
              return { ...h, logProb, score: logProb / gnmtLengthPenalty(length, alpha) };
            })
            .sort((a, b) => b.score - a.score);
          const got = lists[n]!;
          assert.equal(got.length, 5);
          got.forEach((h, i) => {
            assert.deepEqual(h.tokens, scored[i]!.tokens, `input ${n}, rank ${i}`);
            assert.equal(h.finished, scored[i]!.finished, `input ${n}, rank ${i}: finished`);
            assert.ok(Math.abs(h.logProb - scored[i]!.logProb) < 1e-9, `input ${n}, rank ${i}: logProb ${h.logProb} vs ${scored[i]!.logProb}`);
            assert.ok(Math.abs(h.score - scored[i]!.score) < 1e-9, `input ${n}, rank ${i}: score`);
          });
          // The scores are not all alike: the ranking is a real test.
          assert.ok(scored[0]!.score - scored[4]!.score > 0.1, `input ${n}: top scores ${scored.slice(0, 5).map((h) => h.score)}`);
        }
      });
    });
  }
});

describe('greedy decoding, sampling and beam size 1', () => {
  for (const [name, options] of [
    ['Luong with input feeding, LSTM', {}],
    ['Bahdanau, GRU', { style: 'bahdanau', cell: 'gru' }],
    ['no attention, RNN', { attention: 'none', cell: 'rnn' }],
  ] as [string, Partial<nn.Seq2SeqOptions>][]) {
    test(`${name}: beamSize 1 equals greedy decoding, tokens, log-probabilities and attention`, () => {
      for (const seed of [3, 4, 5]) {
        const model = tinyModel(seed, options);
        noGrad(() => {
          const greedy = greedyDecode(model.stepper(SOURCE, LENGTHS), { maxLength: 7 });
          const beam = beamDecode(model.stepper(SOURCE, LENGTHS), { beamSize: 1, maxLength: 7 });
          const sampled = sampleDecode(model.stepper(SOURCE, LENGTHS), { maxLength: 7, sampling: { temperature: 0 } });
          for (let n = 0; n < 2; n++) {
            const [g, b, s] = [greedy[n]![0]!, beam[n]![0]!, sampled[n]![0]!];
            assert.deepEqual(b.tokens, g.tokens, `seed ${seed}, input ${n}`);
            assert.equal(b.finished, g.finished);
            assert.ok(Math.abs(b.logProb - g.logProb) < 1e-12, `seed ${seed}, input ${n}: ${b.logProb} vs ${g.logProb}`);
            assert.deepEqual(b.attention, g.attention);
            assert.deepEqual(s.tokens, g.tokens, 'temperature 0 samples the arg max');
            assert.ok(
              Math.abs(sequenceLogProb(model, n, g.finished ? [...g.tokens, EOS] : g.tokens) - g.logProb) < 1e-9,
              'logProb is the sequence log-probability',
            );
          }
        });
      }
    });
  }

  test('attention rows: one per generated step, a distribution over the real source positions', () => {
    const model = tinyModel(6);
    noGrad(() => {
      const lists = beamDecode(model.stepper(SOURCE, LENGTHS), { beamSize: 3, nBest: 3, maxLength: 5 });
      lists.forEach((list, n) =>
        list.forEach((h) => {
          assert.equal(h.attention!.length, h.tokens.length + (h.finished ? 1 : 0));
          for (const row of h.attention!) {
            assert.equal(row.length, 3);
            row.forEach((w, s) => {
              if (s >= LENGTHS[n]!) assert.equal(w, 0, `input ${n}: weight at padding position ${s}`);
            });
            assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
          }
        }),
      );
    });
  });

  test('padding and BOS are never emitted; sampling is reproducible with manualSeed', () => {
    const model = tinyModel(8);
    // Make padding and BOS the most likely tokens by far: the stepper still forbids them.
    const bias = model.decoder.out.bias!;
    bias.data[PAD] = 50;
    bias.data[BOS] = 50;
    noGrad(() => {
      const draw = (): number[][] => {
        manualSeed(21);
        return sampleDecode(model.stepper(SOURCE, LENGTHS), { maxLength: 6, sampling: { temperature: 1.5 } }).map((l) => l[0]!.tokens);
      };
      const sampled = draw();
      assert.deepEqual(draw(), sampled);
      const beams = beamDecode(model.stepper(SOURCE, LENGTHS), { beamSize: 4, nBest: 4, maxLength: 6 }).flatMap((l) => l.map((h) => h.tokens));
      for (const tokens of [...sampled, ...beams]) for (const t of tokens) assert.ok(t !== PAD && t !== BOS, `emitted ${t}`);
    });
  });

  test('minLength holds EOS back; bad options are errors naming the option', () => {
    const model = tinyModel(9);
    model.decoder.out.bias!.data[EOS] = 50; // EOS would come first
    noGrad(() => {
      for (const list of greedyDecode(model.stepper(SOURCE, LENGTHS), { maxLength: 6, minLength: 3 })) assert.equal(list[0]!.tokens.length, 3);
      assert.throws(() => greedyDecode(model.stepper(SOURCE, LENGTHS), { maxLength: 0 }), /greedyDecode: maxLength must be an integer ≥ 1; got 0/);
      assert.throws(
        () => greedyDecode(model.stepper(SOURCE, LENGTHS), { maxLength: 3, minLength: 3 }),
        /minLength must be an integer in \[0, maxLength\) = \[0, 3\); got 3/,
      );
      assert.throws(() => sampleDecode(model.stepper(SOURCE, LENGTHS), { maxLength: 3, sampling: { topP: 0 } }), /topP must be in \(0, 1\]/);
    });
  });
});
