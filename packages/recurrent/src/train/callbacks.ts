/**
 * Callbacks hook into `fit`, as Keras's do: progress display, early stopping, checkpointing and
 * learning-rate schedules are all callbacks.
 */
import { ValueError, fmtValue } from '../errors.js';
import type { Metrics } from './metrics.js';

/**
 * Why a run ended: its epochs done, its step or time budget reached, a callback's request (early
 * stopping), or a non-finite loss or parameter — then the state at the stop is broken and must
 * not replace a good checkpoint.
 */
export type StopKind = 'epochs' | 'steps' | 'time' | 'callback' | 'non-finite';

export interface FitStop {
  kind: StopKind;
  /** A sentence for people, e.g. `reached 400 steps`. */
  reason: string;
}

/** What a callback sees of the run. */
export interface FitContext {
  /** Optimizer steps taken so far (over all epochs, including resumed ones). */
  step: number;
  epoch: number;
  /** Seconds since fit started. */
  elapsed: number;
  /** Ask fit to stop after the current batch; the first request wins. `kind` defaults to 'callback'. */
  stop(reason: string, kind?: StopKind): void;
  /** The stop requested so far, if any (set before the callbacks run when the step went non-finite). */
  readonly stopped?: FitStop | null;
}

/** True when the run is stopping because its state went non-finite: nothing of it may be saved. */
export function stoppedNonFinite(ctx: FitContext): boolean {
  return ctx.stopped?.kind === 'non-finite';
}

export interface BatchLogs extends Metrics {
  /** Items per second over the last batch. */
  itemsPerSecond: number;
  /** Learning rate of the first parameter group. */
  lr: number;
}

export interface Callback {
  onTrainBegin?(ctx: FitContext): void;
  onEpochBegin?(epoch: number, ctx: FitContext): void;
  onBatchEnd?(logs: BatchLogs, ctx: FitContext): void;
  /** After each validation pass (every `validateEvery` steps and at each epoch's end). */
  onValidationEnd?(metrics: Metrics, ctx: FitContext): void;
  onEpochEnd?(epoch: number, train: Metrics, ctx: FitContext): void;
  onTrainEnd?(ctx: FitContext): void;
}

export interface EarlyStoppingOptions {
  /** Validation passes without improvement before stopping; default 3. */
  patience?: number;
  /** Smallest decrease of the validation loss that counts as improvement; default 0. */
  minDelta?: number;
}

/** Stops training when the validation loss has not improved for `patience` validation passes. */
export class EarlyStopping implements Callback {
  private best = Infinity;
  private waited = 0;
  readonly patience: number;
  readonly minDelta: number;

  constructor(options: EarlyStoppingOptions = {}) {
    this.patience = options.patience ?? 3;
    this.minDelta = options.minDelta ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new ValueError(`EarlyStopping: patience must be a non-negative integer; got ${options.patience}`);
  }

  onValidationEnd(metrics: Metrics, ctx: FitContext): void {
    if (metrics.loss < this.best - this.minDelta) {
      this.best = metrics.loss;
      this.waited = 0;
    } else if (++this.waited > this.patience) {
      ctx.stop(`validation loss has not improved for ${this.waited} passes (best ${this.best.toFixed(4)})`);
    }
  }
}

/**
 * Stops training as soon as a validation loss is NaN or ±Inf, with a message naming the step, the
 * epoch and the loss (Keras's TerminateOnNaN). `fit` itself stops on a non-finite training loss or
 * parameter, at the step that produced it. To find the op that produced the first NaN, rerun the
 * step under `detectAnomaly`.
 */
export class TerminateOnNaN implements Callback {
  onValidationEnd(metrics: Metrics, ctx: FitContext): void {
    if (!Number.isFinite(metrics.loss)) {
      ctx.stop(`TerminateOnNaN: invalid validation loss ${metrics.loss} at step ${ctx.step} (epoch ${ctx.epoch}); terminating training`, 'non-finite');
    }
  }
}

export type CheckpointReason = 'periodic' | 'best' | 'end';

/**
 * Calls `save` every `every` steps, at the end of training, and (with `onImprovement`) whenever
 * validation improves. It never saves a non-finite state (a run stopping on NaN keeps the last
 * good checkpoint), nor at the end of a run that took no step (the checkpoint is already that state).
 */
export class CheckpointCallback implements Callback {
  private best = Infinity;
  private startStep = 0;
  private saved: { step: number; reason: CheckpointReason } | null = null;

  constructor(
    private readonly save: (ctx: FitContext, reason: CheckpointReason) => void,
    private readonly options: { every?: number; onImprovement?: boolean } = {},
  ) {}

  /** The step and reason of the last save during this run, or null if it saved nothing. */
  get lastSaved(): { step: number; reason: CheckpointReason } | null {
    return this.saved;
  }

  private write(ctx: FitContext, reason: CheckpointReason): void {
    if (stoppedNonFinite(ctx)) return;
    this.save(ctx, reason);
    this.saved = { step: ctx.step, reason };
  }

  onTrainBegin(ctx: FitContext): void {
    this.startStep = ctx.step;
  }

  onBatchEnd(_: BatchLogs, ctx: FitContext): void {
    const every = this.options.every;
    if (every !== undefined && every > 0 && ctx.step % every === 0) this.write(ctx, 'periodic');
  }

  onValidationEnd(metrics: Metrics, ctx: FitContext): void {
    if (this.options.onImprovement && metrics.loss < this.best) {
      this.best = metrics.loss;
      this.write(ctx, 'best');
    }
  }

  onTrainEnd(ctx: FitContext): void {
    if (ctx.step !== this.startStep) this.write(ctx, 'end');
  }
}

/** Something with a `step()` that adjusts the learning rate (StepLR, CosineAnnealingLR, …) or `step(metric)` (ReduceLROnPlateau). */
export interface Schedule {
  step(metric?: number): void;
}

/** Steps a schedule every optimizer step ('step'), every epoch ('epoch'), or after each validation with its loss ('validation'). */
export class ScheduleCallback implements Callback {
  constructor(
    private readonly schedule: Schedule,
    private readonly every: 'step' | 'epoch' | 'validation' = 'epoch',
  ) {
    // Any other value would never step the schedule, silently.
    if (every !== 'step' && every !== 'epoch' && every !== 'validation') {
      throw new ValueError(`ScheduleCallback: every must be 'step', 'epoch' or 'validation'; got ${fmtValue(every)}`);
    }
  }

  onBatchEnd(): void {
    if (this.every === 'step') this.schedule.step();
  }

  onEpochEnd(): void {
    if (this.every === 'epoch') this.schedule.step();
  }

  onValidationEnd(metrics: Metrics): void {
    if (this.every === 'validation') this.schedule.step(metrics.loss);
  }
}
