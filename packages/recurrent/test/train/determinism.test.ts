// Training is deterministic: the same seed gives the same parameters bit for bit, run after run,
// and on the wasm backend whatever the number of threads (1 to 4; products, the recurrent steps'
// split by hidden units and the optimizer's updates all give the same bits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasmFeatures } from '../../src/backend/wasm/features.js';
import { wasmRuntime } from '../../src/backend/wasm/runtime.js';
import {
  charTokenize,
  fit,
  getBackend,
  getNumThreads,
  languageModelTask,
  manualSeed,
  nn,
  optim,
  setNumThreads,
  toStreams,
  Vocabulary,
  windows,
  writeSafetensors,
} from '../../src/index.js';

const chars = charTokenize('the cat sat on the mat. the dog sat on the log. a bird sang in the tree. '.repeat(8));
const vocab = Vocabulary.build(chars);
const B = 16;
const T = 16;
const { streams, steps } = toStreams(vocab.encode(chars), B);

/** The state dict's bytes after a few Adam steps of an LSTM language model with dropout and clipping. */
function train(): Uint8Array {
  manualSeed(7);
  // Hidden 128, batch 16: each recurrent step has 16·512·128 = 2^20 multiply-adds, enough to be split by hidden units.
  const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 128, embeddingDim: 32, dropout: 0.1 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const task = languageModelTask(model);
  fit({
    model,
    optimizer,
    trainData: () => windows(streams, steps, B, T),
    step: (w, training) => task.step(w, training),
    onSequenceStart: () => task.reset(),
    maxSteps: 3,
    clipGradNorm: (params) => optim.clipGradNorm(params, 1),
  });
  return writeSafetensors(model.stateDict());
}

test('two runs with the same seed end with bit-identical parameters', () => {
  const first = train();
  assert.ok(Buffer.from(train()).equals(Buffer.from(first)), `the parameters differ between two runs on ${getBackend()}`);
});

const skip = wasmFeatures().simd && getBackend() === 'wasm' ? false : 'the threads are the wasm backend’s';

test('on the wasm backend, 1, 2, 3 and 4 threads end with bit-identical parameters', { skip }, () => {
  const before = getNumThreads();
  const rt = wasmRuntime();
  // Every job offered to the workers (no choice of mode by measured speed), so that they run some.
  rt.contentionBackoff = false;
  try {
    setNumThreads(1);
    const one = Buffer.from(train());
    const chunks = rt.chunksOnWorkers;
    let started = 1;
    for (const threads of [2, 3, 4]) {
      setNumThreads(threads);
      started = Math.max(started, rt.startThreads());
      const many = Buffer.from(train());
      assert.ok(many.equals(one), `the parameters differ between 1 and ${threads} threads`);
    }
    // Where workers cannot start (no shared memory), this compared one thread with itself. A worker
    // slow to wake leaves its offer to the working caller, so on a loaded machine one thread
    // count may run every chunk on the caller: the check is over all of them.
    if (started > 1) assert.ok(rt.chunksOnWorkers > chunks, 'no work ran on the workers with 2, 3 or 4 threads');
  } finally {
    rt.contentionBackoff = true;
    setNumThreads(before);
  }
});
