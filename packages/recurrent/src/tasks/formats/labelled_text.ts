/**
 * Labelled texts, the file formats of text classification: `text<TAB>label` lines (TSV), or JSON
 * Lines of `{"text": …, "label": …}` objects. Both are read as untrusted input: every problem is a
 * FormatError naming the file and the line.
 */
import { FormatError } from '../../errors.js';

/** One text and its label, with the line they came from (1-based; 0 when not from a file). */
export interface LabelledText {
  text: string;
  label: string;
  line: number;
}

/** The start of a line, for messages. */
function preview(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}

/** Non-blank lines without their CR, with 1-based numbers. */
function* lines(text: string): Generator<[line: string, number: number]> {
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const raw = all[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') yield [line, i + 1];
  }
}

/**
 * Reads UTF-8 text of `text<TAB>label` lines. The label is what follows the LAST tab (so a text
 * may itself hold tabs); both parts are trimmed of surrounding white space. Blank lines are
 * skipped; a trailing CR (Windows line ends) is dropped.
 *
 * Throws: FormatError naming `file` and the line: a line without a tab, an empty text or an empty label.
 *
 * @example
 * import { parseLabelledTsv } from 'recurrent';
 * parseLabelledTsv('great film\tpos\ndull\tneg\n', 'reviews.tsv');
 * // [{ text: 'great film', label: 'pos', line: 1 }, { text: 'dull', label: 'neg', line: 2 }]
 */
export function parseLabelledTsv(text: string, file: string): LabelledText[] {
  const out: LabelledText[] = [];
  for (const [line, n] of lines(text)) {
    const where = `${file}:${n}`;
    const tab = line.lastIndexOf('\t');
    if (tab < 0) throw new FormatError(`${where}: expected text<TAB>label; the line has no tab: ${preview(line)}`);
    const [body, label] = [line.slice(0, tab).trim(), line.slice(tab + 1).trim()];
    if (body === '') throw new FormatError(`${where}: the text (before the tab) is empty`);
    if (label === '') throw new FormatError(`${where}: the label (after the tab) is empty`);
    out.push({ text: body, label, line: n });
  }
  return out;
}

/**
 * Reads JSON Lines: one object `{"text": string, "label": string | number}` per non-blank line
 * (other keys are ignored; a numeric label is read as its decimal string).
 *
 * Throws: FormatError naming `file` and the line: invalid JSON, not an object, a missing or
 * non-string text, an empty text, a missing, empty or non-string/number label.
 *
 * @example
 * import { parseLabelledJsonl } from 'recurrent';
 * parseLabelledJsonl('{"text":"great film","label":"pos"}\n', 'reviews.jsonl'); // [{ text: 'great film', label: 'pos', line: 1 }]
 */
export function parseLabelledJsonl(text: string, file: string): LabelledText[] {
  const out: LabelledText[] = [];
  for (const [line, n] of lines(text)) {
    const where = `${file}:${n}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new FormatError(`${where}: invalid JSON (${(e as Error).message}): ${preview(line)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new FormatError(
        `${where}: expected an object {"text": …, "label": …}; got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
      );
    const { text: body, label } = value as { text?: unknown; label?: unknown };
    if (typeof body !== 'string') throw new FormatError(`${where}: "text" must be a string; got ${body === undefined ? 'no "text" key' : typeof body}`);
    if (body.trim() === '') throw new FormatError(`${where}: the text is empty`);
    if (typeof label !== 'string' && !(typeof label === 'number' && Number.isFinite(label)))
      throw new FormatError(
        `${where}: "label" must be a string or a number; got ${label === undefined ? 'no "label" key' : label === null ? 'null' : typeof label}`,
      );
    const name = String(label).trim();
    if (name === '') throw new FormatError(`${where}: the label is empty`);
    out.push({ text: body.trim(), label: name, line: n });
  }
  return out;
}

/**
 * The bytes of a labelled-text file as text, then its records: `.jsonl` (or `.ndjson`) files as JSON
 * Lines, anything else as TSV.
 *
 * Throws: FormatError naming `file`: a file of 0 bytes; bytes that are not UTF-8 (with the line of
 * the first bad byte); and every error of the two parsers.
 *
 * @example
 * import { readLabelledText } from 'recurrent';
 * readLabelledText(new TextEncoder().encode('hi\tgreeting\n'), 'a.tsv'); // [{ text: 'hi', label: 'greeting', line: 1 }]
 */
export function readLabelledText(bytes: Uint8Array, file: string): LabelledText[] {
  if (bytes.length === 0) throw new FormatError(`${file}: the file is empty (0 bytes); expected UTF-8 lines text<TAB>label or JSON Lines`);
  const text = decodeUtf8Lines(bytes, file);
  return /\.(jsonl|ndjson)$/i.test(file) ? parseLabelledJsonl(text, file) : parseLabelledTsv(text, file);
}

/** UTF-8 bytes as text; invalid UTF-8 is a FormatError naming the line and byte offset of the first bad sequence. */
export function decodeUtf8Lines(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the first line that does not decode on its own (a multi-byte sequence never spans a newline byte).
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      try {
        decoder.decode(bytes.subarray(start, end));
      } catch {
        throw new FormatError(`${file}:${line}: not valid UTF-8 (in the bytes from offset ${start}); convert the file to UTF-8 (e.g. iconv -t UTF-8)`);
      }
      start = end + 1;
    }
    throw new FormatError(`${file}: not valid UTF-8; convert the file to UTF-8 (e.g. iconv -t UTF-8)`);
  }
}
