/** toTfjs: a chain of this library's Keras-like layers as TensorFlow.js model artifacts. */
import { checkOptions, ValueError } from '../../errors.js';
import { transpose } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/autograd/no_grad.js';
import { Activation, type ActivationName } from '../../nn/activation_functions.js';
import { GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from '../../nn/activations.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { LanguageModel } from '../../nn/language_model.js';
import { Linear } from '../../nn/linear.js';
import { Masking } from '../../nn/masking.js';
import { Module } from '../../nn/module.js';
import { Flatten, Identity } from '../../nn/reshaping.js';
import { Bidirectional } from '../../nn/rnn/bidirectional.js';
import { GRUCell, LSTMCell, RNNCell } from '../../nn/rnn/cells.js';
import { torchGruToKeras, torchLstmToKeras, torchSimpleRnnToKeras } from '../../nn/rnn/gates.js';
import { Recurrent } from '../../nn/rnn/recurrent.js';
import { Sequential } from '../../nn/sequential.js';
import { encodeWeights, type TfjsArtifacts, type TfjsWeightSpec } from './artifacts.js';
import { KerasModel } from './keras_model.js';

export interface ToTfjsOptions {
  /** The input's shape without the batch axis (null for any size), when the first layer does not say (default: from it). */
  inputShape?: readonly (number | null)[];
}

/** What toTfjs returns: artifacts with every field set. */
export interface TfjsModelArtifacts extends TfjsArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: TfjsWeightSpec[];
  weightData: ArrayBuffer;
  format: 'layers-model';
}

const KERAS_ACTIVATION: Partial<Record<ActivationName, string>> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  hardSigmoid: 'hard_sigmoid',
  softmax: 'softmax',
  logSoftmax: 'log_softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  swish: 'swish',
  gelu: 'gelu',
};

type Layer = { class_name: string; config: Record<string, unknown> };

class Writer {
  readonly layers: Layer[] = [];
  readonly weights: [string, Tensor][] = [];
  private readonly names = new Map<string, number>();

  name(base: string): string {
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }
}

function kerasActivation(name: ActivationName, what: string): string {
  const keras = KERAS_ACTIVATION[name];
  if (keras === undefined) {
    throw new ValueError(
      `toTfjs: ${what}: activation '${name}' has no TensorFlow.js equivalent${name === 'hardSigmoidKeras3' ? " (TensorFlow.js's hard_sigmoid is clip(0.2x + 0.5, 0, 1))" : ''}`,
    );
  }
  return keras;
}

/** The Keras class and config of a recurrent layer, and its weights in Keras's layout. */
function recurrentLayer(layer: Recurrent, name: string, what: string): { layer: Layer; weights: [string, Tensor][] } {
  const cell = layer.cell;
  const common = {
    name,
    trainable: true,
    dtype: 'float32',
    return_sequences: layer.returnSequences,
    return_state: layer.returnState,
    go_backwards: layer.goBackwards,
    stateful: layer.stateful,
    unroll: false,
    dropout: layer.dropout,
    recurrent_dropout: layer.recurrentDropout,
  };
  let className: string;
  let config: Record<string, unknown>;
  let w: { kernel: Tensor; recurrentKernel: Tensor; bias?: Tensor | null };
  if (cell instanceof LSTMCell) {
    className = 'LSTM';
    config = {
      units: cell.hiddenSize,
      activation: kerasActivation(cell.activation, what),
      recurrent_activation: kerasActivation(cell.recurrentActivation, what),
      unit_forget_bias: false,
    };
    w = torchLstmToKeras(cell.stateDict());
  } else if (cell instanceof GRUCell) {
    className = 'GRU';
    config = {
      units: cell.hiddenSize,
      activation: kerasActivation(cell.activation, what),
      recurrent_activation: kerasActivation(cell.recurrentActivation, what),
      reset_after: cell.resetAfter,
    };
    w = torchGruToKeras(cell.stateDict(), { resetAfter: cell.resetAfter });
  } else if (cell instanceof RNNCell) {
    className = 'SimpleRNN';
    config = { units: cell.hiddenSize, activation: kerasActivation(cell.nonlinearity, what) };
    w = torchSimpleRnnToKeras(cell.stateDict());
  } else {
    throw new ValueError(`toTfjs: ${what}: only RNNCell, LSTMCell and GRUCell have Keras layers; got ${cell.constructor.name}`);
  }
  const useBias = w.bias != null;
  const weights: [string, Tensor][] = [
    ['kernel', w.kernel],
    ['recurrent_kernel', w.recurrentKernel],
  ];
  if (useBias) weights.push(['bias', w.bias!]);
  return { layer: { class_name: className, config: { ...common, ...config, use_bias: useBias } }, weights };
}

