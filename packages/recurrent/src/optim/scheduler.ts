/**
 * LRScheduler: the base of the epoch-based learning-rate schedules, as PyTorch's _LRScheduler.
 *
 * Attaching a schedule records each group's starting lr as `initialLr` (unless an earlier schedule
 * did) and takes the first step at once: epoch 0's lr is set when the schedule is built. Each
 * `step()` then advances one epoch and writes the new lr into every group, computed from the
 * groups' current lr (PyTorch's chainable form), so several schedules can act on one optimizer
 * and the sequence of lrs is PyTorch's to the last bit of the arithmetic.
 */
import { ValueError } from '../errors.js';
import { Optimizer } from './optimizer.js';
import { type Checks, fmtValue, rejectUnknown, validate, withDefaults } from './options.js';

/** A value in a schedule's state dict: plain data, so the dict can be saved as JSON. */
export type ScheduleStateValue = number | string | boolean | null | number[] | ScheduleStateDict[];

/** The state of a schedule: its counters, its lrs and its hyperparameters. */
export interface ScheduleStateDict {
  [key: string]: ScheduleStateValue;
}

/** Base of StepLR, ExponentialLR, CosineAnnealingLR and LinearLR; `O` holds the schedule's options. */
export abstract class LRScheduler<O extends object = object> {
  /** The schedule's name, as messages print it. */
  readonly name: string;
  readonly optimizer: Optimizer;
  /** The schedule's hyperparameters. */
  options: O;
  /** Each group's `initialLr`, the lr the schedule starts from. */
  baseLrs: number[];
  /** The current epoch: 0 once built, +1 per `step()`. */
  lastEpoch = -1;
  /** Steps taken since the schedule was built, its first included. */
  stepCount = 0;
  private lastLr: number[] = [];
  private readonly checks: Checks<O>;

  protected constructor(name: string, optimizer: Optimizer, options: object | undefined, defaults: object, checks: Checks<O>) {
    this.name = name;
    if (!(optimizer instanceof Optimizer)) throw new ValueError(`${name}: optimizer must be an Optimizer; got ${fmtValue(optimizer)}`);
    this.optimizer = optimizer;
    this.checks = checks;
    const raw = withDefaults(name, defaults, options);
    rejectUnknown(name, raw, Object.keys(checks));
    this.options = validate(name, raw, checks);
    for (const group of optimizer.paramGroups) if (group.initialLr === undefined) group.initialLr = group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** Each group's lr for `lastEpoch`, from the groups' current lrs (the chainable form). */
  protected abstract chainedLr(): number[];

  /** Each group's lr for `lastEpoch`, from `baseLrs` alone (the closed form). */
  protected abstract closedFormLr(): number[];

  /** Starts over at epoch 0 (subclass constructors call it last; SequentialLR calls it again). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and sets each group's lr. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.apply(this.chainedLr());
  }

  /** Jumps to `epoch` and sets each group's lr by the closed form (used by SequentialLR at a milestone). */
  stepTo(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr());
  }

  /** The lr of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The groups' current lrs. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  private apply(lrs: number[]): void {
    const groups = this.optimizer.paramGroups;
    for (let i = 0; i < groups.length && i < lrs.length; i++) groups[i]!.lr = lrs[i]!;
    this.lastLr = groups.map((g) => g.lr);
  }

  /** Counters, lrs and hyperparameters, as plain data. */
  stateDict(): ScheduleStateDict {
    const out: ScheduleStateDict = {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
    for (const [key, value] of Object.entries(this.options)) out[key] = value as ScheduleStateValue;
    return out;
  }

  /**
   * Restores a state saved by `stateDict`. The optimizer's lrs are not touched: load the
   * optimizer's own state dict too, as in PyTorch.
   */
  loadStateDict(dict: ScheduleStateDict): void {
    const owner = `${this.name}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null) throw new ValueError(`${owner}: expected an object; got ${fmtValue(dict)}`);
    const groups = this.optimizer.paramGroups.length;
    const lastEpoch = readInt(owner, dict, 'lastEpoch', -1);
    const stepCount = readInt(owner, dict, 'stepCount', 0);
    const baseLrs = readLrs(owner, dict, 'baseLrs', groups);
    const lastLr = readLrs(owner, dict, 'lastLr', groups);
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(this.checks)) raw[key] = dict[key];
    const options = validate(owner, raw, this.checks);
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
    this.options = options;
  }
}

/** An integer ≥ `min` read from a state dict. */
export function readInt(owner: string, dict: ScheduleStateDict, key: string, min: number): number {
  const v = dict[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`${owner}: '${key}' must be an integer >= ${min}; got ${fmtValue(v)}`);
  return v;
}

/** One finite number per parameter group, read from a state dict. */
export function readLrs(owner: string, dict: ScheduleStateDict, key: string, groups: number): number[] {
  const v = dict[key];
  if (!Array.isArray(v) || v.length !== groups || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ValueError(`${owner}: '${key}' must hold ${groups} finite number(s), one per parameter group; got ${fmtValue(v)}`);
  }
  return [...(v as number[])];
}
