/**
 * The learning-rate schedule of `recurrent train`. A run is bounded by time, steps or epochs, so
 * the schedule follows the fraction of the budget used rather than a step count fixed in advance:
 * with `--time` alone nobody knows how many steps will fit.
 */
import { type BatchLogs, type Callback, type FitContext, ValueError } from 'recurrent';

export type LrScheduleKind = 'constant' | 'cosine';

export function lrScheduleKind(value: string): LrScheduleKind {
  if (value !== 'constant' && value !== 'cosine') throw new ValueError(`--lr-schedule: expected constant or cosine; got '${value}'`);
  return value;
}

/**
 * The cosine annealing of CosineAnnealingLR as a function of progress p ∈ [0, 1]:
 * lrMin + (lr − lrMin)·(1 + cos(π·p))/2.
 */
export function cosineLr(lr: number, lrMin: number, progress: number): number {
  const p = Math.min(1, Math.max(0, progress));
  return lrMin + (lr - lrMin) * (1 + Math.cos(Math.PI * p)) / 2;
}

export interface BudgetProgressOptions {
  /** Steps at which the run stops, counted from step 0 of the whole run (resumes included). */
  totalSteps?: number;
  /** Seconds this invocation may train. */
  maxTime?: number;
}

/**
 * The fraction of the budget used: the larger of the step and time fractions, since the run stops
 * when either reaches 1.
 */
export function budgetProgress(ctx: FitContext, o: BudgetProgressOptions): number {
  const bySteps = o.totalSteps !== undefined ? ctx.step / o.totalSteps : 0;
  const byTime = o.maxTime !== undefined ? ctx.elapsed / o.maxTime : 0;
  return Math.max(bySteps, byTime);
}

/**
 * The rate at progress p when it is held at `lr` until p = `decayFrom`, then annealed by the cosine
 * over the rest of the budget (decayFrom = 0: over all of it).
 */
export function heldCosineLr(lr: number, lrMin: number, decayFrom: number, progress: number): number {
  if (progress <= decayFrom) return lr;
  return cosineLr(lr, lrMin, (progress - decayFrom) / (1 - decayFrom));
}

/** Sets every group's learning rate after each step from the budget used. */
export class BudgetCosineCallback implements Callback {
  constructor(
    private readonly optimizer: { readonly paramGroups: readonly { lr: number }[] },
    private readonly lr: number,
    private readonly lrMin: number,
    private readonly budget: BudgetProgressOptions,
    /** Fraction of the budget, in [0, 1), before which the rate stays at `lr`. */
    private readonly decayFrom = 0,
  ) {
    if (!(decayFrom >= 0 && decayFrom < 1)) throw new ValueError(`--lr-decay-from: expected a fraction in [0, 1); got ${decayFrom}`);
  }

  private apply(ctx: FitContext): void {
    const lr = heldCosineLr(this.lr, this.lrMin, this.decayFrom, budgetProgress(ctx, this.budget));
    for (const group of this.optimizer.paramGroups) group.lr = lr;
  }

  onTrainBegin(ctx: FitContext): void {
    this.apply(ctx);
  }

  onBatchEnd(_logs: BatchLogs, ctx: FitContext): void {
    this.apply(ctx);
  }
}
