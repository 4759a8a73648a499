// Learning-rate schedules against PyTorch 1.13: the lr of every group after construction and after
// each step (test/fixtures/optim, kind "schedule"), state dict round trips, and PyTorch's documented examples.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { optim, tensor } from '../../src/index.js';
import { fixtures, leaf } from './fixtures.js';

interface Stepper {
  /** Schedules other than ReduceLROnPlateau ignore the metric. */
  step(metric: number): void;
  getLastLr(): number[];
  stateDict(): optim.ScheduleStateDict;
  loadStateDict(s: optim.ScheduleStateDict): void;
}

interface Child {
  scheduler: string;
  options: Record<string, unknown>;
}

function makeScheduler(opt: optim.Optimizer, kind: string, options: Record<string, unknown>): optim.LRScheduler {
  switch (kind) {
    case 'StepLR':
      return new optim.StepLR(opt, options as unknown as optim.StepLROptions);
    case 'ExponentialLR':
      return new optim.ExponentialLR(opt, options as unknown as optim.ExponentialLROptions);
    case 'CosineAnnealingLR':
      return new optim.CosineAnnealingLR(opt, options as unknown as optim.CosineAnnealingLROptions);
    case 'LinearLR':
      return new optim.LinearLR(opt, options as optim.LinearLROptions);
    default:
      throw new Error(`unknown schedule ${kind}`);
  }
}

/** The fixture's optimizer (SGD, one group per starting lr) and the schedules it steps together. */
function build(metadata: Record<string, string>): { opt: optim.Optimizer; steppers: Stepper[] } {
  const lrs = JSON.parse(metadata.lrs!) as number[];
  const opt = new optim.SGD(
    lrs.map((lr, i) => ({ params: [leaf(tensor(new Array<number>(i + 2).fill(0)))], lr })),
    { lr: lrs[0]! },
  );
  const kind = metadata.scheduler!;
  const options = JSON.parse(metadata.options!) as Record<string, unknown>;
  const children = (metadata.children === undefined ? [] : (JSON.parse(metadata.children) as Child[])).map((c) => makeScheduler(opt, c.scheduler, c.options));
  if (kind === 'chain') return { opt, steppers: children };
  if (kind === 'SequentialLR') {
    const milestones = JSON.parse(metadata.milestones!) as number[];
    return { opt, steppers: [new optim.SequentialLR(opt, { schedulers: children, milestones })] };
  }
  if (kind === 'ReduceLROnPlateau') return { opt, steppers: [new optim.ReduceLROnPlateau(opt, options as optim.ReduceLROnPlateauOptions)] };
  return { opt, steppers: [makeScheduler(opt, kind, options)] };
}

function lrsOf(opt: optim.Optimizer): number[] {
  return opt.paramGroups.map((g) => g.lr);
}

function closeLr(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-13 * Math.abs(expected) + 1e-18;
}

const cases = fixtures('schedule');

describe('schedules match PyTorch', () => {
  test('there is a fixture for each schedule', () => {
    const kinds = new Set(cases.map((f) => f.metadata.scheduler));
    for (const k of ['StepLR', 'ExponentialLR', 'CosineAnnealingLR', 'LinearLR', 'ReduceLROnPlateau', 'SequentialLR', 'chain']) {
      assert.ok(kinds.has(k), `no fixture for ${k}`);
    }
  });

  for (const f of cases) {
    test(f.name, () => {
      const { opt, steppers } = build(f.metadata);
      const expected = f.get('lr');
      const groups = expected.shape[1]!;
      const metrics = f.tensors.metrics;
      const check = (row: number): void => {
        const ours = lrsOf(opt);
        for (let g = 0; g < groups; g++) {
          const e = expected.data[row * groups + g]!;
          assert.ok(closeLr(ours[g]!, e), `after step ${row}, group ${g}: lr ${ours[g]}, expected ${e}`);
        }
        assert.deepEqual(steppers[steppers.length - 1]!.getLastLr(), ours, 'getLastLr');
      };
      check(0);
      for (let k = 1; k < expected.shape[0]!; k++) {
        opt.step();
        for (const s of steppers) s.step(metrics?.data[k - 1] ?? 0);
        check(k);
      }
    });
  }
});

