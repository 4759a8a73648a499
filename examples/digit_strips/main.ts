/**
 * Reading handwritten numbers: strips of 1–5 MNIST digits, read column by column by a
 * bidirectional LSTM, with two readers side by side — a CTC model and an attention decoder.
 *
 * Data (see data.ts): the `mnist` package's 10,000 digits, split 8,000 / 2,000 by a fixed seeded
 * order; training strips use only the first 8,000, the 5,000 test strips only the last 2,000.
 * Training draws fresh strips every epoch; validation strips come from the training digits (a
 * seed of their own), so the test strips are read once, at the end.
 *
 *   node --import tsx examples/digit_strips/main.ts [--reader ctc|attention|both] [--minutes 20]
 *        [--epoch-strips 4000] [--hidden 128] [--layers 1] [--frontend window|conv2d|none] [--stride 2] [--augment 1] [--dropout 0.1]
 *        [--lr 2e-3] [--batch 32] [--beam 1] [--test-strips 5000] [--seed 1] [--out runs/digit_strips] [--quick]
 *   node --import tsx examples/digit_strips/main.ts --reader ctc|attention --load FILE.safetensors [--beam 10] …   (test only)
 *   node --import tsx examples/digit_strips/main.ts --compare [--out runs/digit_strips]
 *
 * Prints `epoch N loss L …` per epoch (L: the mean training loss, summed over the readers when
 * both train), then the test scores; writes <out>/<reader>.json (<reader>_beam<K>.json for --beam K > 1)
 * and the trained weights <out>/<reader>.safetensors and, for the attention reader,
 * attention heatmaps of a few test strips (<out>/attention_<i>.png). --compare prints the two
 * readers' saved scores side by side. The learning rate follows a cosine from --lr to --lr/100
 * over the time budget (or the epochs, when --epochs is given).
 *
 * --quick trains both readers a few seconds on a few strips.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { manualSeed, noGrad, optim, readSafetensors, writeSafetensors } from 'recurrent';
import { type Strip, loadDigits, makeStrips } from './data.js';
import { writeAttentionStrip } from './heatmap.js';
import { AttentionReader, CtcReader, type EncoderConfig, FRONT_ENDS, type FrontEnd, type Reader } from './models.js';
import { type Scores, score } from './scores.js';

const { values } = parseArgs({
  options: {
    reader: { type: 'string' },
    minutes: { type: 'string' },
    epochs: { type: 'string' },
    'epoch-strips': { type: 'string' },
    hidden: { type: 'string', default: '128' },
    layers: { type: 'string', default: '1' },
    frontend: { type: 'string', default: 'window' },
    stride: { type: 'string', default: '2' },
    augment: { type: 'string', default: '1' },
    load: { type: 'string' },
    dropout: { type: 'string', default: '0.1' },
    lr: { type: 'string', default: '2e-3' },
    batch: { type: 'string', default: '32' },
    beam: { type: 'string', default: '1' },
    'test-strips': { type: 'string' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    compare: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});

// --quick writes apart (runs/digit_strips_quick), so that it never replaces a real run's results.
const outDir = values.out ?? (values.quick ? 'runs/digit_strips_quick' : 'runs/digit_strips');

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

interface SavedRun {
  reader: string;
  command: string;
  config: Record<string, unknown>;
  epochs: number;
  seconds: number;
  test: Scores;
}

if (values.compare) {
  const runs = ['ctc', 'attention'].map((r) => join(outDir, `${r}.json`)).filter((f) => existsSync(f));
  if (runs.length === 0) throw new Error(`--compare: no ctc.json or attention.json under ${outDir}; train the readers first`);
  const saved = runs.map((f) => JSON.parse(readFileSync(f, 'utf8')) as SavedRun);
  const row = (name: string, cell: (s: SavedRun) => string): string => `| ${name} | ${saved.map(cell).join(' | ')} |`;
  console.log(`| | ${saved.map((s) => s.reader).join(' | ')} |`);
  console.log(`|---|${saved.map(() => '---').join('|')}|`);
  console.log(row('exact match', (s) => pct(s.test.exactMatch)));
  console.log(row('digit accuracy (1 − digit error rate)', (s) => pct(s.test.digitAccuracy)));
  for (let c = 0; c < 10; c++) console.log(row(`digit ${c}`, (s) => pct(s.test.perClass[c]!)));
  for (let l = 1; l <= 5; l++) console.log(row(`exact match, ${l} digit${l > 1 ? 's' : ''}`, (s) => pct(s.test.byLength[l]!)));
  console.log(row('training', (s) => `${s.epochs} epochs, ${Math.round(s.seconds / 60)} min`));
  console.log(row('test strips', (s) => String(s.test.strips)));
  process.exit(0);
}

const quick = values.quick;
const readerArg = values.reader ?? 'both';
if (!['ctc', 'attention', 'both'].includes(readerArg)) throw new Error(`--reader: expected ctc, attention or both; got '${readerArg}'`);
const frontEnd = values.frontend as FrontEnd;
if (!FRONT_ENDS.includes(frontEnd)) throw new Error(`--frontend: expected ${FRONT_ENDS.join(', ')}; got '${values.frontend}'`);
const seed = Number(values.seed);
const budgetSeconds = quick ? Infinity : Number(values.minutes ?? '20') * 60;
const epochs = values.load !== undefined ? 0 : Number(values.epochs ?? (quick ? 6 : Infinity));
const epochStrips = Number(values['epoch-strips'] ?? (quick ? 128 : 4000));
const batchSize = Number(values.batch);
const testCount = Number(values['test-strips'] ?? (quick ? 60 : 5000));
const config: EncoderConfig = {
  frontEnd,
  stride: Number(values.stride),
  hiddenSize: quick ? 24 : Number(values.hidden),
  layers: Number(values.layers),
  dropout: quick ? 0 : Number(values.dropout),
};
const lr = quick ? 1e-2 : Number(values.lr);
if (values.augment !== '0' && values.augment !== '1') throw new Error(`--augment: expected 0 or 1; got '${values.augment}'`);
const augment = values.augment === '1';

const { train, test } = loadDigits();
const valid = makeStrips(seed * 1000 + 1, quick ? 40 : 500, train);
const testStrips = makeStrips(777, testCount, test);

manualSeed(seed);
const readers: Reader[] = [];
if (readerArg !== 'attention') readers.push(new CtcReader(config));
if (readerArg !== 'ctc') readers.push(new AttentionReader(config));
if (values.load !== undefined) {
  if (readers.length !== 1) throw new Error('--load: name the reader the weights belong to with --reader ctc or --reader attention');
  readers[0]!.loadStateDict(readSafetensors(readFileSync(values.load)));
}
const optimizers = readers.map((r) => new optim.Adam(r.parameters(), { lr }));

/** Reads `strips` in batches, in eval mode without gradients. */
function readAll(reader: Reader, strips: readonly Strip[], beam: number): number[][] {
  reader.eval();
  const out: number[][] = [];
  noGrad(() => {
    for (let i = 0; i < strips.length; i += 100) out.push(...reader.read(strips.slice(i, i + 100), beam));
  });
  reader.train();
  return out;
}

