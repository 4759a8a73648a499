/**
 * The feed-forward modules as ONNX nodes: Embedding (Gather), Linear (Gemm on 2-D input, else
 * MatMul + Add), Dropout and Identity (nothing: the graph is the module in eval mode), the
 * activations, Softmax / LogSoftmax, LayerNorm (LayerNormalization), Flatten, and Sequentials of
 * them. Each takes the value it reads and returns the value it makes.
 */
import { ValueError } from '../../errors.js';
import { full, ones } from '../../tensor/ops/creation.js';
import { transpose } from '../../tensor/ops/view.js';
import { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from '../../nn/activations.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { LayerNorm } from '../../nn/layer_norm.js';
import { Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { Flatten, Identity } from '../../nn/reshaping.js';
import { Sequential } from '../../nn/sequential.js';
import { floatOf, type GraphBuilder, type Value } from './graph_builder.js';
import type { OnnxDim } from './onnx_proto.js';

/** The modules `exportLayer` knows, for messages. */
export const EXPORTED_LAYERS =
  'Sequential, Linear, Embedding, Dropout, Identity, ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softmax, LogSoftmax, LayerNorm, Flatten (startDim 1, endDim -1)';

/** Emits `module` reading `x`; `path` is its name in the model (for initializers and errors). */
export function exportLayer(g: GraphBuilder, module: Module, x: Value, path: string): Value {
  const name = (s: string): string => (path === '' ? s : `${path}.${s}`);
  const rank = x.shape.length;
  const last = (size: OnnxDim): OnnxDim[] => [...x.shape.slice(0, -1), size];
  if (module instanceof Sequential) {
    return module.layers.reduce((v, layer, i) => exportLayer(g, layer, v, name(String(i))), x);
  }
  if (module instanceof Dropout || module instanceof Identity) return x;
  if (module instanceof Embedding) {
    return g.op('Gather', [g.constant(name('weight'), module.weight.detach()), x], { axis: { int: 0 } }, floatOf([...x.shape, module.embeddingDim]));
  }
  if (module instanceof Linear) {
    const weight = module.weight.detach();
    const bias = module.bias === null ? null : g.constant(name('bias'), module.bias.detach());
    if (rank === 2) {
      return g.op('Gemm', [x, g.constant(name('weight'), weight), bias], { transB: { int: 1 } }, floatOf(last(module.outFeatures)));
    }
    const product = g.op('MatMul', [x, g.constant(name('weight_t'), transpose(weight, 0, 1))], {}, floatOf(last(module.outFeatures)));
    return bias === null ? product : g.op('Add', [product, bias], {}, floatOf(last(module.outFeatures)));
  }
  const same = floatOf(x.shape);
  if (module instanceof ReLU) return g.op('Relu', [x], {}, same);
  if (module instanceof Tanh) return g.op('Tanh', [x], {}, same);
  if (module instanceof Sigmoid) return g.op('Sigmoid', [x], {}, same);
  if (module instanceof LeakyReLU) return g.op('LeakyRelu', [x], { alpha: { float: module.negativeSlope } }, same);
  if (module instanceof Softmax) return g.op('Softmax', [x], { axis: { int: module.dim } }, same);
  if (module instanceof LogSoftmax) return g.op('LogSoftmax', [x], { axis: { int: module.dim } }, same);
  if (module instanceof GELU) return exportGelu(g, x, module.approximate, name);
  if (module instanceof LayerNorm) {
    const scale = g.constant(name('weight'), module.weight?.detach() ?? ones(module.normalizedShape));
    const shift = module.bias === null ? null : g.constant(name('bias'), module.bias.detach());
    const attributes = { axis: { int: -module.normalizedShape.length }, epsilon: { float: module.eps } };
    return g.op('LayerNormalization', shift === null ? [x, scale] : [x, scale, shift], attributes, same);
  }
  if (module instanceof Flatten) {
    if (module.startDim !== 1 || module.endDim !== -1) {
      throw new ValueError(`exportOnnx: ${describe(module, path)} has startDim ${module.startDim}, endDim ${module.endDim}; only Flatten(1, -1) is exported`);
    }
    return g.op('Flatten', [x], { axis: { int: 1 } }, floatOf([x.shape[0] ?? null, null]));
  }
  throw new ValueError(`exportOnnx: ${describe(module, path)} cannot be exported; supported: ${EXPORTED_LAYERS}, RNN, LSTM, GRU and LanguageModel`);
}

/** GELU from Erf (exact) or Tanh (approximate); ONNX's own Gelu needs opset 20. */
function exportGelu(g: GraphBuilder, x: Value, approximate: 'none' | 'tanh', name: (s: string) => string): Value {
  const same = floatOf(x.shape);
  const scalar = (label: string, v: number): Value => g.constant(name(label), full([], v));
  let inner: Value;
  if (approximate === 'none') {
    inner = g.op('Erf', [g.op('Mul', [x, scalar('gelu_rsqrt2', Math.SQRT1_2)], {}, same)], {}, same);
  } else {
    const cube = g.op('Mul', [g.op('Mul', [x, x], {}, same), x], {}, same);
    const poly = g.op('Add', [x, g.op('Mul', [cube, scalar('gelu_c', 0.044715)], {}, same)], {}, same);
    inner = g.op('Tanh', [g.op('Mul', [poly, scalar('gelu_sqrt2pi', Math.sqrt(2 / Math.PI))], {}, same)], {}, same);
  }
  const onePlus = g.op('Add', [inner, scalar('gelu_one', 1)], {}, same);
  return g.op('Mul', [g.op('Mul', [x, onePlus], {}, same), scalar('gelu_half', 0.5)], {}, same);
}

/** `Linear 'decoder'` or `Linear` at the top. */
export function describe(module: Module, path: string): string {
  return path === '' ? module.constructor.name : `${module.constructor.name} '${path}'`;
}
