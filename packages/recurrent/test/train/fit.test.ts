import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, nn, optim } from '../../src/index.js';
import { EarlyStopping, TerminateOnNaN, type Callback } from '../../src/train/callbacks.js';
import { fit } from '../../src/train/fit.js';
import { languageModelTask } from '../../src/train/language_model_task.js';
import { toStreams, windows, type Window } from '../../src/train/tbptt.js';
import { Vocabulary } from '../../src/text/vocab.js';
import { charTokenize } from '../../src/text/tokenizers.js';

const corpus = 'the cat sat on the mat. the dog sat on the log. '.repeat(12);

function setup(): { model: nn.LanguageModel; data: () => Iterable<Window>; valid: () => Iterable<Window>; task: ReturnType<typeof languageModelTask> } {
  manualSeed(0);
  const chars = charTokenize(corpus);
  const vocab = Vocabulary.build(chars);
  const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 24, embeddingDim: 8 });
  const { streams, steps } = toStreams(vocab.encode(chars), 4);
  const task = languageModelTask(model);
  return { model, data: () => windows(streams, steps, 4, 16), valid: () => windows(streams, steps, 4, 16), task };
}

test('fit lowers the loss of a character model on a tiny corpus', () => {
  const { model, data, valid, task } = setup();
  const epochLosses: number[] = [];
  const result = fit<Window>({
    model,
    optimizer: new optim.Adam(model.parameters(), { lr: 0.02 }),
    trainData: data,
    validData: valid,
    step: (w, training) => task.step(w, training),
    onSequenceStart: () => task.reset(),
    epochs: 8,
    callbacks: [
      {
        onEpochEnd: (_, m) => {
          epochLosses.push(m.loss);
        },
      },
    ],
  });
  assert.equal(result.epochs, 8);
  assert.equal(epochLosses.length, 8);
  assert.ok(epochLosses[7]! < epochLosses[0]! * 0.6, `loss went from ${epochLosses[0]} to ${epochLosses[7]}`);
  assert.ok(result.lastValidation !== null && result.lastValidation.accuracy! > 0.4);
});

test('callbacks run in order, maxSteps bounds the run, and early stopping stops it', () => {
  const { model, data, valid, task } = setup();
  const events: string[] = [];
  const recorder: Callback = {
    onTrainBegin: () => events.push('begin'),
    onEpochBegin: (e) => events.push(`epoch ${e}`),
    onBatchEnd: (_, ctx) => events.push(`step ${ctx.step}`),
    onTrainEnd: () => events.push('end'),
  };
  const r = fit<Window>({
    model,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
    trainData: data,
    step: (w, t) => task.step(w, t),
    maxSteps: 3,
    callbacks: [recorder],
  });
  assert.equal(r.steps, 3);
  assert.deepEqual(events, ['begin', 'epoch 0', 'step 1', 'step 2', 'step 3', 'end']);
  assert.match(r.stoppedBecause, /reached 3 steps/);
  // A learning rate of 0 never improves the validation loss: patience 1 stops after 2 more passes.
  const stopped = fit<Window>({
    model,
    optimizer: new optim.SGD(model.parameters(), { lr: 0 }),
    trainData: data,
    validData: valid,
    step: (w, t) => task.step(w, t),
    epochs: 50,
    validateEvery: 2,
    callbacks: [new EarlyStopping({ patience: 1 })],
  });
  assert.match(stopped.stoppedBecause, /validation loss has not improved/);
  assert.ok(stopped.steps <= 8, `stopped at step ${stopped.steps}`);
});

test('fit stops at the first non-finite training loss, TerminateOnNaN at a non-finite validation loss, saying which', () => {
  const { model, data, task } = setup();
  let calls = 0;
  const r = fit<Window>({
    model,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
    trainData: data,
    epochs: 5,
    step: (w, t) => {
      const out = task.step(w, t);
      return ++calls === 3 ? { ...out, loss: out.loss.mul(NaN) } : out;
    },
    callbacks: [new TerminateOnNaN()],
  });
  assert.equal(r.steps, 3);
  assert.match(r.stoppedBecause, /^the training loss of step 3 \(epoch 0\) is NaN/);
  assert.equal(r.stop.kind, 'non-finite');
  // The NaN step reached the weights; start the second run from a fresh model.
  const fresh = setup();
  const v = fit<Window>({
    model: fresh.model,
    optimizer: new optim.SGD(fresh.model.parameters(), { lr: 0.1 }),
    trainData: fresh.data,
    validData: fresh.valid,
    epochs: 5,
    validateEvery: 2,
    step: (w, t) => {
      const out = fresh.task.step(w, t);
      return t ? out : { ...out, loss: out.loss.add(Infinity) };
    },
    callbacks: [new TerminateOnNaN()],
  });
  assert.equal(v.steps, 2);
  assert.match(v.stoppedBecause, new RegExp(`^TerminateOnNaN: invalid validation loss Infinity at step ${v.steps} `));
  assert.equal(v.stop.kind, 'non-finite');
});
