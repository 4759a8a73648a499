/** fromTfjs: TensorFlow.js / Keras model artifacts as a KerasModel of this library's layers. */
import { FormatError, ValueError } from '../../errors.js';
import { getRngState, setRngState } from '../../tensor/random.js';
import { decodeWeights, weightBytes, type TfjsArtifacts } from './artifacts.js';
import { buildLayer, WeightIndex } from './keras_layers.js';
import { KerasModel, type HardSigmoidKind, type KerasLayerModule } from './keras_model.js';
import { readChain } from './keras_topology.js';

/** 3 for '3.3.3', 2 for '2.15.0', null for 'tfjs-layers 4.22.0' or none. */
function kerasMajor(version: string): number | null {
  const m = /^(\d+)\./.exec(version);
  return m === null ? null : Number(m[1]);
}

/**
 * Reads a Keras model from TensorFlow.js artifacts — what `model.save(tf.io.withSaveHandler(…))`
 * receives, or `model.json` and its weights as tensorflowjs_converter writes them from a Keras
 * `.h5` (Keras 2) or `.keras` (Keras 3) file — as a KerasModel whose `forward(x)` equals
 * `model.predict(x)`: batch-first input, int32 ids into an Embedding.
 *
 * Layers: Embedding (mask_zero), SimpleRNN, LSTM, GRU (reset_after true and false: the Keras GRU
 * TensorFlow.js itself cannot load), Bidirectional (merge_mode concat, sum, mul, ave, None),
 * Masking, Dense, TimeDistributed(Dense), Dropout, Activation, Flatten; the options
 * return_sequences, return_state, go_backwards, stateful, use_bias, unit_forget_bias (an
 * initialiser: the weights are read as they are), activation and recurrent_activation. Sequential
 * and functional models whose layers form one chain.
 *
 * `hard_sigmoid` is clip(0.2x + 0.5, 0, 1) in TensorFlow.js and Keras 2, relu6(x + 3)/6 in Keras 3:
 * the file's `keras_version` decides (recorded in `model.info.hardSigmoid`).
 *
 * Weights may be float32 or quantised (uint8, uint16, float16) as tfjs writes them, in one buffer
 * or shards. Anything else, or sizes that do not add up, is a FormatError naming the layer or weight.
 *
 * @example
 * import { fromTfjs, nn, randn, toTfjs } from 'recurrent';
 * // Artifacts as a tfjs save handler receives them: tfModel.save(tf.io.withSaveHandler(async (a) => …))
 * const artifacts = toTfjs(new nn.Sequential(new nn.Recurrent(new nn.LSTMCell({ inputSize: 3, hiddenSize: 4 }))));
 * const model = fromTfjs(artifacts);
 * model.forward(randn([2, 5, 3])).shape; // [2, 4]
 */
export function fromTfjs(artifacts: TfjsArtifacts, options: { where?: string } = {}): KerasModel {
  const where = options.where ?? 'fromTfjs';
  if (typeof artifacts !== 'object' || artifacts === null || Array.isArray(artifacts))
    throw new ValueError(`${where}: artifacts must be an object {modelTopology, weightSpecs, weightData}`);
  const chain = readChain(artifacts.modelTopology, where);
  const major = kerasMajor(chain.kerasVersion);
  const hardSigmoid: HardSigmoidKind = major !== null && major >= 3 ? 'keras3' : 'keras2';
  const weights = decodeWeights(artifacts.weightSpecs ?? [], weightBytes(artifacts.weightData), where);
  const index = new WeightIndex(
    weights,
    chain.layers.map((l) => l.name),
    where,
  );
  // Building a layer draws an initialisation that the file's weights replace: leave the random stream as it was.
  const rng = getRngState();
  let layers: [string, KerasLayerModule][];
  try {
    layers = chain.layers.map((layer) => [layer.name, buildLayer(layer, { weights: index, hardSigmoid, where })]);
  } finally {
    setRngState(rng);
  }
  const unused = index.unused();
  if (unused.length > 0) throw new FormatError(`${where}: weight(s) ${unused.map((n) => `'${n}'`).join(', ')} are used by no layer`);
  if (layers.length === 0) throw new FormatError(`${where}: the model has no layers`);
  const model = new KerasModel(layers, {
    kerasVersion: chain.kerasVersion,
    hardSigmoid,
    inputDType: chain.layers[0]?.className === 'Embedding' || chain.inputDType === 'int32' ? 'int32' : 'float32',
    outputs: chain.outputs,
    inputShape: chain.inputShape,
  });
  return model.eval();
}
