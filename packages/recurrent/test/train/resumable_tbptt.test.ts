// A run stopped and resumed through ResumableTbptt ends bit-identical to an uninterrupted one:
// mid-epoch (the carried state and the skipped windows matter) and at an epoch boundary, with
// dropout drawing from the generator and validation passes in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, nn, optim, ShapeError, tensor, ValueError, zeros } from '../../src/index.js';
import { fit } from '../../src/train/fit.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { languageModelTask } from '../../src/train/language_model_task.js';
import { ResumableTbptt, type TbpttResume, type TbpttSnapshot } from '../../src/train/resumable_tbptt.js';
import { toStreams, windows, type Window } from '../../src/train/tbptt.js';
import { Vocabulary } from '../../src/text/vocab.js';
import { charTokenize } from '../../src/text/tokenizers.js';

const chars = charTokenize('the cat sat on the mat. the dog sat on the log. '.repeat(4));
const vocab = Vocabulary.build(chars);
const B = 4;
const T = 8;
const { streams, steps } = toStreams(vocab.encode(chars), B); // 48 steps: 6 windows per epoch

interface Saved {
  resume: TbpttResume;
  model: ReturnType<nn.LanguageModel['stateDict']>;
  optimizer: ReturnType<optim.Adam['stateDict']>;
}

interface Finished {
  snapshot: TbpttSnapshot;
  params: number[][];
  saved: Saved;
}

