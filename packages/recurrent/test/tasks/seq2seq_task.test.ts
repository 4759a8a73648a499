// The seq2seq task: vocabularies and checks of the pairs, batches, the JSON that rebuilds it (read
// as untrusted), translation with unknown tokens, evaluation against several references, and a
// short run in which it learns to reverse strings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, Seq2SeqTask, ValueError, manualSeed, optim, parsePairs, type TextPair } from '../../src/index.js';

const PAIRS = parsePairs('ab\tb a\nabc\tc b a\nba\ta b\ncab\tb a c\n', 'rev.tsv');

describe('Seq2SeqTask', () => {
  test('vocabularies from the training pairs, specials first; batches with BOS and EOS around the targets', () => {
    const task = Seq2SeqTask.create(PAIRS, { targetTokens: 'word', model: { hiddenSize: 8, embeddingDim: 4 } });
    assert.deepEqual(task.sourceVocab.tokens.slice(0, 2), ['<pad>', '<unk>']);
    assert.deepEqual(task.targetVocab.tokens.slice(0, 4), ['<pad>', '<s>', '</s>', '<unk>']);
    assert.deepEqual([...task.sourceVocab.tokens.slice(2)].sort(), ['a', 'b', 'c']);
    const { examples, unknown } = task.encode(PAIRS, 'rev.tsv');
    assert.equal(unknown.size, 0);
    const [batch] = task.batches(examples.slice(0, 2), { batchSize: 2 });
    assert.deepEqual(batch!.source.shape, [2, 3]);
    assert.deepEqual(Array.from(batch!.lengths), [2, 3]);
    const ids = (words: string[]): number[] => Array.from(task.targetVocab.encode(words));
    assert.deepEqual(Array.from(batch!.targetIn.data.slice(0, 4)), [1, ...ids(['b', 'a']), 0]);
    assert.deepEqual(Array.from(batch!.targetOut.data.slice(0, 4)), [...ids(['b', 'a']), 2, 0]);
    assert.deepEqual(Array.from(batch!.targetOut.data.slice(4)), [...ids(['c', 'b', 'a']), 2]);
  });

  test('a target longer than maxLength, or one without tokens, is an error naming the file and line', () => {
    assert.throws(
      () => Seq2SeqTask.create(parsePairs('ab\tba\nabc\tcbacba\n', 'long.tsv'), { maxLength: 5 }, 'long.tsv'),
      (e: unknown) => e instanceof FormatError && /^long\.tsv:2: the target has 6 tokens, more than maxLength \(5\)$/.test(e.message),
    );
    assert.throws(
      () =>
        Seq2SeqTask.create(parsePairs('ab\t...\n', 'words.tsv'), { targetTokens: 'word' }).encode([{ source: 'ab', target: '\u3000', line: 7 }], 'valid.tsv'),
      /valid\.tsv:7: the target has no word tokens/,
    );
    assert.throws(() => Seq2SeqTask.create(PAIRS, { model: { hidden: 3 } as never }), /Seq2SeqTask: model: unknown option 'hidden'/);
    assert.throws(() => Seq2SeqTask.create(PAIRS, { labelSmoothing: 1 }), /Seq2SeqTask: labelSmoothing must be a number in \[0, 1\); got 1/);
    assert.throws(
      () => Seq2SeqTask.create([], {}, 'none.tsv'),
      (e: unknown) => e instanceof ValueError && /none\.tsv holds no pairs/.test((e as Error).message),
    );
  });

  test('toJSON → fromJSON with the state dict gives the same translations; a tampered JSON is a FormatError naming the field', () => {
    manualSeed(4);
    const task = Seq2SeqTask.create(PAIRS, { model: { hiddenSize: 8, embeddingDim: 4 } });
    const json = JSON.parse(JSON.stringify(task.toJSON())) as Record<string, unknown>;
    const again = Seq2SeqTask.fromJSON(json, 'run/config.json');
    again.model.loadStateDict(task.model.stateDict());
    assert.deepEqual(
      again.translate(['abc', 'b'], { beamSize: 3, nBest: 2 }).map((l) => l.map((t) => [t.text, t.score])),
      task.translate(['abc', 'b'], { beamSize: 3, nBest: 2 }).map((l) => l.map((t) => [t.text, t.score])),
    );
    const tamper = (edit: (j: Record<string, any>) => void): (() => unknown) => {
      const copy = JSON.parse(JSON.stringify(json)) as Record<string, any>;
      edit(copy);
      return () => Seq2SeqTask.fromJSON(copy, 'run/config.json');
    };
    const cases: [(j: Record<string, any>) => void, RegExp][] = [
      [(j) => (j['kind'] = 'lm'), /^run\/config\.json: task\.kind must be 'seq2seq'; got "lm"$/],
      [(j) => (j['model']['hiddenSize'] = -1), /^run\/config\.json: task\.model: hiddenSize must be a positive integer; got -1$/],
      [(j) => (j['options']['sourceTokens'] = 'bytes'), /^run\/config\.json: task\.options: sourceTokens must be 'char' or 'word'; got 'bytes'$/],
      [(j) => (j['targetVocab']['tokens'] = ['<pad>', '</s>', '<s>', '<unk>', 'a']), /task\.targetVocab must start with <pad>, <s>, <\/s>, <unk>/],
      [(j) => (j['sourceVocab']['version'] = 2), /^run\/config\.json: task\.sourceVocab: Vocabulary\.fromJSON: unsupported version 2/],
      [(j) => (j['longestTarget'] = 1e9), /task\.longestTarget must be an integer in \[1, 256\]; got 1000000000/],
    ];
    for (const [edit, message] of cases) assert.throws(tamper(edit), (e: unknown) => e instanceof FormatError && message.test((e as Error).message));
  });

  test('translate reads unknown source tokens as <unk> and says which; evaluate scores each source against all its targets', () => {
    manualSeed(5);
    const task = Seq2SeqTask.create(PAIRS, { model: { hiddenSize: 8, embeddingDim: 4 } });
    const [[t]] = task.translate(['abz'], { beamSize: 2 }) as [[NonNullable<ReturnType<Seq2SeqTask['translate']>[0][0]>]];
    assert.deepEqual(t.unknownTokens, ['z']);
    assert.deepEqual(t.sourceTokens, ['a', 'b', 'z']);
    assert.equal(t.attention.length, t.tokens.length + (t.finished ? 1 : 0));
    assert.ok(t.attention.every((row) => row.length === 3));
    const pairs: TextPair[] = [
      { source: 'ab', target: 'xx', line: 1 },
      { source: 'ab', target: 'yy', line: 2 },
      { source: 'ba', target: 'zz', line: 3 },
    ];
    const { metrics, predictions } = task.evaluate(pairs, { beamSize: 1 });
    assert.equal(metrics.count, 2);
    assert.deepEqual(predictions[0]!.references, ['xx', 'yy']);
  });
});

