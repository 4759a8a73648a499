import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, manualSeed, multinomial, oneHot, IndexError, ValueError, ShapeError } from '../../src/index.js';

test('oneHot encodes int32 classes, inferring numClasses from the largest by default', () => {
  const y = oneHot(
    tensor(
      [
        [0, 2],
        [1, 0],
      ],
      { dtype: 'int32' },
    ),
  );
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(y.toArray(), [
    [
      [1, 0, 0],
      [0, 0, 1],
    ],
    [
      [0, 1, 0],
      [1, 0, 0],
    ],
  ]);
  assert.deepEqual(oneHot(tensor([1], { dtype: 'int32' }), 4).toArray(), [[0, 1, 0, 0]]);
  assert.throws(() => oneHot(tensor([3], { dtype: 'int32' }), 3), IndexError);
  assert.throws(() => oneHot(tensor([1.5])), /int32/);
});

test('multinomial with replacement follows the weights (chi-squared) and reproduces under manualSeed', () => {
  const w = tensor([1, 2, 3, 4]);
  manualSeed(7);
  const n = 20000;
  const draws = multinomial(w, n, true);
  assert.deepEqual(draws.shape, [n]);
  assert.equal(draws.dtype, 'int32');
  const counts = [0, 0, 0, 0];
  for (const d of draws.data) counts[d]!++;
  const chi2 = counts.reduce((s, c, i) => s + (c - (n * (i + 1)) / 10) ** 2 / ((n * (i + 1)) / 10), 0);
  // 3 degrees of freedom: P(χ² > 16.27) = 0.001.
  assert.ok(chi2 < 16.27, `χ² ${chi2} for counts ${counts}`);
  manualSeed(7);
  assert.deepEqual(multinomial(w, n, true).toArray(), draws.toArray());
  manualSeed(7);
  assert.deepEqual(w.multinomial(n, true).toArray(), draws.toArray());
  assert.equal(
    multinomial(tensor([0, 0, 1]), 5, true)
      .toArray()
      .toString(),
    '2,2,2,2,2',
  );
});

test('multinomial without replacement draws each category once, first draws following the weights', () => {
  manualSeed(3);
  const rows = multinomial(
    tensor([
      [0.1, 0.2, 0.3, 0.4],
      [1, 0, 1, 0],
    ]),
    2,
  );
  assert.deepEqual(rows.shape, [2, 2]);
  const second = rows.toArray() as number[][];
  assert.deepEqual([...second[1]!].sort(), [0, 2]);
  const full = multinomial(tensor([5, 1, 1, 1, 1]), 5).toArray() as number[];
  assert.deepEqual([...full].sort(), [0, 1, 2, 3, 4]);
  let firstIsZero = 0;
  const trials = 4000;
  for (let t = 0; t < trials; t++) if (multinomial(tensor([5, 1, 1, 1, 1]), 2).data[0] === 0) firstIsZero++;
  // P(first = 0) = 5/9; binomial sd ≈ 0.0079, so ±0.04 is 5 sd.
  assert.ok(Math.abs(firstIsZero / trials - 5 / 9) < 0.04, `${firstIsZero} of ${trials}`);
  assert.throws(() => multinomial(tensor([1, 0, 1]), 3), /without replacement/);
  assert.throws(() => multinomial(tensor([1, -1]), 1), ValueError);
  assert.throws(() => multinomial(tensor([[[1]]]), 1), ShapeError);
});
