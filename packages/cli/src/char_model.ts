/** The character-level language model the CLI trains: its saved config, and rebuilding it from a checkpoint. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, type LoadedCheckpoint, loadCheckpoint, nn, RecurrentError, Vocabulary } from 'recurrent/node';

export const MODEL_KIND = 'char-language-model';

/** What a run records about training, so `--resume`, `eval` and reports can use it. */
export interface TrainingRecord {
  step: number;
  epoch: number;
  /** Windows of the current epoch already trained on. */
  window: number;
  seed: number;
  batch: number;
  seqLen: number;
  lr: number;
  /** Absent in records written before schedules existed: constant. */
  lrSchedule?: 'constant' | 'cosine';
  /** The cosine schedule's final rate. */
  lrMin?: number;
  /** Fraction of the budget before which the cosine schedule holds the rate at lr. */
  lrDecayFrom?: number;
  clip: number;
  /** The --data file trained on as the user named it (informational: it is never opened unasked), or null for the default corpus. */
  data: string | null;
  /** SHA-256 of the training data (`Corpus.sha256`), to check the --data given on resume; absent in older records. */
  dataSha256?: string;
  source: string;
  heldOut: number;
  /** Seconds of training so far, over all resumed runs. */
  seconds: number;
}

export interface CurveHistory {
  /** [step, bits per char] averaged over each logging interval. */
  train: [number, number][];
  valid: [number, number][];
}

export interface CharModelConfig {
  kind: typeof MODEL_KIND;
  model: Required<Omit<nn.LanguageModelOptions, 'dtype'>>;
  vocab: ReturnType<Vocabulary['toJSON']>;
  training: TrainingRecord;
  rng: number[];
  history: CurveHistory;
}

/** A run directory holds its checkpoint in `checkpoint/`; accept either path. */
export function checkpointDir(path: string): string {
  const inner = join(path, 'checkpoint');
  return existsSync(join(inner, 'config.json')) || existsSync(join(`${inner}.old`, 'config.json')) ? inner : path;
}

export interface LoadedModel {
  model: nn.LanguageModel;
  vocab: Vocabulary;
  config: CharModelConfig;
  /** With `missing` listing state files that are gone (only `train --resume` needs them, and decides). */
  checkpoint: LoadedCheckpoint;
}

/** Runs `make`; an error of the library becomes a FormatError naming the file the bad value came from. */
function fromFile<T>(file: string, what: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof RecurrentError) throw new FormatError(`${file}: ${what}: ${e.message}`);
    throw e;
  }
}

/** A value read from config.json as messages print it (JSON holds no functions, NaN or undefined fields). */
const fmtValue = (v: unknown): string =>
  v === undefined ? 'undefined' : typeof v === 'object' && v !== null && !Array.isArray(v) ? 'an object' : JSON.stringify(v);

type FieldCheck = [test: (v: unknown) => boolean, expected: string];
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const nonNegativeInt: FieldCheck = [(v) => isInt(v) && v >= 0, 'a non-negative integer'];
const positiveInt: FieldCheck = [(v) => isInt(v) && v > 0, 'a positive integer'];
const finite: FieldCheck = [(v) => typeof v === 'number' && Number.isFinite(v), 'a finite number'];

