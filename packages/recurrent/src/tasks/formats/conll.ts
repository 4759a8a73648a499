/**
 * Tagged sentences in the CoNLL layout: one `token<TAB>tag` per line (extra columns between them
 * ignored: the token is the first field, the tag the last), a blank line between sentences.
 */
import { FormatError } from '../../errors.js';

/** One sentence: its tokens, their tags, and the line of its first token (1-based; 0 when not from a file). */
export interface TaggedSentence {
  tokens: string[];
  tags: string[];
  line: number;
}

export interface ConllOptions {
  /**
   * Most tokens in a sentence; default 256. A longer run of lines (a file without blank lines
   * between sentences reads as one sentence) is cut into consecutive pieces of at most this many
   * tokens, each a sentence, with a warning naming the file and the line.
   */
  maxSentenceLength?: number;
}

export interface ConllData {
  sentences: TaggedSentence[];
  /** What was read but not as written (long sentences cut), each naming the file and line. */
  warnings: string[];
}

export const DEFAULT_MAX_SENTENCE_LENGTH = 256;

/**
 * Reads CoNLL data: UTF-8 bytes (checked: invalid UTF-8 is an error naming its line) or text.
 * A trailing CR is dropped (Windows line ends); a line of only spaces counts as blank; lines
 * starting with `-DOCSTART-` (CoNLL-2003's document marks) end a sentence and are skipped.
 *
 * Throws: FormatError naming `file` and the line: an empty file (0 bytes, or no tokens at all),
 * invalid UTF-8, a line without a tab, an empty token or tag.
 *
 * @example
 * import { parseConll } from 'recurrent';
 * const { sentences } = parseConll('The\tDET\ncat\tNOUN\n\nIt\tPRON\nran\tVERB\n', 'pos.conll');
 * sentences[0]; // { tokens: ['The', 'cat'], tags: ['DET', 'NOUN'], line: 1 }
 */
export function parseConll(input: string | Uint8Array, file: string, options: ConllOptions = {}): ConllData {
  const max = options.maxSentenceLength ?? DEFAULT_MAX_SENTENCE_LENGTH;
  if (!Number.isInteger(max) || max < 1) throw new FormatError(`parseConll: maxSentenceLength must be a positive integer; got ${String(max)}`);
  if (input.length === 0) throw new FormatError(`${file}:1: the file is empty (0 bytes); expected token<TAB>tag lines with a blank line between sentences`);
  const text = typeof input === 'string' ? input : decodeUtf8(input, file);
  const sentences: TaggedSentence[] = [];
  const warnings: string[] = [];
  let current: TaggedSentence | null = null;
  const close = (): void => {
    if (current === null) return;
    const n = current.tokens.length;
    if (n > max) {
      const pieces = Math.ceil(n / max);
      warnings.push(
        `${file}:${current.line}: a sentence of ${n} tokens (no blank line between sentences?) is longer than the maximum of ${max}; read as ${pieces} sentences of at most ${max} tokens`,
      );
      for (let start = 0; start < n; start += max)
        sentences.push({ tokens: current.tokens.slice(start, start + max), tags: current.tags.slice(start, start + max), line: current.line + start });
    } else sentences.push(current);
    current = null;
  };
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('-DOCSTART-')) return close();
    const where = `${file}:${i + 1}`;
    const fields = line.split('\t');
    if (fields.length < 2) throw new FormatError(`${where}: expected token<TAB>tag; the line has no tab: ${preview(line)}`);
    const [token, tag] = [fields[0]!, fields[fields.length - 1]!.trim()];
    if (token === '') throw new FormatError(`${where}: the token (the first field) is empty`);
    if (tag === '') throw new FormatError(`${where}: the tag (the last field) is empty`);
    current ??= { tokens: [], tags: [], line: i + 1 };
    current.tokens.push(token);
    current.tags.push(tag);
  });
  close();
  if (sentences.length === 0) throw new FormatError(`${file}:1: no token<TAB>tag lines (only blank lines)`);
  return { sentences, warnings };
}

/** `bytes` as UTF-8 text; invalid UTF-8 is a FormatError naming the first line that holds it. */
function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let [line, start] = [1, 0];
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        throw new FormatError(`${file}:${line}: the line is not valid UTF-8 (byte offset ${start} to ${i}); convert the file (e.g. iconv -t UTF-8)`);
      }
      [line, start] = [line + 1, i + 1];
    }
    throw new FormatError(`${file}: the file is not valid UTF-8`);
  }
}

/** The start of a line, for messages. */
function preview(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}
