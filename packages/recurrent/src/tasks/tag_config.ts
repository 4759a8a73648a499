/**
 * The options of the tagging task, their defaults, and their JSON form in a checkpoint's
 * config.json, read back as untrusted input: every field checked, errors naming the field.
 */
import { FormatError, RecurrentError, ValueError, fmtValue } from '../errors.js';
import { TAG_SCHEMES, type TagScheme } from '../nn/crf_constraints.js';
import { Vocabulary, type VocabularyJSON } from '../text/vocab.js';

/** The model of the task: nn.SequenceTagger's options less those the vocabularies decide. */
export interface TagModelOptions {
  /** Word embedding size; default 100. */
  wordEmbeddingDim: number;
  /** A character-level BiLSTM representation of each word (so unseen words get tags); default true. */
  chars: boolean;
  /** Character embedding size; default 25. */
  charEmbeddingDim: number;
  /** Hidden size of each direction of the character LSTM; default 25. */
  charHiddenSize: number;
  /** Hidden size of each direction of the sentence LSTM; default 100. */
  hiddenSize: number;
  /** Layers of the sentence LSTM; default 1. */
  numLayers: number;
  /** Dropout on word representations and LSTM outputs; default 0.5. */
  dropout: number;
  /** A linear-chain CRF output layer instead of a softmax; default false. */
  crf: boolean;
  /**
   * With crf: forbid the transitions the span scheme forbids (I-X after O, …). Decided when the
   * task is created: true when the tags follow BIO or BIOES and no training sentence breaks the
   * scheme's rules (IOB1 data does), false otherwise.
   */
  constraints: boolean;
}

/** How the task reads sentences and trains. */
export interface TagDataOptions {
  /** Lower-case words for the word vocabulary (the characters keep their case); default true. */
  lowercase: boolean;
  /** Words seen fewer times in training read as <unk> (for the word embedding; characters still see them); default 1. */
  minCount: number;
  /** Probability that a training word seen once is read as <unk> in a batch (Lample et al. 2016), teaching the <unk> embedding; default 0.5. */
  singletonUnk: number;
  /** Most tokens of a sentence read from a file (parseConll): a longer one is cut into pieces with a warning; default 256. */
  maxSentenceLength: number;
  /** Characters of a word the character LSTM reads: a longer word gives its first and last maxWordLength/2; default 32. */
  maxWordLength: number;
}

export type TagTaskOptions = Partial<TagDataOptions> & { model?: Partial<Omit<TagModelOptions, 'constraints'>> & { constraints?: boolean } };

/** The JSON of a tagging task (version 1). */
export interface TagTaskJSON {
  kind: 'tag';
  version: 1;
  options: TagDataOptions;
  model: TagModelOptions;
  wordVocab: VocabularyJSON;
  charVocab: VocabularyJSON;
  /** The tags, in id order. */
  tags: string[];
  /** The span scheme the tags follow, or null (e.g. part-of-speech tags). */
  scheme: TagScheme | null;
}

export const TAG_DATA_DEFAULTS: TagDataOptions = { lowercase: true, minCount: 1, singletonUnk: 0.5, maxSentenceLength: 256, maxWordLength: 32 };

