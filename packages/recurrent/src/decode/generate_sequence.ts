/**
 * One-to-many generation: a cell run from a context vector or a seed, each step's output fed back
 * as the next input — the "context to sequence" shape of image captioning, music or text
 * generation from a seed, and forecasting several steps ahead.
 *
 * Shape legend: N = batch, C = context width, O = cell.outputSize, Y = width of the readout
 * (O without one), F = width of the fed-back values, L = length.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { checkTensor, zerosOf } from '../tensor/ops/common.js';
import { concat, stack } from '../tensor/ops/join.js';
import { Tensor } from '../tensor/tensor.js';
import type { RecurrentCell } from '../nn/rnn/cell.js';
import { checkCell, checkStep, initialStates } from '../nn/rnn/cell_contract.js';
import { checkSampling, sampleLogits, type SamplingOptions } from './sample.js';

/** How the emitted y_t becomes the next fed value f_{t+1}. */
export type SequenceFeedback = 'output' | 'sample' | ((y: Tensor, step: number) => Tensor);

export interface GenerateSequenceOptions {
  /** Steps to generate, L ≥ 1. */
  length: number;
  /** Conditioning vector (N, C): an image embedding, an encoder summary, … */
  context?: Tensor;
  /** 'first': the context is the input of step 0. 'every': it is concatenated to every input. Default 'first'. */
  contextMode?: 'first' | 'every';
  /** Maps the cell output o_t (N, O) to the emitted y_t (N, Y), e.g. a Linear to logits. Default: identity. */
  readout?: (output: Tensor) => Tensor;
  /** 'output' (default): f = y. 'sample': f = one-hot or `embed` of ids sampled from y as logits. A function: f = fn(y_t, t). */
  feedback?: SequenceFeedback;
  /** With feedback 'sample': temperature, topK, topP or greedy. Default: plain sampling at temperature 1. */
  sampling?: SamplingOptions;
  /** With feedback 'sample': sampled ids (N) int32 → fed value (N, F). Default: one-hot (N, Y) in y's dtype. */
  embed?: (ids: Tensor) => Tensor;
  /** The state before step 0, one (N, S_i) tensor per cell state. Default: cell.zeroState. */
  initialState?: readonly Tensor[];
  /** f_0, the fed value of step 0 (N, F): a seed or start-token vector. Default: zeros (see below). */
  startInput?: Tensor;
}

export interface GeneratedSequence {
  /** y_0 … y_{L−1}, stacked: (N, L, Y). */
  outputs: Tensor;
  /** The cell's state after the last step. */
  state: Tensor[];
  /** With feedback 'sample', the sampled ids (N, L) int32; otherwise null. */
  tokens: Tensor | null;
}

/**
 * Runs `cell` for `length` steps, feeding back what it emits:
 *
 *     o_t, s_t = cell.call(x_t, s_{t−1})          s_{−1} = initialState (default zeros)
 *     y_t      = readout(o_t)                     (identity by default)
 *     f_0      = startInput,  f_{t+1} = φ(y_t)    φ: the feedback
 *     x_t      = f_t                              contextMode 'first', but x_0 = context when given
 *     x_t      = [f_t ; context]                  contextMode 'every' (concatenated on the last axis)
 *
 * Feedback φ: 'output' feeds y_t itself (fully differentiable: gradients flow through every fed
 * value to the context, the initial state and the parameters); 'sample' draws an id per row from
 * softmax(y_t) (with `sampling`; random draws come from the global generator, so `manualSeed`
 * makes it reproducible) and feeds `embed(ids)` or the one-hot rows; a function feeds fn(y_t, t).
 * φ is not applied after the last step (but ids are sampled there too). Teacher forcing is the
 * caller's own loop over `cell.call` with the targets as inputs.
 *
 * In 'first' mode, give `context` (x_0 = context, so C must be the cell's input width) or
 * `startInput` (x_0 = startInput), not both; to start from a context as the initial state, pass
 * it in `initialState` instead. The default startInput is zeros (N, F), F being the cell's
 * `inputSize` (less C in 'every' mode) when it declares one, else O when feedback is 'output'
 * without a readout. N and the dtype come from context, startInput or initialState.
 *
 * Returns: `{ outputs (N, L, Y), state, tokens }`.
 *
 * Throws: ValueError for a bad length, mode or feedback, a missing context in 'every' mode, both
 * context and startInput in 'first' mode, or nothing to take N from; ShapeError / DTypeError for
 * mismatched batch sizes or dtypes.
 *
 * @example
 * import { dynamicRnn, generateSequence, nn, noGrad, randn } from 'recurrent';
 * // Captioning: image features are the input of step 0, then each sampled word's embedding.
 * const cell = new nn.LSTMCell({ inputSize: 64, hiddenSize: 128 });
 * const toLogits = new nn.Linear({ inFeatures: 128, outFeatures: 1000 });
 * const words = new nn.Embedding({ numEmbeddings: 1000, embeddingDim: 64 });
 * const imageFeatures = randn([2, 64]); // (N, 64), from an image encoder
 * const { tokens } = noGrad(() => generateSequence(cell, {
 *   context: imageFeatures,
 *   length: 16, readout: (h) => toLogits.forward(h),
 *   feedback: 'sample', embed: (ids) => words.forward(ids), sampling: { temperature: 0.8 },
 * }));
 * tokens?.shape; // [2, 16]
 *
 * // Forecasting 12 steps from a seed window's state, each prediction fed back:
 * const gruCell = new nn.GRUCell({ inputSize: 1, hiddenSize: 32 });
 * const head = new nn.Linear({ inFeatures: 32, outFeatures: 1 });
 * const window = randn([2, 24, 1]); // (N, T, 1): the last 24 values of each series
 * const [, state] = dynamicRnn(gruCell, window);
 * const lastValue = window.select(1, 23); // (N, 1)
 * const { outputs } = generateSequence(gruCell, { initialState: state, startInput: lastValue, length: 12, readout: (o) => head.forward(o) });
 * outputs.shape; // [2, 12, 1]
 */
