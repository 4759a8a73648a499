/** exportOnnx: a module as an ONNX model (opset 17, IR version 8). */
import { checkOptions, ValueError } from '../../errors.js';
import { noGrad } from '../../tensor/autograd/no_grad.js';
import { Embedding } from '../../nn/embedding.js';
import { LanguageModel } from '../../nn/language_model.js';
import { LayerNorm } from '../../nn/layer_norm.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { Dropout } from '../../nn/dropout.js';
import { Identity } from '../../nn/reshaping.js';
import { RNNBase } from '../../nn/rnn/rnn_base.js';
import { Sequential } from '../../nn/sequential.js';
import { exportLayer } from './export_layers.js';
import { exportRecurrent } from './export_recurrent.js';
import { GraphBuilder, type Value } from './graph_builder.js';
import { DATA_TYPE, encodeModel, type OnnxDim } from './onnx_proto.js';

/** The operator set the exporter writes, and the IR version that goes with it. */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface OnnxExportOptions {
  /**
   * Give the graph the inputs `h0` (and `c0` for an LSTM), (D·numLayers, batch, ·), as the
   * module's initial states; without them the states start at zero. For nn.RNN / LSTM / GRU and
   * nn.LanguageModel. Default false.
   */
  initialStates?: boolean;
  /**
   * The input's shape, a size or a symbolic name per axis. Defaults: recurrent layers
   * ['time', 'batch', inputSize] (['batch', 'time', inputSize] with batchFirst); LanguageModel
   * ['time', 'batch']; a Sequential starting with Embedding ['batch', 'time'], with Linear
   * ['batch', inFeatures], with LayerNorm ['batch', ...normalizedShape]. Other models need it.
   */
  inputShape?: readonly (number | string)[];
  /** Key–value strings stored in the model's metadata_props (e.g. a vocabulary as JSON). Default none. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Writes `module` as an ONNX model that ONNX Runtime (and any ONNX opset-17 runtime) runs, with
 * the module's outputs in eval mode (dropout off).
 *
 * Exported: nn.RNN, nn.LSTM, nn.GRU (every layer and direction, batchFirst, bias or not, both GRU
 * reset forms through linear_before_reset, peepholes, and projSize without initial states);
 * nn.LanguageModel; Sequentials of and single Linear (Gemm on 2-D input, else MatMul + Add),
 * Embedding (Gather), Dropout, Identity, ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softmax,
 * LogSoftmax, LayerNorm (LayerNormalization) and Flatten. Anything else is a ValueError naming it.
 *
 * The graph's input is `input` (float32; int32 token ids for a model that starts with an
 * embedding), plus `h0` and `c0` with `initialStates`; its outputs are `output`, and `hn` (and
 * `cn` for an LSTM) for recurrent models. The batch and time axes are symbolic ('batch', 'time'),
 * as torch.onnx.export with dynamic_axes makes them. Parameters must be float32.
 *
 * @example
 * import { nn, exportOnnx } from 'recurrent';
 * const lstm = new nn.LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2, batchFirst: true });
 * const bytes = exportOnnx(lstm, { initialStates: true }); // inputs input, h0, c0; outputs output, hn, cn
 * bytes.length > 0; // true
 */
export function exportOnnx(module: Module, options: OnnxExportOptions = {}): Uint8Array {
  if (!(module instanceof Module)) throw new ValueError(`exportOnnx: module must be an nn.Module; got ${typeof module}`);
  checkOptions('exportOnnx', options, { initialStates: true, inputShape: true, metadata: true });
  const states = options.initialStates ?? false;
  if (typeof states !== 'boolean') throw new ValueError(`exportOnnx: initialStates must be a boolean; got ${String(states)}`);
  const metadata = Object.entries(options.metadata ?? {});
  for (const [key, value] of metadata) {
    if (typeof value !== 'string') throw new ValueError(`exportOnnx: metadata '${key}' must be a string; got ${typeof value}`);
  }
  for (const [name, p] of module.namedParameters()) {
    if (p.dtype !== 'float32') throw new ValueError(`exportOnnx: parameter '${name}' is ${p.dtype}; ONNX export writes float32 (call module.to('float32'))`);
  }
  const g = new GraphBuilder();
  noGrad(() => build(g, module, states, options.inputShape));
  return encodeModel({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'recurrent',
    producerVersion: '0.1.0',
    graph: g.finish(),
    metadata,
  });
}

function build(g: GraphBuilder, module: Module, states: boolean, given: readonly (number | string)[] | undefined): void {
  if (module instanceof RNNBase || module instanceof LanguageModel) {
    const rnn = module instanceof LanguageModel ? module.rnn : module;
    const shape = inputShape(
      given,
      module instanceof LanguageModel ? ['time', 'batch'] : rnn.batchFirst ? ['batch', 'time', rnn.inputSize] : ['time', 'batch', rnn.inputSize],
    );
    const input = g.input('input', module instanceof LanguageModel ? DATA_TYPE.int32 : DATA_TYPE.float, shape);
    const batch = module instanceof LanguageModel || !rnn.batchFirst ? shape[1]! : shape[0]!;
    const layers = rnn.numDirections * rnn.numLayers;
    const h0 = states ? g.input('h0', DATA_TYPE.float, [layers, batch, rnn.outputSize]) : null;
    const c0 = states && rnn.mode === 'LSTM' ? g.input('c0', DATA_TYPE.float, [layers, batch, rnn.hiddenSize]) : null;
    let x: Value = input;
    if (module instanceof LanguageModel) x = exportLayer(g, module.embedding, input, 'embedding');
    const result = exportRecurrent(g, rnn, x, module instanceof LanguageModel ? 'rnn' : '', h0, c0);
    const output = module instanceof LanguageModel ? exportLayer(g, module.decoder, result.output, 'decoder') : result.output;
    g.output(output, 'output');
    g.output(result.hn, 'hn');
    if (result.cn !== null) g.output(result.cn, 'cn');
    return;
  }
  if (states) throw new ValueError(`exportOnnx: initialStates is for recurrent layers and LanguageModel; ${module.constructor.name} takes no states`);
  const first = firstLayer(module);
  let fallback: OnnxDim[] | null = null;
  if (first instanceof Embedding) fallback = ['batch', 'time'];
  else if (first instanceof Linear) fallback = ['batch', first.inFeatures];
  else if (first instanceof LayerNorm) fallback = ['batch', ...first.normalizedShape];
  if (given === undefined && fallback === null) {
    throw new ValueError(`exportOnnx: the input shape of a model starting with ${first.constructor.name} is unknown; give options.inputShape`);
  }
  const input = g.input('input', first instanceof Embedding ? DATA_TYPE.int32 : DATA_TYPE.float, inputShape(given, fallback ?? [], false));
  g.output(exportLayer(g, module, input, ''), 'output');
}

/** The first module that computes something (into Sequentials, past Dropout and Identity). */
function firstLayer(module: Module): Module {
  if (module instanceof Sequential) {
    for (const layer of module.layers) {
      const first = firstLayer(layer);
      if (!(first instanceof Dropout || first instanceof Identity)) return first;
    }
  }
  return module;
}

function inputShape(given: readonly (number | string)[] | undefined, fallback: OnnxDim[], fixedRank = true): OnnxDim[] {
  if (given === undefined) return fallback;
  if (!Array.isArray(given) || given.length === 0 || !given.every((d) => (Number.isInteger(d) && (d as number) > 0) || (typeof d === 'string' && d !== ''))) {
    throw new ValueError(`exportOnnx: inputShape must be a non-empty list of positive sizes or symbolic names; got ${JSON.stringify(given)}`);
  }
  if (fixedRank && given.length !== fallback.length) {
    throw new ValueError(`exportOnnx: inputShape must have ${fallback.length} axes (${JSON.stringify(fallback)}); got ${JSON.stringify(given)}`);
  }
  return [...given];
}