const positive = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${name} must be a positive integer; got ${fmtValue(v)}`);
  return v;
};
const fraction = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new ValueError(`${name} must be a number in [0, 1); got ${fmtValue(v)}`);
  return v;
};
const boolean = (v: unknown, name: string): boolean => {
  if (typeof v !== 'boolean') throw new ValueError(`${name} must be true or false; got ${fmtValue(v)}`);
  return v;
};

/** Unknown keys are errors, so that a misspelt option is not silently ignored. */
function checkKeys(given: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(given)) if (!known.includes(key)) throw new ValueError(`${where}: unknown option '${key}'; known: ${known.join(', ')}`);
}

const defined = (o: object): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The data options with defaults, checked. */
export function resolveTagDataOptions(given: Partial<TagDataOptions>, where = 'TagTask'): TagDataOptions {
  checkKeys(given, [...Object.keys(TAG_DATA_DEFAULTS), 'model'], where);
  const o = { ...TAG_DATA_DEFAULTS, ...defined(given) };
  const maxWordLength = positive(o.maxWordLength, `${where}: maxWordLength`);
  if (maxWordLength < 2) throw new ValueError(`${where}: maxWordLength must be at least 2; got ${maxWordLength}`);
  return {
    lowercase: boolean(o.lowercase, `${where}: lowercase`),
    minCount: positive(o.minCount, `${where}: minCount`),
    singletonUnk: fraction(o.singletonUnk, `${where}: singletonUnk`),
    maxSentenceLength: positive(o.maxSentenceLength, `${where}: maxSentenceLength`),
    maxWordLength,
  };
}

/** The model options with defaults, checked; `constraints` defaults to `constrainable` (with crf). */
export function resolveTagModelOptions(given: Partial<TagModelOptions>, constrainable: boolean, where = 'TagTask: model'): TagModelOptions {
  const known = ['wordEmbeddingDim', 'chars', 'charEmbeddingDim', 'charHiddenSize', 'hiddenSize', 'numLayers', 'dropout', 'crf', 'constraints'];
  checkKeys(given, known, where);
  const g = defined(given) as Partial<TagModelOptions>;
  const crf = boolean(g.crf ?? false, `${where}: crf`);
  const constraints = boolean(g.constraints ?? (crf && constrainable), `${where}: constraints`);
  if (constraints && !crf) throw new ValueError(`${where}: constraints need crf: true`);
  if (constraints && !constrainable)
    throw new ValueError(`${where}: constraints need tags that follow BIO or BIOES with no training sentence breaking its rules`);
  return {
    wordEmbeddingDim: positive(g.wordEmbeddingDim ?? 100, `${where}: wordEmbeddingDim`),
    chars: boolean(g.chars ?? true, `${where}: chars`),
    charEmbeddingDim: positive(g.charEmbeddingDim ?? 25, `${where}: charEmbeddingDim`),
    charHiddenSize: positive(g.charHiddenSize ?? 25, `${where}: charHiddenSize`),
    hiddenSize: positive(g.hiddenSize ?? 100, `${where}: hiddenSize`),
    numLayers: positive(g.numLayers ?? 1, `${where}: numLayers`),
    dropout: fraction(g.dropout ?? 0.5, `${where}: dropout`),
    crf,
    constraints,
  };
}

/** Reads a task's JSON (from a checkpoint's config.json, named `file` in errors) as untrusted input. */
export function readTagJSON(
  json: unknown,
  file: string,
): { options: TagDataOptions; model: TagModelOptions; wordVocab: Vocabulary; charVocab: Vocabulary; tags: string[]; scheme: TagScheme | null } {
  const wrap = <T>(field: string | null, read: () => T): T => {
    try {
      return read();
    } catch (e) {
      if (e instanceof RecurrentError) throw new FormatError(`${file}: ${field === null ? '' : `${field}: `}${e.message}`);
      throw e;
    }
  };
  const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) throw new FormatError(`${file}: the task must be an object; got ${fmtValue(json)}`);
  const j = json as Partial<Record<keyof TagTaskJSON, unknown>>;
  if (j.kind !== 'tag') throw new FormatError(`${file}: task.kind must be 'tag'; got ${fmtValue(j.kind)}`);
  if (j.version !== 1) throw new FormatError(`${file}: task.version must be 1; got ${fmtValue(j.version)}`);
  if (!isObject(j.options)) throw new FormatError(`${file}: task.options must be an object; got ${fmtValue(j.options)}`);
  if (!isObject(j.model)) throw new FormatError(`${file}: task.model must be an object; got ${fmtValue(j.model)}`);
  const scheme = j.scheme;
  if (scheme !== null && !TAG_SCHEMES.includes(scheme as TagScheme))
    throw new FormatError(`${file}: task.scheme must be 'BIO', 'BIOES' or null; got ${fmtValue(scheme)}`);
  const tags = j.tags;
  if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => typeof t === 'string' && t !== '') || new Set(tags).size !== tags.length)
    throw new FormatError(`${file}: task.tags must be a non-empty array of distinct, non-empty strings`);
  const options = wrap(null, () => resolveTagDataOptions(j.options as Partial<TagDataOptions>, 'task.options'));
  const model = wrap(null, () => resolveTagModelOptions(j.model as Partial<TagModelOptions>, scheme !== null, 'task.model'));
  const wordVocab = wrap('task.wordVocab', () => Vocabulary.fromJSON(j.wordVocab));
  const charVocab = wrap('task.charVocab', () => Vocabulary.fromJSON(j.charVocab));
  return { options, model, wordVocab, charVocab, tags: tags as string[], scheme: scheme as TagScheme | null };
}
