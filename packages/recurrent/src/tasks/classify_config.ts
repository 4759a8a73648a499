/**
 * The options of the text classification task, their defaults, and their JSON form in a
 * checkpoint's config.json, read back as untrusted input: every field checked, errors naming it.
 */
import { FormatError, RecurrentError, ValueError, fmtValue } from '../errors.js';
import { parseCellKind, type CellKind } from '../nn/language_model.js';
import { POOLING_KINDS, type PoolingKind } from '../nn/text_classifier.js';
import { Vocabulary, type VocabularyJSON } from '../text/vocab.js';
import { parseTokenKind, type TokenKind } from './token_kind.js';

/** The model of the task: nn.TextClassifier's options less those the data decides. */
export interface ClassifyModelOptions {
  /** Hidden size of each direction; default 128. */
  hiddenSize: number;
  /** Embedding size; default 128 (the vectors' size when pretrained vectors are given). */
  embeddingDim: number;
  /** Stacked recurrent layers; default 1. */
  numLayers: number;
  /** Recurrent cell; default 'lstm'. */
  cell: CellKind;
  /** Bidirectional recurrent layers; default true. */
  bidirectional: boolean;
  /** Pooling over the steps; default 'max'. */
  pooling: PoolingKind;
  /** Scorer size of the attention pooling; default hiddenSize. */
  attentionDim: number;
  /** Dropout (embeddings, between layers, pooled vector); default 0.3. */
  dropout: number;
}

/** How to weight the classes in the training loss. */
export type ClassWeighting = 'none' | 'balanced';

/** How the task reads text and trains. */
export interface ClassifyDataOptions {
  /** 'word' (default; Unicode-aware words and punctuation) or 'char' (code points). */
  tokens: TokenKind;
  /** Lower-case texts first; default true. */
  lowercase: boolean;
  /** Tokens seen fewer times in training map to <unk>; default 2 (so that <unk> is trained too). */
  minCount: number;
  /**
   * Most tokens read from a text; default 400. A longer text is truncated to its FIRST maxTokens
   * tokens, in training and prediction alike (the start of an e-mail or a review carries its gist,
   * and the cost of a step grows with the longest text of the batch).
   */
  maxTokens: number;
  /** 'none' (default) or 'balanced': class c weighs N / (C · N_c) in the training loss (scikit-learn's rule). */
  classWeights: ClassWeighting;
}

export type ClassifyTaskOptions = Partial<ClassifyDataOptions> & { model?: Partial<ClassifyModelOptions> };

/** The JSON of a classification task (version 1). */
export interface ClassifyTaskJSON {
  kind: 'classify';
  version: 1;
  options: ClassifyDataOptions;
  model: ClassifyModelOptions;
  vocab: VocabularyJSON;
  /** The class names, in class-index order. */
  labels: string[];
  /** The weight of each class in the training loss, or null for none. */
  weights: number[] | null;
}

export const CLASSIFY_DATA_DEFAULTS: ClassifyDataOptions = { tokens: 'word', lowercase: true, minCount: 2, maxTokens: 400, classWeights: 'none' };

const positive = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${name} must be a positive integer; got ${fmtValue(v)}`);
  return v;
};
const boolean = (v: unknown, name: string): boolean => {
  if (typeof v !== 'boolean') throw new ValueError(`${name} must be true or false; got ${fmtValue(v)}`);
  return v;
};
const oneOf = <T extends string>(choices: readonly T[], v: unknown, name: string): T => {
  if (!choices.includes(v as T)) throw new ValueError(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${fmtValue(v)}`);
  return v as T;
};

/** Unknown keys are errors, so that a misspelt option is not silently ignored. */
function checkKeys(given: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(given)) if (!known.includes(key)) throw new ValueError(`${where}: unknown option '${key}'; known: ${known.join(', ')}`);
}

