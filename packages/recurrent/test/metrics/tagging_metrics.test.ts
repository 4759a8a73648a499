// Span F1 with conlleval's semantics. The expected counts of the first two examples are those
// conlleval.pl (version 2004-01-26) prints for the same lines ("token gold predicted", a blank
// line between sentences), worked out by hand as well in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spanF1, tokenAccuracy } from '../../src/index.js';

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;

test('the seqeval/conlleval README example: one of two spans right, accuracy 8/10', () => {
  const gold = [
    ['O', 'O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'O'],
    ['B-PER', 'I-PER', 'O'],
  ];
  const predicted = [
    ['O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'I-MISC', 'O'],
    ['B-PER', 'I-PER', 'O'],
  ];
  const m = spanF1(gold, predicted);
  // conlleval.pl: processed 10 tokens with 2 phrases; found: 2 phrases; correct: 1; accuracy 80.00%.
  assert.deepEqual([m.tokens, m.gold, m.predicted, m.correct], [10, 2, 2, 1]);
  assert.ok(close(m.accuracy, 0.8) && close(m.precision, 0.5) && close(m.recall, 0.5) && close(m.f1, 0.5));
  assert.deepEqual(m.perType.MISC, { precision: 0, recall: 0, f1: 0, gold: 1, predicted: 1, correct: 0 });
  assert.equal(m.perType.PER!.f1, 1);
  assert.ok(close(tokenAccuracy(gold, predicted), 0.8));
});

test('IOB1-style I-X opening spans, type changes inside a run, and spans cut at sentence ends, as conlleval.pl counts them', () => {
  const gold = [
    ['I-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC', 'B-LOC', 'I-ORG', 'O', 'B-ORG'],
    ['I-MISC', 'I-MISC', 'B-MISC', 'O', 'B-PER', 'I-PER', 'I-LOC'],
  ];
  const predicted = [
    ['I-PER', 'B-PER', 'O', 'B-LOC', 'I-ORG', 'B-LOC', 'I-ORG', 'I-LOC', 'O'],
    ['B-MISC', 'I-MISC', 'B-MISC', 'O', 'I-PER', 'I-PER', 'I-PER'],
  ];
  const m = spanF1(gold, predicted);
  // conlleval.pl: 16 tokens, 9 phrases, found 10, correct 4, 9 correct tags;
  // LOC 3/3/1, MISC 2/2/2, ORG 2/2/1, PER 2/3/0 (gold/found/correct).
  assert.deepEqual([m.tokens, m.gold, m.predicted, m.correct], [16, 9, 10, 4]);
  assert.ok(close(m.accuracy, 9 / 16));
  const counts = Object.fromEntries(Object.entries(m.perType).map(([type, s]) => [type, [s.gold, s.predicted, s.correct]]));
  assert.deepEqual(counts, { LOC: [3, 3, 1], MISC: [2, 2, 2], ORG: [2, 2, 1], PER: [2, 3, 0] });
  assert.ok(close(m.precision, 0.4) && close(m.recall, 4 / 9) && close(m.f1, (2 * 0.4 * (4 / 9)) / (0.4 + 4 / 9)));
});

test('BIOES: S-X is a span of one, B-X after E-X opens a new span, and a span must match at both ends', () => {
  const gold = [['S-PER', 'S-PER', 'B-LOC', 'E-LOC', 'B-LOC', 'I-LOC', 'E-LOC', 'O']];
  const predicted = [['S-PER', 'B-PER', 'E-PER', 'E-LOC', 'B-LOC', 'I-LOC', 'E-LOC', 'O']];
  const m = spanF1(gold, predicted);
  // Gold: PER(0), PER(1), LOC(2–3), LOC(4–6). Predicted: PER(0), PER(1–2), LOC(3), LOC(4–6).
  assert.deepEqual([m.gold, m.predicted, m.correct], [4, 4, 2]);
  assert.deepEqual([m.perType.PER!.correct, m.perType.LOC!.correct], [1, 1]);
});

test('no spans: precision, recall and F1 are 0, not NaN; mismatched lengths name the sentence', () => {
  const m = spanF1([['O', 'O']], [['O', 'O']]);
  assert.deepEqual([m.precision, m.recall, m.f1, m.accuracy], [0, 0, 0, 1]);
  assert.throws(() => spanF1([['O', 'O']], [['O']]), /spanF1: sentence 0 has 2 gold tags but 1 predicted/);
  assert.throws(() => tokenAccuracy([['O']], []), /tokenAccuracy: gold has 1 sentences, predicted 0/);
});
