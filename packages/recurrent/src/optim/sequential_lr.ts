/** SequentialLR: schedules that take over from one another at milestones, as torch.optim.lr_scheduler.SequentialLR. */
import { ValueError } from '../errors.js';
import { Optimizer } from './optimizer.js';
import { fmtValue } from './options.js';
import { LRScheduler, type ScheduleStateDict, readInt, readLrs } from './scheduler.js';

export interface SequentialLROptions {
  /** The schedules, in order, all built on this optimizer (at least one). */
  schedulers: LRScheduler[];
  /** The epochs at which each next schedule takes over: increasing integers ≥ 1, one fewer than the schedules. */
  milestones: number[];
}

/**
 * Runs `schedulers[0]` until the first milestone, then `schedulers[1]` until the next, and so on.
 * As in PyTorch, building it resets every group's lr to its `initialLr` and restarts the first
 * schedule at epoch 0; a schedule that takes over at milestone m starts again from its own
 * epoch 0 (by its closed form), and later steps continue it.
 *
 * @example
 * ```ts
 * import { nn, optim } from 'recurrent';
 * const opt = new optim.SGD(new nn.Linear({ inFeatures: 4, outFeatures: 1 }).parameters(), { lr: 0.1 });
 * // 5 epochs of linear warm-up from 0.1·lr, then cosine decay over 45 epochs
 * const warmup = new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new optim.CosineAnnealingLR(opt, { tMax: 45 });
 * const schedule = new optim.SequentialLR(opt, { schedulers: [warmup, decay], milestones: [5] });
 * schedule.getLastLr(); // [0.01]
 * ```
 */
export class SequentialLR {
  readonly optimizer: Optimizer;
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  /** The current epoch: 0 once built, +1 per `step()`. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: SequentialLROptions) {
    const name = 'SequentialLR';
    if (!(optimizer instanceof Optimizer)) throw new ValueError(`${name}: optimizer must be an Optimizer; got ${fmtValue(optimizer)}`);
    const { schedulers, milestones } = options ?? {};
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new ValueError(`${name}: schedulers must be a non-empty array of schedules; got ${fmtValue(schedulers)}`);
    }
    schedulers.forEach((s: unknown, i) => {
      if (!(s instanceof LRScheduler)) throw new ValueError(`${name}: schedulers[${i}] must be an LRScheduler (StepLR, LinearLR, …); got ${fmtValue(s)}`);
      if (s.optimizer !== optimizer) throw new ValueError(`${name}: schedulers[${i}] belongs to a different optimizer`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new ValueError(`${name}: milestones must hold ${schedulers.length - 1} epoch(s), one fewer than the schedulers; got ${fmtValue(milestones)}`);
    }
    milestones.forEach((m: unknown, i) => {
      const prev = i === 0 ? 0 : milestones[i - 1]!;
      if (typeof m !== 'number' || !Number.isInteger(m) || m <= prev) {
        throw new ValueError(`${name}: milestones[${i}] must be an integer > ${prev}; got ${fmtValue(m)}`);
      }
    });
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    for (const group of optimizer.paramGroups) group.lr = group.initialLr ?? group.lr;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  /** Advances one epoch, stepping the schedule in charge of it. */
  step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= this.lastEpoch) idx++;
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.stepTo(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  /** The lr of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Its own counters and the state of every schedule. */
  stateDict(): ScheduleStateDict {
    return {
      lastEpoch: this.lastEpoch,
      milestones: [...this.milestones],
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /** Restores a state saved by `stateDict` (the milestones must be the same). */
  loadStateDict(dict: ScheduleStateDict): void {
    const owner = 'SequentialLR.loadStateDict';
    if (typeof dict !== 'object' || dict === null) throw new ValueError(`${owner}: expected an object; got ${fmtValue(dict)}`);
    const lastEpoch = readInt(owner, dict, 'lastEpoch', 0);
    const lastLr = readLrs(owner, dict, 'lastLr', this.optimizer.paramGroups.length);
    const milestones = dict.milestones;
    if (!Array.isArray(milestones) || milestones.length !== this.milestones.length || milestones.some((m, i) => m !== this.milestones[i])) {
      throw new ValueError(`${owner}: milestones ${fmtValue(milestones)} differ from this schedule's ${fmtValue(this.milestones)}`);
    }
    const states = dict.schedulers;
    if (!Array.isArray(states) || states.length !== this.schedulers.length) {
      throw new ValueError(`${owner}: expected the states of ${this.schedulers.length} schedulers; got ${fmtValue(states)}`);
    }
    this.schedulers.forEach((s, i) => s.loadStateDict(states[i] as ScheduleStateDict));
    this.lastEpoch = lastEpoch;
    this.lastLr = lastLr;
  }
}