/** The fields of a TrainingRecord that info, eval and --resume read (the optional ones are checked where used). */
const TRAINING_FIELDS: Record<Exclude<keyof TrainingRecord, 'lrSchedule' | 'lrMin' | 'lrDecayFrom' | 'dataSha256'>, FieldCheck> = {
  step: nonNegativeInt,
  epoch: nonNegativeInt,
  window: nonNegativeInt,
  seed: [isInt, 'an integer'],
  batch: positiveInt,
  seqLen: positiveInt,
  lr: finite,
  clip: finite,
  data: [(v) => v === null || typeof v === 'string', 'a string or null'],
  source: [(v) => typeof v === 'string', 'a string'],
  heldOut: [(v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'],
  seconds: finite,
};

/** Throws a FormatError naming `configFile` and the first bad field of the training record or history. */
function checkRecord(configFile: string, config: Partial<CharModelConfig>): void {
  const training: unknown = config.training;
  if (typeof training !== 'object' || training === null || Array.isArray(training)) {
    throw new FormatError(`${configFile}: training must be an object; got ${fmtValue(training)}`);
  }
  for (const [name, [valid, expected]] of Object.entries(TRAINING_FIELDS)) {
    const value: unknown = (training as Record<string, unknown>)[name];
    if (!valid(value)) throw new FormatError(`${configFile}: training.${name} must be ${expected}; got ${fmtValue(value)}`);
  }
  const history: unknown = config.history;
  const h = history as Partial<CurveHistory> | null | undefined;
  if (typeof h !== 'object' || h === null || !Array.isArray(h.train) || !Array.isArray(h.valid)) {
    throw new FormatError(`${configFile}: history must be an object with train and valid arrays; got ${fmtValue(history)}`);
  }
}

/**
 * Rebuilds the model and vocabulary saved in a checkpoint (validating the config as untrusted).
 * Warns on stderr when the checkpoint predates manifests, so its files could not be verified.
 */
export function loadCharModel(path: string): LoadedModel {
  const dir = checkpointDir(path);
  const checkpoint = loadCheckpoint(dir, { allowMissingState: true });
  const found = checkpoint.dir;
  if (!checkpoint.verified) console.warn(`warning: ${found}: the checkpoint has no manifest.json (written by an older version), so its files are not verified`);
  return charModelFromCheckpoint(checkpoint, join(found, 'config.json'), join(found, 'model.safetensors'));
}

/**
 * The model and vocabulary of a checkpoint already read: its config (from `configFile`) checked
 * as untrusted, then the parameters (from `modelFile`) loaded. Errors name the file.
 */
export function charModelFromCheckpoint(checkpoint: LoadedCheckpoint, configFile: string, modelFile: string): LoadedModel {
  const config = checkpoint.config as Partial<CharModelConfig>;
  if (config.kind !== MODEL_KIND) throw new FormatError(`${configFile}: expected kind '${MODEL_KIND}'; got ${describeKind(config.kind)}`);
  const options = config.model;
  if (typeof options !== 'object' || options === null) throw new FormatError(`${configFile}: model must be an object`);
  checkRecord(configFile, config);
  checkModelSize(options as Record<string, unknown>, checkpoint, configFile, modelFile);
  const vocab = fromFile(configFile, 'vocab', () => Vocabulary.fromJSON(config.vocab));
  const model = fromFile(configFile, 'model', () => new nn.LanguageModel(options));
  if (model.options.vocabSize !== vocab.size) {
    throw new FormatError(`${configFile}: the model's vocabSize ${model.options.vocabSize} differs from the vocabulary's ${vocab.size} tokens`);
  }
  fromFile(modelFile, 'parameters', () => model.loadStateDict(checkpoint.model));
  return { model, vocab, config: config as CharModelConfig, checkpoint };
}

/** `kind` as messages print it: a short string quoted, anything else by its type. */
function describeKind(kind: unknown): string {
  if (typeof kind === 'string') return kind.length <= 40 ? JSON.stringify(kind) : `a string of ${kind.length} characters`;
  return kind === null || kind === undefined || typeof kind !== 'object' ? String(kind) : Array.isArray(kind) ? 'an array' : 'an object';
}

/**
 * Refuses options that describe more parameters than the checkpoint holds, before building the
 * model: a config.json edited to numLayers 1e9 must not allocate (or loop over) a billion layers.
 * The bound is a lower one (each layer's weight_hh is at least H×H, the embedding V×E), so a
 * consistent checkpoint always passes.
 */
function checkModelSize(options: Record<string, unknown>, checkpoint: LoadedCheckpoint, configFile: string, modelFile: string): void {
  // An absent option takes LanguageModel's default; one that is not a positive number is the constructor's to refuse.
  const size = (key: string, fallback: number): number => {
    const v = options[key] ?? fallback;
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  };
  const hidden = size('hiddenSize', 256);
  const least = size('numLayers', 1) * hidden ** 2 + size('vocabSize', 0) * size('embeddingDim', hidden);
  const held = Object.values(checkpoint.model).reduce((n, t) => n + t.size, 0);
  if (least > held) throw new FormatError(`${configFile}: the model options describe at least ${least} parameters; ${modelFile} holds ${held}`);
}
