/**
 * The simple forecasters the recurrent model is measured against, one step ahead: seasonal naive
 * (the value one season ago) and linear autoregressions fitted by least squares on the training
 * rows, with and without the same calendar features the recurrent model sees.
 */

/** One-step-ahead forecasts of rows [from, y.length) of `y`, each from the true values before it (and a note on how they were made, if any). */
export type OneStepForecaster = (y: Float64Array, from: number) => Float64Array | { forecast: Float64Array; note: string };

/** ŷ[t] = y[t − season]. */
export function seasonalNaive(season: number): OneStepForecaster {
  return (y, from) => Float64Array.from({ length: y.length - from }, (_, i) => y[from + i - season]!);
}

/** Solves (AᵀA + ridge·I) w = Aᵀb by Gaussian elimination with partial pivoting; A is rows × k, row-major. */
function leastSquares(a: Float64Array, b: Float64Array, k: number, ridge: number): Float64Array {
  const m = new Float64Array(k * (k + 1));
  const rows = b.length;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      const ai = a[r * k + i]!;
      if (ai === 0) continue;
      for (let j = 0; j < k; j++) m[i * (k + 1) + j] = m[i * (k + 1) + j]! + ai * a[r * k + j]!;
      m[i * (k + 1) + k] = m[i * (k + 1) + k]! + ai * b[r]!;
    }
  }
  for (let i = 0; i < k; i++) m[i * (k + 1) + i] = m[i * (k + 1) + i]! + ridge;
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r * (k + 1) + c]!) > Math.abs(m[pivot * (k + 1) + c]!)) pivot = r;
    for (let j = 0; j <= k; j++) [m[c * (k + 1) + j], m[pivot * (k + 1) + j]] = [m[pivot * (k + 1) + j]!, m[c * (k + 1) + j]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r * (k + 1) + c]! / m[c * (k + 1) + c]!;
      for (let j = c; j <= k; j++) m[r * (k + 1) + j] = m[r * (k + 1) + j]! - f * m[c * (k + 1) + j]!;
    }
  }
  return Float64Array.from({ length: k }, (_, i) => m[i * (k + 1) + k]! / m[i * (k + 1) + i]!);
}

/**
 * A linear autoregression on the last `lags` values (and an intercept, and with `features` the
 * F calendar features of the forecast row), fitted by least squares (a tiny ridge, 1e-6 of the
 * scale, keeps one-hot columns solvable) on the rows before `trainRows`.
 */
export function linearAutoregression(lags: number, trainRows: number, features?: { values: Float64Array; count: number }): OneStepForecaster {
  const F = features?.count ?? 0;
  const k = 1 + lags + F;
  const row = (y: Float64Array, t: number, out: Float64Array, at: number): void => {
    out[at] = 1;
    for (let l = 0; l < lags; l++) out[at + 1 + l] = y[t - 1 - l]!;
    for (let f = 0; f < F; f++) out[at + 1 + lags + f] = features!.values[t * F + f]!;
  };
  return (y, from) => {
    const n = trainRows - lags;
    const a = new Float64Array(n * k);
    const b = new Float64Array(n);
    for (let t = lags; t < trainRows; t++) {
      row(y, t, a, (t - lags) * k);
      b[t - lags] = y[t]!;
    }
    const w = leastSquares(a, b, k, 1e-6 * n);
    const x = new Float64Array(k);
    return Float64Array.from({ length: y.length - from }, (_, i) => {
      row(y, from + i, x, 0);
      return x.reduce((s, v, j) => s + v * w[j]!, 0);
    });
  };
}

/** MAPE (percent), MAE and RMSE of forecasts of rows [from, …) of `y`. */
export function scores(y: Float64Array, from: number, forecast: ArrayLike<number>): { mape: number; mae: number; rmse: number } {
  let ape = 0;
  let ae = 0;
  let se = 0;
  const n = forecast.length;
  for (let i = 0; i < n; i++) {
    const e = forecast[i]! - y[from + i]!;
    ape += Math.abs(e / y[from + i]!);
    ae += Math.abs(e);
    se += e * e;
  }
  return { mape: (100 * ape) / n, mae: ae / n, rmse: Math.sqrt(se / n) };
}