/** Appends the Keras layers of `module` (recursing into chains) to `out`. */
function emit(out: Writer, module: Module, path: string): void {
  const what = path === '' ? module.constructor.name : `${module.constructor.name} '${path}'`;
  const join = (s: string): string => (path === '' ? s : `${path}.${s}`);
  const add = (className: string, base: string, config: Record<string, unknown>, weights: [string, Tensor][] = []): void => {
    const name = out.name(base);
    out.layers.push({ class_name: className, config: { name, trainable: true, dtype: 'float32', ...config } });
    for (const [role, t] of weights) out.weights.push([`${name}/${role}`, t]);
  };
  if (module instanceof Sequential) return module.layers.forEach((l, i) => emit(out, l, join(String(i))));
  if (module instanceof KerasModel) return module.layers.forEach((l, i) => emit(out, l, join(module.layerNames[i]!)));
  if (module instanceof Identity) return;
  if (module instanceof LanguageModel) {
    // Keras's layout is batch first: the same function on (batch, time) ids, one layer per recurrent layer.
    emit(out, module.embedding, join('embedding'));
    const rnn = module.rnn;
    for (let layer = 0; layer < rnn.numLayers; layer++) {
      emit(out, new Recurrent(rnn.cell(layer), { returnSequences: true }), join(`rnn.${layer}`));
    }
    return emit(out, module.decoder, join('decoder'));
  }
  if (module instanceof Embedding) {
    return add('Embedding', 'embedding', { input_dim: module.numEmbeddings, output_dim: module.embeddingDim, mask_zero: module.maskZero }, [
      ['embeddings', module.weight.detach()],
    ]);
  }
  if (module instanceof Linear) {
    const weights: [string, Tensor][] = [['kernel', transpose(module.weight.detach(), 0, 1)]];
    if (module.bias !== null) weights.push(['bias', module.bias.detach()]);
    return add('Dense', 'dense', { units: module.outFeatures, activation: 'linear', use_bias: module.bias !== null }, weights);
  }
  if (module instanceof Dropout) return add('Dropout', 'dropout', { rate: module.p });
  if (module instanceof Masking) return add('Masking', 'masking', { mask_value: module.maskValue });
  if (module instanceof Flatten) {
    if (module.startDim !== 1 || module.endDim !== -1) throw new ValueError(`toTfjs: ${what}: only Flatten(1, -1), Keras's Flatten, is written`);
    return add('Flatten', 'flatten', {});
  }
  const activation = activationOf(module, what);
  if (activation !== null) return add('Activation', 'activation', { activation: kerasActivation(activation, what) });
  if (module instanceof Recurrent) {
    const name = out.name(module.cell instanceof LSTMCell ? 'lstm' : module.cell instanceof GRUCell ? 'gru' : 'simple_rnn');
    const { layer, weights } = recurrentLayer(module, name, what);
    out.layers.push(layer);
    for (const [role, t] of weights) out.weights.push([`${name}/${role}`, t]);
    return;
  }
  if (module instanceof Bidirectional) {
    const name = out.name('bidirectional');
    const forward = recurrentLayer(module.forwardLayer, name === 'bidirectional' ? 'rnn' : `${name}_rnn`, what);
    const backward = recurrentLayer(module.backwardLayer, forward.layer.config['name'] as string, what);
    const same = JSON.stringify({ ...backward.layer.config, go_backwards: !backward.layer.config['go_backwards'] }) === JSON.stringify(forward.layer.config);
    if (!same || backward.layer.class_name !== forward.layer.class_name) {
      throw new ValueError(`toTfjs: ${what}: its backward layer is not the forward one reversed, which Keras's Bidirectional config cannot say`);
    }
    const inner = forward.layer.config['name'] as string;
    out.layers.push({ class_name: 'Bidirectional', config: { name, trainable: true, merge_mode: module.mergeMode, layer: forward.layer } });
    for (const [role, t] of forward.weights) out.weights.push([`${name}/forward_${inner}/${role}`, t]);
    for (const [role, t] of backward.weights) out.weights.push([`${name}/backward_${inner}/${role}`, t]);
    return;
  }
  throw new ValueError(
    `toTfjs: ${what} has no Keras layer here; supported: Sequential, Embedding, Linear, Dropout, Masking, Flatten, Identity, Activation, ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Recurrent (RNNCell, LSTMCell, GRUCell), Bidirectional`,
  );
}

