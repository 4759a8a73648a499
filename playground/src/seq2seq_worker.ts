/**
 * The sequence-to-sequence tab's worker: trains a small attention encoder–decoder to read dates
 * (dates.ts) with the library's seq2seq task, posts its loss and held-out exact match, and decodes
 * what the user types with the attention weights of every output step (seq2seq_protocol.ts).
 */
import { getNumThreads, manualSeed, optim, ready, Seq2SeqTask, type TextPair } from 'recurrent';
import { datePairs } from './dates.js';
import type { FromSeq2seqWorker, ToSeq2seqWorker } from './seq2seq_protocol.js';

const TRAINING_PAIRS = 6000;
const HELD_OUT = 200;
const BATCH = 64;
const PROGRESS_EVERY_MS = 200;
const ACCURACY_EVERY_MS = 2000;

const scope = self as unknown as { postMessage(message: FromSeq2seqWorker): void; onmessage: ((event: MessageEvent<ToSeq2seqWorker>) => void) | null };
const post = (message: FromSeq2seqWorker): void => scope.postMessage(message);
const asPairs = (pairs: { source: string; target: string }[]): TextPair[] => pairs.map((p, i) => ({ ...p, line: i + 1 }));

let task: Seq2SeqTask | null = null;
let paused = false;

const yieldToMessages = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });

async function train(): Promise<void> {
  const info = await ready();
  manualSeed(1);
  // Training and held-out dates come from different seeds.
  const trainPairs = asPairs(datePairs(TRAINING_PAIRS, 1));
  const heldOut = asPairs(datePairs(HELD_OUT, 2));
  const t = Seq2SeqTask.create(trainPairs, {
    labelSmoothing: 0,
    model: { hiddenSize: 64, embeddingDim: 32, encoderLayers: 1, inputFeeding: false, dropout: 0 },
  });
  task = t;
  const examples = t.encode(trainPairs).examples;
  const optimizer = new optim.Adam(t.model.parameters(), { lr: 0.005 });
  post({ type: 'ready', backend: info.backend, threads: getNumThreads(), trainingPairs: trainPairs.length, parameters: t.model.numParameters() });
  let step = 0;
  let [lastProgress, lastAccuracy] = [0, 0];
  let [pairs, since] = [0, performance.now()];
  for (let epoch = 0; ; epoch++) {
    for (const batch of t.batches(examples, { batchSize: BATCH, shuffle: true, seed: 1, epoch })) {
      while (paused) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        [pairs, since] = [0, performance.now()];
      }
      optimizer.zeroGrad();
      const { loss } = t.step(batch, true);
      loss.backward();
      optim.clipGradNorm(t.model.parameters(), 5);
      optimizer.step();
      step++;
      pairs += batch.lengths.length;
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        post({ type: 'progress', step, loss: loss.item(), pairsPerSecond: (pairs * 1000) / Math.max(1, now - since) });
        lastProgress = now;
      }
      if (now - lastAccuracy >= ACCURACY_EVERY_MS) {
        post({ type: 'accuracy', step, exactMatch: t.evaluate(heldOut, { beamSize: 1 }).metrics.exactMatch, heldOut: heldOut.length });
        lastAccuracy = performance.now();
      }
      await yieldToMessages();
    }
  }
}

function translate(text: string): void {
  if (task === null || text.trim() === '') return;
  const best = task.translate([text], { beamSize: 1 })[0]![0]!;
  post({ type: 'alignment', input: text, sourceTokens: best.sourceTokens, outputTokens: best.tokens, weights: best.attention });
}

scope.onmessage = (event) => {
  const message = event.data;
  try {
    if (message.type === 'start') void train().catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
    else if (message.type === 'pause') paused = true;
    else if (message.type === 'resume') paused = false;
    else translate(message.text);
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
