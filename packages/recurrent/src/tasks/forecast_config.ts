/**
 * The forecasting task's options, their defaults and checks, the normalisation rule, the default
 * window, and the task's JSON read back as untrusted input.
 */
import { FormatError, RecurrentError, ValueError, fmtValue } from '../errors.js';
import { HOLIDAY_CALENDARS, type HolidayCalendar } from './calendar.js';
import type { ForecastModelOptions } from './forecast_model.js';

/** What the data and the loss are: the columns, the window, the horizon, the quantiles. */
export interface ForecastDataOptions {
  /** The column to forecast. */
  target: string;
  /** Numeric columns whose past values are inputs too; default none. */
  covariates: string[];
  /** The date column, from which calendar features come; default none (no calendar features). */
  date: string | null;
  /** 'us': mark the US federal holidays and their observed days off (needs `date`); default 'none'. */
  holidays: HolidayCalendar;
  /** Past steps the model sees; default from the data's seasonality (`defaultWindow`). */
  window: number;
  /** Steps forecast at once (direct multi-step: one output per step ahead); default 1. */
  horizon: number;
  /** Quantiles to forecast, increasing, in (0, 1), trained with the pinball loss; default none (a point forecast). */
  quantiles: number[];
  /** The point forecast's training loss on normalised values: 'mse' (default) or 'l1'. */
  loss: 'mse' | 'l1';
}

export type ForecastTaskOptions = { target: string } & Partial<Omit<ForecastDataOptions, 'target'>> & { model?: Partial<ForecastModelOptions> };

/**
 * How a column's values are normalised: z = (x − mean) / scale, with mean and scale the mean and
 * the (population) standard deviation of the column over the training rows; a constant column
 * (standard deviation ≤ 1e-12 · max(1, |mean|)) gets scale 1, so that it is centred, never
 * divided by zero. The rule is stored with the task; forecasts are mapped back by x = z·scale + mean.
 */
export interface ColumnScale {
  name: string;
  mean: number;
  scale: number;
  /** True when the column was constant over the training rows. */
  constant: boolean;
}

export interface Normalization {
  rule: 'standard';
  target: ColumnScale;
  covariates: ColumnScale[];
}

/** The JSON of a forecasting task (version 1). */
export interface ForecastTaskJSON {
  kind: 'forecast';
  version: 1;
  options: ForecastDataOptions;
  model: ForecastModelOptions;
  normalization: Normalization;
  /** Days between consecutive rows (the median step of the training dates), for the dates of `forecast`; null without dates. */
  dateStep: number | null;
}

export const FORECAST_MODEL_DEFAULTS: ForecastModelOptions = { cell: 'lstm', hiddenSize: 64, numLayers: 1, dropout: 0 };

/** The scale of one column's training values (see `ColumnScale`). */
export function columnScale(name: string, values: ArrayLike<number>): ColumnScale {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += (values[i]! - mean) ** 2;
  const std = Math.sqrt(variance / values.length);
  const constant = !(std > 1e-12 * Math.max(1, Math.abs(mean)));
  return { name, mean, scale: constant ? 1 : std, constant };
}

/**
 * The default window: two cycles of the data's shortest strong season. The season is the
 * smallest lag p in 2…min(⌊n/3⌋, 100) whose autocorrelation is a local maximum above 0.3 (7 for
 * daily data with a weekly rhythm, 12 for monthly data with a yearly one); the window is 2p, at
 * least 8. Without such a lag, 16. Longer seasons (a year of days) reach the model through the
 * calendar features instead.
 */