function activationOf(module: Module, what: string): ActivationName | null {
  if (module instanceof Activation) return module.activation;
  if (module instanceof ReLU) return 'relu';
  if (module instanceof Tanh) return 'tanh';
  if (module instanceof Sigmoid) return 'sigmoid';
  if (module instanceof GELU) {
    if (module.approximate !== 'none') throw new ValueError(`toTfjs: ${what}: only the exact GELU is written`);
    return 'gelu';
  }
  if (module instanceof Softmax || module instanceof LogSoftmax) {
    if (module.dim !== -1)
      throw new ValueError(`toTfjs: ${what}: Keras's ${module.constructor.name.toLowerCase()} acts on the last axis; dim is ${module.dim}`);
    return module instanceof Softmax ? 'softmax' : 'logSoftmax';
  }
  return null;
}

/** The input shape (without the batch axis) that the first layer implies, or null. */
function inputShapeOf(layers: readonly Layer[], weights: readonly [string, Tensor][]): (number | null)[] | null {
  const [first, second] = layers as [Layer, Layer | undefined];
  const kernel = weights[0]?.[1];
  // Masking keeps the shape of what follows it: a recurrent layer's input.
  if (first.class_name === 'Masking' && second !== undefined && ['LSTM', 'GRU', 'SimpleRNN', 'Bidirectional'].includes(second.class_name))
    return [null, kernel!.shape[0]!];
  if (first.class_name === 'Embedding') return [null];
  if (first.class_name === 'Dense') return [kernel!.shape[0]!];
  if (['LSTM', 'GRU', 'SimpleRNN'].includes(first.class_name)) return [null, kernel!.shape[0]!];
  if (first.class_name === 'Bidirectional') return [null, kernel!.shape[0]!];
  return null;
}

/**
 * Writes a model made of Keras-like layers as TensorFlow.js artifacts, which
 * `tf.loadLayersModel(tf.io.fromMemory(artifacts))` loads with the same predictions (and
 * `fromTfjs` reads back). The module is an nn.Sequential (or a KerasModel) of nn.Embedding,
 * nn.Recurrent over nn.RNNCell / LSTMCell / GRUCell, nn.Bidirectional, nn.Masking, nn.Linear
 * (Dense), nn.Dropout, nn.Flatten, nn.Activation, nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU,
 * nn.Softmax and nn.LogSoftmax; or an nn.LanguageModel, written as Embedding, one recurrent layer
 * per layer (return_sequences) and Dense: Keras's batch-first layout, (batch, time) ids →
 * (batch, time, vocabSize) logits. A last layer with several outputs (returnState, mergeMode null)
 * makes a functional model with those outputs.
 *
 * Limits of TensorFlow.js that the artifacts keep: its GRU loads only `resetAfter: false` (the
 * artifacts of a reset-after GRU are Keras's and load here and in Keras 3, not in
 * TensorFlow.js), and its hard_sigmoid is clip(0.2x + 0.5, 0, 1) (so 'hardSigmoidKeras3' is an error).
 *
 * @example
 * import { nn, toTfjs } from 'recurrent';
 * const model = new nn.Sequential(
 *   new nn.Embedding({ numEmbeddings: 50, embeddingDim: 8, maskZero: true }),
 *   new nn.Recurrent(new nn.GRUCell({ inputSize: 8, hiddenSize: 16, resetAfter: false })),
 *   new nn.Linear({ inFeatures: 16, outFeatures: 3 }),
 *   new nn.Softmax(),
 * );
 * const artifacts = toTfjs(model); // tf.loadLayersModel(tf.io.fromMemory(artifacts))
 * artifacts.weightSpecs.length; // 6
 */
