import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetCosineCallback, budgetProgress, cosineLr, heldCosineLr, lrScheduleKind } from '../src/lr_schedule.js';
import type { BatchLogs, FitContext } from 'recurrent';

const logs = (lr: number): BatchLogs => ({ loss: 0, perplexity: 1, bitsPerChar: 0, count: 1, itemsPerSecond: 1, lr });
const ctx = (step: number, elapsed: number): FitContext => ({ step, epoch: 0, elapsed, stop: () => {} });

test('cosineLr follows CosineAnnealingLR\'s closed form and clamps progress', () => {
  assert.equal(cosineLr(0.1, 0.01, 0), 0.1);
  assert.ok(Math.abs(cosineLr(0.1, 0.01, 0.5) - 0.055) < 1e-15);
  assert.ok(Math.abs(cosineLr(0.1, 0.01, 1) - 0.01) < 1e-15);
  assert.equal(cosineLr(0.1, 0.01, 2), cosineLr(0.1, 0.01, 1));
  assert.equal(cosineLr(0.1, 0.01, -1), 0.1);
  // Against the per-step form: lr_e = η_min + (η₀ − η_min)(1 + cos(πe/T))/2 with T = 8.
  for (let e = 0; e <= 8; e++) assert.ok(Math.abs(cosineLr(2e-3, 0, e / 8) - 1e-3 * (1 + Math.cos(Math.PI * e / 8))) < 1e-18);
});

test('budgetProgress is the larger of the step and the time fraction', () => {
  assert.equal(budgetProgress(ctx(10, 30), { totalSteps: 100, maxTime: 60 }), 0.5);
  assert.equal(budgetProgress(ctx(80, 30), { totalSteps: 100, maxTime: 60 }), 0.8);
  assert.equal(budgetProgress(ctx(80, 30), {}), 0);
});

test('BudgetCosineCallback sets every group\'s rate after each step', () => {
  const optimizer = { paramGroups: [{ lr: 1 }, { lr: 1 }] };
  const cb = new BudgetCosineCallback(optimizer, 0.2, 0, { totalSteps: 4 });
  cb.onTrainBegin(ctx(0, 0));
  assert.deepEqual(optimizer.paramGroups.map((g) => g.lr), [0.2, 0.2]);
  cb.onBatchEnd(logs(0.2), ctx(2, 1));
  assert.ok(optimizer.paramGroups.every((g) => Math.abs(g.lr - 0.1) < 1e-15));
  cb.onBatchEnd(logs(0.1), ctx(4, 2));
  assert.ok(optimizer.paramGroups.every((g) => Math.abs(g.lr) < 1e-15));
});

test('heldCosineLr holds the rate until decayFrom, then anneals over the rest of the budget', () => {
  assert.equal(heldCosineLr(0.1, 0, 0.8, 0.5), 0.1);
  assert.equal(heldCosineLr(0.1, 0, 0.8, 0.8), 0.1);
  assert.ok(Math.abs(heldCosineLr(0.1, 0, 0.8, 0.9) - 0.05) < 1e-15);
  assert.ok(Math.abs(heldCosineLr(0.1, 0.01, 0.8, 1) - 0.01) < 1e-15);
  assert.equal(heldCosineLr(0.1, 0, 0, 0.5), cosineLr(0.1, 0, 0.5));
  const optimizer = { paramGroups: [{ lr: 1 }] };
  const cb = new BudgetCosineCallback(optimizer, 0.2, 0, { totalSteps: 10 }, 0.5);
  cb.onBatchEnd(logs(0.2), ctx(4, 0));
  assert.equal(optimizer.paramGroups[0]!.lr, 0.2);
  cb.onBatchEnd(logs(0.2), ctx(10, 0));
  assert.ok(Math.abs(optimizer.paramGroups[0]!.lr) < 1e-15);
  assert.throws(() => new BudgetCosineCallback(optimizer, 0.2, 0, {}, 1), /--lr-decay-from: expected a fraction in \[0, 1\); got 1/);
});

test('lrScheduleKind names the flag and the choices', () => {
  assert.throws(() => lrScheduleKind('linear'), /--lr-schedule: expected constant or cosine; got 'linear'/);
});
