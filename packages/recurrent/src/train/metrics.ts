/** Running averages of training metrics: loss (nats), perplexity, bits per token, accuracy. */

export interface Metrics {
  /** Mean loss per item, in nats for cross-entropy. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
  /** loss / ln 2: bits per character for a character model. */
  bitsPerChar: number;
  /** Fraction of items predicted correctly, when counted. */
  accuracy?: number;
  /** Items (tokens, samples) averaged over. */
  count: number;
}

/** Accumulates per-batch means weighted by their item counts. */
export class MetricAccumulator {
  private lossSum = 0;
  private items = 0;
  private correct = 0;
  private counted = false;

  /** Adds a batch whose mean loss is `loss` over `count` items, `correct` of them right. */
  add(loss: number, count: number, correct?: number): void {
    this.lossSum += loss * count;
    this.items += count;
    if (correct !== undefined) {
      this.correct += correct;
      this.counted = true;
    }
  }

  get count(): number {
    return this.items;
  }

  result(): Metrics {
    const loss = this.items === 0 ? NaN : this.lossSum / this.items;
    const out: Metrics = { loss, perplexity: Math.exp(loss), bitsPerChar: loss / Math.LN2, count: this.items };
    if (this.counted) out.accuracy = this.correct / this.items;
    return out;
  }

  reset(): void {
    this.lossSum = 0;
    this.items = 0;
    this.correct = 0;
    this.counted = false;
  }
}
