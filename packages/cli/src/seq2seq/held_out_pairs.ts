/**
 * The validation pairs of a run without --valid: a seeded 10% of the distinct sources, each with
 * all of its pairs, so that no source is on both sides (a word's pronunciations stay together).
 */
import type { TextPair } from 'recurrent';

/** FNV-1a, 32 bits: a fixed, order-independent ranking of the sources for a seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * [train, valid]: the ⌈fraction · sources⌉ distinct sources that rank first by a hash of (seed,
 * source) go to validation with all their pairs. The split depends on the seed and the set of
 * sources only, not on the file's order. At least one source stays on each side.
 */
export function holdOutBySource(pairs: readonly TextPair[], fraction: number, seed: number): [TextPair[], TextPair[]] {
  const sources = [...new Set(pairs.map((p) => p.source))];
  const count = Math.min(Math.max(1, Math.ceil(fraction * sources.length)), sources.length - 1);
  const ranked = sources.map((s) => [hash(`${seed}\u0000${s}`), s] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  const held = new Set(ranked.slice(0, count).map(([, s]) => s));
  return [pairs.filter((p) => !held.has(p.source)), pairs.filter((p) => held.has(p.source))];
}
