/**
 * Metrics of a classifier: accuracy, per-class precision, recall and F1, macro-F1 and the
 * confusion matrix, from predicted and true class indices.
 */
import { ShapeError, ValueError } from '../errors.js';

/** Precision, recall and F1 of one class, with its support (how many items truly belong to it). */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Items whose true class is this one. */
  support: number;
  /** Items predicted as this class. */
  predicted: number;
}

export interface ClassificationMetrics {
  /** Fraction of items predicted right (NaN for no items). */
  accuracy: number;
  /** Mean F1 over the classes that occur among the true or the predicted classes. */
  macroF1: number;
  /** One entry per class index in [0, numClasses). */
  perClass: ClassScores[];
  /** confusion[t][p]: items of true class t predicted as p; numClasses × numClasses. */
  confusion: number[][];
  /** Items scored. */
  count: number;
}

/**
 * Scores predictions against the truth.
 *
 * Per class c: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·P·R / (P + R); a ratio
 * with a zero denominator is 0 (scikit-learn's `zero_division=0`). Macro-F1 is the unweighted mean
 * F1 over the classes present in `actual` or `predicted` (scikit-learn's default label set), so a
 * class absent from both does not pull it down.
 *
 * Shapes: predicted (N), actual (N), each an integer in [0, numClasses).
 *
 * @throws ShapeError when the two lengths differ; ValueError for an index outside [0, numClasses).
 *
 * @example
 * import { classificationMetrics } from 'recurrent';
 * const m = classificationMetrics([0, 1, 1, 0], [0, 1, 0, 0], 2);
 * m.accuracy; // 0.75
 * m.confusion; // [[2, 1], [0, 1]]
 * m.perClass[1]!.precision; // 0.5
 */
export function classificationMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>, numClasses: number): ClassificationMetrics {
  const op = 'classificationMetrics';
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`${op}: numClasses must be a positive integer; got ${String(numClasses)}`);
  if (predicted.length !== actual.length)
    throw new ShapeError(`${op}: predicted and actual must have the same length; got ${predicted.length} and ${actual.length}`);
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  const check = (name: string, v: number, i: number): number => {
    if (!Number.isInteger(v) || v < 0 || v >= numClasses)
      throw new ValueError(`${op}: ${name}[${i}] must be a class index in [0, ${numClasses}); got ${String(v)}`);
    return v;
  };
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const [t, p] = [check('actual', actual[i]!, i), check('predicted', predicted[i]!, i)];
    confusion[t]![p]!++;
    if (t === p) correct++;
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const perClass = confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, r) => a + r[c]!, 0);
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support, predicted: predictedAs };
  });
  const present = perClass.filter((s) => s.support > 0 || s.predicted > 0);
  return {
    accuracy: actual.length === 0 ? NaN : correct / actual.length,
    macroF1: present.length === 0 ? NaN : present.reduce((a, s) => a + s.f1, 0) / present.length,
    perClass,
    confusion,
    count: actual.length,
  };
}
