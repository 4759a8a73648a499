/**
 * The forecasting task: a CSV time series → normalised windows with calendar features, a recurrent
 * forecaster with good defaults, its loss, one-step-ahead evaluation (MAPE, MAE, RMSE, interval
 * coverage) and forecasts past the end of the data.
 */
import { FormatError, ValueError } from '../errors.js';
import { l1Loss, mseLoss } from '../nn/losses/regression.js';
import { pinballLoss } from '../nn/losses/pinball.js';
import { noGrad } from '../tensor/autograd/no_grad.js';
import { reshape } from '../tensor/ops/view.js';
import type { StepResult } from '../train/fit.js';
import { calendarFeatureNames, formatDate } from './calendar.js';
import {
  columnScale,
  defaultWindow,
  readForecastJSON,
  resolveForecastModel,
  resolveForecastOptions,
  type ForecastDataOptions,
  type ForecastTaskJSON,
  type ForecastTaskOptions,
  type Normalization,
} from './forecast_config.js';
import { collateWindows, encodeSeries, seededShuffle, type EncodedSeries, type ForecastBatch } from './forecast_data.js';
import { ForecastNet, type ForecastModelOptions } from './forecast_model.js';
import { parseCsv, readSeries, type SeriesColumns, type TimeSeries } from './formats/csv.js';
import type { Task } from './task.js';

/** Accuracy of one-step-ahead forecasts. */
export interface ForecastMetrics {
  /** Mean absolute percentage error, in percent, over the rows whose actual value is not 0. */
  mape: number;
  mae: number;
  rmse: number;
  /** Rows forecast. */
  count: number;
  /** Rows left out of the MAPE because their actual value is 0. */
  zeroActuals: number;
  /** With quantiles: the fraction of actual values within [lowest, highest] quantile, and that interval's nominal coverage. */
  coverage?: number;
  nominalCoverage?: number;
}

/** One forecast row: the actual value (NaN past the data's end), the point forecast, and the quantiles if any. */
export interface ForecastRow {
  /** The line of the row in its file (0 past the end of the data). */
  line: number;
  /** YYYY-MM-DD, or null without dates. */
  date: string | null;
  actual: number;
  forecast: number;
  /** One value per quantile, increasing. */
  quantiles: number[];
}

export interface ForecastEvaluation {
  metrics: ForecastMetrics;
  rows: ForecastRow[];
}

/**
 * Forecasting on a CSV time series (`parseCsv`, `readSeries`).
 *
 * Each training example is a window of W past rows (per row: the target, the covariates, the
 * calendar features of the row after) and the H rows after it to forecast. Values are normalised
 * by the training rows' mean and standard deviation (`ColumnScale`). The model (ForecastNet) is a
 * 1-layer LSTM of 64 units over the window, a linear head on its last output and the calendar
 * features of the forecast rows, plus a linear autoregressive skip over the window. The loss is
 * the mean squared error of the normalised values, or with `quantiles` the pinball loss; the point
 * forecast is then the quantile nearest 0.5.
 *
 * @example
 * import { ForecastTask, parseCsv, readSeries } from 'recurrent';
 * const rows = Array.from({ length: 40 }, (_, i) => `${10 + Math.sin(i)}`);
 * const series = readSeries(parseCsv(`y\n${rows.join('\n')}\n`, 'y.csv'), { target: 'y' });
 * const task = ForecastTask.create(series, { target: 'y', window: 8, model: { hiddenSize: 8 } });
 * const encoded = task.encode(series);
 * task.step(task.batches(encoded, task.windowEnds(encoded), { batchSize: 16 })[0]!, true).loss.backward();
 * task.evaluate(series, readSeries(parseCsv('y\n10.5\n', 'test.csv'), { target: 'y' })).metrics.count; // 1
 */
export class ForecastTask implements Task<ForecastBatch> {
  readonly kind = 'forecast' as const;
  readonly model: ForecastNet;

  private constructor(
    readonly options: ForecastDataOptions,
    readonly modelOptions: ForecastModelOptions,
    readonly normalization: Normalization,
    readonly dateStep: number | null,
  ) {
    const features = options.date === null ? 0 : calendarFeatureNames(options.holidays).length;
    this.model = new ForecastNet(modelOptions, {
      inputSize: 1 + options.covariates.length + features,
      window: options.window,
      horizon: options.horizon,
      futureFeatures: features,
      outputs: Math.max(1, options.quantiles.length),
    });
  }

  /** A new task for `series` (its training rows): the window, the normalisation and the date step come from it; the model is fresh. */
  static create(series: TimeSeries, options: ForecastTaskOptions): ForecastTask {
    const data = resolveForecastOptions(options, () => defaultWindow(series.target));
    const model = resolveForecastModel(options.model ?? {});
    const task = new ForecastTask(
      data,
      model,
      {
        rule: 'standard',
        target: columnScale(data.target, series.target),
        covariates: series.covariates.map((values, i) => columnScale(series.covariateNames[i]!, values)),
      },
      series.dates === null || data.date === null ? null : medianStep(series.dates),
    );
    task.checkSeries(series, data.window + data.horizon, 'the window and the horizon need');
    return task;
  }