const started = performance.now();
const elapsed = (): number => (performance.now() - started) / 1000;
/** Cosine from lr to lr/100 over the budget: time when bounded by minutes, epochs otherwise. */
const progress = (epoch: number): number => (Number.isFinite(epochs) ? epoch / epochs : Math.min(1, elapsed() / budgetSeconds));
let epoch = 0;
for (; epoch < epochs && elapsed() < budgetSeconds; epoch++) {
  const strips = makeStrips(seed * 1000 + 100 + epoch, epochStrips, train, augment);
  const sums = readers.map(() => 0);
  let batches = 0;
  for (let i = 0; i + batchSize <= strips.length && elapsed() < budgetSeconds; i += batchSize) {
    const batch = strips.slice(i, i + batchSize);
    const rate = lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * progress(epoch + i / strips.length))));
    readers.forEach((reader, k) => {
      const optimizer = optimizers[k]!;
      for (const group of optimizer.paramGroups) group.lr = rate;
      optimizer.zeroGrad();
      const loss = reader.loss(batch);
      loss.backward();
      optim.clipGradNorm(reader.parameters(), 5);
      optimizer.step();
      sums[k]! += loss.item();
    });
    batches++;
  }
  if (batches === 0) break;
  const means = sums.map((s) => s / batches);
  const validExact = readers.map(
    (r) =>
      score(
        valid.map((s) => s.labels),
        readAll(r, valid, 1),
      ).exactMatch,
  );
  console.log(
    `epoch ${epoch + 1} loss ${means.reduce((a, b) => a + b, 0).toFixed(4)} ` +
      readers.map((r, k) => `${r.name}-loss ${means[k]!.toFixed(4)} ${r.name}-valid-exact ${pct(validExact[k]!)}`).join(' ') +
      ` (${Math.round(elapsed())} s)`,
  );
}

mkdirSync(outDir, { recursive: true });
const beam = Number(values.beam);
const truth = testStrips.map((s) => s.labels);
for (const reader of readers) {
  const scores = score(truth, readAll(reader, testStrips, beam));
  console.log(
    `${reader.name}: ${scores.strips} test strips, exact match ${pct(scores.exactMatch)}, digit accuracy ${pct(scores.digitAccuracy)}, ` +
      `per class ${scores.perClass.map((a, c) => `${c}:${pct(a)}`).join(' ')}`,
  );
  const run: SavedRun = {
    reader: reader.name,
    command: `node --import tsx examples/digit_strips/main.ts ${process.argv.slice(2).join(' ')}`,
    config: { ...config, lr, batchSize, epochStrips, augment, beam, seed, minutes: budgetSeconds / 60 },
    epochs: epoch,
    seconds: Math.round(elapsed()),
    test: scores,
  };
  const path = join(outDir, `${reader.name}${beam > 1 ? `_beam${beam}` : ''}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify(run, null, 2));
  renameSync(`${path}.tmp`, path);
  if (values.load === undefined) {
    const weights = join(outDir, `${reader.name}.safetensors`);
    writeFileSync(`${weights}.tmp`, writeSafetensors(reader.stateDict(), { config: JSON.stringify(run.config) }));
    renameSync(`${weights}.tmp`, weights);
  }
}

const attention = readers.find((r): r is AttentionReader => r instanceof AttentionReader);
if (attention !== undefined) {
  const shown = testStrips.slice(0, 4);
  attention.eval();
  const hyps = noGrad(() => attention.readWithAttention(shown));
  for (const [i, h] of hyps.entries()) {
    const outputs = [...h.tokens.map((t) => String(t - 3)), '</s>'];
    const weights = h.attention ?? [];
    const png = await writeAttentionStrip(join(outDir, `attention_${i + 1}`), shown[i]!, outputs, weights, attention.encoder.frontEnd.stride);
    console.log(`attention heatmap: ${png}`);
  }
}
