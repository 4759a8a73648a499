/**
 * The forecasters of other JavaScript packages, run one step ahead on the same rows: the `arima`
 * package (ctsa compiled to WebAssembly) as SARIMA with a weekly season and as AutoARIMA, and
 * brain.js's LSTMTimeStep.
 */
import { createRequire } from 'node:module';
import type { OneStepForecaster } from './baselines.js';

const require = createRequire(import.meta.url);

/**
 * Forecasts that are not finite or lie outside [0, 10 × the largest value seen] come from fits
 * that diverged (the package prints "function returns NaN" or "non-stationary AR part" for them):
 * they are replaced by the value 7 rows before, and counted.
 */
function guard(y: Float64Array, from: number, forecast: Float64Array, what: string): { forecast: Float64Array; note: string } {
  const limit = 10 * y.subarray(0, from).reduce((a, b) => Math.max(a, b), 0);
  let replaced = 0;
  for (let i = 0; i < forecast.length; i++) {
    if (!(forecast[i]! >= 0 && forecast[i]! <= limit)) {
      forecast[i] = y[from + i - 7]!;
      replaced++;
    }
  }
  return { forecast, note: `${replaced} of ${forecast.length} ${what} diverged (forecast replaced by the value 7 days before)` };
}

interface ArimaModel {
  train(ts: number[]): ArimaModel;
  predict(steps: number): [number[], number[]];
  destroy(): void;
}
type ArimaConstructor = new (options: Record<string, number | boolean>) => ArimaModel;

/**
 * SARIMA(1,0,1)(1,1,1)₇ refitted for every forecast row on the `history` rows before it (a rolling
 * origin: the package can only forecast from the end of the series it was fitted to).
 */
export function sarima(history: number): OneStepForecaster {
  const ARIMA = require('arima') as ArimaConstructor;
  return (y, from) => {
    const model = new ARIMA({ p: 1, d: 0, q: 1, P: 1, D: 1, Q: 1, s: 7, verbose: false });
    const out = Float64Array.from({ length: y.length - from }, (_, i) => {
      const t = from + i;
      return model.train(Array.from(y.subarray(t - history, t))).predict(1)[0][0]!;
    });
    model.destroy();
    return guard(y, from, out, 'forecasts');
  };
}

/**
 * AutoARIMA (the package's stepwise search, seasonal period 7) refitted every `every` rows on the
 * `history` rows before them, forecasting the next `every` rows at once: one search takes seconds
 * here, too long to repeat for each of 1,461 rows, so its forecasts are 1 to `every` steps ahead.
 */
export function autoArima(history: number, every: number): OneStepForecaster {
  const ARIMA = require('arima') as ArimaConstructor;
  return (y, from) => {
    const out = new Float64Array(y.length - from);
    for (let t = from; t < y.length; t += every) {
      const model = new ARIMA({ auto: true, s: 7, verbose: false }).train(Array.from(y.subarray(t - history, t)));
      const [steps] = model.predict(Math.min(every, y.length - t));
      model.destroy();
      out.set(steps, t - from);
    }
    return guard(y, from, out, 'forecasts');
  };
}

interface BrainTimeStep {
  train(data: number[][], options: Record<string, number | boolean>): { error: number; iterations: number };
  run(input: number[]): number;
}

/**
 * brain.js's LSTMTimeStep (one hidden layer of `hidden` units) on the same normalised windows of
 * `window` values, trained for `iterations` passes over the training windows.
 */
export function brainLstm(window: number, trainRows: number, hidden: number, iterations: number): OneStepForecaster {
  const brain = require('brain.js') as { recurrent: { LSTMTimeStep: new (o: Record<string, unknown>) => BrainTimeStep } };
  return (y, from) => {
    const train = y.subarray(0, trainRows);
    const mean = train.reduce((a, b) => a + b, 0) / train.length;
    const sd = Math.sqrt(train.reduce((a, b) => a + (b - mean) ** 2, 0) / train.length);
    const z = (v: number): number => (v - mean) / sd;
    const sequences: number[][] = [];
    for (let t = window; t < trainRows; t++) sequences.push(Array.from(y.subarray(t - window, t + 1), z));
    const net = new brain.recurrent.LSTMTimeStep({ inputSize: 1, hiddenLayers: [hidden], outputSize: 1 });
    net.train(sequences, { iterations, errorThresh: 1e-6, learningRate: 0.01, log: false });
    return Float64Array.from({ length: y.length - from }, (_, i) => net.run(Array.from(y.subarray(from + i - window, from + i), z)) * sd + mean);
  };
}
