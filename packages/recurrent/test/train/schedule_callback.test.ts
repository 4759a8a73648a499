// ScheduleCallback steps a schedule at the cadence it is given — every optimizer step, every
// epoch, or after each validation with its loss — and refuses any other cadence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, manualSeed, nn, optim, ScheduleCallback, type Schedule, tensor, type Tensor, ValueError } from '../../src/index.js';

/** 2 epochs of 3 batches on a one-weight regression, validated every 2 steps and at each epoch's end. */
function run(schedule: Schedule, every?: 'step' | 'epoch' | 'validation'): void {
  manualSeed(0);
  const model = new nn.Linear({ inFeatures: 1, outFeatures: 1 });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const batches = [tensor([[1]]), tensor([[2]]), tensor([[3]])];
  const step = (x: Tensor) => ({ loss: model.forward(x).sub(x.mul(2)).pow(2).mean(), count: 1 });
  fit<Tensor>({
    model,
    optimizer,
    trainData: () => batches,
    validData: () => batches.slice(0, 1),
    step,
    epochs: 2,
    validateEvery: 2,
    callbacks: [every === undefined ? new ScheduleCallback(schedule) : new ScheduleCallback(schedule, every)],
  });
}

class Recorder implements Schedule {
  readonly calls: (number | undefined)[] = [];
  step(metric?: number): void {
    this.calls.push(metric);
  }
}

test("'step' steps after every optimizer step, without a metric", () => {
  const r = new Recorder();
  run(r, 'step');
  assert.deepEqual(r.calls, [undefined, undefined, undefined, undefined, undefined, undefined]);
});

test("'epoch' (the default) steps after every epoch", () => {
  const r = new Recorder();
  run(r);
  assert.deepEqual(r.calls, [undefined, undefined]);
  const e = new Recorder();
  run(e, 'epoch');
  assert.deepEqual(e.calls, [undefined, undefined]);
});

test("'validation' steps after each validation with its loss", () => {
  const r = new Recorder();
  run(r, 'validation');
  // Validations at steps 2, 3 (epoch end), 4 and 6 (every 2 steps, and the epoch's end once).
  assert.equal(r.calls.length, 4);
  assert.ok(
    r.calls.every((m) => typeof m === 'number' && Number.isFinite(m) && m >= 0),
    String(r.calls),
  );
});

test('a real schedule driven per step changes the learning rate fit reports', () => {
  manualSeed(0);
  const model = new nn.Linear({ inFeatures: 1, outFeatures: 1 });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const lrs: number[] = [];
  fit<Tensor>({
    model,
    optimizer,
    trainData: () => [tensor([[1]]), tensor([[2]]), tensor([[3]])],
    step: (x) => ({ loss: model.forward(x).pow(2).mean(), count: 1 }),
    epochs: 1,
    callbacks: [{ onBatchEnd: (logs) => void lrs.push(logs.lr) }, new ScheduleCallback(new optim.StepLR(optimizer, { stepSize: 1, gamma: 0.5 }), 'step')],
  });
  // The lr logged at a batch is the one it was trained with; the schedule halves it after each.
  assert.deepEqual(
    lrs.map((x) => Number(x.toPrecision(6))),
    [0.1, 0.05, 0.025],
  );
});

test('an unknown cadence is a ValueError naming it', () => {
  assert.throws(
    () => new ScheduleCallback(new Recorder(), 'batch' as 'step'),
    (e: unknown) => e instanceof ValueError && e.message === "ScheduleCallback: every must be 'step', 'epoch' or 'validation'; got \"batch\"",
  );
});
