// The forecasting task: the default window from the seasonality, the normalisation rule (a constant
// column is centred, never divided by zero), windows and their calendar features, the JSON that
// rebuilds it (read as untrusted), too-short series named by file and line, quantiles, and a short
// run in which it learns a noisy seasonal series better than the seasonal naive forecast.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, ForecastTask, ValueError, defaultWindow, manualSeed, optim, parseCsv, readSeries, type TimeSeries } from '../../src/index.js';

/** A weekly pattern on a slow trend, with noise, one row per day from 2020-01-01, with a covariate. */
function csv(days: number, start = 0): string {
  const rows = Array.from({ length: days }, (_, k) => {
    const i = start + k;
    const date = new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
    const y = 100 + 0.05 * i + [0, 8, 10, 9, 7, -12, -20][i % 7]! + 3 * Math.sin(i * i);
    return `${date},${y.toFixed(3)},${(i % 7) / 7}`;
  });
  return `date,sales,promo\n${rows.join('\n')}\n`;
}
const series = (text: string, file = 'sales.csv'): TimeSeries => readSeries(parseCsv(text, file), { target: 'sales', covariates: ['promo'], date: 'date' });
const options = { target: 'sales', covariates: ['promo'], date: 'date', holidays: 'us' as const, model: { hiddenSize: 8 } };