export function toTfjs(module: Module, options: ToTfjsOptions = {}): TfjsModelArtifacts {
  if (!(module instanceof Module)) throw new ValueError(`toTfjs: module must be an nn.Module; got ${typeof module}`);
  checkOptions('toTfjs', options, { inputShape: true });
  for (const [name, p] of module.namedParameters()) {
    if (p.dtype !== 'float32') throw new ValueError(`toTfjs: parameter '${name}' is ${p.dtype}; TensorFlow.js weights are float32 (call module.to('float32'))`);
  }
  const out = new Writer();
  noGrad(() => emit(out, module, ''));
  if (out.layers.length === 0) throw new ValueError('toTfjs: the model has no layer to write');
  const declared = module instanceof KerasModel ? module.info.inputShape : null;
  const shape = options.inputShape ?? declared ?? inputShapeOf(out.layers, out.weights);
  if (shape === null) throw new ValueError(`toTfjs: the input shape of a model starting with ${out.layers[0]!.class_name} is unknown; give options.inputShape`);
  const inputDType = out.layers[0]!.class_name === 'Embedding' ? 'int32' : 'float32';
  const last = out.layers.at(-1)!;
  const lastOutputs = lastLayerOutputs(last);
  if (module instanceof KerasModel && module.info.outputs.join() !== Array.from({ length: lastOutputs }, (_, k) => k).join()) {
    throw new ValueError(
      `toTfjs: the model returns outputs [${module.info.outputs.join(', ')}] of its last layer's ${lastOutputs}; only all of them, in order, can be written`,
    );
  }
  let modelTopology: Record<string, unknown>;
  if (lastOutputs === 1) {
    out.layers[0]!.config['batch_input_shape'] = [null, ...shape];
    modelTopology = { class_name: 'Sequential', config: { name: 'sequential', layers: out.layers } };
  } else {
    const input = {
      class_name: 'InputLayer',
      name: 'input',
      config: { name: 'input', batch_input_shape: [null, ...shape], dtype: inputDType, sparse: false },
      inbound_nodes: [],
    };
    const layers: Record<string, unknown>[] = [input];
    let previous = 'input';
    for (const layer of out.layers) {
      const name = layer.config['name'] as string;
      layers.push({ ...layer, name, inbound_nodes: [[[previous, 0, 0, {}]]] });
      previous = name;
    }
    const outputs = Array.from({ length: lastOutputs }, (_, k) => [previous, 0, k]);
    modelTopology = { class_name: 'Model', config: { name: 'model', layers, input_layers: [['input', 0, 0]], output_layers: outputs } };
  }
  const { weightSpecs, weightData } = encodeWeights(out.weights);
  return {
    modelTopology: { ...modelTopology, keras_version: 'recurrent 0.1.0 (TensorFlow.js semantics)', backend: 'tensor_flow.js' },
    format: 'layers-model',
    generatedBy: 'recurrent 0.1.0',
    convertedBy: null,
    weightSpecs,
    weightData,
  };
}

/** How many outputs the last layer has: states follow the output with returnState; mergeMode null splits it. */
function lastLayerOutputs(last: Layer): number {
  const bidirectional = last.class_name === 'Bidirectional';
  const recurrent = bidirectional ? (last.config['layer'] as Layer) : last;
  const perDirection = recurrent.class_name === 'LSTM' ? 2 : 1;
  const states = recurrent.config['return_state'] === true ? perDirection * (bidirectional ? 2 : 1) : 0;
  return (bidirectional && last.config['merge_mode'] === null ? 2 : 1) + states;
}