/** Trains until `untilStep` (from scratch, or from `from`), validating every 4 steps with a task of its own. */
function train(cell: nn.CellKind, untilStep: number, from?: Saved): Finished {
  manualSeed(0);
  const model = new nn.LanguageModel({ vocabSize: vocab.size, cell, hiddenSize: 12, embeddingDim: 6, dropout: 0.2 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  if (from) {
    model.loadStateDict(from.model);
    optimizer.loadStateDict(from.optimizer);
    manualSeed(12345); // the snapshot's generator state must replace this
  }
  const task = languageModelTask(model);
  const validTask = languageModelTask(model);
  const run = new ResumableTbptt({ task, streams, steps, batchSize: B, seqLen: T, resume: from?.resume });
  const end: { snapshot?: TbpttSnapshot } = {};
  fit<Window>({
    model,
    optimizer,
    ...run.fitOptions(),
    step: (w, training) => (training ? task : validTask).step(w, training),
    validData: () => windows(streams, steps, B, 16),
    onSequenceStart: (phase) => {
      if (phase === 'valid') validTask.reset();
    },
    validateEvery: 4,
    maxSteps: untilStep,
    callbacks: [
      {
        onTrainEnd: (ctx) => {
          end.snapshot = run.snapshot(ctx);
        },
      },
    ],
  });
  const done = end.snapshot;
  assert.ok(done);
  return {
    snapshot: done,
    params: model.parameters().map((p) => Array.from(p.data)),
    saved: { resume: done, model: model.stateDict(), optimizer: optimizer.stateDict() },
  };
}

test('resumed mid-epoch (LSTM, through a checkpoint on disk), training continues bit-identically', () => {
  const straight = train('lstm', 15);
  const first = train('lstm', 9);
  assert.deepEqual({ ...first.snapshot.position, seconds: 0 }, { step: 9, epoch: 1, window: 3, seconds: 0 });
  assert.deepEqual(Object.keys(first.snapshot.state ?? {}), ['h', 'c']);
  assert.deepEqual(first.snapshot.state?.h?.shape, [1, B, 12]);

  const dir = join(mkdtempSync(join(tmpdir(), 'recurrent-tbptt-')), 'ckpt');
  const { snapshot, saved } = first;
  saveCheckpoint(dir, { config: { position: snapshot.position, rng: snapshot.rng }, model: saved.model, optimizer: saved.optimizer, extra: snapshot.state });
  const back = loadCheckpoint(dir);
  const config = back.config as { position: TbpttSnapshot['position']; rng: number[] };
  assert.ok(back.optimizer);
  const resumed = train('lstm', 15, {
    resume: { position: config.position, state: back.extra, rng: config.rng },
    model: back.model,
    optimizer: back.optimizer,
  });

  assert.deepEqual(resumed.params, straight.params, 'parameters after 15 steps differ between the straight and the resumed run');
  assert.deepEqual(resumed.snapshot.rng, straight.snapshot.rng);
  assert.deepEqual({ ...resumed.snapshot.position, seconds: 0 }, { step: 15, epoch: 2, window: 3, seconds: 0 });
  assert.ok(resumed.snapshot.position.seconds >= snapshot.position.seconds, 'seconds accumulate over invocations');
  assert.deepEqual(Array.from(resumed.snapshot.state!.c!.data), Array.from(straight.snapshot.state!.c!.data));
});

test('resumed at an epoch boundary (GRU), the next epoch starts from a zero state and continues bit-identically', () => {
  const straight = train('gru', 10);
  const first = train('gru', 6);
  assert.deepEqual({ ...first.snapshot.position, seconds: 0 }, { step: 6, epoch: 1, window: 0, seconds: 0 });
  assert.equal(first.snapshot.state, null, 'an ended epoch carries no state');
  const resumed = train('gru', 10, first.saved);
  assert.deepEqual(resumed.params, straight.params);
  assert.deepEqual(resumed.snapshot.rng, straight.snapshot.rng);
  assert.deepEqual(Object.keys(resumed.snapshot.state ?? {}), ['h']);
  assert.deepEqual(Array.from(resumed.snapshot.state!.h!.data), Array.from(straight.snapshot.state!.h!.data));
});

test('a new run starts at step 0, epoch 0 and reads every window of each epoch', () => {
  const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 4, embeddingDim: 2 });
  const run = new ResumableTbptt({ task: languageModelTask(model), streams, steps, batchSize: B, seqLen: T });
  assert.equal(run.windowsPerEpoch, 6);
  const { trainData, startStep, startEpoch } = run.fitOptions();
  assert.deepEqual([startStep, startEpoch], [0, 0]);
  assert.equal([...trainData(0)].length, 6);
  assert.deepEqual(run.snapshot({ step: 6, elapsed: 1.5 }).position, { step: 6, epoch: 1, window: 0, seconds: 1.5 });
  // A resumed epoch yields only the windows after the saved one, once; the next epoch all of them.
  run.restore({ position: { step: 8, epoch: 1, window: 2, seconds: 3 } });
  const rest = [...run.fitOptions().trainData(1)];
  assert.equal(rest.length, 4);
  assert.deepEqual(Array.from(rest[0]!.input.data), Array.from([...windows(streams, steps, B, T)][2]!.input.data));
  assert.equal([...run.trainData(2)].length, 6);
});

test('snapshots that do not fit the streams are clear errors', () => {
  const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 4, embeddingDim: 2 });
  const run = new ResumableTbptt({ task: languageModelTask(model), streams, steps, batchSize: B, seqLen: T });
  const at = (window: number): TbpttResume['position'] => ({ step: 3, epoch: 0, window, seconds: 0 });
  assert.throws(() => run.restore({ position: at(6) }), /position\.window 6 is past the 6 windows of an epoch/);
  assert.throws(() => run.restore({ position: at(-1) }), ValueError);
  assert.throws(() => run.restore({ position: at(1), state: { h: zeros([1, 3, 4]) } }), ShapeError);
  assert.throws(() => run.restore({ position: at(1), state: { h: zeros([1, B, 4]), c: zeros([1, B, 5]) } }), /c must have h's shape/);
  assert.throws(() => run.restore({ position: at(1), state: { c: tensor([1]) } }), /c but no h/);
  assert.throws(
    () => new ResumableTbptt({ task: languageModelTask(model), streams, steps, batchSize: 3, seqLen: T }),
    /streams hold 192 ids; expected steps × batchSize = 48 × 3/,
  );
});
