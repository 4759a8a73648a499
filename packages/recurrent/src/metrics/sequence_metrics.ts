/** The metrics of sequence-to-sequence outputs: exact match, character and token error rates, BLEU. */
import { ValueError } from '../errors.js';
import { corpusBleu } from './bleu.js';
import { editDistance } from './edit_distance.js';

export interface SequenceMetrics {
  /** Outputs equal to one of their references, as a fraction. */
  exactMatch: number;
  /** Character error rate: Σ edit distance over the characters of the output text / Σ reference characters. */
  cer: number;
  /** Token error rate: Σ edit distance over tokens / Σ reference tokens (the phoneme error rate of G2P). */
  ter: number;
  /** Corpus BLEU-4, when asked for (word tokens). */
  bleu?: number;
  /** Outputs scored. */
  count: number;
}

export interface SequenceMetricsOptions {
  /** How tokens join into text for the character error rate: '' for characters (default), ' ' for words. */
  separator?: string;
  /** Also compute corpus BLEU-4; default false. */
  bleu?: boolean;
}

/**
 * Scores token outputs against one or more references each. With several references, an output
 * is an exact match if it equals any of them, and each error rate takes, per output, the
 * reference with the fewest edits (its length in the denominator; the shorter one on a tie), as
 * G2P evaluations do when a word has several pronunciations.
 *
 * @example
 * import { sequenceMetrics } from 'recurrent';
 * const m = sequenceMetrics([['K', 'AE1', 'T']], [[['K', 'AE1', 'T'], ['K', 'AH0', 'T']]], { separator: ' ' });
 * [m.exactMatch, m.ter, m.cer]; // [1, 0, 0]
 */
export function sequenceMetrics(
  outputs: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
  options: SequenceMetricsOptions = {},
): SequenceMetrics {
  const op = 'sequenceMetrics';
  if (outputs.length !== references.length) {
    throw new ValueError(`${op}: outputs and references must have one entry per output; got ${outputs.length} and ${references.length}`);
  }
  const separator = options.separator ?? '';
  let exact = 0;
  const tokens = { errors: 0, length: 0 };
  const chars = { errors: 0, length: 0 };
  const closest = (totals: typeof tokens, candidates: readonly (readonly string[])[], output: readonly string[]): void => {
    let best: [number, number] | null = null;
    for (const ref of candidates) {
      const d = editDistance(output, ref);
      if (best === null || d < best[0] || (d === best[0] && ref.length < best[1])) best = [d, ref.length];
    }
    totals.errors += best![0];
    totals.length += best![1];
  };
  outputs.forEach((output, i) => {
    const refs = references[i]!;
    if (refs.length === 0) throw new ValueError(`${op}: references[${i}] is empty; every output needs at least one reference`);
    if (refs.some((ref) => ref.length === output.length && ref.every((t, k) => t === output[k]))) exact++;
    closest(tokens, refs, output);
    closest(
      chars,
      refs.map((ref) => Array.from(ref.join(separator))),
      Array.from(output.join(separator)),
    );
  });
  const rate = (t: typeof tokens): number => (t.length === 0 ? (t.errors === 0 ? 0 : 1) : t.errors / t.length);
  const metrics: SequenceMetrics = {
    exactMatch: outputs.length === 0 ? 0 : exact / outputs.length,
    cer: rate(chars),
    ter: rate(tokens),
    count: outputs.length,
  };
  if (options.bleu) metrics.bleu = corpusBleu(outputs, references).bleu;
  return metrics;
}
