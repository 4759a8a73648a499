/**
 * An interpolated Kneser–Ney character n-gram model (Chen & Goodman 1998, §3.5, one discount per
 * order), the baseline of the names example.
 *
 * A name w is scored as `…` + w + `.`: n − 1 boundary symbols before it (its context at the first
 * letter) and one after it (the end of the name, predicted like a letter). For order k, context h
 * (k − 1 symbols) and symbol s:
 *
 *   P_k(s | h) = max(c_k(h s) − D_k, 0) / c_k(h •) + D_k · N₁₊(h •) / c_k(h •) · P_{k−1}(s | h′)
 *
 * with h′ = h without its first symbol, P_0 uniform over the symbols that can be predicted, and
 * P_k = P_{k−1} when c_k(h •) = 0 (an unseen context). c_k is the raw count at the highest order
 * and for n-grams (n ≥ 2) that begin with the boundary (nothing precedes those, as in KenLM); elsewhere
 * it is the continuation count, the number of distinct symbols seen just before the n-gram.
 */

export class KneserNey {
  readonly order: number;
  readonly discounts: number[];
  private readonly symbols: number;
  /** Per order k (index k − 1): context → (symbol → adjusted count). */
  private readonly counts: Map<string, Map<string, number>>[];
  /** Per order: context → [total of the adjusted counts, number of distinct symbols]. */
  private readonly totals: Map<string, [number, number]>[];

  /**
   * @param names the training names (lower-case letters and '-').
   * @param symbols the number of symbols P_0 spreads over (letters, '-', the end).
   * @param discounts D_1 … D_n, each in (0, 1); n is their number.
   */
  constructor(names: readonly string[], symbols: number, discounts: readonly number[], boundary = '.') {
    this.order = discounts.length;
    this.discounts = [...discounts];
    this.symbols = symbols;
    const n = this.order;
    const raw: Map<string, number>[] = Array.from({ length: n }, () => new Map());
    for (const name of names) {
      const text = boundary.repeat(n - 1) + name + boundary;
      for (let i = n - 1; i < text.length; i++)
        for (let k = 1; k <= n; k++) {
          const gram = text.slice(i - k + 1, i + 1);
          raw[k - 1]!.set(gram, (raw[k - 1]!.get(gram) ?? 0) + 1);
        }
    }
    // Adjusted counts: raw at the top order and for boundary-initial n-grams, else continuation counts.
    const adjusted: Map<string, number>[] = Array.from({ length: n }, () => new Map());
    for (let k = 1; k <= n; k++) {
      for (const [gram, count] of raw[k - 1]!) if (k === n || beginsWithBoundary(gram, boundary)) adjusted[k - 1]!.set(gram, count);
      if (k < n) {
        for (const longer of raw[k]!.keys()) {
          const gram = longer.slice(1);
          if (!beginsWithBoundary(gram, boundary)) adjusted[k - 1]!.set(gram, (adjusted[k - 1]!.get(gram) ?? 0) + 1);
        }
      }
    }
    this.counts = adjusted.map((grams) => {
      const byContext = new Map<string, Map<string, number>>();
      for (const [gram, count] of grams) {
        const context = gram.slice(0, -1);
        let row = byContext.get(context);
        if (row === undefined) byContext.set(context, (row = new Map()));
        row.set(gram.slice(-1), count);
      }
      return byContext;
    });
    this.totals = this.counts.map(
      (byContext) => new Map([...byContext].map(([context, row]) => [context, [[...row.values()].reduce((a, b) => a + b, 0), row.size] as [number, number]])),
    );
  }

  /** P(symbol | context), context holding the order − 1 symbols before it. */
  probability(context: string, symbol: string): number {
    let p = 1 / this.symbols;
    for (let k = 1; k <= this.order; k++) {
      const h = context.slice(context.length - (k - 1));
      const total = this.totals[k - 1]!.get(k === 1 ? '' : h);
      if (total === undefined || total[0] === 0) continue;
      const D = this.discounts[k - 1]!;
      const count = this.counts[k - 1]!.get(k === 1 ? '' : h)!.get(symbol) ?? 0;
      p = Math.max(count - D, 0) / total[0] + ((D * total[1]) / total[0]) * p;
    }
    return p;
  }

  /** −log P(name + end), in nats, and the number of symbols predicted (letters + the end). */
  negLogLikelihood(name: string, boundary = '.'): [number, number] {
    const text = boundary.repeat(this.order - 1) + name + boundary;
    let nll = 0;
    for (let i = this.order - 1; i < text.length; i++) nll -= Math.log(this.probability(text.slice(i - this.order + 1, i), text[i]!));
    return [nll, name.length + 1];
  }
}

/** An n-gram (n ≥ 2) whose first symbol is the boundary before a name; a lone boundary is the end. */
function beginsWithBoundary(gram: string, boundary: string): boolean {
  return gram.length > 1 && gram[0] === boundary;
}

/** Nats per symbol of `model` over `names`. */
export function natsPerSymbol(model: KneserNey, names: readonly string[]): number {
  let nll = 0;
  let count = 0;
  for (const name of names) {
    const [l, c] = model.negLogLikelihood(name);
    nll += l;
    count += c;
  }
  return nll / count;
}

/**
 * Discounts D_1 … D_order chosen on `valid` by coordinate descent over a grid (0.05 … 0.95, step
 * 0.05; three sweeps from 0.75 each), the model counted on `train`.
 */
export function tuneDiscounts(train: readonly string[], valid: readonly string[], symbols: number, order: number): number[] {
  const grid = Array.from({ length: 19 }, (_, i) => 0.05 * (i + 1));
  const discounts = new Array<number>(order).fill(0.75);
  for (let sweep = 0; sweep < 3; sweep++)
    for (let k = 0; k < order; k++) {
      let best = Infinity;
      let bestD = discounts[k]!;
      for (const D of grid) {
        discounts[k] = D;
        const loss = natsPerSymbol(new KneserNey(train, symbols, discounts), valid);
        if (loss < best) ((best = loss), (bestD = D));
      }
      discounts[k] = bestD;
    }
  return discounts;
}
