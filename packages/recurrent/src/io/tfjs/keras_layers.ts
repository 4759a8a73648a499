/**
 * Keras layer configs (with their weights) as this library's modules. Weights are found by name:
 * each belongs to the layer its path names (`lstm/lstm_cell/kernel`, `bidirectional/forward_lstm/…`,
 * or Keras 3's `layers/lstm/cell/vars/0`), and within it by role (kernel, recurrent_kernel, bias,
 * embeddings) or, for Keras 3's numbered variables, by position.
 */
import { FormatError } from '../../errors.js';
import { transpose } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Activation, type ActivationName } from '../../nn/activation_functions.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { Linear } from '../../nn/linear.js';
import { Masking } from '../../nn/masking.js';
import { Flatten } from '../../nn/reshaping.js';
import { Bidirectional, type MergeMode } from '../../nn/rnn/bidirectional.js';
import type { RecurrentCell } from '../../nn/rnn/cell.js';
import { GRUCell, LSTMCell, RNNCell } from '../../nn/rnn/cells.js';
import { kerasGruToTorch, kerasLstmToTorch, kerasSimpleRnnToTorch } from '../../nn/rnn/gates.js';
import { Recurrent } from '../../nn/rnn/recurrent.js';
import { Sequential } from '../../nn/sequential.js';
import type { HardSigmoidKind, KerasLayerModule } from './keras_model.js';
import { describe, isRecord, type KerasLayer } from './keras_topology.js';

export const SUPPORTED_LAYERS =
  'Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Masking, Dense, TimeDistributed(Dense), Dropout, Activation, Flatten, InputLayer';

type Direction = 'forward' | 'backward' | null;

/** The artifacts' weights, each assigned to the layer its path names. */
export class WeightIndex {
  private readonly entries: { name: string; layer: string; direction: Direction; leaf: string; tensor: Tensor; used: boolean }[] = [];

  constructor(weights: Map<string, Tensor>, layerNames: readonly string[], where: string) {
    const known = new Set(layerNames);
    for (const [name, tensor] of weights) {
      const parts = name.replace(/:0$/, '').split('/');
      const layer = parts.find((p) => known.has(p));
      if (layer === undefined) throw new FormatError(`${where}: weight '${name}' belongs to no layer of the model (${layerNames.join(', ')})`);
      const inner = parts.slice(parts.indexOf(layer) + 1);
      const direction = inner.some((p) => p.startsWith('forward_')) ? 'forward' : inner.some((p) => p.startsWith('backward_')) ? 'backward' : null;
      this.entries.push({ name, layer, direction, leaf: parts.at(-1)!, tensor, used: false });
    }
  }

  /** The weight of `layer` (and direction) with role `role`, or numbered `position` (Keras 3); null when absent. */
  take(layer: string, role: string, position: number, direction: Direction = null): Tensor | null {
    const mine = this.entries.filter((e) => e.layer === layer && e.direction === direction);
    const found = mine.find((e) => e.leaf === role) ?? mine.find((e) => e.leaf === String(position));
    if (found === undefined) return null;
    found.used = true;
    return found.tensor;
  }

  /** Names of weights no layer took. */
  unused(): string[] {
    return this.entries.filter((e) => !e.used).map((e) => e.name);
  }
}

export interface LayerContext {
  weights: WeightIndex;
  hardSigmoid: HardSigmoidKind;
  where: string;
}

const ACTIVATIONS: Record<string, ActivationName> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  softmax: 'softmax',
  log_softmax: 'logSoftmax',
  logSoftmax: 'logSoftmax',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'swish',
  silu: 'swish',
  gelu: 'gelu',
  exponential: 'exponential',
};

