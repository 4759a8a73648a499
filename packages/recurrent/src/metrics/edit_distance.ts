/** Levenshtein distance between two sequences, the numerator of character and token error rates. */

/**
 * The fewest insertions, deletions and substitutions (each costing 1) that turn `a` into `b`,
 * comparing elements with `===`. O(|a|·|b|) time, O(|b|) memory.
 *
 * @example
 * import { editDistance } from 'recurrent';
 * editDistance(['K', 'AE1', 'T'], ['K', 'AA1', 'T', 'S']); // 2
 * editDistance(Array.from('kitten'), Array.from('sitting')); // 3
 */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}
