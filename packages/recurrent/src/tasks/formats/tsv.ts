/** Pairs of texts, one `source<TAB>target` per line: the file format of sequence-to-sequence data. */
import { FormatError } from '../../errors.js';

/** One source and its target, with the line they came from (1-based; 0 when not from a file). */
export interface TextPair {
  source: string;
  target: string;
  line: number;
}

/**
 * Reads UTF-8 text of `source<TAB>target` lines. Blank lines are skipped; a trailing CR (Windows
 * line ends) is dropped; the two fields are kept as they are, spaces included.
 *
 * Throws: FormatError naming `file` and the line: a line without a tab, with more than one tab,
 * or with an empty source or target.
 *
 * @example
 * import { parsePairs } from 'recurrent';
 * parsePairs('cat\tK AE1 T\ndog\tD AO1 G\n', 'g2p.tsv'); // [{ source: 'cat', target: 'K AE1 T', line: 1 }, …]
 */
export function parsePairs(text: string, file: string): TextPair[] {
  const pairs: TextPair[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new FormatError(`${where}: expected source<TAB>target; the line has no tab: ${preview(line)}`);
    const tabs = line.split('\t').length - 1;
    if (tabs > 1) throw new FormatError(`${where}: expected source<TAB>target; the line has ${tabs} tabs (${tabs + 1} fields)`);
    const [source, target] = [line.slice(0, tab), line.slice(tab + 1)];
    if (source.trim() === '') throw new FormatError(`${where}: the source (before the tab) is empty`);
    if (target.trim() === '') throw new FormatError(`${where}: the target (after the tab) is empty`);
    pairs.push({ source, target, line: i + 1 });
  });
  return pairs;
}

/** The start of a line, for messages. */
function preview(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}
