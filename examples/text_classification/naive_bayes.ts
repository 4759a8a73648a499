/**
 * A multinomial naive Bayes text classifier, the baseline the recurrent classifiers are measured
 * against: words (lower-cased, the library's word tokenizer), Laplace smoothing α = 1, log prior +
 * Σ count · log P(word | class); words never seen in training are ignored.
 */
import { wordTokenize, type LabelledText } from 'recurrent';

export class NaiveBayes {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly totals = new Map<string, number>();
  private readonly docs = new Map<string, number>();
  private readonly vocab = new Set<string>();
  private n = 0;

  constructor(private readonly alpha = 1) {}

  static train(data: readonly LabelledText[], alpha = 1): NaiveBayes {
    const nb = new NaiveBayes(alpha);
    for (const d of data) nb.add(d.text, d.label);
    return nb;
  }

  add(text: string, label: string): void {
    const counts = this.counts.get(label) ?? new Map<string, number>();
    this.counts.set(label, counts);
    this.docs.set(label, (this.docs.get(label) ?? 0) + 1);
    this.n++;
    for (const w of wordTokenize(text, { lowercase: true })) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      this.totals.set(label, (this.totals.get(label) ?? 0) + 1);
      this.vocab.add(w);
    }
  }

  /** Log-posterior (up to a constant) of each class, best first. */
  scores(text: string): [label: string, logp: number][] {
    const words = wordTokenize(text, { lowercase: true }).filter((w) => this.vocab.has(w));
    const V = this.vocab.size;
    return [...this.counts]
      .map(([label, counts]): [string, number] => {
        const denominator = Math.log((this.totals.get(label) ?? 0) + this.alpha * V);
        let s = Math.log(this.docs.get(label)! / this.n);
        for (const w of words) s += Math.log((counts.get(w) ?? 0) + this.alpha) - denominator;
        return [label, s];
      })
      .sort((a, b) => b[1] - a[1]);
  }

  predict(text: string): string {
    return this.scores(text)[0]![0];
  }
}