export function defaultWindow(values: ArrayLike<number>): number {
  const n = values.length;
  const maxLag = Math.min(Math.floor(n / 3), 100);
  if (maxLag < 3) return 16;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let denom = 0;
  for (let i = 0; i < n; i++) denom += (values[i]! - mean) ** 2;
  if (!(denom > 0)) return 16;
  const acf = (lag: number): number => {
    let s = 0;
    for (let i = lag; i < n; i++) s += (values[i]! - mean) * (values[i - lag]! - mean);
    return s / denom;
  };
  let previous = acf(1);
  let current = acf(2);
  for (let lag = 2; lag < maxLag; lag++) {
    const next = acf(lag + 1);
    if (current > 0.3 && current > previous && current >= next) return Math.max(8, 2 * lag);
    [previous, current] = [current, next];
  }
  return 16;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positiveInt = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${name} must be a positive integer; got ${fmtValue(v)}`);
  return v;
};

/** Unknown keys are errors, so that a misspelt option is not silently ignored. */
function checkKeys(given: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(given)) if (!known.includes(key)) throw new ValueError(`${where}: unknown option '${key}'; known: ${known.join(', ')}`);
}

/** The data options with defaults, checked; `window` defaults to `fallbackWindow()`. */
export function resolveForecastOptions(given: ForecastTaskOptions, fallbackWindow: () => number, where = 'ForecastTask'): ForecastDataOptions {
  if (!isObject(given)) throw new ValueError(`${where}: options must be an object; got ${fmtValue(given)}`);
  checkKeys(given, ['target', 'covariates', 'date', 'holidays', 'window', 'horizon', 'quantiles', 'loss', 'model'], where);
  if (typeof given.target !== 'string' || given.target === '') throw new ValueError(`${where}: target must be a column name; got ${fmtValue(given.target)}`);
  const covariates = given.covariates ?? [];
  if (!Array.isArray(covariates) || covariates.some((c) => typeof c !== 'string' || c === ''))
    throw new ValueError(`${where}: covariates must be an array of column names; got ${fmtValue(covariates)}`);
  const date = given.date ?? null;
  if (date !== null && (typeof date !== 'string' || date === '')) throw new ValueError(`${where}: date must be a column name or null; got ${fmtValue(date)}`);
  const holidays = given.holidays ?? 'none';
  if (!HOLIDAY_CALENDARS.includes(holidays)) throw new ValueError(`${where}: holidays must be 'none' or 'us'; got ${fmtValue(holidays)}`);
  if (holidays !== 'none' && date === null) throw new ValueError(`${where}: holidays '${holidays}' needs a date column (date)`);
  const quantiles = given.quantiles ?? [];
  if (!Array.isArray(quantiles) || quantiles.some((q, i) => typeof q !== 'number' || !(q > 0 && q < 1) || (i > 0 && q <= quantiles[i - 1]!)))
    throw new ValueError(`${where}: quantiles must be increasing numbers in (0, 1); got ${fmtValue(quantiles)}`);
  const loss = given.loss ?? 'mse';
  if (loss !== 'mse' && loss !== 'l1') throw new ValueError(`${where}: loss must be 'mse' or 'l1'; got ${fmtValue(loss)}`);
  return {
    target: given.target,
    covariates: [...covariates],
    date,
    holidays,
    window: positiveInt(given.window ?? fallbackWindow(), `${where}: window`),
    horizon: positiveInt(given.horizon ?? 1, `${where}: horizon`),
    quantiles: [...quantiles],
    loss,
  };
}

/** The model options with defaults, checked. */
export function resolveForecastModel(given: Partial<ForecastModelOptions>, where = 'ForecastTask: model'): ForecastModelOptions {
  if (!isObject(given)) throw new ValueError(`${where} must be an object; got ${fmtValue(given)}`);
  checkKeys(given, Object.keys(FORECAST_MODEL_DEFAULTS), where);
  const o = { ...FORECAST_MODEL_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  if (o.cell !== 'lstm' && o.cell !== 'gru') throw new ValueError(`${where}: cell must be 'lstm' or 'gru'; got ${fmtValue(o.cell)}`);
  if (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout < 1))
    throw new ValueError(`${where}: dropout must be a number in [0, 1); got ${fmtValue(o.dropout)}`);
  return {
    cell: o.cell,
    hiddenSize: positiveInt(o.hiddenSize, `${where}: hiddenSize`),
    numLayers: positiveInt(o.numLayers, `${where}: numLayers`),
    dropout: o.dropout,
  };
}

/** A task's JSON (from a checkpoint's config.json, named `file` in errors), checked field by field. */
export function readForecastJSON(json: unknown, file: string): Omit<ForecastTaskJSON, 'kind' | 'version'> {
  if (!isObject(json)) throw new FormatError(`${file}: the task must be an object; got ${fmtValue(json)}`);
  if (json.kind !== 'forecast') throw new FormatError(`${file}: task.kind must be 'forecast'; got ${fmtValue(json.kind)}`);
  if (json.version !== 1) throw new FormatError(`${file}: task.version must be 1; got ${fmtValue(json.version)}`);
  const wrap = <T>(make: () => T): T => {
    try {
      return make();
    } catch (e) {
      if (e instanceof RecurrentError) throw new FormatError(`${file}: ${e.message}`);
      throw e;
    }
  };
  const options = wrap(() => resolveForecastOptions(json.options as ForecastTaskOptions, () => NaN, 'task.options'));
  const model = wrap(() => resolveForecastModel(json.model as Partial<ForecastModelOptions>, 'task.model'));
  const n = json.normalization;
  const scaleOk = (s: unknown): s is ColumnScale =>
    isObject(s) &&
    typeof s.name === 'string' &&
    Number.isFinite(s.mean) &&
    Number.isFinite(s.scale) &&
    (s.scale as number) > 0 &&
    typeof s.constant === 'boolean';
  if (!isObject(n) || n.rule !== 'standard' || !scaleOk(n.target) || !Array.isArray(n.covariates) || !n.covariates.every(scaleOk))
    throw new FormatError(`${file}: task.normalization must be { rule: 'standard', target, covariates } with a finite mean and a positive scale per column`);
  if (n.target.name !== options.target || n.covariates.length !== options.covariates.length || n.covariates.some((c, i) => c.name !== options.covariates[i]))
    throw new FormatError(`${file}: task.normalization names other columns than task.options`);
  const step = json.dateStep;
  if (options.date === null ? step !== null : !(typeof step === 'number' && Number.isInteger(step) && step >= 1))
    throw new FormatError(
      `${file}: task.dateStep must be ${options.date === null ? 'null without a date column' : 'a positive integer (days)'}; got ${fmtValue(step)}`,
    );
  return { options, model, normalization: n as unknown as Normalization, dateStep: step as number | null };
}
