/**
 * Sorting numbers with an attention encoder–decoder.
 *
 * The input is a sequence of integers in 0–99, the output the same integers in ascending order,
 * each number one token: `42 7 99 7 13` → `7 7 13 42 99`. A bidirectional LSTM reads the input;
 * an LSTM decoder with Luong attention writes the output, and learns to attend to the smallest
 * number not yet written — a pointer found by content, not by position.
 *
 * Training draws fresh sequences of 5–15 numbers every epoch (so nothing is memorised); the
 * held-out sets are fresh draws from other seeds: 5,000 sequences of exactly 10 numbers (the
 * headline figure) and 1,000 of each length from 5 to 20 (lengths 16–20 were never seen in
 * training). Prints `epoch N loss L …` per epoch, then the exact-match accuracies, and writes the
 * attention heatmap of one held-out sequence to --out.
 *
 *   node --import tsx examples/number_sorter/main.ts [--epochs 24] [--train-size 20000] [--hidden 128] [--lr 3e-3]
 *                                                    [--schedule cosine|plateau] [--seed 1] [--out runs/number_sorter] [--quick]
 *
 * --quick trains a few seconds on a small set and exits 1 unless the loss fell.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BudgetCosineSchedule, type Callback, fit, manualSeed, optim, Seq2SeqTask, type TextPair } from 'recurrent';
import { writeAttentionPlot } from 'recurrent-cli/plots';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string' },
    'train-size': { type: 'string' },
    seed: { type: 'string', default: '1' },
    hidden: { type: 'string', default: '128' },
    lr: { type: 'string', default: '3e-3' },
    schedule: { type: 'string', default: 'cosine' },
    out: { type: 'string', default: 'runs/number_sorter' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const epochs = Number(values.epochs ?? (quick ? 3 : 24));
const trainSize = Number(values['train-size'] ?? (quick ? 400 : 20_000));
const seed = Number(values.seed);

/** A small seeded generator (mulberry32) for the data, apart from the library's one for weights. */
function makeRng(s: number): () => number {
  let state = s >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` sequences of `minLength`–`maxLength` integers in 0–99, each paired with its sorted form. */
function draw(rng: () => number, count: number, minLength: number, maxLength: number): TextPair[] {
  return Array.from({ length: count }, (_, line) => {
    const length = minLength + Math.floor(rng() * (maxLength - minLength + 1));
    const numbers = Array.from({ length }, () => Math.floor(rng() * 100));
    return { source: numbers.join(' '), target: [...numbers].sort((a, b) => a - b).join(' '), line: line + 1 };
  });
}

// Each set from its own seed: training epochs, validation and the test sets never share a draw.
const valid = draw(makeRng(seed * 1000 + 1), quick ? 100 : 2_000, 5, 15);
const test10 = draw(makeRng(seed * 1000 + 2), quick ? 100 : 5_000, 10, 10);
// Lengths 5–20, 1,000 sequences each (--quick: three lengths, 20 each).
const lengths = quick ? [5, 10, 20] : Array.from({ length: 16 }, (_, i) => 5 + i);
const byLength = lengths.map((length) => draw(makeRng(seed * 1000 + length), quick ? 20 : 1_000, length, length));

manualSeed(seed);
// The vocabulary comes from the first epoch's draw, which holds every number 0–99.
const firstEpoch = draw(makeRng(seed * 1000 + 100), trainSize, 5, 15);
// Every target token is certain, so no label smoothing.
const task = Seq2SeqTask.create(firstEpoch, {
  sourceTokens: 'word',
  targetTokens: 'word',
  labelSmoothing: 0,
  model: { hiddenSize: quick ? 32 : Number(values.hidden), embeddingDim: quick ? 16 : 64, encoderLayers: 1, dropout: quick ? 0 : 0.1 },
});
const lr = quick ? 5e-3 : Number(values.lr);
const optimizer = new optim.Adam(task.model.parameters(), { lr });
// cosine (default): from --lr down to 1% of it over the epochs; plateau: halve it after two validations without improvement.
if (values.schedule !== 'cosine' && values.schedule !== 'plateau') throw new Error(`--schedule: expected cosine or plateau; got '${values.schedule}'`);
const plateau = values.schedule === 'plateau' ? new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 1 }) : null;
const cosine: Callback[] =
  values.schedule === 'cosine' ? [new BudgetCosineSchedule(optimizer, { etaMin: lr / 100, totalSteps: epochs * Math.ceil(trainSize / 64) })] : [];
const validBatches = task.batches(task.encode(valid).examples, { batchSize: 128 });
let validLoss = NaN;

fit({
  model: task.model,
  optimizer,
  // Fresh sequences every epoch.
  trainData: (epoch) =>
    task.batches(task.encode(epoch === 0 ? firstEpoch : draw(makeRng(seed * 1000 + 100 + epoch), trainSize, 5, 15)).examples, {
      batchSize: 64,
      shuffle: true,
      seed,
      epoch,
    }),
  validData: () => validBatches,
  step: (batch, training) => task.step(batch, training),
  epochs,
  clipGradNorm: (params) => void optim.clipGradNorm(params, 5),
  callbacks: [
    ...cosine,
    {
      // Validation runs at each epoch's end, just before onEpochEnd.
      onValidationEnd: (metrics) => {
        validLoss = metrics.loss;
        plateau?.step(metrics.loss);
      },
      onEpochEnd: (epoch, metrics, ctx) => {
        const exact = task.evaluate(valid.slice(0, quick ? 50 : 500), { beamSize: 1 }).metrics.exactMatch;
        console.log(
          `epoch ${epoch + 1} loss ${metrics.loss.toFixed(4)} valid-loss ${validLoss.toFixed(4)} valid-exact ${(exact * 100).toFixed(1)}% lr ${optimizer.paramGroups[0]!.lr.toExponential(1)} (${Math.round(ctx.elapsed)} s)`,
        );
      },
    },
  ],
});

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
for (const beam of [1, 5])
  console.log(
    `held out, 10 numbers, ${test10.length} sequences, beam ${beam}: exact match ${pct(task.evaluate(test10, { beamSize: beam }).metrics.exactMatch)}`,
  );
console.log('held out by length (trained on 5–15), greedy:');
for (const [i, set] of byLength.entries())
  console.log(
    `  length ${5 + i}: exact match ${pct(task.evaluate(set, { beamSize: 1 }).metrics.exactMatch)}${5 + i > 15 ? '  (longer than any training sequence)' : ''}`,
  );

const example = test10[0]!;
const best = task.translate([example.source], { beamSize: 5 })[0]![0]!;
console.log(`${example.source} → ${best.text}`);
mkdirSync(values.out, { recursive: true });
const [png, svg] = await writeAttentionPlot(
  join(values.out, 'attention.png'),
  best!.sourceTokens,
  best!.tokens,
  best!.attention,
  'Sorting: where the decoder looks',
);
console.log(`attention heatmap: ${png}, ${svg}`);
