/**
 * The validation texts of a run without --valid: a seeded 10% of the distinct texts, each with all
 * of its lines, so that no text is on both sides (a repeated text never validates itself).
 */
import type { LabelledText } from 'recurrent';

/** FNV-1a, 32 bits: a fixed, order-independent ranking of the texts for a seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * [train, valid]: the ⌈fraction · texts⌉ distinct texts that rank first by a hash of (seed, text)
 * go to validation. The split depends on the seed and the set of texts only, not on the file's
 * order. At least one text stays on each side.
 */
export function holdOutTexts(data: readonly LabelledText[], fraction: number, seed: number): [LabelledText[], LabelledText[]] {
  const texts = [...new Set(data.map((d) => d.text))];
  const count = Math.min(Math.max(1, Math.ceil(fraction * texts.length)), texts.length - 1);
  const ranked = texts.map((t) => [hash(`${seed}\u0000${t}`), t] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  const held = new Set(ranked.slice(0, count).map(([, t]) => t));
  return [data.filter((d) => !held.has(d.text)), data.filter((d) => held.has(d.text))];
}
