// The digit strips example's data and scoring: the fixed split keeps every image on one side, the
// strips hold what they say, and the scores count what they claim.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HEIGHT, MAX_DIGITS, MIN_DIGITS, TRAIN_DIGITS, distort, loadDigits, makeRng, makeStrips } from '../../examples/digit_strips/data.js';
import { align, score } from '../../examples/digit_strips/scores.js';

describe('digit strips data', () => {
  const { train, test: held } = loadDigits();

  test('8,000 training and 2,000 test digits, no image on both sides, every class on both', () => {
    assert.equal(train.length, TRAIN_DIGITS);
    assert.equal(held.length, 10_000 - TRAIN_DIGITS);
    const key = (p: Float32Array): string => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64');
    const seen = new Set(train.map((d) => key(d.pixels)));
    // An image repeated in the package would appear on both sides only if its copies were split apart.
    const shared = held.filter((d) => seen.has(key(d.pixels)));
    assert.equal(shared.length, 0, `${shared.length} test images also in training`);
    for (let c = 0; c < 10; c++) {
      assert.ok(train.filter((d) => d.label === c).length > 600, `class ${c} in training`);
      assert.ok(held.filter((d) => d.label === c).length > 150, `class ${c} in test`);
    }
  });

  test('strips: 1–5 digits, HEIGHT rows, seeded, pixels in [0, 1], every length drawn', () => {
    const strips = makeStrips(3, 200, held);
    const again = makeStrips(3, 200, held);
    assert.deepEqual(
      strips.map((s) => s.labels),
      again.map((s) => s.labels),
    );
    const lengths = new Set(strips.map((s) => s.labels.length));
    for (let l = MIN_DIGITS; l <= MAX_DIGITS; l++) assert.ok(lengths.has(l), `a strip of ${l} digits`);
    for (const s of strips) {
      assert.equal(s.pixels.length, HEIGHT * s.width);
      assert.ok(s.pixels.every((v) => v >= 0 && v <= 1));
      // Wider strips for more digits: at least a few columns per digit.
      assert.ok(s.width >= 4 * s.labels.length, `width ${s.width} for ${s.labels.length} digits`);
    }
    assert.notDeepEqual(
      makeStrips(4, 20, held).map((s) => s.labels),
      strips.slice(0, 20).map((s) => s.labels),
    );
  });
});

describe('digit strips augmentation', () => {
  test('a distorted digit keeps its label, stays in [0, 1], moves its pixels and keeps most of its ink', () => {
    const { train } = loadDigits();
    const rng = makeRng(5);
    for (const d of train.slice(0, 20)) {
      const e = distort(d, rng);
      assert.equal(e.label, d.label);
      assert.ok(e.pixels.every((v) => v >= 0 && v <= 1 + 1e-6));
      assert.ok(e.pixels.some((v, i) => Math.abs(v - d.pixels[i]!) > 0.1));
      const ink = (p: Float32Array): number => p.reduce((a, b) => a + b, 0);
      const ratio = ink(e.pixels) / ink(d.pixels);
      assert.ok(ratio > 0.6 && ratio < 1.5, `ink ratio ${ratio}`);
    }
  });
});

describe('digit strips scores', () => {
  test('alignment matches digits by minimum edits', () => {
    assert.deepEqual(align([1, 2, 3], [1, 3]), { distance: 1, matched: [true, false, true] });
    assert.deepEqual(align([4, 4], [4, 4, 4]), { distance: 1, matched: [true, true] });
    assert.equal(align([], [5]).distance, 1);
  });

  test('exact match, digit accuracy, per class and per length', () => {
    const s = score([[1, 2], [3], [1, 1, 1]], [[1, 2], [8], [1, 1]]);
    assert.equal(s.exactMatch, 1 / 3);
    assert.equal(s.digitAccuracy, 1 - 2 / 6);
    assert.equal(s.perClass[1], 3 / 4);
    assert.equal(s.perClass[3], 0);
    assert.ok(Number.isNaN(s.perClass[9]));
    assert.deepEqual(s.byLength, { 1: 0, 2: 1, 3: 0 });
  });
});
