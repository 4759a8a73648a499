// CTC decoding: greedy collapses repeats and drops blanks; prefix beam search with a wide beam finds
// the labelling that an enumeration of every path finds most probable, with its probability.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError, ctcBeamSearch, ctcGreedyDecode, ctcLoss, logSoftmax, manualSeed, randn, tensor } from '../../src/index.js';

/** Log-probabilities (T, 1, C) whose argmax at frame t is path[t]. */
function peaked(path: number[], C: number): ReturnType<typeof tensor> {
  const rows = path.map((best) => Array.from({ length: C }, (_, c) => (c === best ? Math.log(0.9) : Math.log(0.1 / (C - 1)))));
  return tensor(rows.map((r) => [r]));
}

describe('ctcGreedyDecode', () => {
  test('collapses repeats, then drops blanks (a blank separates a doubled label)', () => {
    assert.deepEqual(ctcGreedyDecode(peaked([0, 1, 1, 0, 1, 2, 2, 0], 3)), [[1, 1, 2]]);
    assert.deepEqual(ctcGreedyDecode(peaked([3, 1, 1, 3, 1, 2, 2, 3], 4), { blank: 3 }), [[1, 1, 2]]);
    assert.deepEqual(ctcGreedyDecode(peaked([0, 0, 0], 3)), [[]]);
  });

  test('reads only the first inputLengths frames of each sequence; (T, C) input is one sequence', () => {
    const a = peaked([1, 0, 2, 2, 1], 3);
    const b = peaked([2, 2, 0, 1, 1], 3);
    const batch = tensor([0, 1, 2, 3, 4].map((t) => [(a.toArray() as number[][][])[t]![0]!, (b.toArray() as number[][][])[t]![0]!]));
    assert.deepEqual(ctcGreedyDecode(batch, { inputLengths: [3, 5] }), [
      [1, 2],
      [2, 1],
    ]);
    assert.deepEqual(ctcGreedyDecode(a.reshape(5, 3)), [[1, 2, 1]]);
  });

  test('bad arguments', () => {
    assert.throws(() => ctcGreedyDecode(randn([4])), ShapeError);
    assert.throws(() => ctcGreedyDecode(randn([4, 2, 3]), { inputLengths: [4] }), /inputLengths must hold 2/);
    assert.throws(() => ctcGreedyDecode(randn([4, 2, 3]), { inputLengths: [4, 5] }), /inputLengths\[1\] must be an integer in \[0, 4\]/);
    assert.throws(() => ctcGreedyDecode(randn([4, 2, 3]), { blank: 3 }), ValueError);
  });
});

/** Every labelling's probability, by summing the probability of each of the C^T paths under it. */
function labellingProbabilities(rows: number[][], blank: number): Map<string, number> {
  const T = rows.length;
  const C = rows[0]!.length;
  const sums = new Map<string, number>();
  for (let k = 0; k < C ** T; k++) {
    let rest = k;
    let logP = 0;
    const labels: number[] = [];
    let previous = -1;
    for (let t = 0; t < T; t++) {
      const c = rest % C;
      rest = Math.floor(rest / C);
      logP += rows[t]![c]!;
      if (c !== blank && c !== previous) labels.push(c);
      previous = c;
    }
    const key = labels.join(',');
    sums.set(key, (sums.get(key) ?? 0) + Math.exp(logP));
  }
  return sums;
}

describe('ctcBeamSearch', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`a wide beam finds the most probable labelling of an enumeration (seed ${seed})`, () => {
      manualSeed(seed);
      const blank = seed % 3;
      // Flat-ish distributions, so that the best path and the best labelling often differ.
      const logProbs = logSoftmax(randn([5, 1, 3], { dtype: 'float64' }).mul(0.7), 2);
      const rows = (logProbs.toArray() as number[][][]).map((r) => r[0]!);
      const sums = labellingProbabilities(rows, blank);
      const [bestKey, bestP] = [...sums.entries()].sort((x, y) => y[1] - x[1])[0]!;
      const [best, second] = ctcBeamSearch(logProbs, { beamWidth: 1000, topK: 2, blank })[0]!;
      assert.equal(best!.labels.join(','), bestKey);
      assert.ok(Math.abs(Math.exp(best!.logProb) - bestP) < 1e-12, `beam ${Math.exp(best!.logProb)}, enumeration ${bestP}`);
      assert.ok(Math.abs(Math.exp(second!.logProb) - sums.get(second!.labels.join(','))!) < 1e-12);
      // The same probability as the CTC loss gives that labelling.
      const target = best!.labels.length > 0 ? best!.labels : [(blank + 1) % 3];
      const nll = ctcLoss(logProbs, tensor([target], { dtype: 'int32' }), [5], [best!.labels.length], { blank, reduction: 'sum' }).item();
      assert.ok(Math.abs(nll + best!.logProb) < 1e-12);
    });
  }

  test('beats best path where many alignments of one labelling outweigh the single best path', () => {
    // Frame by frame the blank wins (0.4), so the best path reads "", with p("") = 0.4³ = 0.064;
    // but "1" has six alignments (100, 010, 001, 110, 011, 111): p("1") ≈ 0.309.
    const row = [Math.log(0.4), Math.log(0.35), Math.log(0.25)];
    const logProbs = tensor([[row], [row], [row]]);
    assert.deepEqual(ctcGreedyDecode(logProbs), [[]]);
    const best = ctcBeamSearch(logProbs, { beamWidth: 16 })[0]![0];
    assert.deepEqual(best!.labels, [1]);
  });

  test('batched, with lengths; bad arguments', () => {
    manualSeed(9);
    const logProbs = logSoftmax(randn([6, 2, 4]), 2);
    const both = ctcBeamSearch(logProbs, { inputLengths: [6, 3], beamWidth: 50 });
    const alone = ctcBeamSearch(logProbs.narrow(1, 1, 1).narrow(0, 0, 3), { beamWidth: 50 });
    assert.deepEqual(both[1], alone[0]);
    assert.throws(() => ctcBeamSearch(logProbs, { beamWidth: 0 }), /beamWidth must be a positive integer/);
    assert.throws(() => ctcBeamSearch(logProbs, { beamWidth: 2, topK: 3 }), /topK must be an integer in \[1, beamWidth = 2\]/);
  });
});
