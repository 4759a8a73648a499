/**
 * Tokenizers: split text into the string tokens a `Vocabulary` numbers.
 *
 * Two simple, deterministic rules, enough for character-level language models and word-level
 * classifiers and taggers:
 *
 * - `charTokenize`: one token per Unicode code point (not per UTF-16 unit, so an emoji or another
 *   character outside the Basic Multilingual Plane is one token, never two lone surrogates).
 * - `wordTokenize`: words and punctuation as separate tokens, by the regular expression `WORD_PATTERN`.
 *
 * Both run unchanged in Node.js and in the browser.
 */
import { ValueError } from '../errors.js';

/** A function from text to tokens, e.g. `charTokenize` or `(t) => wordTokenize(t, { lowercase: true })`. */
export type Tokenizer = (text: string) => string[];

export interface WordTokenizeOptions {
  /** Lower-case the text first (`String.prototype.toLowerCase`, locale-independent). Default: false. */
  lowercase?: boolean;
}

/**
 * The word rule. A token is either
 *
 * 1. a word: a run of letters, marks and digits (`\p{L}\p{M}\p{N}`) and underscores, possibly with
 *    apostrophes or hyphens inside it (`don't`, `rock'n'roll`, `well-known`, `O’Neil`), or
 * 2. any other single character that is not white space (punctuation, symbols, emoji), each one
 *    a token of its own (`...` is three tokens `.`, `.`, `.`).
 *
 * White space only separates tokens and never appears in one.
 */
export const WORD_PATTERN = /[\p{L}\p{M}\p{N}_]+(?:['’\-][\p{L}\p{M}\p{N}_]+)*|[^\s\p{L}\p{M}\p{N}_]/gu;

function checkText(op: string, text: unknown): string {
  if (typeof text !== 'string') {
    throw new ValueError(`${op}: text must be a string; got ${text === null ? 'null' : typeof text}`);
  }
  return text;
}

/**
 * Splits text into its Unicode code points.
 *
 * Combining sequences are not merged: `'e\u0301'` (e + combining acute) is two tokens; normalise
 * with `text.normalize('NFC')` first if that matters.
 *
 * Args:
 *   text: the string to split.
 *
 * Returns: one string per code point, in order (`[]` for the empty string).
 *
 * Throws: ValueError when `text` is not a string.
 *
 * Example:
 *   charTokenize('hi 😀');  // ['h', 'i', ' ', '😀']
 */
export function charTokenize(text: string): string[] {
  return Array.from(checkText('charTokenize', text));
}

/**
 * Splits text into words and punctuation by `WORD_PATTERN`.
 *
 * Args:
 *   text: the string to split.
 *   options.lowercase: lower-case the text first. Default: false.
 *
 * Returns: the tokens in order (`[]` for empty or all-white-space text).
 *
 * Throws: ValueError when `text` is not a string.
 *
 * Example:
 *   wordTokenize("Don't panic, it's 42!");
 *   // ["Don't", 'panic', ',', "it's", '42', '!']
 *   wordTokenize('Hello, World', { lowercase: true });  // ['hello', ',', 'world']
 */
export function wordTokenize(text: string, options: WordTokenizeOptions = {}): string[] {
  let source = checkText('wordTokenize', text);
  if (options.lowercase ?? false) source = source.toLowerCase();
  return source.match(WORD_PATTERN) ?? [];
}
