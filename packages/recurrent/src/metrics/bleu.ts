/** Corpus BLEU (Papineni, Roukos, Ward and Zhu, 2002) over tokenised hypotheses, each with one or more references. */
import { ValueError } from '../errors.js';

export interface BleuScore {
  /** BLEU in [0, 1]: BP · exp(Σ_n log p_n / N); 0 when some p_n is 0 (no smoothing). */
  bleu: number;
  /** The modified n-gram precisions p_1 … p_N, corpus-wide. */
  precisions: number[];
  /** min(1, exp(1 − r / c)). */
  brevityPenalty: number;
  /** c: the hypotheses' total length. */
  hypothesisLength: number;
  /** r: Σ over hypotheses of the reference length closest to the hypothesis's (the shorter on a tie). */
  referenceLength: number;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Corpus-level BLEU-N, as in the paper and NLTK's `corpus_bleu`: n-gram matches are clipped by the
 * most times the n-gram occurs in any one reference of the same hypothesis, and summed over the
 * corpus before dividing; the brevity penalty compares the total hypothesis length c with the sum
 * r of the closest reference lengths.
 *
 * Args:
 *   hypotheses: one token list per output.
 *   references: per output, one or more reference token lists.
 *   maxOrder: N; default 4.
 *
 * @example
 * import { corpusBleu } from 'recurrent';
 * const { bleu } = corpusBleu([['the', 'cat', 'sat', 'on', 'the', 'mat']], [[['the', 'cat', 'sat', 'on', 'the', 'mat']]]);
 * bleu; // 1
 */
export function corpusBleu(hypotheses: readonly (readonly string[])[], references: readonly (readonly (readonly string[])[])[], maxOrder = 4): BleuScore {
  const op = 'corpusBleu';
  if (hypotheses.length !== references.length) {
    throw new ValueError(`${op}: hypotheses and references must have one entry per output; got ${hypotheses.length} and ${references.length}`);
  }
  if (!Number.isInteger(maxOrder) || maxOrder < 1) throw new ValueError(`${op}: maxOrder must be an integer ≥ 1; got ${String(maxOrder)}`);
  const matches = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let c = 0;
  let r = 0;
  hypotheses.forEach((hypothesis, i) => {
    const refs = references[i]!;
    if (refs.length === 0) throw new ValueError(`${op}: references[${i}] is empty; every output needs at least one reference`);
    c += hypothesis.length;
    let closest = refs[0]!.length;
    for (const ref of refs) {
      const [d, best] = [Math.abs(ref.length - hypothesis.length), Math.abs(closest - hypothesis.length)];
      if (d < best || (d === best && ref.length < closest)) closest = ref.length;
    }
    r += closest;
    for (let n = 1; n <= maxOrder; n++) {
      const counts = ngramCounts(hypothesis, n);
      const most = new Map<string, number>();
      for (const ref of refs) for (const [key, k] of ngramCounts(ref, n)) most.set(key, Math.max(most.get(key) ?? 0, k));
      for (const [key, k] of counts) matches[n - 1]! += Math.min(k, most.get(key) ?? 0);
      totals[n - 1]! += Math.max(0, hypothesis.length - n + 1);
    }
  });
  const precisions = matches.map((m, n) => (totals[n]! === 0 ? 0 : m / totals[n]!));
  const brevityPenalty = c === 0 ? 0 : c >= r ? 1 : Math.exp(1 - r / c);
  const bleu = precisions.some((p) => p === 0) ? 0 : brevityPenalty * Math.exp(precisions.reduce((s, p) => s + Math.log(p), 0) / maxOrder);
  return { bleu, precisions, brevityPenalty, hypothesisLength: c, referenceLength: r };
}
