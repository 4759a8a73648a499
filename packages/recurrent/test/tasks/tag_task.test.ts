// The tagging task: CoNLL reading and its errors (file and line), vocabularies, the JSON that
// rebuilds it, a tag seen only at evaluation (reported, not a crash), BIO constraints chosen from
// the data, and short runs in which it learns to tag words it never saw from their spelling.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, TagTask, manualSeed, optim, parseConll, type TaggedSentence } from '../../src/index.js';

/**
 * Sentences of a toy language: "the" is DET, -ing words VERB, -ly words ADV, other words NOUN; the
 * stems are random syllables, so most words are rare and a word's tag is in its spelling.
 */
function toySentences(count: number, seed: number): TaggedSentence[] {
  let state = seed;
  const rnd = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
  const word = (): [string, string] => {
    const stem = Array.from({ length: 1 + rnd(3) }, () => 'bcdfgkmnprstvwz'[rnd(15)]! + 'aeiou'[rnd(5)]!).join('');
    const kind = rnd(4);
    if (kind === 0) return ['the', 'DET'];
    if (kind === 1) return [`${stem}ing`, 'VERB'];
    if (kind === 2) return [`${stem}ly`, 'ADV'];
    return [stem, 'NOUN'];
  };
  return Array.from({ length: count }, (_, i) => {
    const pairs = Array.from({ length: 3 + rnd(5) }, word);
    return { tokens: pairs.map((p) => p[0]), tags: pairs.map((p) => p[1]), line: i + 1 };
  });
}

/** Trains `task` for `steps` Adam steps on the sentences. */
function train(task: TagTask, sentences: TaggedSentence[], steps: number): void {
  const optimizer = new optim.Adam(task.model.parameters(), { lr: 0.02 });
  const { examples } = task.encode(sentences);
  let step = 0;
  for (let epoch = 0; step < steps; epoch++) {
    for (const batch of task.batches(examples, { batchSize: 16, shuffle: true, seed: 1, epoch })) {
      optimizer.zeroGrad();
      task.step(batch, true).loss.backward();
      optimizer.step();
      if (++step >= steps) break;
    }
  }
}

describe('parseConll', () => {
  test('token<TAB>tag lines, extra columns ignored (the tag is the last), blank lines and -DOCSTART- between sentences, CRLF', () => {
    const { sentences, warnings } = parseConll('-DOCSTART-\tO\n\nEU\tNNP\tB-ORG\r\nrejects\tVBZ\tO\n\n\n  \nGerman\tJJ\tB-MISC\n', 'ner.conll');
    assert.deepEqual(sentences, [
      { tokens: ['EU', 'rejects'], tags: ['B-ORG', 'O'], line: 3 },
      { tokens: ['German'], tags: ['B-MISC'], line: 8 },
    ]);
    assert.deepEqual(warnings, []);
  });

  test('a line without a tab, an empty tag, invalid UTF-8 and a 0-byte file are errors naming the file and the line', () => {
    const fails = (input: string | Uint8Array, pattern: RegExp): void =>
      assert.throws(
        () => parseConll(input, 'data.conll'),
        (e: unknown) => e instanceof FormatError && pattern.test(e.message),
      );
    fails('The\tDET\ncat NOUN\n', /^data\.conll:2: expected token<TAB>tag; the line has no tab: "cat NOUN"$/);
    fails('The\tDET\n\ncat\t \n', /^data\.conll:3: the tag \(the last field\) is empty$/);
    fails(new Uint8Array(0), /^data\.conll:1: the file is empty \(0 bytes\)/);
    fails('\n\n', /^data\.conll:1: no token<TAB>tag lines/);
    const bytes = new Uint8Array([...new TextEncoder().encode('The\tDET\ncaf'), 0xe9, ...new TextEncoder().encode('\tNOUN\n')]);
    fails(bytes, /^data\.conll:2: the line is not valid UTF-8/);
  });

  test('a file without blank lines (one 50,000-token sentence) is cut into sentences of maxSentenceLength, with a warning', () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `w${i % 7}\t${i % 2 ? 'A' : 'B'}`).join('\n');
    const { sentences, warnings } = parseConll(text, 'flat.conll');
    assert.equal(sentences.length, Math.ceil(50_000 / 256));
    assert.ok(sentences.every((s) => s.tokens.length <= 256 && s.tokens.length === s.tags.length));
    assert.equal(
      sentences.reduce((n, s) => n + s.tokens.length, 0),
      50_000,
    );
    assert.equal(sentences[1]!.line, 257);
    assert.deepEqual(warnings, [
      'flat.conll:1: a sentence of 50000 tokens (no blank line between sentences?) is longer than the maximum of 256; read as 196 sentences of at most 256 tokens',
    ]);
    assert.equal(parseConll(text, 'flat.conll', { maxSentenceLength: 1000 }).sentences.length, 50);
  });
});