test('learns to reverse strings: the held-out exact match reaches 90% within a few seconds of training', () => {
  manualSeed(1);
  const letters = 'abcdef';
  const draw = (): string => Array.from({ length: 2 + Math.floor(Math.random() * 4) }, () => letters[Math.floor(Math.random() * 6)]).join('');
  const pairs = Array.from({ length: 700 }, (_, i) => {
    const s = draw();
    return { source: s, target: Array.from(s).reverse().join(''), line: i + 1 };
  });
  const [train, valid] = [pairs.slice(0, 600), pairs.slice(600)];
  const task = Seq2SeqTask.create(train, { model: { hiddenSize: 32, embeddingDim: 16, encoderLayers: 1, dropout: 0 } });
  const { examples } = task.encode(train);
  const opt = new optim.Adam(task.model.parameters(), { lr: 5e-3 });
  const before = task.evaluate(valid, { beamSize: 1 }).metrics.exactMatch;
  for (let epoch = 0; epoch < 12; epoch++)
    for (const batch of task.batches(examples, { batchSize: 32, shuffle: true, seed: 1, epoch })) {
      opt.zeroGrad();
      task.step(batch, true).loss.backward();
      opt.step();
    }
  const after = task.evaluate(valid, { beamSize: 3 }).metrics;
  assert.ok(before < 0.2, `before training: ${before}`);
  assert.ok(after.exactMatch >= 0.9, `after training: ${JSON.stringify(after)}`);
});