export function generateSequence(cell: RecurrentCell, options: GenerateSequenceOptions): GeneratedSequence {
  const op = 'generateSequence';
  checkCell(op, 'cell', cell);
  if (typeof options !== 'object' || options === null) throw new ValueError(`${op}: options with at least a length are required`);
  const { length, context, readout, initialState } = options;
  const mode = options.contextMode ?? 'first';
  const feedback = options.feedback ?? 'output';
  if (!Number.isInteger(length) || length < 1) throw new ValueError(`${op}: length must be a positive integer; got ${String(length)}`);
  if (mode !== 'first' && mode !== 'every') throw new ValueError(`${op}: contextMode must be 'first' or 'every'; got ${String(mode)}`);
  if (feedback !== 'output' && feedback !== 'sample' && typeof feedback !== 'function') {
    throw new ValueError(`${op}: feedback must be 'output', 'sample' or a function (y, step) => input; got ${String(feedback)}`);
  }
  if (feedback === 'sample') checkSampling(options.sampling ?? {});
  if (context !== undefined) checkTensor(op, 'context', context);
  if (options.startInput !== undefined) checkTensor(op, 'startInput', options.startInput);
  if (mode === 'every' && context === undefined) throw new ValueError(`${op}: contextMode 'every' needs a context`);
  if (mode === 'first' && context !== undefined && options.startInput !== undefined) {
    throw new ValueError(`${op}: in contextMode 'first' the context is the input of step 0; give context or startInput, not both`);
  }
  const like = context ?? options.startInput ?? initialState?.[0];
  if (like === undefined) throw new ValueError(`${op}: give a context, a startInput or an initialState (they set the batch size)`);
  for (const [name, t] of [
    ['context', context],
    ['startInput', options.startInput],
  ] as const) {
    if (t === undefined) continue;
    if (t.ndim !== 2 || t.shape[0] !== like.shape[0]) throw new ShapeError(`${op}: ${name} must be (N, ·) with N = ${like.shape[0]}; got ${fmtShape(t.shape)}`);
    if (t.dtype !== like.dtype) throw new DTypeError(`${op}: ${name} is ${t.dtype} but context is ${like.dtype}`);
  }
  const N = like.shape[0]!;
  let state = initialStates(op, 'initialState', cell, initialState, N, like.dtype);
  const contextWidth = mode === 'every' ? context!.shape[1]! : 0;
  let fed = mode === 'first' && context !== undefined ? context : (options.startInput ?? defaultStart(op, cell, options, N, like, contextWidth));

  const ys: Tensor[] = [];
  const tokens = feedback === 'sample' ? new Int32Array(N * length) : null;
  for (let t = 0; t < length; t++) {
    const x = mode === 'every' ? concat([fed, context!], 1) : fed;
    const [o, next] = cell.call(x, state);
    checkStep(op, cell, o, next, N, like.dtype, t);
    state = next;
    const y = readout ? readout(o) : o;
    if (y.ndim !== 2 || y.shape[0] !== N) throw new ShapeError(`${op}: the emitted values must be (N, ·) with N = ${N}; got ${fmtShape(y.shape)} at step ${t}`);
    ys.push(y);
    if (tokens !== null) {
      const ids = sampleRows(y, options.sampling ?? {});
      ids.forEach((id, b) => {
        tokens[b * length + t] = id;
      });
      if (t + 1 < length) fed = options.embed ? options.embed(new Tensor(ids, [N])) : oneHot(ids, y);
    } else if (t + 1 < length) {
      fed = feedback === 'output' ? y : (feedback as (y: Tensor, step: number) => Tensor)(y, t);
    }
  }
  return { outputs: stack(ys, 1), state, tokens: tokens === null ? null : new Tensor(tokens, [N, length]) };
}

/** Zeros (N, F) for f_0, F from the cell's declared inputSize or, for plain output feedback, O. */
function defaultStart(op: string, cell: RecurrentCell, options: GenerateSequenceOptions, N: number, like: Tensor, contextWidth: number): Tensor {
  const declared = (cell as { inputSize?: unknown }).inputSize;
  let width: number;
  if (typeof declared === 'number') width = declared - contextWidth;
  else if ((options.feedback ?? 'output') === 'output' && options.readout === undefined) width = cell.outputSize;
  else throw new ValueError(`${op}: the cell declares no inputSize, so the width of the fed values is unknown; give a startInput`);
  if (width < 0) throw new ShapeError(`${op}: the context (width ${contextWidth}) is wider than the cell's input (${declared as number})`);
  return zerosOf(like.dtype, [N, width]);
}

/** One id per row of logits y (N, V). */
function sampleRows(y: Tensor, sampling: SamplingOptions): Int32Array {
  const [N, V] = y.shape as [number, number];
  return Int32Array.from({ length: N }, (_, b) => sampleLogits(y.data.subarray(b * V, (b + 1) * V), sampling));
}

/** Rows one-hot at `ids`, (N, V) in y's dtype. */
function oneHot(ids: Int32Array, y: Tensor): Tensor {
  const V = y.shape[1]!;
  const out = zerosOf(y.dtype, [ids.length, V]);
  ids.forEach((id, b) => {
    out.data[b * V + id] = 1;
  });
  return out;
}
