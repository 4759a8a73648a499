/** ReduceLROnPlateau: cut the lr when a metric stops improving, as torch.optim.lr_scheduler.ReduceLROnPlateau. */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Optimizer } from './optimizer.js';
import { type Checks, fmtValue, nonNegative, nonNegativeInt, oneOf, rejectUnknown, unitHalfOpen, validate, withDefaults } from './options.js';
import { type ScheduleStateDict, readInt, readLrs } from './scheduler.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Factor applied to lr on a plateau, in [0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement that are tolerated; the next one cuts lr (default 10). */
  patience?: number;
  /** How much better than the best a metric must be to count as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a cut before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound of lr: one for all groups, or one per group (default 0). */
  minLr?: number | number[];
  /** A cut smaller than this is skipped (default 1e-8). */
  eps?: number;
}

type Hyperparameters = Required<Omit<ReduceLROnPlateauOptions, 'minLr'>>;

const DEFAULTS = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, eps: 1e-8 };
const CHECKS: Checks<Hyperparameters> = {
  mode: oneOf(['min', 'max']),
  factor: unitHalfOpen,
  patience: nonNegativeInt,
  threshold: nonNegative,
  thresholdMode: oneOf(['rel', 'abs']),
  cooldown: nonNegativeInt,
  eps: nonNegative,
};

/**
 * Multiplies each group's lr by `factor` (not below its `minLr`) once the metric passed to
 * `step(metric)` has failed to improve on its best for more than `patience` epochs; after a cut,
 * `cooldown` epochs pass before bad epochs are counted again. PyTorch's rules exactly, improvement
 * meaning (mode 'min') metric < best·(1 − threshold) or metric < best − threshold.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
 * const schedule = new optim.ReduceLROnPlateau(opt, { factor: 0.5, patience: 2 });
 * for (const validationLoss of [1.0, 0.8, 0.8, 0.8, 0.8]) schedule.step(validationLoss); // once per epoch
 * schedule.getLastLr(); // [0.05]: halved after a third epoch without improvement
 * ```
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  options: Hyperparameters;
  /** The lower bound of each group's lr. */
  minLrs: number[];
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Epochs since the best, not counting cooldown. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Steps taken. */
  lastEpoch = 0;
  private lastLr: number[] | null = null;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    if (!(optimizer instanceof Optimizer)) throw new ValueError(`${name}: optimizer must be an Optimizer; got ${fmtValue(optimizer)}`);
    this.optimizer = optimizer;
    const raw = withDefaults(name, DEFAULTS, options);
    rejectUnknown(name, raw, [...Object.keys(CHECKS), 'minLr']);
    this.options = validate(name, raw, CHECKS);
    this.minLrs = this.checkMinLr(name, raw.minLr ?? 0);
    this.best = this.worst();
  }

  private checkMinLr(owner: string, value: unknown): number[] {
    const groups = this.optimizer.paramGroups.length;
    if (Array.isArray(value)) {
      if (value.length !== groups) throw new ValueError(`${owner}: minLr must hold ${groups} value(s), one per parameter group; got ${fmtValue(value)}`);
      return value.map((v: unknown, i) => nonNegative(owner, `minLr[${i}]`, v));
    }
    return new Array<number>(groups).fill(nonNegative(owner, 'minLr', value));
  }

  private worst(): number {
    return this.options.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by the threshold. */
  isBetter(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /**
   * Records the epoch's metric (a number or a one-element tensor) and cuts lr on a plateau. The
   * metric is required; the parameter is optional in the type only so that this schedule fits
   * interfaces shared with the epoch-based ones (`step(metric?: number)`), and a missing metric throws.
   */
  step(metric?: number | Tensor): void {
    const current = metric instanceof Tensor && metric.size === 1 ? metric.data[0]! : metric;
    if (typeof current !== 'number') {
      throw new ValueError(
        `ReduceLROnPlateau.step: metric must be a number or a one-element Tensor; got ${metric instanceof Tensor ? `a Tensor of ${metric.size} elements` : fmtValue(metric)}`,
      );
    }
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      this.reduceLr();
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const old = group.lr;
      const next = Math.max(old * this.options.factor, this.minLrs[i] ?? 0);
      if (old - next > this.options.eps) group.lr = next;
    });
  }

  /** The lr of each group after the last step (the current lrs before the first). */
  getLastLr(): number[] {
    return this.lastLr === null ? this.optimizer.paramGroups.map((g) => g.lr) : [...this.lastLr];
  }

  /** Counters, the best metric and the hyperparameters, as plain data (`best` is null while ±Infinity, so JSON keeps it). */
  stateDict(): ScheduleStateDict {
    return {
      ...this.options,
      minLrs: [...this.minLrs],
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: this.lastLr === null ? null : [...this.lastLr],
    };
  }

  /** Restores a state saved by `stateDict`. */
  loadStateDict(dict: ScheduleStateDict): void {
    const owner = 'ReduceLROnPlateau.loadStateDict';
    if (typeof dict !== 'object' || dict === null) throw new ValueError(`${owner}: expected an object; got ${fmtValue(dict)}`);
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(CHECKS)) raw[key] = dict[key];
    const options = validate(owner, raw, CHECKS);
    const groups = this.optimizer.paramGroups.length;
    const minLrs = readLrs(owner, dict, 'minLrs', groups);
    const best = dict.best;
    if (best !== null && typeof best !== 'number') throw new ValueError(`${owner}: 'best' must be a number or null; got ${fmtValue(best)}`);
    const numBadEpochs = readInt(owner, dict, 'numBadEpochs', 0);
    const cooldownCounter = readInt(owner, dict, 'cooldownCounter', 0);
    const lastEpoch = readInt(owner, dict, 'lastEpoch', 0);
    const lastLr = dict.lastLr === null ? null : readLrs(owner, dict, 'lastLr', groups);
    this.options = options;
    this.minLrs = minLrs;
    this.best = best ?? this.worst();
    this.numBadEpochs = numBadEpochs;
    this.cooldownCounter = cooldownCounter;
    this.lastEpoch = lastEpoch;
    this.lastLr = lastLr;
  }
}
