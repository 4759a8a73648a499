/**
 * The training loop the text-classification examples share: the task's batches through `fit`,
 * Adam with the rate halved when the validation loss stops falling, early stopping, and the
 * parameters of the best validation loss restored at the end. Prints `epoch N loss L …` per epoch.
 */
import { type ClassifyTask, fit, type LabelledText, type Metrics, optim, Tensor } from 'recurrent';

export interface FitClassifierOptions {
  batchSize: number;
  lr: number;
  /** Seconds of training at most. */
  maxTime?: number;
  /** Epochs at most. */
  epochs?: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  seed: number;
  /** Prefix of the per-epoch lines (e.g. a fold's name). */
  prefix?: string;
  quiet?: boolean;
}

export interface FitClassifierResult {
  epochs: number;
  steps: number;
  seconds: number;
  bestEpoch: number;
  bestValidLoss: number;
  stoppedBecause: string;
}

/** Trains `task` on `train`, validating on `valid` after each epoch; restores the best epoch's parameters. */
export function fitClassifier(
  task: ClassifyTask,
  train: readonly LabelledText[],
  valid: readonly LabelledText[],
  o: FitClassifierOptions,
): FitClassifierResult {
  const examples = task.encode(train, 'train').examples;
  const validBatches = task.batches(task.encode(valid, 'valid').examples, { batchSize: 256 });
  const optimizer = new optim.Adam(task.model.parameters(), { lr: o.lr });
  const plateau = new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 0, minLr: o.lr / 50 });
  let best = { loss: Infinity, epoch: 0, state: null as Record<string, Tensor> | null };
  let bad = 0;
  let lastValid: Metrics | null = null;
  // Epochs begun, the last perhaps cut short by the time limit (fit counts only completed ones).
  let epochsRun = 0;
  const started = performance.now();
  const result = fit({
    model: task.model,
    optimizer,
    trainData: (epoch) => task.batches(examples, { batchSize: o.batchSize, shuffle: true, seed: o.seed, epoch }),
    validData: () => validBatches,
    step: (batch, training) => task.step(batch, training),
    epochs: o.epochs,
    maxTime: o.maxTime,
    clipGradNorm: (params) => void optim.clipGradNorm(params, 5),
    callbacks: [
      {
        onEpochEnd: (epoch, metrics, ctx) => {
          epochsRun = epoch + 1;
          if (o.quiet) return;
          const v = lastValid;
          const pct = (x: number | undefined): string => `${((x ?? NaN) * 100).toFixed(2)}%`;
          console.log(
            `${o.prefix ?? ''}epoch ${epoch + 1} loss ${metrics.loss.toFixed(4)} train-acc ${pct(metrics.accuracy)} valid-loss ${v?.loss.toFixed(4)} valid-acc ${pct(v?.accuracy)} lr ${optimizer.paramGroups[0]!.lr.toExponential(1)} (${Math.round(ctx.elapsed)} s)`,
          );
        },
        onValidationEnd: (metrics, ctx) => {
          lastValid = metrics;
          plateau.step(metrics.loss);
          if (metrics.loss < best.loss) {
            const state = Object.fromEntries(Object.entries(task.model.stateDict()).map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
            best = { loss: metrics.loss, epoch: ctx.epoch + 1, state };
            bad = 0;
          } else if (++bad >= o.patience) ctx.stop(`no better validation loss in ${bad} epochs (best ${best.loss.toFixed(4)}, epoch ${best.epoch})`);
        },
      },
    ],
  });
  if (best.state) task.model.loadStateDict(best.state);
  return {
    epochs: epochsRun,
    steps: result.steps,
    seconds: (performance.now() - started) / 1000,
    bestEpoch: best.epoch,
    bestValidLoss: best.loss,
    stoppedBecause: result.stoppedBecause,
  };
}
