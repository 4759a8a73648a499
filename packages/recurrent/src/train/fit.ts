/**
 * `fit`: the training loop. Per batch: forward and loss (the caller's `step`), backward, optional
 * gradient clipping, optimizer step; validation every `validateEvery` steps and after each epoch;
 * metrics and callbacks throughout. Bounded by epochs, steps and/or wall-clock time.
 */
import { noGrad } from '../tensor/autograd/no_grad.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { type BatchLogs, type Callback, type FitContext, type FitStop, stoppedNonFinite } from './callbacks.js';
import { checkFitOptions } from './fit_checks.js';
import { type Metrics, MetricAccumulator } from './metrics.js';

/** What one batch produced: the mean loss over `count` items (and, optionally, how many were right). */
export interface StepResult {
  loss: Tensor;
  count: number;
  correct?: number;
}

/** The optimizer surface fit needs. */
export interface FitOptimizer {
  step(): void;
  zeroGrad(): void;
  readonly paramGroups: readonly { lr: number }[];
}

export interface FitOptions<B> {
  model: Module;
  optimizer: FitOptimizer;
  /** The training batches of epoch `epoch` (called once per epoch). */
  trainData: (epoch: number) => Iterable<B>;
  /** Forward pass and loss of one batch; `training` is false during validation. */
  step: (batch: B, training: boolean) => StepResult;
  /** The validation batches; omit to skip validation. */
  validData?: () => Iterable<B>;
  /** Called before each epoch's and each validation pass's first batch (reset carried states here); validation must not disturb the training phase's state. */
  onSequenceStart?: (phase: 'train' | 'valid') => void;
  /** Epochs to run; default 1 (unbounded when maxTime or maxSteps bounds the run). */
  epochs?: number;
  /** Stop after this many optimizer steps in total. */
  maxSteps?: number;
  /** Stop after this many seconds. */
  maxTime?: number;
  /** Clip the global gradient norm to this before each step. */
  clipGradNorm?: (params: Tensor[]) => void;
  /** Also validate every this many steps (besides each epoch's end). */
  validateEvery?: number;
  callbacks?: Callback[];
  /** Where a resumed run continues from; default 0, 0. `trainData(startEpoch)` should then yield only the batches not yet trained on. */
  startStep?: number;
  startEpoch?: number;
}

export interface FitResult {
  steps: number;
  epochs: number;
  /** Why training ended, and whether its final state is sound (`kind` is not 'non-finite'). */
  stop: FitStop;
  /** `stop.reason`. */
  stoppedBecause: string;
  lastValidation: Metrics | null;
}

