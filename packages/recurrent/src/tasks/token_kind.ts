/** How a task splits text into tokens, and joins tokens back into text. */
import { ValueError } from '../errors.js';
import { charTokenize, wordTokenize } from '../text/tokenizers.js';

/** 'char': Unicode code points, joined with nothing; 'word': words and punctuation (WORD_PATTERN), joined with spaces. */
export type TokenKind = 'char' | 'word';
export const TOKEN_KINDS: readonly TokenKind[] = ['char', 'word'];

/** `value` as a TokenKind, or a ValueError naming it as `argName`. */
export function parseTokenKind(value: unknown, argName: string): TokenKind {
  if (TOKEN_KINDS.includes(value as TokenKind)) return value as TokenKind;
  throw new ValueError(`${argName} must be 'char' or 'word'; got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
}

export function tokenize(kind: TokenKind, text: string, lowercase = false): string[] {
  const source = lowercase ? text.toLowerCase() : text;
  return kind === 'char' ? charTokenize(source) : wordTokenize(source);
}

export function detokenize(kind: TokenKind, tokens: readonly string[]): string {
  return tokens.join(kind === 'char' ? '' : ' ');
}