describe('TagTask', () => {
  test('vocabularies: lower-cased words and characters with <pad>, <unk> first; tags by frequency; no scheme for POS tags', () => {
    const { sentences } = parseConll('The\tDET\ncat\tNOUN\n\nthe\tDET\ndog\tNOUN\nRan\tVERB\n', 'pos.conll');
    const task = TagTask.create(sentences, { model: { hiddenSize: 4 } });
    assert.deepEqual(task.wordVocab.tokens, ['<pad>', '<unk>', 'the', 'cat', 'dog', 'ran']);
    assert.deepEqual(task.charVocab.tokens.slice(0, 2), ['<pad>', '<unk>']);
    assert.ok(task.charVocab.has('T') && task.charVocab.has('R'));
    assert.deepEqual(task.tags, ['DET', 'NOUN', 'VERB']);
    assert.equal(task.scheme, null);
    assert.equal(task.model.crf, null);
    const { examples } = task.encode(sentences);
    assert.deepEqual(Array.from(examples[1]!.singleton), [0, 1, 1]);
    const [batch] = task.batches(examples, { batchSize: 2 });
    assert.deepEqual(batch!.input.words.shape, [2, 3]);
    // Distinct spellings of the batch, each once: The, cat, the, dog, Ran.
    assert.equal(batch!.input.chars.shape[0], 5);
    assert.deepEqual(Array.from(batch!.input.wordIndex), [0, 1, -1, 2, 3, 4]);
  });

  test('BIO tags: the CRF is constrained, unless the training data breaks the rules (IOB1)', () => {
    const bio = parseConll('John\tB-PER\nSmith\tI-PER\nran\tO\n', 'a.conll').sentences;
    const withCrf = TagTask.create(bio, { model: { hiddenSize: 4, crf: true } });
    assert.equal(withCrf.scheme, 'BIO');
    assert.equal(withCrf.modelOptions.constraints, true);
    assert.ok(withCrf.model.crf!.constraints !== null);
    const iob1 = parseConll('John\tI-PER\nran\tO\n', 'b.conll').sentences;
    assert.equal(TagTask.create(iob1, { model: { hiddenSize: 4, crf: true } }).modelOptions.constraints, false);
    assert.throws(() => TagTask.create(iob1, { model: { crf: true, constraints: true } }), /constraints need tags that follow BIO or BIOES/);
  });

  test('toJSON → fromJSON with the state dict predicts the same tags; a tampered JSON names the field', () => {
    manualSeed(2);
    const sentences = toySentences(20, 3);
    const task = TagTask.create(sentences, { model: { hiddenSize: 6, crf: true } });
    const again = TagTask.fromJSON(JSON.parse(JSON.stringify(task.toJSON())), 'run/config.json');
    again.model.loadStateDict(task.model.stateDict());
    const tokens = sentences.slice(0, 5).map((s) => s.tokens);
    assert.deepEqual(again.predict(tokens), task.predict(tokens));
    const json = task.toJSON();
    assert.throws(
      () => TagTask.fromJSON({ ...json, tags: ['A', 'A'] }, 'run/config.json'),
      /run\/config\.json: task\.tags must be a non-empty array of distinct/,
    );
    assert.throws(
      () => TagTask.fromJSON({ ...json, model: { ...json.model, hiddenSize: -1 } }, 'run/config.json'),
      /run\/config\.json: task\.model: hiddenSize must be a positive integer; got -1/,
    );
  });

  for (const crf of [false, true]) {
    test(`learns to tag words never seen in training from their spelling (${crf ? 'CRF' : 'softmax'})`, () => {
      manualSeed(5);
      const task = TagTask.create(toySentences(200, 7), {
        model: { hiddenSize: 16, wordEmbeddingDim: 16, charEmbeddingDim: 8, charHiddenSize: 12, dropout: 0, crf },
      });
      const test = toySentences(40, 11);
      const before = task.evaluate(test).metrics;
      train(task, toySentences(200, 7), 60);
      const { metrics, unknownTags } = task.evaluate(test);
      assert.equal(unknownTags.size, 0);
      assert.ok(metrics.unseenTokens > 80, `${metrics.unseenTokens} unseen tokens`);
      assert.ok(
        metrics.unseenAccuracy! > 0.9 && metrics.unseenAccuracy! > before.unseenAccuracy! + 0.2,
        `unseen-word accuracy ${before.unseenAccuracy} → ${metrics.unseenAccuracy}`,
      );
      assert.ok(metrics.accuracy > 0.9);
    });
  }

  test('a tag seen only at evaluation is reported and counted wrong, not a crash; span F1 for BIO tags', () => {
    manualSeed(1);
    const train = parseConll('John\tB-PER\nSmith\tI-PER\nran\tO\n\nParis\tB-LOC\nslept\tO\n', 'train.conll').sentences;
    const task = TagTask.create(train, { model: { hiddenSize: 4, crf: true } });
    const evalData = parseConll('Acme\tB-ORG\nran\tO\n', 'eval.conll').sentences;
    const { metrics, unknownTags, predictions } = task.evaluate(evalData);
    assert.deepEqual([...unknownTags], [['B-ORG', 1]]);
    assert.equal(predictions[0]!.length, 2);
    assert.ok(metrics.accuracy <= 0.5);
    assert.equal(metrics.span!.gold, 1);
    assert.equal(metrics.span!.correct, 0);
    const { examples, unknownTags: encodedUnknown } = task.encode(evalData);
    assert.equal(examples[0]!.tags[0], -1);
    assert.equal(encodedUnknown.get('B-ORG'), 1);
    // A batch holding the unknown tag still gives a finite loss (its id is read as 0).
    assert.ok(Number.isFinite(task.step(task.batches(examples, { batchSize: 1 })[0]!, false).loss.item()));
  });
});