describe('ForecastTask', () => {
  test('the default window: two weekly cycles for daily data with a weekly rhythm, 24 for a monthly one, 16 without a season', () => {
    assert.equal(defaultWindow(series(csv(200)).target), 14);
    assert.equal(defaultWindow(Float64Array.from({ length: 120 }, (_, i) => Math.sin((2 * Math.PI * i) / 12))), 24);
    manualSeed(0);
    let x = 0;
    assert.equal(defaultWindow(Float64Array.from({ length: 200 }, (_, i) => (x = 0.1 * x + Math.sin(i * i)))), 16);
    const task = ForecastTask.create(series(csv(200)), options);
    assert.equal(task.options.window, 14);
  });

  test('normalisation: mean and standard deviation of the training rows; a constant column is centred with scale 1', () => {
    const text = `date,sales,promo\n${Array.from({ length: 30 }, (_, i) => `2020-01-${String(i + 1).padStart(2, '0')},${i % 2 ? 3 : 1},5`).join('\n')}\n`;
    const task = ForecastTask.create(series(text), { ...options, window: 4 });
    assert.deepEqual(task.normalization.target, { name: 'sales', mean: 2, scale: 1, constant: false });
    assert.deepEqual(task.normalization.covariates[0], { name: 'promo', mean: 5, scale: 1, constant: true });
    const encoded = task.encode(series(text));
    assert.deepEqual(Array.from(encoded.values.slice(0, 4)), [-1, 0, 1, 0]);
    const constant = readSeries(parseCsv(`y\n${'7\n'.repeat(20)}`, 'flat.csv'), { target: 'y' });
    const flat = ForecastTask.create(constant, { target: 'y', window: 4, model: { hiddenSize: 4 } });
    assert.equal(flat.normalization.target.scale, 1);
    assert.ok(flat.evaluate(constant, constant).rows.every((r) => Number.isFinite(r.forecast)));
  });

  test('windows: past values, covariates and the next step’s calendar per step; the forecast steps’ calendar; targets', () => {
    const s = series(csv(40));
    const task = ForecastTask.create(s, { ...options, window: 5, horizon: 2 });
    const encoded = task.encode(s);
    const ends = task.windowEnds(encoded);
    assert.equal(ends[0], 4);
    assert.equal(ends.at(-1), 37);
    assert.deepEqual(task.windowEnds(encoded, 30), [29, 30, 31, 32, 33, 34, 35, 36, 37]);
    const [batch] = task.batches(encoded, [4, 10], { batchSize: 8 });
    assert.deepEqual(batch!.x.shape, [2, 5, 2 + 25]);
    assert.deepEqual(batch!.future!.shape, [2, 2 * 25]);
    assert.deepEqual(batch!.target!.shape, [2, 2]);
    const { mean, scale } = task.normalization.target;
    assert.ok(Math.abs(batch!.past.data[4]! * scale + mean - s.target[4]!) < 1e-3);
    assert.ok(Math.abs(batch!.target!.data[0]! * scale + mean - s.target[5]!) < 1e-3);
    // 2020-01-01 is a Wednesday and New Year's Day: the first step carries 2020-01-02 (a Thursday).
    assert.equal(batch!.x.data[2 + 3], 1);
    assert.equal(batch!.x.data[2 + 24], 1); // afterDayOff
    // The forecast rows of the window ending at row 4: 2020-01-06 (Monday) and 2020-01-07.
    assert.equal(batch!.future!.data[0], 1);
    assert.equal(batch!.future!.data[25 + 1], 1);
    const shuffled = task.batches(encoded, ends, { batchSize: 100, shuffle: true, seed: 3, epoch: 1 })[0]!.ends;
    assert.deepEqual(shuffled, task.batches(encoded, ends, { batchSize: 100, shuffle: true, seed: 3, epoch: 1 })[0]!.ends);
    assert.notDeepEqual(shuffled, ends);
    assert.deepEqual(
      [...shuffled].sort((a, b) => a - b),
      ends,
    );
  });

  test('toJSON / fromJSON rebuild the task; a bad JSON is a FormatError naming the field', () => {
    manualSeed(1);
    const s = series(csv(60));
    const task = ForecastTask.create(s, { ...options, quantiles: [0.1, 0.5, 0.9], horizon: 3 });
    const json = JSON.parse(JSON.stringify(task.toJSON()));
    const again = ForecastTask.fromJSON(json);
    again.model.loadStateDict(task.model.stateDict());
    assert.deepEqual(again.toJSON(), task.toJSON());
    assert.deepEqual(again.forecast(s), task.forecast(s));
    const bad = (change: (j: Record<string, any>) => void, message: RegExp): void => {
      const j = structuredClone(json);
      change(j);
      assert.throws(
        () => ForecastTask.fromJSON(j, 'run/config.json'),
        (e: unknown) => e instanceof FormatError && message.test(e.message),
      );
    };
    bad((j) => (j.kind = 'lm'), /^run\/config\.json: task\.kind must be 'forecast'; got "lm"$/);
    bad((j) => (j.options.window = 0), /^run\/config\.json: task\.options: window must be a positive integer; got 0$/);
    bad((j) => (j.options.quantiles = [0.9, 0.1]), /task\.options: quantiles must be increasing numbers in \(0, 1\)/);
    bad((j) => (j.normalization.target.scale = 0), /task\.normalization must be .* a positive scale per column/);
    bad((j) => (j.model.cell = 'rnn'), /task\.model: cell must be 'lstm' or 'gru'; got "rnn"/);
    bad((j) => (j.dateStep = null), /task\.dateStep must be a positive integer \(days\); got null/);
  });

  test('series too short for the window, bad options and mismatched columns are errors naming the file and line', () => {
    assert.throws(
      () => ForecastTask.create(series(csv(10)), { ...options, window: 14 }),
      (e: unknown) =>
        e instanceof FormatError &&
        /^sales\.csv:11: the series has 10 rows; the window and the horizon need at least 15 \(window 14, horizon 1\)/.test(e.message),
    );
    const task = ForecastTask.create(series(csv(60)), { ...options, window: 14 });
    assert.throws(
      () => task.evaluate(series(csv(5), 'history.csv'), series(csv(5, 5), 'test.csv')),
      (e: unknown) =>
        e instanceof FormatError && /^history\.csv:6: the series has 5 rows; the window, before the first forecast row, needs at least 14/.test(e.message),
    );
    assert.throws(
      () => task.evaluate(series(csv(20)), series(csv(5, 3), 'test.csv')),
      (e: unknown) =>
        e instanceof FormatError && /^test\.csv:2: the first date, 2020-01-04, does not come after the history's last, 2020-01-20/.test(e.message),
    );
    assert.throws(
      () => ForecastTask.create(series(csv(60)), { target: 'sales', holidays: 'us' }),
      (e: unknown) => e instanceof ValueError && /holidays 'us' needs a date column/.test(e.message),
    );
    assert.throws(
      () => ForecastTask.create(series(csv(60)), { ...options, lags: 3 } as never),
      (e: unknown) => e instanceof ValueError && /unknown option 'lags'/.test(e.message),
    );
    const noDates = readSeries(parseCsv(csv(30), 'plain.csv'), { target: 'sales', covariates: ['promo'] });
    assert.throws(
      () => task.evaluate(noDates, noDates),
      (e: unknown) => e instanceof ValueError && /plain\.csv: the task reads dates from column 'date', but the series has none/.test(e.message),
    );
  });

  test('training learns a noisy weekly series better than the seasonal naive forecast; quantile intervals cover most rows', () => {
    manualSeed(2);
    // Two years and more, so that every month and holiday is seen in training.
    const train = series(csv(800));
    const history = train;
    const test = series(csv(56, 800), 'test.csv');
    const naive = Array.from(test.target, (y, i) => Math.abs(y - (i < 7 ? history.target[793 + i]! : test.target[i - 7]!)) / y);
    const naiveMape = (100 * naive.reduce((a, b) => a + b, 0)) / naive.length;
    for (const quantiles of [[], [0.1, 0.5, 0.9]]) {
      const task = ForecastTask.create(train, { ...options, quantiles, model: { hiddenSize: 16 } });
      const encoded = task.encode(train);
      const optimizer = new optim.Adam(task.model.parameters(), { lr: 1e-2 });
      const before = task.evaluate(history, test).metrics.mape;
      for (let epoch = 0; epoch < 10; epoch++) {
        for (const batch of task.batches(encoded, task.windowEnds(encoded), { batchSize: 32, shuffle: true, seed: 1, epoch })) {
          optimizer.zeroGrad();
          task.step(batch, true).loss.backward();
          optimizer.step();
        }
      }
      const { metrics, rows } = task.evaluate(history, test);
      assert.equal(metrics.count, 56);
      assert.ok(metrics.mape < before / 3, `MAPE ${metrics.mape} after training, ${before} before`);
      assert.ok(metrics.mape < 0.9 * naiveMape, `MAPE ${metrics.mape}; the seasonal naive forecast's ${naiveMape}`);
      assert.ok(Math.abs(metrics.mae - rows.reduce((s, r) => s + Math.abs(r.forecast - r.actual), 0) / 56) < 1e-9);
      if (quantiles.length > 0) {
        assert.ok(metrics.coverage! >= 0.6, `coverage ${metrics.coverage}`);
        assert.ok(Math.abs(metrics.nominalCoverage! - 0.8) < 1e-12);
        assert.ok(rows.every((r) => r.quantiles[0]! <= r.forecast && r.forecast <= r.quantiles[2]!));
      } else assert.equal(metrics.coverage, undefined);
      const ahead = task.forecast(test);
      assert.deepEqual(
        ahead.map((r) => r.date),
        ['2022-05-06'],
      );
    }
  });
});
