/**
 * A tagging run's checkpoint: what config.json holds beside the task (the training record, the
 * random state, the curves), and loading it back as untrusted input. A run directory holds the
 * latest checkpoint (`checkpoint/`, which --resume continues) and the one of the best validation
 * loss (`best/`, which predict and eval read).
 */
import { join } from 'node:path';
import { FormatError, type LoadedCheckpoint, loadCheckpoint, RecurrentError, TagTask, type TagTaskJSON } from 'recurrent/node';
import { checkTrainingRecord, fmt, isInt, type FieldCheck, nonNegativeInt, positiveInt, finite, text, textOrNull, objectOrNull } from '../run_record_fields.js';

export const TAG_KIND = 'tag';

/** What a tagging run records about training, for --resume, eval and the report. */
export interface TagRecord {
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
  /** The --valid file and its SHA-256, or null when a seeded fraction of --data was held out. */
  valid: string | null;
  validSha256: string | null;
  /** Fraction of --data's distinct sentences held out (0 with --valid). */
  heldOut: number;
  seconds: number;
  /** The best validation loss so far, its step, and validations since without improvement. */
  best: { loss: number; step: number; bad: number } | null;
  /** ReduceLROnPlateau's state, once it has seen a validation. */
  plateau: Record<string, unknown> | null;
}

export interface TagHistory {
  /** [step, training loss in nats per token], averaged over each interval. */
  train: [number, number][];
  /** [step, validation loss]. */
  valid: [number, number][];
  /** [step, validation token accuracy (decoded as predict does)]. */
  accuracy: [number, number][];
}

export interface TagRunConfig {
  kind: typeof TAG_KIND;
  task: TagTaskJSON;
  training: TagRecord;
  rng: number[];
  history: TagHistory;
}

const RECORD_FIELDS: Record<keyof TagRecord, FieldCheck> = {
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
  data: text,
  dataSha256: text,
  valid: textOrNull,
  validSha256: textOrNull,
  heldOut: [(v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'],
  seconds: finite,
  best: objectOrNull,
  plateau: objectOrNull,
};

/** Throws a FormatError naming `file` and the first bad field of the record or history. */
function checkRun(file: string, config: Partial<TagRunConfig>): void {
  checkTrainingRecord(file, config.training, RECORD_FIELDS);
  const h = config.history as Partial<TagHistory> | undefined;
  if (typeof h !== 'object' || h === null || !Array.isArray(h.train) || !Array.isArray(h.valid) || !Array.isArray(h.accuracy)) {
    throw new FormatError(`${file}: history must be an object with train, valid and accuracy arrays; got ${fmt(config.history)}`);
  }
  if (!Array.isArray(config.rng)) throw new FormatError(`${file}: rng must be an array; got ${fmt(config.rng)}`);
}

export interface LoadedTag {
  task: TagTask;
  config: TagRunConfig;
  checkpoint: LoadedCheckpoint;
}

/**
 * The task of a tagging checkpoint already read (its config from `configFile`), parameters loaded.
 * The options are refused before any model is built when they describe more parameters than the
 * checkpoint holds (an edited config.json must not allocate a billion-unit layer).
 */
export function tagFromCheckpoint(checkpoint: LoadedCheckpoint, configFile: string, modelFile: string): LoadedTag {
  const config = checkpoint.config as Partial<TagRunConfig>;
  if (config.kind !== TAG_KIND) throw new FormatError(`${configFile}: expected kind '${TAG_KIND}'; got ${fmt(config.kind)}`);
  checkRun(configFile, config);
  const model = (config.task as { model?: Record<string, unknown> } | undefined)?.model;
  if (typeof model === 'object' && model !== null) {
    const size = (key: string): number =>
      typeof model[key] === 'number' && Number.isFinite(model[key]) && (model[key] as number) > 0 ? (model[key] as number) : 0;
    const least = size('numLayers') * size('hiddenSize') ** 2;
    const held = Object.values(checkpoint.model).reduce((n, t) => n + t.size, 0);
    if (least > held) throw new FormatError(`${configFile}: the model options describe at least ${least} parameters; ${modelFile} holds ${held}`);
  }
  let task: TagTask;
  try {
    task = TagTask.fromJSON(config.task, configFile);
  } catch (e) {
    if (e instanceof RecurrentError && !(e instanceof FormatError)) throw new FormatError(e.message);
    throw e;
  }
  try {
    task.model.loadStateDict(checkpoint.model);
  } catch (e) {
    if (e instanceof RecurrentError) throw new FormatError(`${modelFile}: parameters: ${e.message}`);
    throw e;
  }
  return { task, config: config as TagRunConfig, checkpoint };
}

/** Loads the tagging checkpoint at `dir` (a checkpoint directory, not a run directory). */
export function loadTag(dir: string): LoadedTag {
  const checkpoint = loadCheckpoint(dir, { allowMissingState: true });
  if (!checkpoint.verified)
    console.warn(`warning: ${checkpoint.dir}: the checkpoint has no manifest.json (written by an older version), so its files are not verified`);
  return tagFromCheckpoint(checkpoint, join(checkpoint.dir, 'config.json'), join(checkpoint.dir, 'model.safetensors'));
}
