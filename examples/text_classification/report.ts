/** What the text-classification examples print about a classifier's predictions: accuracy, per-class F1, macro-F1. */
import { classificationMetrics, type ClassificationMetrics } from 'recurrent';

/** Metrics of predicted labels against the truth, the classes numbered in `labels` order. */
export function scoreLabels(predicted: readonly string[], actual: readonly string[], labels: readonly string[]): ClassificationMetrics {
  const index = new Map(labels.map((l, i) => [l, i]));
  const id = (l: string): number => {
    if (!index.has(l)) throw new Error(`label ${JSON.stringify(l)} is not one of ${labels.join(', ')}`);
    return index.get(l)!;
  };
  return classificationMetrics(predicted.map(id), actual.map(id), labels.length);
}

export const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;

/** One line: name, accuracy, macro-F1 and the F1 of `focus` (a class name), with the seconds taken. */
export function metricLine(name: string, m: ClassificationMetrics, labels: readonly string[], focus: string | null, seconds: number): string {
  const f = focus === null ? '' : ` ${focus}-F1 ${m.perClass[labels.indexOf(focus)]!.f1.toFixed(4)}`;
  return `${name.padEnd(34)} accuracy ${pct(m.accuracy)} macro-F1 ${m.macroF1.toFixed(4)}${f} (${seconds.toFixed(1)} s)`;
}
