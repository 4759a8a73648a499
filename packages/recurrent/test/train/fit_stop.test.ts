// How fit stops: a budget already reached takes no step; a non-finite loss or parameter stops at
// the step that produced it, says so once, and keeps CheckpointCallback from saving the broken state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mseLoss, nn, optim, randn, manualSeed } from '../../src/index.js';
import { CheckpointCallback, TerminateOnNaN } from '../../src/train/callbacks.js';
import { fit, type FitOptimizer, type FitOptions, type StepResult } from '../../src/train/fit.js';

interface Batch {
  x: ReturnType<typeof randn>;
  y: ReturnType<typeof randn>;
}

function setup(): { model: nn.Linear; batches: () => Iterable<Batch>; step: (b: Batch) => StepResult; pulled: () => number } {
  manualSeed(1);
  const model = new nn.Linear({ inFeatures: 3, outFeatures: 1 });
  const data = Array.from({ length: 8 }, () => ({ x: randn([4, 3]), y: randn([4, 1]) }));
  let pulled = 0;
  const batches = function* (): Iterable<Batch> {
    for (const b of data) {
      pulled++;
      yield b;
    }
  };
  return { model, batches, step: (b) => ({ loss: mseLoss(model.forward(b.x), b.y), count: 4 }), pulled: () => pulled };
}

/** An SGD whose `breakAt`-th step writes NaN into the first weight, as a diverging update would. */
function breakingOptimizer(model: nn.Linear, breakAt: number): FitOptimizer {
  const inner = new optim.SGD(model.parameters(), { lr: 0.01 });
  let steps = 0;
  return {
    paramGroups: inner.paramGroups,
    zeroGrad: () => inner.zeroGrad(),
    step: () => {
      inner.step();
      if (++steps === breakAt) model.weight.data[0] = NaN;
    },
  };
}

function recordingCheckpoint(every: number): { callback: CheckpointCallback; saves: string[] } {
  const saves: string[] = [];
  return { callback: new CheckpointCallback((ctx, reason) => saves.push(`${reason} ${ctx.step}`), { every }), saves };
}

test('a run that already reached maxSteps takes no step and saves nothing', () => {
  const { model, batches, step, pulled } = setup();
  const { callback, saves } = recordingCheckpoint(5);
  const options: FitOptions<Batch> = { model, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), trainData: batches, step, callbacks: [callback] };
  const r = fit({ ...options, maxSteps: 10, startStep: 10 });
  assert.equal(r.steps, 10);
  assert.equal(pulled(), 0, 'no batch was drawn');
  assert.deepEqual(saves, [], 'nothing changed, so nothing is saved');
  assert.equal(r.stop.kind, 'steps');
  assert.equal(r.stoppedBecause, 'reached 10 steps');
  // Past the budget, too; and a run with steps left takes exactly those.
  assert.equal(fit({ ...options, maxSteps: 10, startStep: 12 }).steps, 12);
  assert.equal(fit({ ...options, maxSteps: 10, startStep: 7 }).steps, 10);
  assert.deepEqual(saves, ['periodic 10', 'end 10']);
  assert.equal(fit({ ...options, epochs: 2, startEpoch: 2, startStep: 16 }).steps, 16);
});

test('an update that makes a parameter non-finite stops fit at that step, and its state is not saved', () => {
  const { model, batches, step } = setup();
  const { callback, saves } = recordingCheckpoint(1);
  const r = fit({ model, optimizer: breakingOptimizer(model, 3), trainData: batches, step, epochs: 5, callbacks: [new TerminateOnNaN(), callback] });
  assert.equal(r.steps, 3);
  assert.equal(r.stop.kind, 'non-finite');
  assert.match(r.stoppedBecause, /^step 3's update made parameter 'weight' non-finite \(NaN\)/);
  assert.equal(r.stoppedBecause.match(/step 3/g)?.length, 1, `the step is named once: ${r.stoppedBecause}`);
  assert.deepEqual(saves, ['periodic 1', 'periodic 2'], 'the broken state after step 3 is never saved');
  assert.equal(callback.lastSaved?.step, 2);
});

test('a non-finite loss stops fit at its step, naming the parameters it was computed on', () => {
  const { model, batches, step } = setup();
  const { callback, saves } = recordingCheckpoint(1);
  let calls = 0;
  const r = fit({
    model,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }),
    trainData: batches,
    step: (b) => {
      const out = step(b);
      return ++calls === 4 ? { ...out, loss: out.loss.mul(NaN) } : out;
    },
    epochs: 5,
    callbacks: [callback],
  });
  assert.equal(r.steps, 4);
  assert.equal(r.stop.kind, 'non-finite');
  assert.match(r.stoppedBecause, /^the training loss of step 4 \(epoch 0\) is NaN, computed on the parameters left by step 3/);
  assert.deepEqual(saves, ['periodic 1', 'periodic 2', 'periodic 3']);
});