function activation(value: unknown, fallback: ActivationName, ctx: LayerContext, what: string): ActivationName {
  if (value === undefined || value === null) return fallback;
  if (value === 'hard_sigmoid' || value === 'hardSigmoid') return ctx.hardSigmoid === 'keras3' ? 'hardSigmoidKeras3' : 'hardSigmoid';
  const name = typeof value === 'string' ? ACTIVATIONS[value] : undefined;
  if (name === undefined) {
    throw new FormatError(`${what}: activation ${describe(value)} is not supported; supported: hard_sigmoid, ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  return name;
}

function int(config: Record<string, unknown>, key: string, what: string): number {
  const v = config[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new FormatError(`${what}: ${key} must be a positive integer; got ${describe(v)}`);
  return v;
}

function flag(config: Record<string, unknown>, key: string, fallback: boolean, what: string): boolean {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new FormatError(`${what}: ${key} must be true or false; got ${describe(v)}`);
  return v;
}

function rate(config: Record<string, unknown>, key: string, what: string): number {
  const v = config[key] ?? 0;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new FormatError(`${what}: ${key} must be a number in [0, 1); got ${describe(v)}`);
  return v;
}

function required(t: Tensor | null, what: string, role: string): Tensor {
  if (t === null) throw new FormatError(`${what}: its weight '${role}' is missing from the weight specs`);
  return t;
}

/** Builds one layer of the chain. */
export function buildLayer(layer: KerasLayer, ctx: LayerContext): KerasLayerModule {
  const what = `${ctx.where}: layer '${layer.name}' (${layer.className})`;
  const c = layer.config;
  switch (layer.className) {
    case 'Embedding': {
      const emb = new Embedding({
        numEmbeddings: int(c, 'input_dim', what),
        embeddingDim: int(c, 'output_dim', what),
        maskZero: flag(c, 'mask_zero', false, what),
      });
      emb.loadStateDict({ weight: required(ctx.weights.take(layer.name, 'embeddings', 0), what, 'embeddings') });
      return emb;
    }
    case 'Dense':
      return dense(layer.name, c, ctx, what);
    case 'TimeDistributed': {
      const inner = c['layer'];
      if (!isRecord(inner) || inner['class_name'] !== 'Dense' || !isRecord(inner['config'])) {
        throw new FormatError(`${what}: only TimeDistributed(Dense) is supported; it wraps ${describe(isRecord(inner) ? inner['class_name'] : inner)}`);
      }
      return dense(layer.name, inner['config'], ctx, what);
    }
    case 'Dropout':
      return new Dropout({ p: rate(c, 'rate', what) });
    case 'Activation':
      return new Activation({ activation: activation(c['activation'], 'linear', ctx, what) });
    case 'Flatten':
      return new Flatten();
    case 'Masking': {
      const value = c['mask_value'] ?? 0;
      if (typeof value !== 'number') throw new FormatError(`${what}: mask_value must be a number; got ${describe(value)}`);
      return new Masking({ maskValue: value });
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      return recurrent(layer.className, layer.name, null, c, ctx, what);
    case 'Bidirectional':
      return bidirectional(layer.name, c, ctx, what);
    default:
      throw new FormatError(`${what}: layer class '${layer.className}' is not supported; supported: ${SUPPORTED_LAYERS}`);
  }
}

function dense(name: string, c: Record<string, unknown>, ctx: LayerContext, what: string): KerasLayerModule {
  const kernel = required(ctx.weights.take(name, 'kernel', 0), what, 'kernel');
  const units = int(c, 'units', what);
  const useBias = flag(c, 'use_bias', true, what);
  if (kernel.ndim !== 2 || kernel.shape[1] !== units) throw new FormatError(`${what}: kernel must be (inputs, ${units}); got [${kernel.shape.join(', ')}]`);
  const linear = new Linear({ inFeatures: kernel.shape[0]!, outFeatures: units, bias: useBias });
  const state: Record<string, Tensor> = { weight: transpose(kernel, 0, 1) };
  if (useBias) state['bias'] = required(ctx.weights.take(name, 'bias', 1), what, 'bias');
  linear.loadStateDict(state);
  const act = activation(c['activation'], 'linear', ctx, what);
  return act === 'linear' ? linear : new Sequential(linear, new Activation({ activation: act }));
}

function recurrent(
  kind: string,
  name: string,
  direction: Direction,
  c: Record<string, unknown>,
  ctx: LayerContext,
  what: string,
): Recurrent<RecurrentCell, boolean> {
  if (flag(c, 'time_major', false, what)) throw new FormatError(`${what}: time_major is not supported (the layer reads batch-first input)`);
  const units = int(c, 'units', what);
  const useBias = flag(c, 'use_bias', true, what);
  const kernel = required(ctx.weights.take(name, 'kernel', 0, direction), what, 'kernel');
  const recurrentKernel = required(ctx.weights.take(name, 'recurrent_kernel', 1, direction), what, 'recurrent_kernel');
  const bias = useBias ? required(ctx.weights.take(name, 'bias', 2, direction), what, 'bias') : null;
  if (kernel.ndim !== 2) throw new FormatError(`${what}: kernel must be 2-D; got [${kernel.shape.join(', ')}]`);
  const base = { inputSize: kernel.shape[0]!, hiddenSize: units, bias: useBias };
  const act = activation(c['activation'], 'tanh', ctx, what);
  const weights = { kernel, recurrentKernel, bias };
  let cell: RNNCell | LSTMCell | GRUCell;
  try {
    if (kind === 'SimpleRNN') {
      cell = new RNNCell({ ...base, nonlinearity: act });
      cell.loadStateDict(kerasSimpleRnnToTorch(weights));
    } else if (kind === 'LSTM') {
      cell = new LSTMCell({ ...base, activation: act, recurrentActivation: activation(c['recurrent_activation'], 'sigmoid', ctx, what) });
      cell.loadStateDict(kerasLstmToTorch(weights));
    } else {
      const resetAfter = flag(c, 'reset_after', bias !== null && bias.ndim === 2, what);
      cell = new GRUCell({ ...base, resetAfter, activation: act, recurrentActivation: activation(c['recurrent_activation'], 'sigmoid', ctx, what) });
      cell.loadStateDict(kerasGruToTorch(weights, { resetAfter }));
    }
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(`${what}: its weights do not fit units ${units}: ${(e as Error).message}`);
  }
  return new Recurrent<RecurrentCell, boolean>(cell, {
    returnSequences: flag(c, 'return_sequences', false, what),
    returnState: flag(c, 'return_state', false, what),
    goBackwards: flag(c, 'go_backwards', false, what),
    stateful: flag(c, 'stateful', false, what),
    dropout: rate(c, 'dropout', what),
    recurrentDropout: rate(c, 'recurrent_dropout', what),
  });
}

const MERGE_MODES: readonly unknown[] = ['concat', 'sum', 'mul', 'ave', null];

function bidirectional(name: string, c: Record<string, unknown>, ctx: LayerContext, what: string): KerasLayerModule {
  const inner = c['layer'];
  if (!isRecord(inner) || !['SimpleRNN', 'LSTM', 'GRU'].includes(inner['class_name'] as string) || !isRecord(inner['config'])) {
    throw new FormatError(`${what}: it must wrap a SimpleRNN, LSTM or GRU; got ${describe(isRecord(inner) ? inner['class_name'] : inner)}`);
  }
  const mergeMode = c['merge_mode'] === undefined ? 'concat' : c['merge_mode'];
  if (!MERGE_MODES.includes(mergeMode)) throw new FormatError(`${what}: merge_mode ${describe(mergeMode)} is not concat, sum, mul, ave or null`);
  const forward = recurrent(inner['class_name'] as string, name, 'forward', inner['config'], ctx, `${what} forward`);
  const given = c['backward_layer'];
  const backwardSpec =
    isRecord(given) && isRecord(given['config'])
      ? given
      : { class_name: inner['class_name'], config: { ...inner['config'], go_backwards: !forward.goBackwards } };
  const backward = recurrent(
    backwardSpec['class_name'] as string,
    name,
    'backward',
    backwardSpec['config'] as Record<string, unknown>,
    ctx,
    `${what} backward`,
  );
  return new Bidirectional(forward, { mergeMode: mergeMode as MergeMode, backwardLayer: backward }) as KerasLayerModule;
}
