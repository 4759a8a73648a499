/**
 * Sentiment of a sentence on the labelled sentences that `sentiment@5.0.2` ships for its own tests
 * (test/fixtures/{amazon,imdb,yelp}.json: 3,000 product, film and restaurant reviews' sentences,
 * half positive; the empty last record of each file dropped).
 *
 * Protocol: 10-fold cross-validation. Each sentence's fold is fixed by a hash of its text (so a
 * repeated sentence stays in one fold); in each round, one fold is the test, and 10% of the other
 * nine's sentences (by another hash) validate for early stopping. Reported: the mean accuracy over
 * the ten test folds and its spread (sample standard deviation), for the recurrent classifier and,
 * on the same folds, our own multinomial naive Bayes and three lexicons thresholded at 0 (positive
 * when the score is above 0): `sentiment` (AFINN-165), `vader-sentiment` (compound score) and
 * `wink-sentiment`. Prints `epoch N loss L …` per epoch of the first fold.
 *
 * All sentences are written to --out as all.tsv (text<TAB>label), and fold 1 as train.tsv and
 * test.tsv, which the command line reads too.
 *
 *   node --import tsx examples/sentiment/main.ts [--fold-time 100s] [--hidden 64] [--embedding 64] [--pooling max]
 *                                               [--dropout 0.5] [--batch 32] [--lr 2e-3] [--folds 10] [--seed 1] [--out runs/sentiment] [--quick]
 *
 * --quick trains one fold briefly on 600 sentences and exits 1 unless the loss fell.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClassifyTask, type LabelledText, manualSeed, nn } from 'recurrent';
import { fitClassifier } from '../text_classification/fit_classifier.js';
import { NaiveBayes } from '../text_classification/naive_bayes.js';
import { pct } from '../text_classification/report.js';
import { every, fraction, seconds, writeTsv } from '../text_classification/data_files.js';

const { values } = parseArgs({
  options: {
    'fold-time': { type: 'string', default: '100s' },
    hidden: { type: 'string', default: '64' },
    embedding: { type: 'string', default: '64' },
    pooling: { type: 'string', default: 'max' },
    dropout: { type: 'string', default: '0.5' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '2e-3' },
    folds: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'runs/sentiment' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const require = createRequire(import.meta.url);
const K = 10;
const rounds = quick ? 1 : Math.min(K, Number(values.folds));

const fixtures = join(dirname(require.resolve('sentiment/package.json')), 'test', 'fixtures');
const sentences: LabelledText[] = [];
for (const name of ['amazon', 'imdb', 'yelp']) {
  const records = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as { text: string; class: number | null }[];
  for (const r of records) {
    if (r.text.trim() === '' || r.class === null) continue; // the empty last record
    sentences.push({ text: r.text.replace(/\s+/g, ' ').trim(), label: r.class === 1 ? 'positive' : 'negative', line: sentences.length + 1 });
  }
}
const foldOf = (text: string): number => Math.floor(fraction(`fold\u0000${text}`) * K);
mkdirSync(values.out, { recursive: true });
writeTsv(join(values.out, 'all.tsv'), sentences);
writeTsv(
  join(values.out, 'train.tsv'),
  sentences.filter((s) => foldOf(s.text) !== 0),
);
writeTsv(
  join(values.out, 'test.tsv'),
  sentences.filter((s) => foldOf(s.text) === 0),
);
const data = quick ? every(sentences, 600) : sentences;
console.log(
  `sentences: ${sentences.length} (${sentences.filter((s) => s.label === 'positive').length} positive); ${K} folds of ${Array.from({ length: K }, (_, k) => sentences.filter((s) => foldOf(s.text) === k).length).join(', ')} (written to ${values.out})`,
);

// The lexicons score a sentence; positive when the score is above 0.
const Sentiment = require('sentiment') as new () => { analyze(t: string): { score: number } };
const afinn = new Sentiment();
const vader = require('vader-sentiment') as { SentimentIntensityAnalyzer: { polarity_scores(t: string): { compound: number } } };
const wink = require('wink-sentiment') as (t: string) => { score: number };
const lexicons: [string, (t: string) => number][] = [
  ['sentiment (AFINN-165)', (t) => afinn.analyze(t).score],
  ['vader-sentiment (compound)', (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound],
  ['wink-sentiment', (t) => wink(t).score],
];

const accuracy = (predicted: readonly string[], data: readonly LabelledText[]): number => predicted.filter((p, i) => p === data[i]!.label).length / data.length;
const scores: Record<string, number[]> = {};
const record = (name: string, value: number): void => void (scores[name] ??= []).push(value);
const started = performance.now();
for (let fold = 0; fold < rounds; fold++) {
  const test = data.filter((s) => foldOf(s.text) === fold);
  const rest = data.filter((s) => foldOf(s.text) !== fold);
  const valid = rest.filter((s) => fraction(`valid\u0000${s.text}`) < 0.1);
  const train = rest.filter((s) => fraction(`valid\u0000${s.text}`) >= 0.1);
  manualSeed(Number(values.seed) + fold);
  const task = ClassifyTask.create(train, {
    tokens: 'word',
    minCount: quick ? 1 : 2,
    model: {
      hiddenSize: quick ? 16 : Number(values.hidden),
      embeddingDim: quick ? 16 : Number(values.embedding),
      pooling: nn.POOLING_KINDS.find((p) => p === values.pooling) ?? 'max',
      dropout: Number(values.dropout),
    },
  });
  if (fold === 0)
    console.log(
      `model: bidirectional LSTM ${task.modelOptions.hiddenSize} per direction, embedding ${task.modelOptions.embeddingDim}, ${task.modelOptions.pooling} pooling, dropout ${task.modelOptions.dropout}, vocabulary ${task.vocab.size} words, ${task.model.numParameters().toLocaleString('en-US')} parameters`,
    );
  const fitted = fitClassifier(task, train, valid, {
    batchSize: Number(values.batch),
    lr: Number(values.lr),
    maxTime: quick ? undefined : seconds(values['fold-time']),
    epochs: quick ? 4 : 30,
    patience: 3,
    seed: Number(values.seed),
    quiet: fold > 0,
  });
  const rnn = task.evaluate(test).metrics.accuracy;
  record('recurrent (BiLSTM classifier)', rnn);
  const nb = NaiveBayes.train(rest);
  record(
    'naive Bayes (ours, multinomial)',
    accuracy(
      test.map((s) => nb.predict(s.text)),
      test,
    ),
  );
  for (const [name, score] of lexicons)
    record(
      `${name}, > 0`,
      accuracy(
        test.map((s) => (score(s.text) > 0 ? 'positive' : 'negative')),
        test,
      ),
    );
  console.log(
    `fold ${fold + 1}: ${test.length} test sentences; recurrent ${pct(rnn, 1)} (best epoch ${fitted.bestEpoch} of ${fitted.epochs}, ${Math.round(fitted.seconds)} s), naive Bayes ${pct(scores['naive Bayes (ours, multinomial)']!.at(-1)!, 1)}`,
  );
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs: number[]): number => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
console.log(
  `${rounds}-fold cross-validation, accuracy mean ± sample standard deviation over the folds (${Math.round((performance.now() - started) / 1000)} s):`,
);
for (const [name, xs] of Object.entries(scores)) console.log(`  ${name.padEnd(34)} ${pct(mean(xs))} ± ${pct(spread(xs))}`);
