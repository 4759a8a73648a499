/**
 * Memory soak: a long training run that samples the process's memory, to show whether anything
 * grows with the step count. Not part of CI (100,000 steps take hours); results go to the
 * "Memory soak" section of bench/RESULTS.md.
 *
 *     nice -n 10 node --expose-gc --conditions=source --import tsx bench/soak.ts --steps 100000 --every 1000 --out bench/results/soak.csv
 *
 * --max-seconds S also stops it after S seconds (the summary then covers the steps done).
 *
 * The run: a character-level LSTM language model (hidden 64, embedding 64, one layer) trained by
 * the library's `fit` with truncated BPTT (batch 8, windows of 32 characters, the state carried
 * between windows), Adam and gradient clipping, on the default backend, over the repository's
 * README repeated (epochs restart when the text runs out). Every `--every` steps it samples the
 * RSS, the V8 heap in use (after a full collection when node runs with --expose-gc) and the wasm
 * memory (memoryUsage()), and writes a CSV row. At the end it prints a summary: the mean of each
 * quantity over the first and the last 10% of the samples, and the growth per 10,000 steps
 * between them.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Vocabulary, charTokenize, fit, getBackend, getNumThreads, languageModelTask, manualSeed, memoryUsage, nn, optim, toStreams, windows } from 'recurrent';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '100000' },
    every: { type: 'string', default: '1000' },
    // A wall-clock bound: the run stops at --steps or after this many seconds, whichever comes first.
    'max-seconds': { type: 'string' },
    out: { type: 'string', default: join('bench', 'results', 'soak.csv') },
  },
});
const steps = Number(values.steps);
const every = Number(values.every);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps: expected a positive integer; got '${values.steps}'`);
const maxSeconds = values['max-seconds'] === undefined ? undefined : Number(values['max-seconds']);
if (maxSeconds !== undefined && !(maxSeconds > 0)) throw new Error(`--max-seconds: expected a positive number; got '${values['max-seconds']}'`);
if (!Number.isInteger(every) || every < 1) throw new Error(`--every: expected a positive integer; got '${values.every}'`);

const BATCH = 8;
const SEQ_LEN = 32;
const HIDDEN = 64;
const MiB = 2 ** 20;

const text = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const vocab = Vocabulary.build(charTokenize(text));
const { streams, steps: streamSteps } = toStreams(vocab.encode(charTokenize(text)), BATCH);

manualSeed(0);
const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: HIDDEN, embeddingDim: HIDDEN });
const optimizer = new optim.Adam(model.parameters(), { lr: 2e-3 });
const task = languageModelTask(model);

interface Sample {
  step: number;
  seconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  wasmMiB: number;
  wasmResidentMiB: number;
  loss: number;
}

const collect = (globalThis as { gc?: () => void }).gc;
const samples: Sample[] = [];
const started = performance.now();
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, 'step,seconds,rss_mib,heap_used_mib,external_mib,wasm_mib,wasm_resident_mib,loss\n');

function sample(step: number, loss: number): void {
  collect?.();
  const p = process.memoryUsage();
  const w = memoryUsage();
  const s: Sample = {
    step,
    seconds: (performance.now() - started) / 1000,
    rssMiB: p.rss / MiB,
    heapUsedMiB: p.heapUsed / MiB,
    externalMiB: p.external / MiB,
    wasmMiB: w.wasmBytes / MiB,
    wasmResidentMiB: w.wasmResidentBytes / MiB,
    loss,
  };
  samples.push(s);
  const row = [
    s.step,
    s.seconds.toFixed(1),
    s.rssMiB.toFixed(2),
    s.heapUsedMiB.toFixed(2),
    s.externalMiB.toFixed(2),
    s.wasmMiB.toFixed(2),
    s.wasmResidentMiB.toFixed(3),
    s.loss.toFixed(4),
  ];
  appendFileSync(values.out, `${row.join(',')}\n`);
}

console.log(
  `soak: ${steps} steps on ${getBackend()} (${getNumThreads()} threads), LSTM hidden ${HIDDEN}, batch ${BATCH}, seq ${SEQ_LEN}; sampling every ${every} steps into ${values.out}${collect ? '' : ' (no --expose-gc: heap figures include garbage)'}`,
);
sample(0, NaN);
let lossSum = 0;
let lossCount = 0;
const result = fit({
  model,
  optimizer,
  trainData: () => windows(streams, streamSteps, BATCH, SEQ_LEN),
  onSequenceStart: () => task.reset(),
  step: (window, training) => task.step(window, training),
  maxSteps: steps,
  maxTime: maxSeconds,
  clipGradNorm: (params) => optim.clipGradNorm(params, 5),
  callbacks: [
    {
      onBatchEnd: (logs, ctx) => {
        lossSum += logs.loss;
        lossCount++;
        if (ctx.step % every !== 0) return;
        sample(ctx.step, lossSum / lossCount);
        lossSum = 0;
        lossCount = 0;
        const last = samples[samples.length - 1]!;
        console.log(
          `step ${ctx.step}: ${last.seconds.toFixed(0)} s, RSS ${last.rssMiB.toFixed(1)} MiB, heap ${last.heapUsedMiB.toFixed(1)} MiB, wasm ${last.wasmMiB.toFixed(1)} MiB, loss ${last.loss.toFixed(3)}`,
        );
      },
    },
  ],
});

// Growth between the first and the last 10% of the samples (the sample at step 0, before any
// warm-up, is left out), per 10,000 steps.
const measured = samples.filter((s) => s.step > 0);
const tenth = Math.max(1, Math.floor(measured.length / 10));
const head = measured.slice(0, tenth);
const tail = measured.slice(-tenth);
const mean = (xs: Sample[], key: keyof Sample): number => xs.reduce((a, s) => a + s[key], 0) / xs.length;
const midStep = (xs: Sample[]): number => mean(xs, 'step');
const span = midStep(tail) - midStep(head);
console.log(`\nstopped: ${result.stoppedBecause} at step ${result.steps}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log('quantity          first 10%   last 10%   growth per 10k steps   min      max');
for (const key of ['rssMiB', 'heapUsedMiB', 'externalMiB', 'wasmMiB', 'wasmResidentMiB'] as const) {
  const a = mean(head, key);
  const b = mean(tail, key);
  const values = measured.map((s) => s[key]);
  const slope = span > 0 ? ((b - a) / span) * 10_000 : 0;
  console.log(
    `${key.padEnd(16)} ${a.toFixed(2).padStart(9)} ${b.toFixed(2).padStart(10)} ${slope.toFixed(3).padStart(14)} MiB ${Math.min(...values)
      .toFixed(2)
      .padStart(12)} ${Math.max(...values)
      .toFixed(2)
      .padStart(8)}`,
  );
}
