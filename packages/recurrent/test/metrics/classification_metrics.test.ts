// Classification metrics against values worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError, classificationMetrics } from '../../src/index.js';

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

// Truth and predictions of nine items over three classes; by hand:
//   confusion (rows: truth) [[2, 1, 0], [0, 1, 1], [1, 0, 3]]
//   class 0: P 2/3, R 2/3; class 1: P 1/2, R 1/2; class 2: P 3/4, R 3/4; macro-F1 (2/3 + 1/2 + 3/4)/3 = 23/36
const actual = [0, 0, 0, 1, 1, 2, 2, 2, 2];
const predicted = [0, 1, 0, 1, 2, 2, 2, 0, 2];

test('accuracy, per-class precision, recall and F1, macro-F1 and the confusion matrix', () => {
  const m = classificationMetrics(predicted, actual, 3);
  close(m.accuracy, 6 / 9);
  assert.deepEqual(m.confusion, [
    [2, 1, 0],
    [0, 1, 1],
    [1, 0, 3],
  ]);
  const expected = [
    [2 / 3, 2 / 3, 3, 3],
    [1 / 2, 1 / 2, 2, 2],
    [3 / 4, 3 / 4, 4, 4],
  ];
  m.perClass.forEach((s, c) => {
    const [p, r, support, predictedAs] = expected[c]!;
    close(s.precision, p!);
    close(s.recall, r!);
    close(s.f1, (2 * p! * r!) / (p! + r!));
    assert.equal(s.support, support);
    assert.equal(s.predicted, predictedAs);
  });
  close(m.macroF1, 23 / 36);
  assert.equal(m.count, 9);
});

test('a class never predicted has precision 0; a class absent from truth and predictions leaves macro-F1 alone', () => {
  // Class 1 is in the truth but never predicted; class 3 is nowhere.
  const m = classificationMetrics([0, 0, 2, 2], [0, 1, 2, 2], 4);
  assert.equal(m.perClass[1]!.precision, 0);
  assert.equal(m.perClass[1]!.recall, 0);
  assert.equal(m.perClass[1]!.f1, 0);
  close(m.perClass[0]!.precision, 1 / 2);
  // F1: class 0 = 2·(1/2·1)/(3/2) = 2/3, class 1 = 0, class 2 = 1 → mean over the three present.
  close(m.macroF1, (2 / 3 + 0 + 1) / 3);
  close(m.accuracy, 3 / 4);
  assert.ok(Number.isNaN(classificationMetrics([], [], 2).accuracy));
});

test('bad input names the argument', () => {
  assert.throws(() => classificationMetrics([0, 1], [0], 2), ShapeError);
  assert.throws(
    () => classificationMetrics([0, 2], [0, 1], 2),
    (e: unknown) => e instanceof ValueError && /predicted\[1\] must be a class index in \[0, 2\); got 2/.test(e.message),
  );
  assert.throws(() => classificationMetrics([0], [-1], 2), /actual\[0\]/);
  assert.throws(() => classificationMetrics([0], [0], 0), /numClasses must be a positive integer/);
});