describe('schedule state dicts resume exactly', () => {
  for (const f of cases) {
    test(f.name, () => {
      const steps = f.get('lr').shape[0]! - 1;
      const metrics = f.tensors.metrics;
      const run = (s: { opt: optim.Optimizer; steppers: Stepper[] }, from: number, to: number, out: number[][]): void => {
        for (let k = from; k < to; k++) {
          s.opt.step();
          for (const st of s.steppers) st.step(metrics?.data[k] ?? 0);
          out.push(lrsOf(s.opt));
        }
      };
      const straight: number[][] = [];
      run(build(f.metadata), 0, steps, straight);

      const half = Math.floor(steps / 2);
      const first = build(f.metadata);
      const resumedLrs: number[][] = [];
      run(first, 0, half, resumedLrs);
      // Saved through JSON, as a checkpoint would be.
      const optState = first.opt.stateDict();
      const schedState = JSON.parse(JSON.stringify(first.steppers.map((s) => s.stateDict()))) as optim.ScheduleStateDict[];
      const second = build(f.metadata);
      second.opt.loadStateDict(optState);
      second.steppers.forEach((s, i) => s.loadStateDict(schedState[i]!));
      run(second, half, steps, resumedLrs);
      assert.deepEqual(resumedLrs, straight);
    });
  }
});

describe('schedule behaviour', () => {
  function sgd(lr = 0.05): optim.SGD {
    return new optim.SGD([leaf(tensor([0]))], { lr });
  }

  function sequence(opt: optim.Optimizer, schedule: { step(): void }, n: number): number[] {
    const out = [opt.paramGroups[0]!.lr];
    for (let i = 0; i < n; i++) {
      schedule.step();
      out.push(opt.paramGroups[0]!.lr);
    }
    return out;
  }

  test("LinearLR: PyTorch's documented example", () => {
    const opt = sgd();
    const lrs = sequence(opt, new optim.LinearLR(opt, { startFactor: 0.5, totalIters: 4 }), 5);
    [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05].forEach((e, i) => assert.ok(closeLr(lrs[i]!, e), `epoch ${i}: ${lrs[i]}`));
  });

  test("StepLR: PyTorch's documented example", () => {
    const opt = sgd();
    const lrs = sequence(opt, new optim.StepLR(opt, { stepSize: 30 }), 90);
    assert.equal(lrs[29], 0.05);
    assert.ok(closeLr(lrs[30]!, 0.005) && closeLr(lrs[59]!, 0.005) && closeLr(lrs[60]!, 0.0005));
  });

  test("SequentialLR: PyTorch's documented example, with LinearLR at a constant 0.1 for two epochs", () => {
    const opt = sgd(1);
    const warm = new optim.LinearLR(opt, { startFactor: 0.1, endFactor: 0.1, totalIters: 2 });
    const decay = new optim.ExponentialLR(opt, { gamma: 0.9 });
    const lrs = sequence(opt, new optim.SequentialLR(opt, { schedulers: [warm, decay], milestones: [2] }), 4);
    [0.1, 0.1, 1, 0.9, 0.81].forEach((e, i) => assert.ok(closeLr(lrs[i]!, e), `epoch ${i}: ${lrs[i]}`));
  });

  test('attaching a schedule records initialLr once; schedules chain on the current lr', () => {
    const opt = sgd(1);
    const a = new optim.ExponentialLR(opt, { gamma: 0.5 });
    opt.paramGroups[0]!.lr = 0.8; // changed from outside
    new optim.ExponentialLR(opt, { gamma: 0.5 });
    assert.equal(opt.paramGroups[0]!.initialLr, 1);
    a.step();
    assert.equal(opt.paramGroups[0]!.lr, 0.4);
    assert.deepEqual(a.baseLrs, [1]);
  });

  test('CosineAnnealingLR reaches etaMin at tMax and the closed form agrees with the chained one', () => {
    const opt = sgd(0.1);
    const s = new optim.CosineAnnealingLR(opt, { tMax: 8, etaMin: 0.01 });
    const lrs = sequence(opt, s, 8);
    assert.ok(Math.abs(lrs[8]! - 0.01) < 1e-15);
    lrs.forEach((lr, e) => assert.ok(Math.abs(lr - (0.01 + (0.09 * (1 + Math.cos((Math.PI * e) / 8))) / 2)) < 1e-15, `epoch ${e}`));
  });

  test('ReduceLROnPlateau accepts a one-element tensor and reports lrs before its first step', () => {
    const opt = sgd(0.1);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 0 });
    assert.deepEqual(s.getLastLr(), [0.1]);
    s.step(tensor([1]));
    s.step(tensor(2));
    assert.ok(closeLr(opt.paramGroups[0]!.lr, 0.01));
    assert.equal(s.best, 1);
  });
});
