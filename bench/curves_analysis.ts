/**
 * The arithmetic of bench/curves.ts, kept free of processes and files so that it can be tested:
 * medians, the least-squares line of memory against sequence length, and the two kinds of "cliff"
 * a cost curve is searched for.
 */

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface LineFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination; 1 when every point lies on the line (or all y are equal). */
  r2: number;
  /** Points the fit rests on. */
  n: number;
}

/**
 * Ordinary least squares y ≈ slope·x + intercept. Undefined with fewer than two points or when
 * all x are equal (no slope to fit).
 */
export function leastSquares(xs: readonly number[], ys: readonly number[]): LineFit | undefined {
  if (xs.length !== ys.length) throw new Error(`leastSquares: xs and ys must have the same length; got ${xs.length} and ${ys.length}`);
  const n = xs.length;
  if (n < 2) return undefined;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2, n };
}

/** A point whose throughput falls below the trend of its neighbours. */
export interface TrendCliff {
  /** Index into the points given. */
  index: number;
  /** The neighbours' trend at this point. */
  expected: number;
  /** expected ÷ actual: above `factor`. */
  drop: number;
}

/**
 * Points of a throughput curve (x ascending, y > 0) that lie more than `factor` below the trend of
 * their neighbours in log-log space, where a power law is a straight line. An interior point is
 * judged against the line through its two neighbours; an end point against its one neighbour
 * carried along the curve's median log-log slope between adjacent points (so that a dip further in
 * does not tilt its trend). Needs three points or more; points with y ≤ 0 or not finite are left
 * out first.
 */
export function trendCliffs(xs: readonly number[], ys: readonly number[], factor = 2): TrendCliff[] {
  const pts = xs.map((x, i) => ({ i, lx: Math.log(x), ly: Math.log(ys[i]!) })).filter((p) => Number.isFinite(p.lx) && Number.isFinite(p.ly));
  if (pts.length < 3) return [];
  const slopes = pts.slice(1).flatMap((p, k) => (p.lx === pts[k]!.lx ? [] : [(p.ly - pts[k]!.ly) / (p.lx - pts[k]!.lx)]));
  const typicalSlope = median(slopes);
  const out: TrendCliff[] = [];
  for (let k = 0; k < pts.length; k++) {
    const p = pts[k]!;
    let lyExpected: number;
    if (k === 0 || k === pts.length - 1) {
      if (typicalSlope === undefined) continue;
      const n = pts[k === 0 ? 1 : k - 1]!;
      lyExpected = n.ly + typicalSlope * (p.lx - n.lx);
    } else {
      const [a, b] = [pts[k - 1]!, pts[k + 1]!];
      if (a.lx === b.lx) continue;
      lyExpected = a.ly + ((b.ly - a.ly) * (p.lx - a.lx)) / (b.lx - a.lx);
    }
    const drop = Math.exp(lyExpected - p.ly);
    if (drop > factor) out.push({ index: p.i, expected: Math.exp(lyExpected), drop });
  }
  return out;
}

/** A point where ours ÷ torch is worse than `fraction` of the axis's median ratio. */
export interface RatioCliff {
  index: number;
  ratio: number;
  medianRatio: number;
}

/**
 * Points whose ratio (ours ÷ torch, tok/s: higher is better) is below `fraction` × the median of
 * the finite ratios given; undefined entries (a figure missing on one side) are skipped.
 */
export function ratioCliffs(ratios: readonly (number | undefined)[], fraction = 0.5): RatioCliff[] {
  const finite = ratios.filter((r): r is number => r !== undefined && Number.isFinite(r) && r > 0);
  const m = median(finite);
  if (m === undefined || finite.length < 2) return [];
  const out: RatioCliff[] = [];
  ratios.forEach((r, index) => {
    if (r !== undefined && Number.isFinite(r) && r < fraction * m) out.push({ index, ratio: r, medianRatio: m });
  });
  return out;
}
