/** Small helpers of the text-classification examples: fixed hashes for splits, TSV files, durations. */
import { writeFileSync } from 'node:fs';
import type { LabelledText } from 'recurrent';

/** FNV-1a of the text as a number in [0, 1): a fixed, order-independent place in a split. */
export function fraction(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 4294967296;
}

/** Writes `text<TAB>label` lines (texts are single lines already: white space collapsed). */
export function writeTsv(path: string, data: readonly LabelledText[]): void {
  writeFileSync(path, data.map((d) => `${d.text.replace(/\s+/g, ' ')}\t${d.label}\n`).join(''));
}

/** '90s', '20m', '1h' (or plain seconds) in seconds. */
export function seconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (!m) throw new Error(`--time: expected e.g. 90s, 20m or 1h; got '${text}'`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

/** About n items spread over `data` (every k-th), for the --quick runs: all classes stay in. */
export function every<T>(data: readonly T[], n: number): T[] {
  const k = Math.max(1, Math.floor(data.length / n));
  return data.filter((_, i) => i % k === 0).slice(0, n);
}
