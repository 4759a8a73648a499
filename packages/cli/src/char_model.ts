/** The character-level language model the CLI trains: its saved config, and rebuilding it from a checkpoint. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Checkpoint, FormatError, loadCheckpoint, nn, Vocabulary } from 'recurrent/node';

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
  data: string | null;
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
  checkpoint: Checkpoint;
}

/** Rebuilds the model and vocabulary saved in a checkpoint (validating the config as untrusted). */
export function loadCharModel(path: string): LoadedModel {
  const checkpoint = loadCheckpoint(checkpointDir(path));
  const config = checkpoint.config as Partial<CharModelConfig>;
  if (config.kind !== MODEL_KIND) throw new FormatError(`checkpoint: expected kind '${MODEL_KIND}'; got ${JSON.stringify(config.kind)}`);
  if (typeof config.model !== 'object' || config.model === null) throw new FormatError('checkpoint: config.model must be an object');
  const vocab = Vocabulary.fromJSON(config.vocab);
  const model = new nn.LanguageModel(config.model);
  if (model.options.vocabSize !== vocab.size) {
    throw new FormatError(`checkpoint: the model's vocabSize ${model.options.vocabSize} differs from the vocabulary's ${vocab.size} tokens`);
  }
  model.loadStateDict(checkpoint.model);
  return { model, vocab, config: config as CharModelConfig, checkpoint };
}
