/**
 * Scores of a reader on strips: exact match (the whole number read right), digit accuracy
 * (1 − the digit error rate: Levenshtein edits over true digits), accuracy per true digit class
 * (the share of each class's digits that a minimum-edit alignment matches with the same digit),
 * and exact match by strip length.
 */
export interface Scores {
  strips: number;
  exactMatch: number;
  digitAccuracy: number;
  /** Per class 0–9. */
  perClass: number[];
  /** Per length 1–5: exact match among strips of that many digits. */
  byLength: Record<number, number>;
}

/** Edit distance of `a` (true) and `b` (read), and which positions of `a` an optimal alignment matches exactly. */
export function align(a: readonly number[], b: readonly number[]): { distance: number; matched: boolean[] } {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  const matched = new Array<boolean>(a.length).fill(false);
  let [i, j] = [a.length, b.length];
  while (i > 0 && j > 0) {
    if (d[i]![j] === d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)) {
      matched[i - 1] = a[i - 1] === b[j - 1];
      i--;
      j--;
    } else if (d[i]![j] === d[i - 1]![j]! + 1) {
      i--;
    } else {
      j--;
    }
  }
  return { distance: d[a.length]![b.length]!, matched };
}

export function score(truth: readonly (readonly number[])[], read: readonly (readonly number[])[]): Scores {
  let exact = 0;
  let edits = 0;
  let digits = 0;
  const classTotal = new Array<number>(10).fill(0);
  const classRight = new Array<number>(10).fill(0);
  const lengthTotal: Record<number, number> = {};
  const lengthRight: Record<number, number> = {};
  truth.forEach((t, n) => {
    const r = read[n]!;
    const same = t.length === r.length && t.every((d, i) => d === r[i]);
    if (same) exact++;
    lengthTotal[t.length] = (lengthTotal[t.length] ?? 0) + 1;
    lengthRight[t.length] = (lengthRight[t.length] ?? 0) + (same ? 1 : 0);
    const { distance, matched } = align(t, r);
    edits += distance;
    digits += t.length;
    t.forEach((d, i) => {
      classTotal[d]!++;
      if (matched[i]) classRight[d]!++;
    });
  });
  const byLength: Record<number, number> = {};
  for (const k of Object.keys(lengthTotal)) byLength[Number(k)] = lengthRight[Number(k)]! / lengthTotal[Number(k)]!;
  return {
    strips: truth.length,
    exactMatch: exact / truth.length,
    digitAccuracy: 1 - edits / digits,
    perClass: classTotal.map((n, c) => (n === 0 ? NaN : classRight[c]! / n)),
    byLength,
  };
}
