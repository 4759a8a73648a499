/**
 * Vocabulary: a fixed, numbered list of string tokens, the bridge between text and the int32
 * token ids that an `Embedding` reads and a language model predicts.
 *
 * Index order is deterministic: special tokens first, then corpus tokens by decreasing frequency,
 * ties broken by first appearance. A vocabulary is saved with its model as JSON (`toJSON` /
 * `Vocabulary.fromJSON`); the loader treats the JSON as untrusted input.
 */
import { FormatError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { JsonTextError, parseJsonText } from '../io/json_text.js';

export interface VocabularyOptions {
  /** Special tokens, placed first in the order given (after `padToken` / `unkToken` when those are not listed). Default: []. */
  specials?: readonly string[];
  /** Token that unknown tokens map to. Default: none (unknown tokens are an error). */
  unkToken?: string;
  /** Padding token; its index is `padIndex`. Default: none. */
  padToken?: string;
}

export interface VocabularyBuildOptions extends VocabularyOptions {
  /** Drop corpus tokens seen fewer than this many times (specials are always kept). Default: 1. */
  minFreq?: number;
  /** At most this many tokens in all, specials included. Default: no limit. */
  maxSize?: number;
}

/** The JSON form of a vocabulary (`toJSON`), version 1. */
export interface VocabularyJSON {
  format: 'recurrent.vocabulary';
  version: 1;
  /** Every token, in index order. */
  tokens: string[];
  /** Indices of the special tokens (skipped by `decode(ids, { skipSpecials: true })`). */
  specials: number[];
  unkIndex: number | null;
  padIndex: number | null;
}

function describe(value: unknown): string {
  if (value === null || Array.isArray(value)) return value === null ? 'null' : 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function checkToken(op: string, where: string, token: unknown): string {
  if (typeof token !== 'string') throw new ValueError(`${op}: ${where} must be a string token; got ${describe(token)}`);
  return token;
}

function checkCount(op: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new ValueError(`${op}: ${name} must be an integer ≥ ${min}; got ${String(value)}`);
  return value;
}

/**
 * A numbered list of distinct tokens.
 *
 * Build one from a corpus with `Vocabulary.build`, from a fixed list with `Vocabulary.fromTokens`,
 * or from saved JSON with `Vocabulary.fromJSON`.
 *
 * Example:
 *   const docs = [wordTokenize('the cat sat'), wordTokenize('the dog sat')];
 *   const vocab = Vocabulary.build(docs, { padToken: '<pad>', unkToken: '<unk>' });
 *   vocab.tokens;                              // ['<pad>', '<unk>', 'the', 'sat', 'cat', 'dog']
 *   vocab.encode(['the', 'bird']);             // Int32Array [2, 1]
 *   vocab.decode([2, 4, 3]);                   // ['the', 'cat', 'sat']
 */
export class Vocabulary {
  /** Every token, in index order. */
  readonly tokens: readonly string[];
  /** Index of `unkToken`, or null when unknown tokens are an error. */
  readonly unkIndex: number | null;
  /** Index of `padToken`, or null when there is none. */
  readonly padIndex: number | null;
  /** Indices of the special tokens, ascending. */
  readonly specialIndices: readonly number[];
  private readonly index: Map<string, number>;

  private constructor(op: string, tokens: readonly string[], specials: readonly number[], unkIndex: number | null, padIndex: number | null) {
    const index = new Map<string, number>();
    tokens.forEach((token, i) => {
      const seen = index.get(token);
      if (seen !== undefined) throw new ValueError(`${op}: duplicate token ${JSON.stringify(token)} at indices ${seen} and ${i}`);
      index.set(token, i);
    });
    this.tokens = Object.freeze([...tokens]);
    this.index = index;
    this.specialIndices = Object.freeze([...new Set(specials)].sort((a, b) => a - b));
    this.unkIndex = unkIndex;
    this.padIndex = padIndex;
  }

  /** The special tokens given through `specials`, `padToken` and `unkToken`, in the order that `build` places them. */
  private static orderSpecials(op: string, options: VocabularyOptions): string[] {
    const given = options.specials ?? [];
    if (!Array.isArray(given)) throw new ValueError(`${op}: specials must be an array of strings; got ${describe(given)}`);
    const specials = given.map((s, i) => checkToken(op, `specials[${i}]`, s));
    const twice = specials.find((s, i) => specials.indexOf(s) !== i);
    if (twice !== undefined) throw new ValueError(`${op}: specials lists ${JSON.stringify(twice)} twice`);
    const named: string[] = [];
    if (options.padToken !== undefined) named.push(checkToken(op, 'padToken', options.padToken));
    if (options.unkToken !== undefined) named.push(checkToken(op, 'unkToken', options.unkToken));
    return [...new Set(named.filter((t) => !specials.includes(t))), ...specials];
  }

  /**
   * Counts the tokens of a corpus and numbers them.
   *
   * Order: the special tokens first — `padToken` and `unkToken` (in that order) unless they are
   * listed in `specials`, then `specials` in the order given — followed by corpus tokens by
   * decreasing count, ties broken by first appearance. Corpus tokens that equal a special are not
   * added again.
   *
   * Args:
   *   tokens: a corpus: an iterable of tokens, or of token arrays (one per document); not a bare string.
   *   options.specials: special tokens, first in the order given. Default: [].
   *   options.minFreq: minimum count of a corpus token. Default: 1.
   *   options.maxSize: most tokens in all, specials included (the rarest are cut). Default: no limit.
   *   options.unkToken: token for unknown tokens; default none (unknown tokens are an error).
   *   options.padToken: padding token (`padIndex`); default none.
   *
   * Throws: ValueError for a bare string, a non-string token, duplicate specials, or a maxSize
   * smaller than the number of specials.
   *
   * Example:
   *   const v = Vocabulary.build(charTokenize('abracadabra'), { specials: ['<bos>'] });
   *   v.tokens;  // ['<bos>', 'a', 'b', 'r', 'c', 'd']
   */
  static build(tokens: Iterable<string> | Iterable<readonly string[]>, options: VocabularyBuildOptions = {}): Vocabulary {
    const op = 'Vocabulary.build';
    if (typeof tokens === 'string') {
      throw new ValueError(`${op}: tokens must be an iterable of tokens, not a string; split it first, e.g. with charTokenize(text) or wordTokenize(text)`);
    }
    if (tokens === null || typeof tokens !== 'object' || !(Symbol.iterator in tokens)) {
      throw new ValueError(`${op}: tokens must be an iterable of strings or of string arrays; got ${describe(tokens)}`);
    }
    const minFreq = checkCount(op, 'minFreq', options.minFreq ?? 1, 1);
    const specials = Vocabulary.orderSpecials(op, options);
    const maxSize = options.maxSize === undefined ? Infinity : checkCount(op, 'maxSize', options.maxSize, 0);
    if (maxSize < specials.length)
      throw new ValueError(`${op}: maxSize ${maxSize} is smaller than the ${specials.length} special tokens [${specials.join(', ')}]`);
    const counts = new Map<string, number>();
    const add = (token: unknown, where: string): void => {
      const t = checkToken(op, where, token);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    };
    let item = 0;
    for (const entry of tokens as Iterable<unknown>) {
      if (Array.isArray(entry)) entry.forEach((t: unknown, j) => add(t, `tokens[${item}][${j}]`));
      else add(entry, `tokens[${item}]`);
      item++;
    }
    const taken = new Set(specials);
    const corpus = [...counts.entries()].filter(([t, c]) => c >= minFreq && !taken.has(t));
    corpus.sort((a, b) => b[1] - a[1]); // stable: ties keep first appearance (Map insertion order)
    const list = [...specials, ...corpus.slice(0, Math.max(0, maxSize - specials.length)).map(([t]) => t)];
    return Vocabulary.create(op, list, specials, options);
  }

  /**
   * A vocabulary holding exactly `list`, token i at index i.
   *
   * `specials`, `unkToken` and `padToken` name tokens that must already be in the list.
   *
   * Throws: ValueError for a non-string or duplicate token, or a special token missing from the list.
   *
   * Example:
   *   const v = Vocabulary.fromTokens(['<pad>', 'a', 'b'], { padToken: '<pad>' });
   *   v.padIndex;  // 0
   */
  static fromTokens(list: readonly string[], options: VocabularyOptions = {}): Vocabulary {
    const op = 'Vocabulary.fromTokens';
    if (!Array.isArray(list)) throw new ValueError(`${op}: list must be an array of strings; got ${describe(list)}`);
    const tokens = list.map((t, i) => checkToken(op, `list[${i}]`, t));
    return Vocabulary.create(op, tokens, Vocabulary.orderSpecials(op, options), options);
  }

  private static create(op: string, tokens: readonly string[], specials: readonly string[], options: VocabularyOptions): Vocabulary {
    const find = (t: string, what: string): number => {
      const i = tokens.indexOf(t);
      if (i < 0) throw new ValueError(`${op}: ${what} ${JSON.stringify(t)} is not in the token list`);
      return i;
    };
    const unk = options.unkToken === undefined ? null : find(options.unkToken, 'unkToken');
    const pad = options.padToken === undefined ? null : find(options.padToken, 'padToken');
    const specialIndices = specials.map((t) => find(t, 'special token'));
    return new Vocabulary(op, tokens, specialIndices, unk, pad);
  }

  /**
   * Reads a vocabulary saved by `toJSON`, from the object or its JSON text. Every field is
   * checked: a malformed or inconsistent input is a FormatError that says what is wrong.
   *
   * Example:
   *   const copy = Vocabulary.fromJSON(JSON.stringify(vocab));
   */
  static fromJSON(json: unknown): Vocabulary {
    const op = 'Vocabulary.fromJSON';
    let value = json;
    if (typeof json === 'string') {
      try {
        value = parseJsonText(json, { maxDepth: 64 });
      } catch (e) {
        if (!(e instanceof JsonTextError)) throw e;
        throw new FormatError(`${op}: not valid JSON: ${e.message}`);
      }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FormatError(`${op}: expected an object; got ${describe(value)}`);
    const v = value as Record<string, unknown>;
    if (v['format'] !== 'recurrent.vocabulary') throw new FormatError(`${op}: format must be "recurrent.vocabulary"; got ${describe(v['format'])}`);
    if (v['version'] !== 1) throw new FormatError(`${op}: unsupported version ${describe(v['version'])}; expected 1`);
    const tokens = v['tokens'];
    if (!Array.isArray(tokens)) throw new FormatError(`${op}: tokens must be an array of strings; got ${describe(tokens)}`);
    const seen = new Map<string, number>();
    tokens.forEach((t: unknown, i) => {
      if (typeof t !== 'string') throw new FormatError(`${op}: tokens[${i}] must be a string; got ${describe(t)}`);
      const before = seen.get(t);
      if (before !== undefined) throw new FormatError(`${op}: duplicate token ${JSON.stringify(t)} at indices ${before} and ${i}`);
      seen.set(t, i);
    });
    const checkIndex = (x: unknown, where: string): number => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= tokens.length) {
        throw new FormatError(`${op}: ${where} must be an integer index in [0, ${tokens.length}); got ${describe(x)}`);
      }
      return x;
    };
    const specials = v['specials'];
    if (!Array.isArray(specials)) throw new FormatError(`${op}: specials must be an array of indices; got ${describe(specials)}`);
    const specialIndices = specials.map((x: unknown, i) => checkIndex(x, `specials[${i}]`));
    if (new Set(specialIndices).size !== specialIndices.length)
      throw new FormatError(`${op}: specials holds a duplicate index: [${specialIndices.join(', ')}]`);
    const optionalIndex = (key: 'unkIndex' | 'padIndex'): number | null => (v[key] === null || v[key] === undefined ? null : checkIndex(v[key], key));
    return new Vocabulary(op, tokens as string[], specialIndices, optionalIndex('unkIndex'), optionalIndex('padIndex'));
  }

  /** Number of tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /** The unknown-token string, or null. */
  get unkToken(): string | null {
    return this.unkIndex === null ? null : this.tokens[this.unkIndex]!;
  }

  /** The padding-token string, or null. */
  get padToken(): string | null {
    return this.padIndex === null ? null : this.tokens[this.padIndex]!;
  }

  /** Whether `token` is in the vocabulary (an unknown token is not, even with an unkToken). */
  has(token: string): boolean {
    return this.index.has(token);
  }

  /** The index of `token`; an unknown token gives `unkIndex`, or a ValueError naming it when there is no unkToken. */
  indexOf(token: string): number {
    const i = this.index.get(token);
    if (i !== undefined) return i;
    if (this.unkIndex !== null) return this.unkIndex;
    throw new ValueError(`Vocabulary.indexOf: unknown token ${JSON.stringify(token)} (the vocabulary has no unkToken)`);
  }

  /** The token at `index`; IndexError outside [0, size). */
  tokenOf(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.tokens.length) {
      throw new IndexError(`Vocabulary.tokenOf: index ${String(index)} is out of range [0, ${this.tokens.length})`);
    }
    return this.tokens[index]!;
  }

  /** Token ids of `tokens`, as `indexOf` gives them. */
  encode(tokens: Iterable<string>): Int32Array {
    if (typeof tokens === 'string') throw new ValueError('Vocabulary.encode: tokens must be an iterable of tokens, not a string; tokenize it first');
    return Int32Array.from(tokens, (t) => this.indexOf(t));
  }

  /**
   * Tokens of `ids` (an array, a typed array or a 1-D tensor), as `tokenOf` gives them.
   * `options.skipSpecials` drops special tokens (padding, markers). Default: false.
   */
  decode(ids: Iterable<number> | ArrayLike<number> | Tensor, options: { skipSpecials?: boolean } = {}): string[] {
    if (ids instanceof Tensor && ids.ndim !== 1) {
      throw new ShapeError(`Vocabulary.decode: ids must be a 1-D tensor; got shape ${fmtShape(ids.shape)}`);
    }
    const values = ids instanceof Tensor ? ids.data : ids;
    const list = Symbol.iterator in Object(values) ? Array.from(values as Iterable<number>) : Array.from(values as ArrayLike<number>);
    const specials = new Set((options.skipSpecials ?? false) ? this.specialIndices : []);
    return list.filter((i) => !specials.has(i)).map((i) => this.tokenOf(i));
  }

  /** The JSON form, read back by `Vocabulary.fromJSON` (`JSON.stringify(vocab)` calls this). */
  toJSON(): VocabularyJSON {
    return {
      format: 'recurrent.vocabulary',
      version: 1,
      tokens: [...this.tokens],
      specials: [...this.specialIndices],
      unkIndex: this.unkIndex,
      padIndex: this.padIndex,
    };
  }
}
