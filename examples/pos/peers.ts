/**
 * The baselines and the JavaScript taggers people use today, on the same held-out sentences (the
 * same tokens): the most frequent tag of each word, `wink-pos-tagger`, `en-pos` and `pos`. The
 * three peers output Penn Treebank tags, mapped to universal tags by Petrov et al.'s en-ptb table.
 */
import { createRequire } from 'node:module';
import type { TaggedSentence } from 'recurrent';

/** Penn Treebank tag → universal tag (Petrov, Das and McDonald 2012, en-ptb.map). */
export const PENN_TO_UNIVERSAL: Readonly<Record<string, string>> = {
  '!': '.',
  '#': '.',
  $: '.',
  "''": '.',
  '"': '.',
  '(': '.',
  ')': '.',
  ',': '.',
  '-LRB-': '.',
  '-RRB-': '.',
  '.': '.',
  ':': '.',
  '?': '.',
  '``': '.',
  CC: 'CONJ',
  CD: 'NUM',
  DT: 'DET',
  EX: 'DET',
  FW: 'X',
  IN: 'ADP',
  JJ: 'ADJ',
  JJR: 'ADJ',
  JJS: 'ADJ',
  LS: 'X',
  MD: 'VERB',
  NN: 'NOUN',
  NNP: 'NOUN',
  NNPS: 'NOUN',
  NNS: 'NOUN',
  PDT: 'DET',
  POS: 'PRT',
  PRP: 'PRON',
  PRP$: 'PRON',
  RB: 'ADV',
  RBR: 'ADV',
  RBS: 'ADV',
  RP: 'PRT',
  SYM: 'X',
  TO: 'PRT',
  UH: 'X',
  VB: 'VERB',
  VBD: 'VERB',
  VBG: 'VERB',
  VBN: 'VERB',
  VBP: 'VERB',
  VBZ: 'VERB',
  WDT: 'DET',
  WP: 'PRON',
  WP$: 'PRON',
  WRB: 'ADV',
};

/** A tag outside the table (some taggers emit their own, e.g. en-pos's 'EM' for emoji) reads as X. */
export const pennToUniversal = (tag: string): string => PENN_TO_UNIVERSAL[tag] ?? 'X';

/** The most frequent tag of each word form in training; words never seen get the most frequent tag overall. */
export function mostFrequentTagger(train: readonly TaggedSentence[]): (tokens: readonly string[]) => string[] {
  const counts = new Map<string, Map<string, number>>();
  const overall = new Map<string, number>();
  for (const s of train) {
    s.tokens.forEach((w, i) => {
      const tag = s.tags[i]!;
      const perWord = counts.get(w) ?? new Map<string, number>();
      perWord.set(tag, (perWord.get(tag) ?? 0) + 1);
      counts.set(w, perWord);
      overall.set(tag, (overall.get(tag) ?? 0) + 1);
    });
  }
  const best = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  const table = new Map([...counts].map(([w, m]) => [w, best(m)]));
  const fallback = best(overall);
  return (tokens) => tokens.map((w) => table.get(w) ?? fallback);
}

/** The peers as taggers of a tokenized sentence into universal tags. */
export function peerTaggers(): Record<string, (tokens: readonly string[]) => string[]> {
  const require = createRequire(import.meta.url);
  const wink = (require('wink-pos-tagger') as () => { tagRawTokens(t: string[]): { pos: string }[] })();
  const { Tag } = require('en-pos') as { Tag: new (words: string[]) => { initial(): { smooth(): { tags: string[] } } } };
  const pos = require('pos') as { Tagger: new () => { tag(words: string[]): [string, string][] } };
  const fasttag = new pos.Tagger();
  return {
    'wink-pos-tagger': (tokens) => wink.tagRawTokens([...tokens]).map((t) => pennToUniversal(t.pos)),
    'en-pos': (tokens) => new Tag([...tokens]).initial().smooth().tags.map(pennToUniversal),
    pos: (tokens) => fasttag.tag([...tokens]).map((t) => pennToUniversal(t[1])),
  };
}