  /** The task saved by `toJSON`, read as untrusted input (`file` names it in errors); the model's parameters are fresh until loaded. */
  static fromJSON(json: unknown, file = 'config.json'): ForecastTask {
    const { options, model, normalization, dateStep } = readForecastJSON(json, file);
    return new ForecastTask(options, model, normalization, dateStep);
  }

  toJSON(): ForecastTaskJSON {
    return {
      kind: 'forecast',
      version: 1,
      options: { ...this.options, covariates: [...this.options.covariates], quantiles: [...this.options.quantiles] },
      model: { ...this.modelOptions },
      normalization: structuredClone(this.normalization),
      dateStep: this.dateStep,
    };
  }

  /** The columns a file must have for this task. */
  get columns(): SeriesColumns {
    return { target: this.options.target, covariates: this.options.covariates, date: this.options.date };
  }

  /** CSV text (named `file` in errors) read as this task's series. */
  readSeries(text: string, file: string): TimeSeries {
    return readSeries(parseCsv(text, file), this.columns);
  }

  /** `series` normalised, with calendar features for `extra` rows past its end. */
  encode(series: TimeSeries, extra = 0): EncodedSeries {
    this.checkSeries(series, 1, null);
    return encodeSeries(series, this.options, this.normalization, this.dateStep, extra);
  }

  /** The last rows of the windows whose forecast rows all lie in [from, rows): every training example whose targets start at `from` or later. */
  windowEnds(encoded: EncodedSeries, from = 0): number[] {
    const { window, horizon } = this.options;
    const ends: number[] = [];
    for (let t = Math.max(window - 1, from - 1); t + horizon < encoded.rows; t++) ends.push(t);
    return ends;
  }

  /** The windows ending at `ends` in batches; shuffled per (seed, epoch) with `shuffle`, so a resumed run sees the same order. */
  batches(encoded: EncodedSeries, ends: readonly number[], o: { batchSize: number; shuffle?: boolean; seed?: number; epoch?: number }): ForecastBatch[] {
    const order = o.shuffle ? seededShuffle(ends, ((o.seed ?? 0) * 1_000_003 + (o.epoch ?? 0)) % 2_147_483_647) : [...ends];
    const out: ForecastBatch[] = [];
    for (let i = 0; i < order.length; i += o.batchSize)
      out.push(collateWindows(encoded, order.slice(i, i + o.batchSize), this.options.window, this.options.horizon));
    return out;
  }

  step(batch: ForecastBatch, _training: boolean): StepResult {
    if (batch.target === null) throw new ValueError('ForecastTask.step: the batch has no targets (its windows end too near the end of the data)');
    const y = this.model.forward(batch.x, batch.future, batch.past);
    const B = batch.ends.length;
    if (this.options.quantiles.length > 0) return { loss: pinballLoss(y, batch.target, this.options.quantiles), count: B };
    const point = reshape(y, [B, this.options.horizon]);
    return { loss: this.options.loss === 'l1' ? l1Loss(point, batch.target) : mseLoss(point, batch.target), count: B };
  }

