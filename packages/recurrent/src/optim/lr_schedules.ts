/**
 * Epoch-based learning-rate schedules: StepLR, ExponentialLR, CosineAnnealingLR and LinearLR, with
 * PyTorch's chainable forms (used by `step()`) and closed forms (used at SequentialLR milestones).
 * Each is built after the optimizer; its first step happens in the constructor, so `step()` is
 * called once per epoch after `optimizer.step()`.
 */
import { ValueError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { type Checks, fmtValue, nonNegative, positive, positiveInt, unitClosed } from './options.js';
import { LRScheduler } from './scheduler.js';

export interface StepLROptions {
  /** Epochs between decays (required). */
  stepSize: number;
  /** Factor applied every `stepSize` epochs (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's lr by γ every `stepSize` epochs: lr_e = lr₀ · γ^⌊e / stepSize⌋.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'recurrent';
 * const opt = new optim.SGD(new nn.Linear({ inFeatures: 4, outFeatures: 1 }).parameters(), { lr: 0.05 });
 * const schedule = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 30; epoch++) schedule.step(); // after each epoch's training
 * schedule.getLastLr(); // [0.005]: 0.05 → 0.005 at epoch 30
 * ```
 */
export class StepLR extends LRScheduler<Required<StepLROptions>> {
  constructor(optimizer: Optimizer, options: StepLROptions) {
    super('StepLR', optimizer, options, { gamma: 0.1 }, { stepSize: positiveInt, gamma: nonNegative });
    this.initialStep();
  }

  protected chainedLr(): number[] {
    const { stepSize, gamma } = this.options;
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * gamma);
  }

  protected closedFormLr(): number[] {
    const { stepSize, gamma } = this.options;
    return this.baseLrs.map((base) => base * gamma ** Math.floor(this.lastEpoch / stepSize));
  }
}

export interface ExponentialLROptions {
  /** Factor applied every epoch (required). */
  gamma: number;
}

/**
 * Multiplies each group's lr by γ every epoch: lr_e = lr₀ · γ^e.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'recurrent';
 * const opt = new optim.SGD(new nn.Linear({ inFeatures: 4, outFeatures: 1 }).parameters(), { lr: 0.1 });
 * const schedule = new optim.ExponentialLR(opt, { gamma: 0.95 });
 * schedule.step();
 * schedule.getLastLr(); // [0.095]
 * ```
 */
export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer, options, {}, { gamma: nonNegative });
    this.initialStep();
  }

  protected chainedLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.options.gamma);
  }

  protected closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.options.gamma ** this.lastEpoch);
  }
}

/**
 * The cosine annealing curve in closed form: η_min + (η₀ − η_min)(1 + cos(π t / T)) / 2, shared by
 * CosineAnnealingLR and BudgetCosineSchedule. With the default T = 1, t is the fraction of the
 * schedule done: η₀ at 0, η_min at 1. Not clamped: past T the rate rises again, as
 * CosineAnnealingLR's does.
 *
 * @param base η₀, the rate at t = 0.
 * @param min η_min, the rate at t = T.
 * @param t Position in the schedule (an epoch, a step, or a fraction of a budget).
 * @param period T, the half period; default 1.
 */
export function cosineAnnealing(base: number, min: number, t: number, period = 1): number {
  return min + ((base - min) * (1 + Math.cos((Math.PI * t) / period))) / 2;
}

export interface CosineAnnealingLROptions {
  /** Epochs of one half period, from lr₀ down to etaMin (required). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing (SGDR without restarts):
 * lr_e = η_min + (lr₀ − η_min)(1 + cos(π e / T_max)) / 2, rising again after T_max epochs.
 * Computed, as PyTorch does, by the recursive form, so changes made to lr from outside carry on.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'recurrent';
 * const opt = new optim.SGD(new nn.Linear({ inFeatures: 4, outFeatures: 1 }).parameters(), { lr: 0.1 });
 * const schedule = new optim.CosineAnnealingLR(opt, { tMax: 50, etaMin: 1e-5 });
 * for (let epoch = 0; epoch < 50; epoch++) schedule.step();
 * schedule.getLastLr(); // [0.00001]: etaMin at epoch tMax
 * ```
 */
export class CosineAnnealingLR extends LRScheduler<Required<CosineAnnealingLROptions>> {
  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer, options, { etaMin: 0 }, { tMax: positive, etaMin: nonNegative });
    this.initialStep();
  }

  protected chainedLr(): number[] {
    const { tMax: T, etaMin } = this.options;
    const e = this.lastEpoch;
    if (e === 0) return this.currentLrs();
    if (this.stepCount === 1 && e > 0) return this.closedFormLr();
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T));
    return this.currentLrs().map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  protected closedFormLr(): number[] {
    const { tMax: T, etaMin } = this.options;
    return this.baseLrs.map((base) => cosineAnnealing(base, etaMin, this.lastEpoch, T));
  }
}

export interface LinearLROptions {
  /** Factor of lr₀ at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor of lr₀ from epoch `totalIters` on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves linearly from start to end (default 5). */
  totalIters?: number;
}

/**
 * Linear warm-up (or decay): lr_e = lr₀ · (s + (f − s) · min(e, totalIters) / totalIters), with s
 * the start factor and f the end factor.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'recurrent';
 * const opt = new optim.SGD(new nn.Linear({ inFeatures: 4, outFeatures: 1 }).parameters(), { lr: 0.05 });
 * // lr 0.05: 0.025, 0.03125, 0.0375, 0.04375, then 0.05 from epoch 4 on
 * const schedule = new optim.LinearLR(opt, { startFactor: 0.5, totalIters: 4 });
 * schedule.getLastLr(); // [0.025]
 * ```
 */
export class LinearLR extends LRScheduler<Required<LinearLROptions>> {
  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer, options, { startFactor: 1 / 3, endFactor: 1, totalIters: 5 }, LINEAR_CHECKS);
    this.initialStep();
  }

  protected chainedLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this.options;
    const e = this.lastEpoch;
    if (e === 0) return this.currentLrs().map((lr) => lr * s);
    if (e > n) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this.options;
    return this.baseLrs.map((base) => base * (s + ((f - s) * Math.min(n, this.lastEpoch)) / n));
  }
}

const LINEAR_CHECKS: Checks<Required<LinearLROptions>> = {
  startFactor: (owner, key, value) => {
    if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw new ValueError(`${owner}: ${key} must be in (0, 1]; got ${fmtValue(value)}`);
    return value;
  },
  endFactor: unitClosed,
  totalIters: positiveInt,
};

/** Python's `a % b` (the result takes the sign of b). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
