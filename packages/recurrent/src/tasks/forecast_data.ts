/**
 * Forecasting data as the model reads it: a series normalised, with the calendar features of its
 * dates, and batches of windows cut from it.
 *
 * Shape legend: B windows, W window length, C covariates, F calendar features, I = 1 + C + F
 * inputs per step, H horizon.
 */
import { Tensor } from '../tensor/tensor.js';
import { calendarFeatureNames, calendarFeatures } from './calendar.js';
import type { ForecastDataOptions, Normalization } from './forecast_config.js';
import type { TimeSeries } from './formats/csv.js';

/** A series normalised: per row the target then the covariates, and the calendar features of each row (and of `extra` rows after it). */
export interface EncodedSeries {
  rows: number;
  /** (rows × (1 + C)) normalised values. */
  values: Float64Array;
  /** (rows + extra) × F calendar features; F = 0 without dates. */
  calendar: Float64Array;
  features: number;
}

/** One batch: the windows ending at rows `ends`. */
export interface ForecastBatch {
  /** (B, W, I): per step the target, the covariates and the calendar features of the step after. */
  x: Tensor;
  /** (B, H·F) calendar features of the forecast steps; null without dates. */
  future: Tensor | null;
  /** (B, W) the window's normalised target values. */
  past: Tensor;
  /** (B, H) normalised values to forecast; null when forecasting past the end of the data. */
  target: Tensor | null;
  /** The last row of each window. */
  ends: number[];
}

/** Normalises `series` by `normalization` and derives the calendar features, for `extra` rows past the end too (dates `dateStep` apart). */
export function encodeSeries(
  series: TimeSeries,
  options: ForecastDataOptions,
  normalization: Normalization,
  dateStep: number | null,
  extra = 0,
): EncodedSeries {
  const rows = series.target.length;
  const columns = [series.target, ...series.covariates];
  const scales = [normalization.target, ...normalization.covariates];
  const values = new Float64Array(rows * columns.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns.length; c++) values[r * columns.length + c] = (columns[c]![r]! - scales[c]!.mean) / scales[c]!.scale;
  }
  if (options.date === null || series.dates === null) return { rows, values, calendar: new Float64Array(0), features: 0 };
  const dates = new Int32Array(rows + extra);
  dates.set(series.dates);
  for (let i = rows; i < rows + extra; i++) dates[i] = dates[i - 1]! + (dateStep ?? 1);
  return { rows, values, calendar: calendarFeatures(dates, options.holidays), features: calendarFeatureNames(options.holidays).length };
}

/**
 * The windows ending at rows `ends` as one batch: window rows t−W+1 … t, forecast rows t+1 … t+H.
 * The calendar features must reach row t+H (encodeSeries's `extra` past the end of the data).
 */
export function collateWindows(s: EncodedSeries, ends: readonly number[], window: number, horizon: number): ForecastBatch {
  const B = ends.length;
  const V = s.values.length / s.rows;
  const F = s.features;
  const I = V + F;
  const x = new Float32Array(B * window * I);
  const past = new Float32Array(B * window);
  const future = new Float32Array(B * horizon * F);
  const withTarget = ends.every((t) => t + horizon < s.rows);
  const target = new Float32Array(withTarget ? B * horizon : 0);
  ends.forEach((t, b) => {
    for (let k = 0; k < window; k++) {
      const row = t - window + 1 + k;
      const at = (b * window + k) * I;
      for (let v = 0; v < V; v++) x[at + v] = s.values[row * V + v]!;
      for (let f = 0; f < F; f++) x[at + V + f] = s.calendar[(row + 1) * F + f]!;
      past[b * window + k] = s.values[row * V]!;
    }
    for (let h = 0; h < horizon; h++) {
      for (let f = 0; f < F; f++) future[(b * horizon + h) * F + f] = s.calendar[(t + 1 + h) * F + f]!;
      if (withTarget) target[b * horizon + h] = s.values[(t + 1 + h) * V]!;
    }
  });
  return {
    x: new Tensor(x, [B, window, I]),
    future: F === 0 ? null : new Tensor(future, [B, horizon * F]),
    past: new Tensor(past, [B, window]),
    target: withTarget ? new Tensor(target, [B, horizon]) : null,
    ends: [...ends],
  };
}

/** `items` shuffled by a generator seeded with `seed` (mulberry32): the same order for the same seed. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
