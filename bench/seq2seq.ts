/**
 * Benchmark child: a G2P-sized encoder–decoder (bench/seq2seq_shape.json) in this library —
 * training target tokens per second (forward, label-smoothed loss, backward, clipping, Adam) and
 * beam-search sentences per second. Prints one JSON line. Run by bench/seq2seq_run.ts; by hand:
 *
 *     node --import tsx bench/seq2seq.ts [--seconds 20]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { beamDecode, getNumThreads, manualSeed, nn, noGrad, optim, Tensor } from 'recurrent';

interface Shape {
  sourceVocab: number;
  targetVocab: number;
  embedding: number;
  hidden: number;
  encoderLayers: number;
  batch: number;
  sourceLengths: [number, number];
  targetLengths: [number, number];
  beam: number;
  beamBatch: number;
  maxLength: number;
  batches: number;
}

const shape = JSON.parse(readFileSync(new URL('./seq2seq_shape.json', import.meta.url), 'utf8')) as Shape;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const seconds = Number(values.seconds);

/** The same pseudo-random batches as the PyTorch child (a linear congruential generator). */
function makeBatches(): { source: Tensor; lengths: number[]; targetIn: Tensor; targetOut: Tensor; tokens: number }[] {
  let state = 12345;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const span = ([lo, hi]: [number, number]): number => lo + next(hi - lo + 1);
  return Array.from({ length: shape.batches }, () => {
    const B = shape.batch;
    const srcLen = Array.from({ length: B }, () => span(shape.sourceLengths));
    const tgtLen = Array.from({ length: B }, () => span(shape.targetLengths));
    const S = Math.max(...srcLen);
    const T = Math.max(...tgtLen) + 1;
    const source = new Int32Array(B * S);
    const targetIn = new Int32Array(B * T);
    const targetOut = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < srcLen[b]!; s++) source[b * S + s] = 2 + next(shape.sourceVocab - 2);
      targetIn[b * T] = 1;
      for (let t = 0; t < tgtLen[b]!; t++) {
        const y = 3 + next(shape.targetVocab - 3);
        targetIn[b * T + t + 1] = y;
        targetOut[b * T + t] = y;
      }
      targetOut[b * T + tgtLen[b]!] = 2;
    }
    const tokens = tgtLen.reduce((a, n) => a + n + 1, 0);
    return { source: new Tensor(source, [B, S]), lengths: srcLen, targetIn: new Tensor(targetIn, [B, T]), targetOut: new Tensor(targetOut, [B, T]), tokens };
  });
}

manualSeed(0);
const model = new nn.Seq2Seq({
  sourceVocabSize: shape.sourceVocab,
  targetVocabSize: shape.targetVocab,
  hiddenSize: shape.hidden,
  embeddingDim: shape.embedding,
  encoderLayers: shape.encoderLayers,
  dropout: 0,
});
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const batches = makeBatches();
const params = model.parameters();

function trainBatch(i: number): number {
  const b = batches[i % batches.length]!;
  optimizer.zeroGrad();
  const { logits } = model.forward(b.source, b.lengths, b.targetIn);
  model.loss(logits, b.targetOut, { labelSmoothing: 0.1 }).loss.backward();
  optim.clipGradNorm(params, 5);
  optimizer.step();
  return b.tokens;
}

/** Median over samples of `work` (each returning its item count) of items per second, within the time budget. */
function measure(work: (i: number) => number, warmup: number): { perSecond: number; samples: number } {
  for (let i = 0; i < warmup; i++) work(i);
  const rates: number[] = [];
  const start = performance.now();
  for (let i = 0; rates.length < 3 || (performance.now() - start) / 1000 < seconds; i++) {
    const t0 = performance.now();
    const items = work(i);
    rates.push(items / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { perSecond: rates[Math.floor(rates.length / 2)]!, samples: rates.length };
}

const train = measure(trainBatch, 3);
model.eval();
const beam = noGrad(() =>
  measure((i) => {
    const b = batches[i % batches.length]!;
    const n = shape.beamBatch;
    const source = b.source.narrow(0, 0, n);
    beamDecode(model.stepper(source, b.lengths.slice(0, n)), { beamSize: shape.beam, maxLength: shape.maxLength });
    return n;
  }, 1),
);
console.log(
  JSON.stringify({
    framework: 'recurrent',
    threads: getNumThreads(),
    trainTokensPerSecond: train.perSecond,
    trainSamples: train.samples,
    beamSentencesPerSecond: beam.perSecond,
    beamSamples: beam.samples,
    parameters: model.numParameters(),
  }),
);
