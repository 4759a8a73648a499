// fit checks its bounds and cadences before training: a value that would run forever, never
// stop, or validate at every step is a ValueError naming the option and the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, type FitOptions, manualSeed, nn, optim, tensor, type Tensor, ValueError } from '../../src/index.js';

/** fit on a one-weight regression, 3 batches an epoch; trainData refuses to go on past 20 epochs. */
function run(over: Partial<FitOptions<Tensor>>): { steps: number; epochs: number; stoppedBecause: string; validations: number } {
  manualSeed(0);
  const model = new nn.Linear({ inFeatures: 1, outFeatures: 1 });
  let epochsStarted = 0;
  let validations = 0;
  const result = fit<Tensor>({
    model,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }),
    trainData: () => {
      if (++epochsStarted > 20) throw new Error('fit ran on past 20 epochs');
      return [tensor([[1]]), tensor([[2]]), tensor([[3]])];
    },
    validData: () => [tensor([[1]])],
    step: (x) => ({ loss: model.forward(x).sub(x).pow(2).mean(), count: 1 }),
    callbacks: [{ onValidationEnd: () => void validations++ }],
    ...over,
  });
  return { ...result, validations };
}

const refuses = (over: Partial<FitOptions<Tensor>>, message: string) =>
  assert.throws(
    () => run(over),
    (e: unknown) => e instanceof ValueError && e.message === message,
  );

test('valid bounds and cadences run as given', () => {
  assert.deepEqual(
    [run({ epochs: 2 })].map((r) => [r.steps, r.epochs, r.stoppedBecause, r.validations]),
    [[6, 2, 'completed 2 epochs', 2]],
  );
  const bounded = run({ maxSteps: 4, validateEvery: 2 });
  assert.deepEqual([bounded.steps, bounded.stoppedBecause, bounded.validations], [4, 'reached 4 steps', 3]); // steps 2, 3 (epoch end), 4
  const resumed = run({ startStep: 10, startEpoch: 1, epochs: 2 });
  assert.deepEqual([resumed.steps, resumed.epochs], [13, 2]);
  assert.match(run({ maxTime: 1e-9 }).stoppedBecause, /reached the time limit of 1e-9 s/);
});

test('epochs must be a positive integer', () => {
  refuses({ epochs: 0 }, 'fit: epochs must be a positive integer; got 0');
  refuses({ epochs: -1 }, 'fit: epochs must be a positive integer; got -1');
  refuses({ epochs: 1.5 }, 'fit: epochs must be a positive integer; got 1.5');
  refuses({ epochs: NaN }, 'fit: epochs must be a positive integer; got NaN');
});

test('maxSteps must be a positive integer (NaN would never stop)', () => {
  refuses({ maxSteps: NaN }, 'fit: maxSteps must be a positive integer; got NaN');
  refuses({ maxSteps: 0 }, 'fit: maxSteps must be a positive integer; got 0');
  refuses({ maxSteps: 2.5 }, 'fit: maxSteps must be a positive integer; got 2.5');
});

test('maxTime must be a positive number of seconds', () => {
  refuses({ maxTime: NaN }, 'fit: maxTime must be a number of seconds > 0; got NaN');
  refuses({ maxTime: 0 }, 'fit: maxTime must be a number of seconds > 0; got 0');
  refuses({ maxTime: -5 }, 'fit: maxTime must be a number of seconds > 0; got -5');
});

test('validateEvery must be a positive integer', () => {
  refuses({ validateEvery: 0.5 }, 'fit: validateEvery must be a positive integer; got 0.5');
  refuses({ validateEvery: -2 }, 'fit: validateEvery must be a positive integer; got -2');
  refuses({ validateEvery: NaN }, 'fit: validateEvery must be a positive integer; got NaN');
});

test('startStep and startEpoch must be non-negative integers', () => {
  refuses({ startStep: -1 }, 'fit: startStep must be a non-negative integer; got -1');
  refuses({ startStep: 1.5 }, 'fit: startStep must be a non-negative integer; got 1.5');
  refuses({ startEpoch: -1 }, 'fit: startEpoch must be a non-negative integer; got -1');
  refuses({ startEpoch: NaN }, 'fit: startEpoch must be a non-negative integer; got NaN');
});
