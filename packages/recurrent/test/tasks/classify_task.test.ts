// The classification task: vocabulary and labels, truncation, class weights, the JSON that rebuilds
// it (read as untrusted), prediction, evaluation with a label seen only there, pretrained vectors,
// and a short run in which it learns which word decides the class.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassifyTask, FormatError, ValueError, manualSeed, optim, parseLabelledTsv, parseVectors, type LabelledText } from '../../src/index.js';

const DATA = parseLabelledTsv('A good film\tpos\nbad, bad film\tneg\ngood plot\tpos\nthe plot\tneg\n', 'r.tsv');

describe('ClassifyTask', () => {
  test('vocabulary (lower-cased words, <pad> <unk> first, minCount), labels by frequency, batches', () => {
    const task = ClassifyTask.create(DATA, { model: { hiddenSize: 4, embeddingDim: 3 } });
    // minCount 2 by default: film, good, plot and bad are kept; a, the and ',' are <unk>.
    assert.deepEqual(task.vocab.tokens.slice(0, 2), ['<pad>', '<unk>']);
    assert.deepEqual([...task.vocab.tokens.slice(2)].sort(), ['bad', 'film', 'good', 'plot']);
    assert.deepEqual(task.labels, ['pos', 'neg']);
    const { examples, unknownTokens, unseenLabels } = task.encode(DATA, 'r.tsv');
    assert.equal(unknownTokens, 3);
    assert.equal(unseenLabels.size, 0);
    assert.deepEqual(Array.from(examples[0]!.ids), [1, task.vocab.indexOf('good'), task.vocab.indexOf('film')]);
    const [batch] = task.batches(examples.slice(0, 2), { batchSize: 2 });
    assert.deepEqual(batch!.ids.shape, [2, 4]);
    assert.deepEqual(Array.from(batch!.lengths), [3, 4]);
    assert.deepEqual(Array.from(batch!.labels.data), [0, 1]);
  });

  test('long texts keep their first maxTokens tokens; char tokens; balanced class weights', () => {
    const task = ClassifyTask.create(DATA, { maxTokens: 2, tokens: 'char', lowercase: false, minCount: 1, classWeights: 'balanced', model: { hiddenSize: 4 } });
    assert.deepEqual(task.tokens('Good film'), ['G', 'o']);
    // 2 pos and 2 neg of 4: both weigh 4 / (2 · 2) = 1.
    assert.deepEqual(task.weights, [1, 1]);
    const skewed = ClassifyTask.create([...DATA, { text: 'nice', label: 'pos', line: 0 }], { classWeights: 'balanced', model: { hiddenSize: 4 } });
    assert.deepEqual(skewed.weights, [5 / 6, 5 / 4]);
  });

  test('bad data: a text without tokens names its file and line; one label only; unknown options', () => {
    assert.throws(
      () =>
        ClassifyTask.create(parseLabelledTsv('good\tpos\n...\tneg\n', 'p.tsv'), { tokens: 'word' }, 'p.tsv').encode(
          [{ text: '\u3000', label: 'pos', line: 9 }],
          'v.tsv',
        ),
      /v\.tsv:9: the text has no word tokens/,
    );
    assert.throws(() => ClassifyTask.create(parseLabelledTsv('a\tx\nb\tx\n', 'one.tsv'), {}, 'one.tsv'), /one\.tsv has a single label \("x"\)/);
    assert.throws(() => ClassifyTask.create(DATA, { model: { hidden: 3 } as never }), /ClassifyTask: model: unknown option 'hidden'/);
    assert.throws(() => ClassifyTask.create(DATA, { classWeights: 'auto' as never }), /classWeights must be one of 'none', 'balanced'; got "auto"/);
    assert.throws(
      () => ClassifyTask.create([], {}, 'none.tsv'),
      (e: unknown) => e instanceof ValueError && /none\.tsv holds no labelled texts/.test(e.message),
    );
  });

  test('toJSON / fromJSON round trip; a tampered JSON is a FormatError naming the field', () => {
    manualSeed(1);
    const task = ClassifyTask.create(DATA, { model: { hiddenSize: 4, pooling: 'attention' } });
    const again = ClassifyTask.fromJSON(JSON.parse(JSON.stringify(task.toJSON())));
    again.model.loadStateDict(task.model.stateDict());
    assert.deepEqual(again.predict(['good film']), task.predict(['good film']));
    const json = task.toJSON();
    const bad = (patch: object, pattern: RegExp): void =>
      assert.throws(
        () => ClassifyTask.fromJSON({ ...json, ...patch }, 'c.json'),
        (e: unknown) => e instanceof FormatError && pattern.test(e.message),
        pattern.source,
      );
    bad({ kind: 'tag' }, /^c\.json: task\.kind must be 'classify'/);
    bad({ labels: ['a', 'a'] }, /^c\.json: task\.labels must be a non-empty array of distinct/);
    bad({ weights: [1] }, /^c\.json: task\.weights must be null or 2 positive numbers/);
    bad({ model: { ...json.model, pooling: 'sum' } }, /^c\.json: task\.model: pooling must be one of/);
    bad({ options: { ...json.options, maxTokens: 0 } }, /^c\.json: task\.options: maxTokens must be a positive integer/);
    bad(
      { vocab: { ...json.vocab, tokens: ['<unk>', '<pad>', ...json.vocab.tokens.slice(2)], unkIndex: 0, padIndex: 1 } },
      /^c\.json: task\.vocab must start with <pad>, <unk>/,
    );
  });

  test('predict gives a label and its probability; evaluate reports a label seen only there', () => {
    const task = ClassifyTask.create(DATA, { model: { hiddenSize: 4 } });
    const [p] = task.predict(['good zebra']);
    assert.ok(task.labels.includes(p!.label));
    assert.ok(Math.abs(p!.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.equal(p!.probability, Math.max(...p!.probabilities));
    assert.deepEqual(p!.unknownTokens, ['zebra']);
    assert.throws(() => task.predict(['ok', '  ']), /ClassifyTask\.predict: texts\[1\] has no word tokens/);
    const data: LabelledText[] = [...DATA, { text: 'good', label: 'neutral', line: 5 }];
    const { metrics, labels, unseenLabels } = task.evaluate(data);
    assert.deepEqual(labels, ['pos', 'neg', 'neutral']);
    assert.deepEqual([...unseenLabels], [['neutral', 1]]);
    assert.equal(metrics.count, 5);
    assert.equal(metrics.perClass[2]!.recall, 0);
    assert.equal(task.encode(data).examples.length, 4);
  });

  test('pretrained vectors set the embedding size and the rows of known words', () => {
    const vectors = parseVectors('good 1 2 3\nFILM 4 5 6\n', 'v.txt');
    const task = ClassifyTask.create(DATA, { model: { hiddenSize: 4 } }, 'r.tsv', vectors);
    assert.equal(task.modelOptions.embeddingDim, 3);
    const w = task.model.encoder.embedding.weight.data;
    const row = (t: string): number[] => Array.from(w.slice(task.vocab.indexOf(t) * 3, task.vocab.indexOf(t) * 3 + 3), Number);
    assert.deepEqual(row('good'), [1, 2, 3]);
    assert.deepEqual(row('film'), [4, 5, 6]);
    assert.throws(
      () => ClassifyTask.create(DATA, { model: { embeddingDim: 8 } }, 'r.tsv', vectors),
      /embeddingDim \(8\) must equal the pretrained vectors' size \(3\)/,
    );
  });

  for (const pooling of ['max', 'attention'] as const) {
    test(`learns which word decides the class (${pooling} pooling)`, () => {
      manualSeed(4);
      const words = ['red', 'green', 'blue', 'cat', 'dog', 'sun', 'moon', 'tree'];
      const texts: LabelledText[] = [];
      for (let i = 0; i < 64; i++) {
        const filler = Array.from({ length: 2 + (i % 5) }, (_, k) => words[(i * 7 + k * 3) % words.length]!);
        const label = i % 3 === 0 ? 'yes' : 'no';
        filler.splice((i * 5) % filler.length, 0, label === 'yes' ? 'always' : 'never');
        texts.push({ text: filler.join(' '), label, line: i + 1 });
      }
      const task = ClassifyTask.create(texts, { minCount: 1, model: { hiddenSize: 12, embeddingDim: 8, pooling, dropout: 0 } });
      const { examples } = task.encode(texts);
      const optimizer = new optim.Adam(task.model.parameters(), { lr: 0.02 });
      let first = 0;
      let last = 0;
      for (let epoch = 0; epoch < 12; epoch++) {
        for (const batch of task.batches(examples, { batchSize: 16, shuffle: true, seed: 1, epoch })) {
          optimizer.zeroGrad();
          const r = task.step(batch, true);
          r.loss.backward();
          optimizer.step();
          if (epoch === 0 && first === 0) first = r.loss.item();
          last = r.loss.item();
        }
      }
      assert.ok(last < first / 4, `loss ${first} → ${last}`);
      assert.equal(task.evaluate(texts).metrics.accuracy, 1);
    });
  }
});
