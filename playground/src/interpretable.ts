/**
 * Finding interpretable units: each unit's activation over the reading passage is correlated with
 * simple properties of the text at each character — inside a quotation, the position in the line,
 * inside parentheses, at the end of a word — and the units with the strongest correlation (either
 * sign) are listed for each, as Karpathy, Johnson & Fei-Fei (2015) found quote and line-length
 * cells by hand.
 */

export interface Feature {
  name: string;
  /** The feature's value at each character of the text. */
  values(text: string): number[];
}

function toggled(text: string, open: (ch: string) => boolean, close: (ch: string) => boolean): number[] {
  let inside = false;
  return [...text].map((ch) => {
    if (inside && close(ch)) inside = false;
    else if (!inside && open(ch)) inside = true;
    return inside ? 1 : 0;
  });
}

export const FEATURES: readonly Feature[] = [
  {
    name: 'inside quotes',
    values: (text) =>
      toggled(
        text,
        (c) => c === '"' || c === '“',
        (c) => c === '"' || c === '”',
      ),
  },
  {
    name: 'position in line',
    values: (text) => {
      let column = 0;
      return [...text].map((ch) => (ch === '\n' ? (column = 0) : ++column));
    },
  },
  {
    name: 'inside parentheses',
    values: (text) =>
      toggled(
        text,
        (c) => c === '(' || c === '[',
        (c) => c === ')' || c === ']',
      ),
  },
  { name: 'end of word', values: (text) => [...text].map((ch, i) => (/\w/.test(ch) && !/\w/.test(text[i + 1] ?? ' ') ? 1 : 0)) },
];

/** Pearson's r of x and y; 0 when either is constant. */
export function correlation(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export interface UnitMatch {
  unit: number;
  r: number;
}

/** The `count` units whose activations (T, H) correlate most strongly with each feature of `text`. */
export function bestUnits(text: string, values: Float32Array, H: number, count = 3): { feature: string; units: UnitMatch[] }[] {
  const T = text.length;
  const columns = Array.from({ length: H }, (_, u) => Array.from({ length: T }, (_, t) => values[t * H + u]!));
  return FEATURES.map((f) => {
    const target = f.values(text);
    const units = columns
      .map((col, unit) => ({ unit, r: correlation(col, target) }))
      .sort((a, b) => Math.abs(b.r) - Math.abs(a.r))
      .slice(0, count);
    return { feature: f.name, units };
  });
}
