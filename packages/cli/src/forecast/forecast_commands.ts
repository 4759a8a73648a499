/** eval, predict and info for a forecasting checkpoint. */
import { dirname, basename, join } from 'node:path';
import { type ForecastRow, ValueError } from 'recurrent';
import type { EvalCommandOptions, PredictCommandOptions } from '../program.js';
import type { LoadedForecast } from './run_config.js';
import { readSeriesFile } from './series_file.js';

/** One-step-ahead forecasts of every row of --data after --history: MAPE, MAE, RMSE (and coverage), and the plot. */
export async function evalForecast(o: EvalCommandOptions, { task }: LoadedForecast): Promise<void> {
  if (o.data === undefined)
    throw new ValueError('eval: a forecasting checkpoint needs --data TEST.csv (the rows to forecast) and --history HISTORY.csv (the rows before them)');
  if (o.history === undefined)
    throw new ValueError(`eval: --history FILE is needed: the rows before --data, at least the model's window of ${task.options.window}`);
  for (const [flag, set] of [
    ['--all', o.all],
    ['--beam', o.beam],
  ] as const)
    if (set !== undefined) throw new ValueError(`${flag}: does not apply to forecasting checkpoints`);
  const history = readSeriesFile('--history', o.history, task.columns).series;
  const test = readSeriesFile('--data', o.data, task.columns).series;
  const { metrics, rows } = task.evaluate(history, test, { batchSize: o.batch ?? 256 });
  const plot = o.plot ?? join(dirname(o.data), `${basename(o.data).replace(/\.[^.]*$/, '')}_forecast.png`);
  const { writeForecastPlot } = await import('./forecast_plot.js');
  const [png, svg] = await writeForecastPlot(plot, rows, `'${task.options.target}': one step ahead against actual, ${basename(o.data)}`, task.options.target);
  if (o.json) {
    console.log(
      JSON.stringify({
        mape: metrics.mape,
        mae: metrics.mae,
        rmse: metrics.rmse,
        ...(metrics.coverage === undefined ? {} : { coverage: metrics.coverage, nominalCoverage: metrics.nominalCoverage }),
        count: metrics.count,
      }),
    );
    console.warn(`forecast against actual: ${png}, ${svg}`);
    return;
  }
  console.log(
    `data: ${o.data}: ${metrics.count.toLocaleString('en-US')} rows forecast one step ahead, after ${history.target.length.toLocaleString('en-US')} rows of ${o.history}`,
  );
  console.log(`MAPE: ${metrics.mape.toFixed(3)}%${metrics.zeroActuals > 0 ? ` (${metrics.zeroActuals} rows with actual 0 left out)` : ''}`);
  console.log(`MAE: ${metrics.mae.toPrecision(6)}`);
  console.log(`RMSE: ${metrics.rmse.toPrecision(6)}`);
  if (metrics.coverage !== undefined) {
    const q = task.options.quantiles;
    console.log(
      `interval coverage: ${(metrics.coverage * 100).toFixed(1)}% of rows within [q${q[0]}, q${q.at(-1)}] (nominal ${(metrics.nominalCoverage! * 100).toFixed(0)}%)`,
    );
  }
  console.log(`forecast against actual: ${png}, ${svg}`);
}

/** The next --horizon steps after the rows of --data, as CSV: the date (or step), the forecast, and the quantiles. */
export function predictForecast(o: PredictCommandOptions, { task }: LoadedForecast): void {
  if (o.input !== undefined || o.data === undefined)
    throw new ValueError('predict: a forecasting checkpoint forecasts after a CSV series: give --data FILE (not --input)');
  const series = readSeriesFile('--data', o.data, task.columns).series;
  const rows: ForecastRow[] = task.forecast(series);
  const q = task.options.quantiles;
  console.log([task.options.date ?? 'step', task.options.target, ...q.map((v) => `q${v}`)].join(','));
  rows.forEach((r, h) => console.log([r.date ?? `+${h + 1}`, r.forecast, ...r.quantiles].join(',')));
}

/** What a forecasting checkpoint holds. */
export function infoForecast({ task, config }: LoadedForecast): void {
  const t = task.options;
  const m = task.modelOptions;
  const r = config.training;
  console.log(
    `model: forecaster, ${m.cell.toUpperCase()} ${m.numLayers} layer(s) × ${m.hiddenSize} over a window of ${t.window}, horizon ${t.horizon}, dropout ${m.dropout}${t.quantiles.length > 0 ? `, quantiles ${t.quantiles.join(', ')} (pinball loss)` : `, loss ${t.loss}`}`,
  );
  const n = task.normalization;
  console.log(
    `data: target '${t.target}'${t.covariates.length > 0 ? `, covariates ${t.covariates.join(', ')}` : ''}${t.date !== null ? `, dates '${t.date}' every ${task.dateStep} day(s), holidays ${t.holidays}` : ', no dates'}`,
  );
  console.log(
    `normalisation (standard): ${[n.target, ...n.covariates].map((c) => `${c.name} (x − ${c.mean.toPrecision(6)}) / ${c.scale.toPrecision(6)}${c.constant ? ' (constant)' : ''}`).join('; ')}`,
  );
  console.log(
    `trained: ${r.step} steps (epoch ${r.epoch}) on ${r.data} (${r.trainRows} rows, the last ${r.rows - r.trainRows} held out), batch ${r.batch}, lr ${r.lr} (${r.lrSchedule}), seed ${r.seed}`,
  );
  if (r.best) console.log(`best validation loss: ${r.best.loss.toFixed(4)} at step ${r.best.step}`);
  const lastMape = config.history.mape.at(-1);
  if (lastMape) console.log(`validation MAPE: ${lastMape[1].toFixed(3)}% at step ${lastMape[0]}`);
}
