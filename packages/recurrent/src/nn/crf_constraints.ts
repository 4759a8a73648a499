/**
 * Which tag may follow which under the BIO and BIOES span schemes: the transition constraints of a
 * linear-chain CRF (nn.CRF's `constraints`), so that decoding never outputs an I-X after an O.
 */
import { ValueError } from '../errors.js';

/** 'BIO' (IOB2: B-X begins a span, I-X continues it, O is outside) or 'BIOES' (also E-X ends a span, S-X is a one-token span). */
export type TagScheme = 'BIO' | 'BIOES';
export const TAG_SCHEMES: readonly TagScheme[] = ['BIO', 'BIOES'];

/** Allowed moves between K tags: true where allowed. */
export interface TransitionMask {
  /** (K): may a sequence start with tag j. */
  start: boolean[];
  /** (K): may a sequence end with tag i. */
  end: boolean[];
  /** (K, K): may tag j follow tag i (row i, column j — nn.CRF's `transitions` layout). */
  transitions: boolean[][];
}

/** A tag split into its prefix ('B', 'I', 'E', 'S' or 'O') and its type ('' for O). */
export interface ParsedTag {
  prefix: 'B' | 'I' | 'E' | 'S' | 'O';
  type: string;
}

/**
 * `tag` under `scheme`: 'O', or a prefix of the scheme, a hyphen and a type ('B-PER'). Returns null
 * for a tag outside the scheme (e.g. 'NOUN' or 'E-PER' under BIO).
 */
export function parseSchemeTag(tag: string, scheme: TagScheme): ParsedTag | null {
  if (tag === 'O') return { prefix: 'O', type: '' };
  const prefixes = scheme === 'BIO' ? 'BI' : 'BIES';
  if (tag.length < 3 || tag[1] !== '-' || !prefixes.includes(tag[0]!)) return null;
  return { prefix: tag[0] as ParsedTag['prefix'], type: tag.slice(2) };
}

/** The scheme every tag of `tags` follows (BIO tried first), or null when some tag follows neither. */
export function detectTagScheme(tags: readonly string[]): TagScheme | null {
  if (tags.length === 0) return null;
  for (const scheme of TAG_SCHEMES) if (tags.every((t) => parseSchemeTag(t, scheme) !== null)) return scheme;
  return null;
}

/**
 * The transitions a tag sequence may take under `scheme` (as AllenNLP's `allowed_transitions`):
 *
 * - BIO: a sequence starts with O or B-X; I-X follows only B-X or I-X (same X); anything may end it.
 * - BIOES: a sequence starts with O, B-X or S-X; after O, E-X or S-X come O, B-Y or S-Y; after B-X
 *   or I-X come only I-X or E-X (same X); a sequence ends with O, E-X or S-X.
 *
 * Throws: ValueError naming the first tag that is not 'O' or a prefix of the scheme with a type.
 *
 * @example
 * import { nn } from 'recurrent';
 * const tags = ['O', 'B-PER', 'I-PER'];
 * const mask = nn.allowedTransitions(tags, 'BIO');
 * mask.transitions[0]![2]; // false: O → I-PER
 * mask.start[2]; // false
 * const crf = new nn.CRF(tags.length, { constraints: mask });
 */
export function allowedTransitions(tags: readonly string[], scheme: TagScheme): TransitionMask {
  if (!TAG_SCHEMES.includes(scheme)) throw new ValueError(`allowedTransitions: scheme must be 'BIO' or 'BIOES'; got ${String(scheme)}`);
  const parsed = tags.map((tag, i) => {
    const p = parseSchemeTag(tag, scheme);
    if (p === null) {
      const form = scheme === 'BIO' ? 'B-X or I-X' : 'B-X, I-X, E-X or S-X';
      throw new ValueError(`allowedTransitions: tags[${i}] is ${JSON.stringify(tag)}; under ${scheme} every tag must be O, ${form}`);
    }
    return p;
  });
  const bio = scheme === 'BIO';
  const start = parsed.map((p) => p.prefix === 'O' || p.prefix === 'B' || p.prefix === 'S');
  const end = parsed.map((p) => bio || p.prefix === 'O' || p.prefix === 'E' || p.prefix === 'S');
  const transitions = parsed.map((from) =>
    parsed.map((to) => {
      const continues = to.prefix === 'I' || to.prefix === 'E';
      if (bio) return to.prefix !== 'I' || ((from.prefix === 'B' || from.prefix === 'I') && from.type === to.type);
      const inside = from.prefix === 'B' || from.prefix === 'I';
      return inside ? continues && from.type === to.type : !continues;
    }),
  );
  return { start, end, transitions };
}
