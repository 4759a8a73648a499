/**
 * A learning-rate schedule over a training budget rather than a step count fixed in advance: a run
 * bounded by wall-clock time cannot know how many steps will fit, so the rate follows the fraction
 * of the budget (steps or seconds, whichever runs out first) already used.
 */
import { ValueError } from '../errors.js';
import { cosineAnnealing } from '../optim/lr_schedules.js';
import { nonNegative, positive, positiveInt, unitHalfOpen } from '../optim/options.js';
import type { BatchLogs, Callback, FitContext } from './callbacks.js';

/** What bounds a run; give at least one. */
export interface TrainingBudget {
  /** Steps at which the run stops, counted from step 0 of the whole run (resumes included). */
  totalSteps?: number;
  /** Seconds this invocation of `fit` may train (`ctx.elapsed` restarts at 0 on resume). */
  maxTime?: number;
}

/**
 * The fraction of the budget used after `ctx.step` steps and `ctx.elapsed` seconds: the larger of
 * the step and the time fraction, since the run stops when either reaches 1. 0 for an empty budget.
 */
export function budgetProgress(ctx: Pick<FitContext, 'step' | 'elapsed'>, budget: TrainingBudget): number {
  const bySteps = budget.totalSteps !== undefined ? ctx.step / budget.totalSteps : 0;
  const byTime = budget.maxTime !== undefined ? ctx.elapsed / budget.maxTime : 0;
  return Math.max(bySteps, byTime);
}

export interface BudgetCosineScheduleOptions extends TrainingBudget {
  /** η₀, the starting rate of every group; default each group's lr when the schedule is built. */
  lr?: number;
  /** η_min, the rate at the end of the budget; default 0. */
  etaMin?: number;
  /** Fraction of the budget, in [0, 1), during which the rate is held at η₀ before annealing; default 0. */
  decayFrom?: number;
}

/** The optimizer surface the schedule needs. */
export interface ScheduledOptimizer {
  readonly paramGroups: readonly { lr: number }[];
}

const OWNER = 'BudgetCosineSchedule';

/**
 * Cosine annealing over a budget, as a `fit` callback: with p ∈ [0, 1] the fraction of the budget
 * used (`budgetProgress`) and d = `decayFrom`, every group's rate is η₀ while p ≤ d, then
 * η_min + (η₀ − η_min)(1 + cos(π (p − d) / (1 − d))) / 2, reaching η_min when the budget runs out.
 * Set at the start of training and after every step. CosineAnnealingLR's curve, over steps or
 * seconds rather than epochs.
 *
 * @example
 * ```ts
 * import { BudgetCosineSchedule, fit, languageModelTask, nn, optim, toStreams, windows } from 'recurrent';
 *
 * const model = new nn.LanguageModel({ vocabSize: 10, hiddenSize: 16 });
 * const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
 * const ids = Int32Array.from({ length: 400 }, (_, i) => (i * 7) % 10);
 * const { streams, steps } = toStreams(ids, 4);
 * const task = languageModelTask(model);
 * // Hold 0.01 for the first half of 30 s (or 20 steps, if sooner), then anneal to 0.001.
 * const schedule = new BudgetCosineSchedule(optimizer, { etaMin: 0.001, decayFrom: 0.5, maxTime: 30, totalSteps: 20 });
 * fit({
 *   model, optimizer, trainData: () => windows(streams, steps, 4, 10), step: (w, training) => task.step(w, training),
 *   onSequenceStart: () => task.reset(), maxTime: 30, maxSteps: 20, callbacks: [schedule],
 * });
 * optimizer.paramGroups[0]!.lr; // 0.001
 * ```
 */
export class BudgetCosineSchedule implements Callback {
  /** η₀ of each parameter group. */
  readonly baseLrs: readonly number[];
  readonly etaMin: number;
  readonly decayFrom: number;
  readonly budget: Readonly<TrainingBudget>;

  constructor(
    private readonly optimizer: ScheduledOptimizer,
    options: BudgetCosineScheduleOptions,
  ) {
    const { lr, totalSteps, maxTime } = options;
    if (totalSteps === undefined && maxTime === undefined) throw new ValueError(`${OWNER}: the budget needs totalSteps or maxTime`);
    this.budget = {
      totalSteps: totalSteps === undefined ? undefined : positiveInt(OWNER, 'totalSteps', totalSteps),
      maxTime: maxTime === undefined ? undefined : positive(OWNER, 'maxTime', maxTime),
    };
    this.etaMin = nonNegative(OWNER, 'etaMin', options.etaMin ?? 0);
    this.decayFrom = unitHalfOpen(OWNER, 'decayFrom', options.decayFrom ?? 0);
    this.baseLrs = optimizer.paramGroups.map((g) => (lr === undefined ? g.lr : nonNegative(OWNER, 'lr', lr)));
  }

  /** Every group's rate when a fraction `progress` of the budget is used (clamped to [0, 1]). */
  lrsAt(progress: number): number[] {
    const p = Math.min(1, Math.max(0, progress));
    return this.baseLrs.map((base) => (p <= this.decayFrom ? base : cosineAnnealing(base, this.etaMin, (p - this.decayFrom) / (1 - this.decayFrom))));
  }

  onTrainBegin(ctx: FitContext): void {
    this.apply(ctx);
  }

  onBatchEnd(_logs: BatchLogs, ctx: FitContext): void {
    this.apply(ctx);
  }

  private apply(ctx: FitContext): void {
    const lrs = this.lrsAt(budgetProgress(ctx, this.budget));
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i]!;
    });
  }
}