/** The data options with defaults, checked. */
export function resolveClassifyDataOptions(given: Partial<ClassifyDataOptions>, where = 'ClassifyTask'): ClassifyDataOptions {
  checkKeys(given, [...Object.keys(CLASSIFY_DATA_DEFAULTS), 'model'], where);
  const o = { ...CLASSIFY_DATA_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([k, v]) => k !== 'model' && v !== undefined)) };
  return {
    tokens: parseTokenKind(o.tokens, `${where}: tokens`),
    lowercase: boolean(o.lowercase, `${where}: lowercase`),
    minCount: positive(o.minCount, `${where}: minCount`),
    maxTokens: positive(o.maxTokens, `${where}: maxTokens`),
    classWeights: oneOf(['none', 'balanced'] as const, o.classWeights, `${where}: classWeights`),
  };
}

/** The model options with defaults, checked. */
export function resolveClassifyModelOptions(given: Partial<ClassifyModelOptions>, where = 'ClassifyTask: model'): ClassifyModelOptions {
  checkKeys(given, ['hiddenSize', 'embeddingDim', 'numLayers', 'cell', 'bidirectional', 'pooling', 'attentionDim', 'dropout'], where);
  const g = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<ClassifyModelOptions>;
  const hiddenSize = positive(g.hiddenSize ?? 128, `${where}: hiddenSize`);
  const p = g.dropout ?? 0.3;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ValueError(`${where}: dropout must be a number in [0, 1); got ${fmtValue(p)}`);
  return {
    hiddenSize,
    embeddingDim: positive(g.embeddingDim ?? 128, `${where}: embeddingDim`),
    numLayers: positive(g.numLayers ?? 1, `${where}: numLayers`),
    cell: parseCellKind(g.cell ?? 'lstm', `${where}: cell`),
    bidirectional: boolean(g.bidirectional ?? true, `${where}: bidirectional`),
    pooling: oneOf(POOLING_KINDS, g.pooling ?? 'max', `${where}: pooling`),
    attentionDim: positive(g.attentionDim ?? hiddenSize, `${where}: attentionDim`),
    dropout: p,
  };
}

/** Reads a task's JSON (named `file` in errors) as untrusted input; returns its parts checked. */
export function readClassifyJSON(
  json: unknown,
  file: string,
): { options: ClassifyDataOptions; model: ClassifyModelOptions; vocab: Vocabulary; labels: string[]; weights: number[] | null } {
  const wrap = <T>(field: string | null, read: () => T): T => {
    try {
      return read();
    } catch (e) {
      if (e instanceof RecurrentError) throw new FormatError(`${file}: ${field === null ? '' : `${field}: `}${e.message}`);
      throw e;
    }
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FormatError(`${file}: the task must be an object; got ${fmtValue(json)}`);
  const j = json as Partial<Record<keyof ClassifyTaskJSON, unknown>>;
  if (j.kind !== 'classify') throw new FormatError(`${file}: task.kind must be 'classify'; got ${fmtValue(j.kind)}`);
  if (j.version !== 1) throw new FormatError(`${file}: task.version must be 1; got ${fmtValue(j.version)}`);
  const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(j.options)) throw new FormatError(`${file}: task.options must be an object; got ${fmtValue(j.options)}`);
  if (!isObject(j.model)) throw new FormatError(`${file}: task.model must be an object; got ${fmtValue(j.model)}`);
  const options = wrap(null, () => resolveClassifyDataOptions(j.options as Partial<ClassifyDataOptions>, 'task.options'));
  const model = wrap(null, () => resolveClassifyModelOptions(j.model as Partial<ClassifyModelOptions>, 'task.model'));
  const vocab = wrap('task.vocab', () => Vocabulary.fromJSON(j.vocab));
  const labels = j.labels;
  if (!Array.isArray(labels) || labels.length < 1 || labels.some((l) => typeof l !== 'string' || l === '') || new Set(labels).size !== labels.length)
    throw new FormatError(`${file}: task.labels must be a non-empty array of distinct, non-empty strings; got ${fmtValue(labels)}`);
  const weights = j.weights;
  if (
    weights !== null &&
    (!Array.isArray(weights) || weights.length !== labels.length || weights.some((w) => typeof w !== 'number' || !Number.isFinite(w) || w <= 0))
  )
    throw new FormatError(`${file}: task.weights must be null or ${labels.length} positive numbers (one per label); got ${fmtValue(weights)}`);
  return { options, model, vocab, labels: labels as string[], weights: weights as number[] | null };
}
