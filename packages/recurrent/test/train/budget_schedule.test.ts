// The budget-based cosine schedule: CosineAnnealingLR's curve over the fraction of a step or time
// budget used, optionally held at the starting rate for a first part of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim, tensor } from '../../src/index.js';
import type { BatchLogs, FitContext } from '../../src/train/callbacks.js';
import { BudgetCosineSchedule, budgetProgress } from '../../src/train/budget_schedule.js';
import { cosineAnnealing } from '../../src/optim/lr_schedules.js';

const logs = (lr: number): BatchLogs => ({ loss: 0, perplexity: 1, bitsPerChar: 0, count: 1, itemsPerSecond: 1, lr });
const ctx = (step: number, elapsed: number): FitContext => ({ step, epoch: 0, elapsed, stop: () => {} });

test("cosineAnnealing is CosineAnnealingLR's closed form", () => {
  assert.equal(cosineAnnealing(0.1, 0.01, 0), 0.1);
  assert.ok(Math.abs(cosineAnnealing(0.1, 0.01, 0.5) - 0.055) < 1e-15);
  assert.ok(Math.abs(cosineAnnealing(0.1, 0.01, 1) - 0.01) < 1e-15);
  // Against the per-epoch form lr_e = η_min + (η₀ − η_min)(1 + cos(πe/T))/2 with T = 8, and the scheduler itself.
  const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 2e-3 });
  const scheduler = new optim.CosineAnnealingLR(opt, { tMax: 8 });
  for (let e = 0; e <= 8; e++) {
    assert.ok(Math.abs(cosineAnnealing(2e-3, 0, e / 8) - 1e-3 * (1 + Math.cos((Math.PI * e) / 8))) < 1e-18);
    assert.ok(Math.abs(cosineAnnealing(2e-3, 0, e, 8) - opt.paramGroups[0]!.lr) < 1e-18, `epoch ${e}`);
    scheduler.step();
  }
});

test('budgetProgress is the larger of the step and the time fraction', () => {
  assert.equal(budgetProgress(ctx(10, 30), { totalSteps: 100, maxTime: 60 }), 0.5);
  assert.equal(budgetProgress(ctx(80, 30), { totalSteps: 100, maxTime: 60 }), 0.8);
  assert.equal(budgetProgress(ctx(80, 30), {}), 0);
});

test("BudgetCosineSchedule sets every group's rate at the start and after each step, and clamps past the budget", () => {
  const optimizer = { paramGroups: [{ lr: 1 }, { lr: 1 }] };
  const cb = new BudgetCosineSchedule(optimizer, { lr: 0.2, totalSteps: 4 });
  cb.onTrainBegin(ctx(0, 0));
  assert.deepEqual(
    optimizer.paramGroups.map((g) => g.lr),
    [0.2, 0.2],
  );
  cb.onBatchEnd(logs(0.2), ctx(2, 1));
  assert.ok(optimizer.paramGroups.every((g) => Math.abs(g.lr - 0.1) < 1e-15));
  cb.onBatchEnd(logs(0.1), ctx(4, 2));
  assert.ok(optimizer.paramGroups.every((g) => Math.abs(g.lr) < 1e-15));
  cb.onBatchEnd(logs(0), ctx(6, 3));
  assert.ok(
    optimizer.paramGroups.every((g) => Math.abs(g.lr) < 1e-15),
    'past the budget the rate stays at etaMin',
  );
  // Without lr, each group anneals from its own rate; time can end the budget before the steps.
  const groups = { paramGroups: [{ lr: 0.4 }, { lr: 0.2 }] };
  const own = new BudgetCosineSchedule(groups, { etaMin: 0.1, totalSteps: 100, maxTime: 10 });
  assert.deepEqual(own.baseLrs, [0.4, 0.2]);
  own.onBatchEnd(logs(0.4), ctx(1, 10));
  assert.deepEqual(
    groups.paramGroups.map((g) => g.lr),
    [0.1, 0.1],
  );
});

test('BudgetCosineSchedule holds the rate until decayFrom, then anneals over the rest of the budget', () => {
  const held = new BudgetCosineSchedule({ paramGroups: [{ lr: 0.1 }] }, { etaMin: 0, decayFrom: 0.8, totalSteps: 10 });
  assert.deepEqual(held.lrsAt(0.5), [0.1]);
  assert.deepEqual(held.lrsAt(0.8), [0.1]);
  assert.ok(Math.abs(held.lrsAt(0.9)[0]! - 0.05) < 1e-15);
  const toMin = new BudgetCosineSchedule({ paramGroups: [{ lr: 0.1 }] }, { etaMin: 0.01, decayFrom: 0.8, totalSteps: 10 });
  assert.ok(Math.abs(toMin.lrsAt(1)[0]! - 0.01) < 1e-15);
  const plain = new BudgetCosineSchedule({ paramGroups: [{ lr: 0.1 }] }, { totalSteps: 10 });
  assert.deepEqual(plain.lrsAt(0.5), [cosineAnnealing(0.1, 0, 0.5)]);
  const optimizer = { paramGroups: [{ lr: 1 }] };
  const cb = new BudgetCosineSchedule(optimizer, { lr: 0.2, totalSteps: 10, decayFrom: 0.5 });
  cb.onBatchEnd(logs(0.2), ctx(4, 0));
  assert.equal(optimizer.paramGroups[0]!.lr, 0.2);
  cb.onBatchEnd(logs(0.2), ctx(10, 0));
  assert.ok(Math.abs(optimizer.paramGroups[0]!.lr) < 1e-15);
});

test('bad schedule options are clear errors', () => {
  const optimizer = { paramGroups: [{ lr: 0.1 }] };
  assert.throws(
    () => new BudgetCosineSchedule(optimizer, { totalSteps: 10, decayFrom: 1 }),
    /^ValueError: BudgetCosineSchedule: decayFrom must be in \[0, 1\); got 1$/,
  );
  assert.throws(() => new BudgetCosineSchedule(optimizer, {}), /the budget needs totalSteps or maxTime/);
  assert.throws(() => new BudgetCosineSchedule(optimizer, { totalSteps: 2.5 }), /totalSteps must be/);
  assert.throws(() => new BudgetCosineSchedule(optimizer, { maxTime: -1 }), /maxTime must be a finite number > 0; got -1/);
  assert.throws(() => new BudgetCosineSchedule(optimizer, { maxTime: 1, etaMin: -0.1 }), /etaMin must be/);
});
