/**
 * A forecasting run's checkpoint: what config.json holds beside the task (the training record, the
 * random state, the curves), and loading it back as untrusted input. As for seq2seq, a run
 * directory holds the latest checkpoint (`checkpoint/`, which --resume continues) and the one of
 * the best validation loss (`best/`, which eval, predict and info read).
 */
import { join } from 'node:path';
import { ForecastTask, type ForecastTaskJSON, FormatError, type LoadedCheckpoint, loadCheckpoint, RecurrentError } from 'recurrent/node';
import { checkTrainingRecord, fmt, isInt, type FieldCheck, nonNegativeInt, positiveInt, finite, objectOrNull } from '../run_record_fields.js';

export const FORECAST_KIND = 'forecast';

/** What a forecasting run records about training, for --resume, eval and the report. */
export interface ForecastRecord {
  step: number;
  epoch: number;
  /** Batches of the current epoch already trained on. */
  batchInEpoch: number;
  seed: number;
  batch: number;
  lr: number;
  lrSchedule: 'plateau' | 'constant' | 'cosine';
  lrMin: number;
  clip: number;
  /** Validations without improvement before training stops (0: never). */
  patience: number;
  /** The --data file as the user named it, and its SHA-256. */
  data: string;
  dataSha256: string;
  /** Rows of --data: the first `trainRows` train, the rest (the held-out tail) validate. */
  rows: number;
  trainRows: number;
  seconds: number;
  /** The best validation loss so far, its step, and validations since without improvement. */
  best: { loss: number; step: number; bad: number } | null;
  /** ReduceLROnPlateau's state, once it has seen a validation. */
  plateau: Record<string, unknown> | null;
}

export interface ForecastHistory {
  /** [step, training loss (normalised units)], averaged over each interval. */
  train: [number, number][];
  /** [step, validation loss]. */
  valid: [number, number][];
  /** [step, validation MAPE in percent, one step ahead]. */
  mape: [number, number][];
}

export interface ForecastRunConfig {
  kind: typeof FORECAST_KIND;
  task: ForecastTaskJSON;
  training: ForecastRecord;
  rng: number[];
  history: ForecastHistory;
}

const RECORD_FIELDS: Record<keyof ForecastRecord, FieldCheck> = {
  step: nonNegativeInt,
  epoch: nonNegativeInt,
  batchInEpoch: nonNegativeInt,
  seed: [isInt, 'an integer'],
  batch: positiveInt,
  lr: finite,
  lrSchedule: [(v) => v === 'plateau' || v === 'constant' || v === 'cosine', "'plateau', 'constant' or 'cosine'"],
  lrMin: finite,
  clip: finite,
  patience: nonNegativeInt,
  data: [(v) => typeof v === 'string', 'a string'],
  dataSha256: [(v) => typeof v === 'string', 'a string'],
  rows: positiveInt,
  trainRows: positiveInt,
  seconds: finite,
  best: objectOrNull,
  plateau: objectOrNull,
};

export interface LoadedForecast {
  task: ForecastTask;
  config: ForecastRunConfig;
  checkpoint: LoadedCheckpoint;
}

/** The task of a forecasting checkpoint already read (its config from `configFile`), parameters loaded. */
export function forecastFromCheckpoint(checkpoint: LoadedCheckpoint, configFile: string, modelFile: string): LoadedForecast {
  const config = checkpoint.config as Partial<ForecastRunConfig>;
  if (config.kind !== FORECAST_KIND) throw new FormatError(`${configFile}: expected kind '${FORECAST_KIND}'; got ${fmt(config.kind)}`);
  checkTrainingRecord(configFile, config.training, RECORD_FIELDS);
  const h = config.history as Partial<ForecastHistory> | undefined;
  if (typeof h !== 'object' || h === null || !Array.isArray(h.train) || !Array.isArray(h.valid) || !Array.isArray(h.mape))
    throw new FormatError(`${configFile}: history must be an object with train, valid and mape arrays; got ${fmt(config.history)}`);
  if (!Array.isArray(config.rng)) throw new FormatError(`${configFile}: rng must be an array; got ${fmt(config.rng)}`);
  const model = (config.task as { model?: Record<string, unknown> } | undefined)?.model;
  if (typeof model === 'object' && model !== null) {
    // An edited config.json must not allocate a layer far larger than the parameters saved.
    const size = (key: string): number =>
      typeof model[key] === 'number' && Number.isFinite(model[key]) && (model[key] as number) > 0 ? (model[key] as number) : 0;
    const least = size('numLayers') * size('hiddenSize') ** 2;
    const held = Object.values(checkpoint.model).reduce((n, t) => n + t.size, 0);
    if (least > held) throw new FormatError(`${configFile}: the model options describe at least ${least} parameters; ${modelFile} holds ${held}`);
  }
  const task = ForecastTask.fromJSON(config.task, configFile);
  try {
    task.model.loadStateDict(checkpoint.model);
  } catch (e) {
    if (e instanceof RecurrentError) throw new FormatError(`${modelFile}: parameters: ${e.message}`);
    throw e;
  }
  return { task, config: config as ForecastRunConfig, checkpoint };
}

/** Loads the forecasting checkpoint at `dir` (a checkpoint directory, not a run directory). */
export function loadForecast(dir: string): LoadedForecast {
  const checkpoint = loadCheckpoint(dir, { allowMissingState: true });
  if (!checkpoint.verified)
    console.warn(`warning: ${checkpoint.dir}: the checkpoint has no manifest.json (written by an older version), so its files are not verified`);
  return forecastFromCheckpoint(checkpoint, join(checkpoint.dir, 'config.json'), join(checkpoint.dir, 'model.safetensors'));
}
