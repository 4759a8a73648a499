/**
 * CoNLL files for `--task tag`: read as bytes (so that invalid UTF-8 is named with its line),
 * parsed, their warnings printed; and the seeded held-out split of a run without --valid.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseConll, type TaggedSentence, ValueError } from 'recurrent/node';
import { MAX_TEXT_BYTES, sha256Hex } from '../corpus.js';

export interface ConllFile {
  path: string;
  sha256: string;
  sentences: TaggedSentence[];
}

/** The sentences of the CoNLL file `path` (named by `flag` in errors); a sentence longer than `maxLength` tokens is cut, with a warning. */
export function readConllFile(flag: string, path: string, maxLength: number): ConllFile {
  let bytes: Uint8Array;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ValueError(`${flag}: ${path} is not a file`);
    if (stat.size > MAX_TEXT_BYTES) throw new ValueError(`${flag}: ${path} is ${stat.size} bytes; the limit is ${MAX_TEXT_BYTES} bytes`);
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT') throw new ValueError(`${flag}: no such file: ${path}`);
    if (code === 'EACCES') throw new ValueError(`${flag}: cannot read ${path} (permission denied)`);
    throw e;
  }
  const { sentences, warnings } = parseConll(bytes, path, { maxSentenceLength: maxLength });
  for (const w of warnings) console.warn(`warning: ${w}`);
  return { path, sha256: sha256Hex(bytes), sentences };
}

/** FNV-1a, 32 bits: a fixed ranking of the sentences for a seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * [train, valid]: the ⌈fraction · distinct sentences⌉ distinct sentences (by their tokens) that
 * rank first by a hash of (seed, tokens) go to validation, with every copy of them, so that no
 * sentence is on both sides. The split depends on the seed and the set of sentences, not on their
 * order in the file. At least one distinct sentence stays on each side.
 */
export function holdOutSentences(sentences: readonly TaggedSentence[], fraction: number, seed: number): [TaggedSentence[], TaggedSentence[]] {
  const key = (s: TaggedSentence): string => s.tokens.join('\u0001');
  const distinct = [...new Set(sentences.map(key))];
  if (distinct.length < 2)
    throw new ValueError(`--data: ${distinct.length} distinct sentence(s); holding out a validation part needs at least 2 (or pass --valid FILE)`);
  const count = Math.min(Math.max(1, Math.ceil(fraction * distinct.length)), distinct.length - 1);
  const ranked = distinct.map((k) => [hash(`${seed}\u0000${k}`), k] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  const held = new Set(ranked.slice(0, count).map(([, k]) => k));
  return [sentences.filter((s) => !held.has(key(s))), sentences.filter((s) => held.has(key(s)))];
}
