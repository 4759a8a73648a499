// The arithmetic behind bench/curves.ts (memory slope, cliffs) and the custom shapes the benchmark
// children take (--shape). No process is started and nothing is timed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configFromName, detFill, parseChildArgs, parseFigures, parseShape, shapeText } from '../../bench/common.js';
import { leastSquares, median, ratioCliffs, trendCliffs } from '../../bench/curves_analysis.js';

describe('custom shapes', () => {
  test('parse to a configuration named by its canonical text', () => {
    assert.deepEqual(parseShape('lstm:100:32:64:256:1'), { name: 'LSTM:100:32:64:256:1', cell: 'LSTM', T: 100, B: 32, input: 64, hidden: 256, layers: 1 });
    assert.equal(shapeText(parseShape('GRU:7:3:5:9:2')), 'GRU:7:3:5:9:2');
    assert.equal(configFromName('GRU:7:3:5:9:2').hidden, 9);
    assert.equal(configFromName('lstm-charlm').T, 100);
  });

  test('reject bad text with the field and the value', () => {
    assert.throws(() => parseShape('LSTM:100:32'), /--shape must be CELL:T:B:INPUT:HIDDEN:LAYERS .*got 'LSTM:100:32' \(3 fields\)/);
    assert.throws(() => parseShape('RNN:1:1:1:1:1'), /CELL must be LSTM or GRU; got 'RNN'/);
    assert.throws(() => parseShape('LSTM:1:0:1:1:1'), /B must be a positive integer; got '0'/);
    assert.throws(() => parseShape('LSTM:1:1:1:1:1.5'), /LAYERS must be a positive integer; got '1.5'/);
    assert.throws(() => parseShape('LSTM:1e3:1:1:1:1'), /T must be a positive integer; got '1e3'/);
  });

  test('child arguments: --config or --shape, exactly one; --figures a subset in a fixed order', () => {
    const a = parseChildArgs(['--shape', 'LSTM:10:2:3:4:1', '--figures', 'train,infer']);
    assert.equal(a.config.name, 'LSTM:10:2:3:4:1');
    assert.deepEqual(a.figures, ['infer', 'train']);
    assert.deepEqual(parseChildArgs(['--config', 'lstm-online']).figures, ['gen', 'infer', 'train']);
    assert.throws(() => parseChildArgs(['--config', 'lstm-online', '--shape', 'LSTM:1:1:1:1:1']), /either --config NAME or --shape/);
    assert.throws(() => parseChildArgs([]), /--config NAME or --shape .* is required/);
    assert.throws(() => parseFigures('gen,loss'), /--figures must list some of gen, infer, train; got 'loss'/);
  });

  test('deterministic values do not depend on the shape they fill', () => {
    assert.deepEqual(detFill(8, 1, 1), detFill(16, 1, 1).subarray(0, 8));
  });
});

describe('curve arithmetic', () => {
  test('median', () => {
    assert.equal(median([]), undefined);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  test('least squares recovers a line and reports the fit', () => {
    const xs = [10, 30, 100, 300, 1000, 2000];
    const fit = leastSquares(
      xs,
      xs.map((x) => 0.25 * x + 40),
    );
    assert.ok(fit !== undefined);
    assert.ok(Math.abs(fit.slope - 0.25) < 1e-12);
    assert.ok(Math.abs(fit.intercept - 40) < 1e-9);
    assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
    const noisy = leastSquares([1, 2, 3, 4], [1, 3, 2, 4]);
    assert.ok(noisy !== undefined && Math.abs(noisy.slope - 0.8) < 1e-12 && noisy.r2 < 1);
    assert.equal(leastSquares([5], [1]), undefined);
    assert.equal(leastSquares([5, 5], [1, 2]), undefined);
  });

  test('a power law has no cliffs; a point far below its neighbours does', () => {
    const xs = [64, 128, 256, 512, 1024];
    const powerLaw = xs.map((x) => 1e9 / (x * x));
    assert.deepEqual(trendCliffs(xs, powerLaw), []);
    const dipped = [...powerLaw];
    dipped[2] = powerLaw[2]! / 3;
    const cliffs = trendCliffs(xs, dipped);
    assert.deepEqual(
      cliffs.map((c) => c.index),
      [2],
    );
    assert.ok(Math.abs(cliffs[0]!.drop - 3) < 1e-9);
    // A drop of 1.5× is not a cliff; an end point is judged against its neighbour and the curve's median slope.
    const mild = [...powerLaw];
    mild[2] = powerLaw[2]! / 1.5;
    assert.deepEqual(trendCliffs(xs, mild), []);
    const lastFalls = [...powerLaw];
    lastFalls[4] = powerLaw[4]! / 4;
    assert.deepEqual(
      trendCliffs(xs, lastFalls).map((c) => c.index),
      [4],
    );
    assert.deepEqual(trendCliffs([1, 2], [1, 0.1]), []);
  });

  test('ratio cliffs: under half the median ratio of the axis', () => {
    const found = ratioCliffs([0.8, 0.7, 0.3, undefined, 0.75]);
    assert.deepEqual(
      found.map((c) => c.index),
      [2],
    );
    assert.ok(Math.abs(found[0]!.medianRatio - 0.725) < 1e-12);
    assert.deepEqual(ratioCliffs([0.8, 0.5, 0.9]), []);
    assert.deepEqual(ratioCliffs([0.1]), []);
  });
});
