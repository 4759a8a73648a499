/**
 * The options of the seq2seq task, their defaults, and their JSON form in a checkpoint's
 * config.json, read back as untrusted input: every field checked, errors naming the field.
 */
import { FormatError, RecurrentError, ValueError, fmtValue } from '../errors.js';
import { parseCellKind, type CellKind } from '../nn/language_model.js';
import { ATTENTION_STYLES, type AttentionStyle } from '../nn/seq2seq/decoder.js';
import { parseAttentionKind, type DecoderAttention } from '../nn/seq2seq/decoder_attention.js';
import { BRIDGE_KINDS, type BridgeKind } from '../nn/seq2seq/bridge.js';
import { Vocabulary, type VocabularyJSON } from '../text/vocab.js';
import { parseTokenKind, type TokenKind } from './token_kind.js';

/** The model of the task: nn.Seq2Seq's options less those the vocabularies decide. */
export interface Seq2SeqModelOptions {
  /** Hidden size of each encoder direction and of the decoder; default 256. */
  hiddenSize: number;
  /** Embedding size of both sides; default 128. */
  embeddingDim: number;
  /** Encoder layers; default 2. */
  encoderLayers: number;
  /** Decoder layers; default 1. */
  decoderLayers: number;
  /** Recurrent cell of both sides; default 'lstm'. */
  cell: CellKind;
  /** Bidirectional encoder; default true. */
  bidirectional: boolean;
  /** Attention score; default 'general'. */
  attention: DecoderAttention;
  /** Hidden size of the 'bahdanau' and 'concat' scores; default hiddenSize. */
  attentionDim: number;
  /** 'luong' (default) or 'bahdanau'. */
  style: AttentionStyle;
  /** Luong input feeding; default true (false for the Bahdanau style or no attention). */
  inputFeeding: boolean;
  /** Encoder states → decoder states; default 'linear'. */
  bridge: BridgeKind;
  /** Dropout (embeddings, between layers, memory, attentional output); default 0.2. */
  dropout: number;
}

/** How the task reads text and trains. */
export interface Seq2SeqDataOptions {
  /** Tokens of the sources; default 'char'. */
  sourceTokens: TokenKind;
  /** Tokens of the targets; default 'char'. */
  targetTokens: TokenKind;
  /** Lower-case both sides first; default false. */
  lowercase: boolean;
  /** Tokens seen fewer times in the training pairs map to <unk>; default 1. */
  minCount: number;
  /** Most tokens in a source or a target; default 256. */
  maxLength: number;
  /** Label smoothing ε of the training loss; default 0.1. */
  labelSmoothing: number;
}

export type Seq2SeqTaskOptions = Partial<Seq2SeqDataOptions> & { model?: Partial<Seq2SeqModelOptions> };

/** The JSON of a seq2seq task (version 1). */
export interface Seq2SeqTaskJSON {
  kind: 'seq2seq';
  version: 1;
  options: Seq2SeqDataOptions;
  model: Seq2SeqModelOptions;
  sourceVocab: VocabularyJSON;
  targetVocab: VocabularyJSON;
  /** Tokens of the longest training target: decoding stops by 2× this + 10 unless told otherwise. */
  longestTarget: number;
}

export const SEQ2SEQ_DATA_DEFAULTS: Seq2SeqDataOptions = {
  sourceTokens: 'char',
  targetTokens: 'char',
  lowercase: false,
  minCount: 1,
  maxLength: 256,
  labelSmoothing: 0.1,
};

type Check<T> = (value: unknown, name: string) => T;
const positive: Check<number> = (v, name) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${name} must be a positive integer; got ${fmtValue(v)}`);
  return v;
};
const fraction: Check<number> = (v, name) => {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new ValueError(`${name} must be a number in [0, 1); got ${fmtValue(v)}`);
  return v;
};
const boolean: Check<boolean> = (v, name) => {
  if (typeof v !== 'boolean') throw new ValueError(`${name} must be true or false; got ${fmtValue(v)}`);
  return v;
};
const oneOf =
  <T extends string>(choices: readonly T[]): Check<T> =>
  (v, name) => {
    if (!choices.includes(v as T)) throw new ValueError(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}; got ${fmtValue(v)}`);
    return v as T;
  };

/** Unknown keys are errors, so that a misspelt option is not silently ignored. */
function checkKeys(given: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(given)) if (!known.includes(key)) throw new ValueError(`${where}: unknown option '${key}'; known: ${known.join(', ')}`);
}

/** The data options with defaults, checked. */
export function resolveDataOptions(given: Partial<Seq2SeqDataOptions>, where = 'Seq2SeqTask'): Seq2SeqDataOptions {
  checkKeys(given, [...Object.keys(SEQ2SEQ_DATA_DEFAULTS), 'model'], where);
  const o = { ...SEQ2SEQ_DATA_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([k, v]) => k !== 'model' && v !== undefined)) };
  return {
    sourceTokens: parseTokenKind(o.sourceTokens, `${where}: sourceTokens`),
    targetTokens: parseTokenKind(o.targetTokens, `${where}: targetTokens`),
    lowercase: boolean(o.lowercase, `${where}: lowercase`),
    minCount: positive(o.minCount, `${where}: minCount`),
    maxLength: positive(o.maxLength, `${where}: maxLength`),
    labelSmoothing: fraction(o.labelSmoothing, `${where}: labelSmoothing`),
  };
}