/** Mean metrics of `step` over `batches`, without autograd and in eval mode. */
export function evaluate<B>(model: Module, batches: Iterable<B>, step: (batch: B, training: boolean) => StepResult): Metrics {
  const wasTraining = model.training;
  model.eval();
  const acc = new MetricAccumulator();
  try {
    noGrad(() => {
      for (const batch of batches) {
        const r = step(batch, false);
        acc.add(r.loss.item(), r.count, r.correct);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return acc.result();
}

/** The first parameter holding NaN or ±Inf, with its name and the value, or null when all are finite. */
function firstNonFinite(named: readonly [string, Tensor][]): { name: string; value: number } | null {
  for (const [name, p] of named) {
    const data = p.data;
    for (let i = 0; i < data.length; i++) {
      const v = Number(data[i]);
      if (!Number.isFinite(v)) return { name, value: v };
    }
  }
  return null;
}

/**
 * Trains `model`. Each step's loss is computed on the parameters the previous step left; after
 * the update, the loss and the parameters are checked: a non-finite one stops the run at that step
 * (`stop.kind` 'non-finite') before any callback sees it, so a CheckpointCallback keeps the last
 * good checkpoint. A budget already reached (`maxSteps ≤ startStep`, `startEpoch ≥ epochs`) takes no step.
 */
export function fit<B>(options: FitOptions<B>): FitResult {
  const { model, optimizer, callbacks = [] } = options;
  const bounded = options.maxTime !== undefined || options.maxSteps !== undefined;
  const epochs = options.epochs ?? (bounded ? Infinity : 1);
  checkFitOptions(options);
  const started = performance.now();
  let stopped: FitStop | null = null;
  const ctx: FitContext = {
    step: options.startStep ?? 0,
    epoch: options.startEpoch ?? 0,
    elapsed: 0,
    stop: (reason, kind = 'callback') => {
      stopped ??= { kind, reason };
    },
    get stopped() {
      return stopped;
    },
  };
  const seconds = (): number => (performance.now() - started) / 1000;
  // Checked before each step as well as after: a resumed run that already reached its budget takes none.
  const checkBudget = (): void => {
    if (options.maxSteps !== undefined && ctx.step >= options.maxSteps) ctx.stop(`reached ${options.maxSteps} steps`, 'steps');
    if (options.maxTime !== undefined && ctx.elapsed >= options.maxTime) ctx.stop(`reached the time limit of ${options.maxTime} s`, 'time');
  };
  let lastValidation: Metrics | null = null;
  let validatedAt = -1;
  const validate = (): void => {
    if (!options.validData || validatedAt === ctx.step || stoppedNonFinite(ctx)) return;
    validatedAt = ctx.step;
    options.onSequenceStart?.('valid');
    lastValidation = evaluate(model, options.validData(), options.step);
    ctx.elapsed = seconds();
    for (const cb of callbacks) cb.onValidationEnd?.(lastValidation, ctx);
  };
  const params = model.parameters();
  const named = model.namedParameters();
  model.train();
  for (const cb of callbacks) cb.onTrainBegin?.(ctx);
  while (ctx.epoch < epochs) {
    checkBudget();
    if (stopped !== null) break;
    for (const cb of callbacks) cb.onEpochBegin?.(ctx.epoch, ctx);
    options.onSequenceStart?.('train');
    const epochMetrics = new MetricAccumulator();
    let batchStart = performance.now();
    let interrupted = false;
    for (const batch of options.trainData(ctx.epoch)) {
      optimizer.zeroGrad();
      const r = options.step(batch, true);
      r.loss.backward();
      options.clipGradNorm?.(params);
      optimizer.step();
      ctx.step++;
      const loss = r.loss.item();
      if (!Number.isFinite(loss)) {
        ctx.stop(
          `the training loss of step ${ctx.step} (epoch ${ctx.epoch}) is ${loss}, computed on the parameters left by step ${ctx.step - 1}; detectAnomaly(fn) finds the op`,
          'non-finite',
        );
      } else {
        const bad = firstNonFinite(named);
        if (bad !== null) {
          ctx.stop(
            `step ${ctx.step}'s update made parameter '${bad.name}' non-finite (${bad.value}) in epoch ${ctx.epoch}, from a finite loss of ${loss.toPrecision(5)}; lower the learning rate or clip the gradients`,
            'non-finite',
          );
        }
      }
      epochMetrics.add(loss, r.count, r.correct);
      const now = performance.now();
      ctx.elapsed = seconds();
      const batchMetrics = new MetricAccumulator();
      batchMetrics.add(loss, r.count, r.correct);
      const logs: BatchLogs = {
        ...batchMetrics.result(),
        itemsPerSecond: r.count / Math.max((now - batchStart) / 1000, 1e-9),
        lr: optimizer.paramGroups[0]?.lr ?? NaN,
      };
      for (const cb of callbacks) cb.onBatchEnd?.(logs, ctx);
      if (options.validateEvery && ctx.step % options.validateEvery === 0) validate();
      checkBudget();
      if (stopped !== null) {
        interrupted = true;
        break;
      }
      batchStart = performance.now();
    }
    validate();
    for (const cb of callbacks) cb.onEpochEnd?.(ctx.epoch, epochMetrics.result(), ctx);
    // An epoch cut short stays current, so a resumed run finishes it.
    if (!interrupted) ctx.epoch++;
  }
  const stop: FitStop = stopped ?? { kind: 'epochs', reason: `completed ${epochs} epoch${epochs === 1 ? '' : 's'}` };
  for (const cb of callbacks) cb.onTrainEnd?.(ctx);
  return { steps: ctx.step, epochs: ctx.epoch, stop, stoppedBecause: stop.reason, lastValidation };
}
