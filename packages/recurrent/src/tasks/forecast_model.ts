/**
 * The forecasting network: a recurrent layer over the window of past steps, then a linear head on
 * its last output and the calendar features of the forecast steps, plus a linear autoregressive
 * skip over the window's target values (as LSTNet's), so that the recurrent part learns what a
 * linear model of the past misses.
 *
 * Shape legend: B windows, W window length, I inputs per step, F calendar features per step,
 * H horizon, Q outputs per step (1, or the number of quantiles).
 */
import { ValueError } from '../errors.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { GRU } from '../nn/rnn/gru.js';
import { LSTM } from '../nn/rnn/lstm.js';
import { dropout } from '../tensor/ops/dropout.js';
import { add } from '../tensor/ops/elementwise.js';
import { concat } from '../tensor/ops/join.js';
import { reshape, select } from '../tensor/ops/view.js';
import type { Tensor } from '../tensor/tensor.js';

/** The recurrent part of a forecaster. */
export interface ForecastModelOptions {
  /** 'lstm' (default) or 'gru'. */
  cell: 'lstm' | 'gru';
  /** Hidden units per layer; default 64. */
  hiddenSize: number;
  /** Stacked layers; default 1. */
  numLayers: number;
  /** Dropout between layers and before the head (training only); default 0. */
  dropout: number;
}

/** The sizes the data fixes. */
export interface ForecastNetSizes {
  /** I: inputs per step (the target, the covariates, the calendar features of the next step). */
  inputSize: number;
  /** W. */
  window: number;
  /** H. */
  horizon: number;
  /** F: calendar features of each forecast step fed to the head (0 without dates). */
  futureFeatures: number;
  /** Q. */
  outputs: number;
}

/**
 * The forecaster ForecastTask trains (its parameters: `rnn.*` as nn.LSTM's or nn.GRU's, `head.*`,
 * `skip.*`). Usually built by the task; built by hand for custom training loops.
 *
 * Shapes: see `forward`.
 *
 * @example
 * import { ForecastNet, randn } from 'recurrent';
 * const net = new ForecastNet({ cell: 'gru', hiddenSize: 8, numLayers: 1, dropout: 0 }, { inputSize: 3, window: 6, horizon: 2, futureFeatures: 0, outputs: 1 });
 * net.forward(randn([4, 6, 3]), null, randn([4, 6])).shape; // [4, 2, 1]
 */
export class ForecastNet extends Module {
  readonly rnn: LSTM | GRU;
  readonly head: Linear;
  readonly skip: Linear;

  constructor(
    readonly options: ForecastModelOptions,
    readonly sizes: ForecastNetSizes,
  ) {
    super();
    const { cell, hiddenSize, numLayers } = options;
    if (cell !== 'lstm' && cell !== 'gru') throw new ValueError(`ForecastNet: cell must be 'lstm' or 'gru'; got ${JSON.stringify(cell)}`);
    const rnnOptions = { inputSize: sizes.inputSize, hiddenSize, numLayers, batchFirst: true, dropout: numLayers > 1 ? options.dropout : 0 };
    this.rnn = this.registerModule('rnn', cell === 'lstm' ? new LSTM(rnnOptions) : new GRU(rnnOptions));
    const out = sizes.horizon * sizes.outputs;
    this.head = this.registerModule('head', new Linear({ inFeatures: hiddenSize + sizes.horizon * sizes.futureFeatures, outFeatures: out }));
    this.skip = this.registerModule('skip', new Linear({ inFeatures: sizes.window, outFeatures: out }));
  }

  /**
   * x (B, W, I); future (B, H·F), or null when F = 0; past (B, W) the window's normalised target
   * values. Returns (B, H, Q) normalised forecasts.
   */
  forward(x: Tensor, future: Tensor | null, past: Tensor): Tensor {
    const [output] = this.rnn instanceof LSTM ? this.rnn.forward(x) : this.rnn.forward(x);
    const p = this.options.dropout;
    const last = dropout(select(output, 1, this.sizes.window - 1), p, this.training && p > 0);
    const features = future === null ? last : concat([last, future], 1);
    const y = add(this.head.forward(features), this.skip.forward(past));
    return reshape(y, [x.shape[0]!, this.sizes.horizon, this.sizes.outputs]);
  }
}