/** The model options with defaults, checked (nn.Seq2Seq checks how they combine). */
export function resolveModelOptions(given: Partial<Seq2SeqModelOptions>, where = 'Seq2SeqTask: model'): Seq2SeqModelOptions {
  const known = [
    'hiddenSize',
    'embeddingDim',
    'encoderLayers',
    'decoderLayers',
    'cell',
    'bidirectional',
    'attention',
    'attentionDim',
    'style',
    'inputFeeding',
    'bridge',
    'dropout',
  ];
  checkKeys(given, known, where);
  const g = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<Seq2SeqModelOptions>;
  const hiddenSize = positive(g.hiddenSize ?? 256, `${where}: hiddenSize`);
  const style = oneOf(ATTENTION_STYLES)(g.style ?? 'luong', `${where}: style`);
  const attention = parseAttentionKind(g.attention ?? (style === 'luong' ? 'general' : 'bahdanau'), `${where}: attention`);
  return {
    hiddenSize,
    embeddingDim: positive(g.embeddingDim ?? Math.min(hiddenSize, 128), `${where}: embeddingDim`),
    encoderLayers: positive(g.encoderLayers ?? 2, `${where}: encoderLayers`),
    decoderLayers: positive(g.decoderLayers ?? 1, `${where}: decoderLayers`),
    cell: parseCellKind(g.cell ?? 'lstm', `${where}: cell`),
    bidirectional: boolean(g.bidirectional ?? true, `${where}: bidirectional`),
    attention,
    attentionDim: positive(g.attentionDim ?? hiddenSize, `${where}: attentionDim`),
    style,
    inputFeeding: boolean(g.inputFeeding ?? (style === 'luong' && attention !== 'none'), `${where}: inputFeeding`),
    bridge: oneOf(BRIDGE_KINDS)(g.bridge ?? 'linear', `${where}: bridge`),
    dropout: fraction(g.dropout ?? 0.2, `${where}: dropout`),
  };
}

/**
 * Reads a task's JSON (from a checkpoint's config.json, named `file` in errors) as untrusted input.
 * Returns its parts checked; the vocabularies are rebuilt.
 */
export function readSeq2SeqJSON(
  json: unknown,
  file: string,
): { options: Seq2SeqDataOptions; model: Seq2SeqModelOptions; sourceVocab: Vocabulary; targetVocab: Vocabulary; longestTarget: number } {
  // The options' own messages name the field (task.options: …); a vocabulary's name its reader.
  const fail = (field: string | null, e: unknown): never => {
    if (e instanceof RecurrentError) throw new FormatError(`${file}: ${field === null ? '' : `${field}: `}${e.message}`);
    throw e;
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FormatError(`${file}: the task must be an object; got ${fmtValue(json)}`);
  const j = json as Partial<Record<keyof Seq2SeqTaskJSON, unknown>>;
  if (j.kind !== 'seq2seq') throw new FormatError(`${file}: task.kind must be 'seq2seq'; got ${fmtValue(j.kind)}`);
  if (j.version !== 1) throw new FormatError(`${file}: task.version must be 1; got ${fmtValue(j.version)}`);
  const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(j.options)) throw new FormatError(`${file}: task.options must be an object; got ${fmtValue(j.options)}`);
  if (!isObject(j.model)) throw new FormatError(`${file}: task.model must be an object; got ${fmtValue(j.model)}`);
  let options: Seq2SeqDataOptions;
  let model: Seq2SeqModelOptions;
  let sourceVocab: Vocabulary;
  let targetVocab: Vocabulary;
  try {
    options = resolveDataOptions(j.options as Partial<Seq2SeqDataOptions>, 'task.options');
  } catch (e) {
    return fail(null, e);
  }
  try {
    model = resolveModelOptions(j.model as Partial<Seq2SeqModelOptions>, 'task.model');
  } catch (e) {
    return fail(null, e);
  }
  try {
    sourceVocab = Vocabulary.fromJSON(j.sourceVocab);
  } catch (e) {
    return fail('task.sourceVocab', e);
  }
  try {
    targetVocab = Vocabulary.fromJSON(j.targetVocab);
  } catch (e) {
    return fail('task.targetVocab', e);
  }
  const longest = j.longestTarget;
  if (typeof longest !== 'number' || !Number.isInteger(longest) || longest < 1 || longest > options.maxLength) {
    throw new FormatError(`${file}: task.longestTarget must be an integer in [1, ${options.maxLength}]; got ${fmtValue(longest)}`);
  }
  return { options, model, sourceVocab, targetVocab, longestTarget: longest };
}