  /** Forecasts of a batch in the data's units: per window, per step ahead, the outputs (quantiles sorted, so that they never cross). */
  predict(batch: ForecastBatch): number[][][] {
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      const y = noGrad(() => this.model.forward(batch.x, batch.future, batch.past));
      const { mean, scale } = this.normalization.target;
      const [B, H, Q] = y.shape as [number, number, number];
      return Array.from({ length: B }, (_, b) =>
        Array.from({ length: H }, (_, h) => Array.from({ length: Q }, (_, q) => y.data[(b * H + h) * Q + q]! * scale + mean).sort((p, q) => p - q)),
      );
    } finally {
      this.model.train(wasTraining);
    }
  }

  /**
   * One-step-ahead forecasts of every row of `test`, each from the true values before it (the rows
   * of `history`, then test's earlier rows), and their accuracy. `history` must hold at least a
   * window of rows, and test's dates (if any) must come after history's.
   */
  evaluate(history: TimeSeries, test: TimeSeries, options: { batchSize?: number } = {}): ForecastEvaluation {
    this.checkSeries(history, this.options.window, 'the window, before the first forecast row, needs');
    this.checkSeries(test, 1, null);
    if (history.dates !== null && test.dates !== null && test.dates[0]! <= history.dates.at(-1)!) {
      throw new FormatError(
        `${test.file}:${test.lines[0]}: the first date, ${formatDate(test.dates[0]!)}, does not come after the history's last, ${formatDate(history.dates.at(-1)!)} (${history.file}:${history.lines.at(-1)})`,
      );
    }
    const joined = joinSeries(history, test);
    const encoded = encodeSeries(joined, this.options, this.normalization, this.dateStep, this.options.horizon);
    const n = history.target.length;
    const ends = Array.from(test.target, (_, i) => n + i - 1);
    const rows: ForecastRow[] = [];
    const size = options.batchSize ?? 256;
    const point = this.pointIndex();
    for (let i = 0; i < ends.length; i += size) {
      const batch = collateWindows(encoded, ends.slice(i, i + size), this.options.window, this.options.horizon);
      this.predict(batch).forEach((steps, b) => {
        const r = i + b;
        const outputs = steps[0]!;
        rows.push({
          line: test.lines[r]!,
          date: test.dates === null ? null : formatDate(test.dates[r]!),
          actual: test.target[r]!,
          forecast: outputs[point]!,
          quantiles: this.options.quantiles.length > 0 ? outputs : [],
        });
      });
    }
    return { metrics: this.metrics(rows), rows };
  }

  /** The next `horizon` rows after the end of `series` (their dates `dateStep` apart), forecast at once. */
  forecast(series: TimeSeries): ForecastRow[] {
    this.checkSeries(series, this.options.window, 'the window needs');
    const encoded = this.encode(series, this.options.horizon);
    const [steps] = this.predict(collateWindows(encoded, [series.target.length - 1], this.options.window, this.options.horizon));
    const last = series.dates?.at(-1);
    return steps!.map((outputs, h) => ({
      line: 0,
      date: last === undefined ? null : formatDate(last + (h + 1) * (this.dateStep ?? 1)),
      actual: NaN,
      forecast: outputs[this.pointIndex()]!,
      quantiles: this.options.quantiles.length > 0 ? outputs : [],
    }));
  }

  /** MAPE, MAE, RMSE (and coverage) of forecast rows. */
  metrics(rows: readonly ForecastRow[]): ForecastMetrics {
    let ape = 0;
    let nonZero = 0;
    let ae = 0;
    let se = 0;
    let inside = 0;
    for (const r of rows) {
      const e = r.forecast - r.actual;
      ae += Math.abs(e);
      se += e * e;
      if (r.actual !== 0) {
        ape += Math.abs(e / r.actual);
        nonZero++;
      }
      if (r.quantiles.length > 0 && r.actual >= r.quantiles[0]! && r.actual <= r.quantiles.at(-1)!) inside++;
    }
    const n = rows.length;
    const q = this.options.quantiles;
    return {
      mape: (100 * ape) / nonZero,
      mae: ae / n,
      rmse: Math.sqrt(se / n),
      count: n,
      zeroActuals: n - nonZero,
      ...(q.length > 1 ? { coverage: inside / n, nominalCoverage: q.at(-1)! - q[0]! } : {}),
    };
  }

  /** The output that is the point forecast: the only one, or the quantile nearest 0.5. */
  private pointIndex(): number {
    const q = this.options.quantiles;
    let best = 0;
    q.forEach((v, i) => {
      if (Math.abs(v - 0.5) < Math.abs(q[best]! - 0.5)) best = i;
    });
    return best;
  }

  /** A series must have this task's columns and dates, and at least `least` rows (`need` says what needs them). */
  private checkSeries(series: TimeSeries, least: number, need: string | null): void {
    const { covariates, date } = this.options;
    if (series.covariateNames.length !== covariates.length || series.covariateNames.some((c, i) => c !== covariates[i]))
      throw new ValueError(`${series.file}: the series has covariates [${series.covariateNames.join(', ')}]; the task reads [${covariates.join(', ')}]`);
    if ((series.dates === null) !== (date === null))
      throw new ValueError(
        `${series.file}: the task ${date === null ? 'has no date column' : `reads dates from column '${date}'`}, but the series ${series.dates === null ? 'has none' : 'has dates'}`,
      );
    const rows = series.target.length;
    if (rows < least) {
      const { window, horizon } = this.options;
      throw new FormatError(
        `${series.file}:${series.lines.at(-1) ?? 0}: the series has ${rows} row${rows === 1 ? '' : 's'}; ${need ?? 'it needs'} at least ${least} (window ${window}${need?.includes('horizon') ? `, horizon ${horizon}` : ''}); give more rows or a smaller window`,
      );
    }
  }
}

/** The median number of days between consecutive dates (1 for daily data, 7 for weekly). */
function medianStep(dates: Int32Array): number {
  if (dates.length < 2) return 1;
  const steps = Array.from({ length: dates.length - 1 }, (_, i) => dates[i + 1]! - dates[i]!).sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

/** Two series one after the other (the second's file and lines kept per row only for messages). */
function joinSeries(a: TimeSeries, b: TimeSeries): TimeSeries {
  const join = (x: Float64Array, y: Float64Array): Float64Array => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  let dates: Int32Array | null = null;
  if (a.dates !== null && b.dates !== null) {
    dates = new Int32Array(a.dates.length + b.dates.length);
    dates.set(a.dates);
    dates.set(b.dates, a.dates.length);
  }
  return {
    file: `${a.file} + ${b.file}`,
    target: join(a.target, b.target),
    covariates: a.covariates.map((c, i) => join(c, b.covariates[i]!)),
    covariateNames: a.covariateNames,
    dates,
    lines: [...a.lines, ...b.lines],
  };
}
