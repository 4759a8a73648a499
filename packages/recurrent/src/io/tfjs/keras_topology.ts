/**
 * The Keras model JSON inside TensorFlow.js artifacts, as a chain of layer configs: Sequential
 * models, and functional models whose layers each read the one before (single-input chains),
 * in the forms TensorFlow.js, Keras 2 (through tensorflowjs_converter: `model_config`) and Keras 3
 * (`inbound_nodes` as `args` with `keras_history`) write.
 */
import { FormatError } from '../../errors.js';

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

export interface KerasChain {
  /** `keras_version` as written ('tfjs-layers 4.22.0', '2.15.0', '3.3.3'), or '' when absent. */
  kerasVersion: string;
  /** The layers in order, without the input layer. */
  layers: KerasLayer[];
  /** The model's outputs: indices into the last layer's outputs (one for most models). */
  outputs: number[];
  /** The input layer's dtype when it says ('int32' for token ids), else null. */
  inputDType: string | null;
  /** The input's shape without the batch axis (null for any size), when the file says. */
  inputShape: (number | null)[] | null;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the chain of layers of `topology` (the artifacts' modelTopology). */
export function readChain(topology: unknown, where: string): KerasChain {
  if (!isRecord(topology)) throw new FormatError(`${where}: modelTopology must be a JSON object; got ${describe(topology)}`);
  const model = isRecord(topology['model_config']) ? topology['model_config'] : topology;
  const kerasVersion = typeof topology['keras_version'] === 'string' ? topology['keras_version'] : '';
  const className = model['class_name'];
  const config = model['config'];
  if (className === 'Sequential') {
    const list = Array.isArray(config) ? config : isRecord(config) ? config['layers'] : undefined;
    if (!Array.isArray(list)) throw new FormatError(`${where}: a Sequential model's config must list its layers`);
    const all = list.map((l, i) => layerOf(l, `${where}: layer ${i}`));
    const input = all.find((l) => l.className === 'InputLayer');
    const source = input?.config ?? all[0]?.config;
    return { kerasVersion, layers: all.filter((l) => l.className !== 'InputLayer'), outputs: [0], inputDType: dtypeOf(source), inputShape: shapeOf(source) };
  }
  if (className === 'Model' || className === 'Functional') {
    if (!isRecord(config) || !Array.isArray(config['layers'])) throw new FormatError(`${where}: a functional model's config must list its layers`);
    return functionalChain(config, kerasVersion, where);
  }
  throw new FormatError(`${where}: model class ${describe(className)} is not supported; supported: Sequential, Model, Functional`);
}

function layerOf(value: unknown, where: string): KerasLayer {
  if (!isRecord(value) || typeof value['class_name'] !== 'string' || !isRecord(value['config'])) {
    throw new FormatError(`${where}: a layer must be {class_name, config}; got ${describe(value)}`);
  }
  const config = value['config'];
  const name = typeof config['name'] === 'string' ? config['name'] : typeof value['name'] === 'string' ? value['name'] : '';
  if (name === '') throw new FormatError(`${where} (${value['class_name']}) has no name`);
  return { className: value['class_name'], name, config };
}

/** The functional model as a chain: each layer reads tensor 0 of the layer before. */
function functionalChain(config: Record<string, unknown>, kerasVersion: string, where: string): KerasChain {
  const raw = config['layers'] as unknown[];
  const layers = raw.map((l, i) => layerOf(l, `${where}: layer ${i}`));
  const inputs = refs(config['input_layers'], `${where}: input_layers`);
  if (inputs.length !== 1) throw new FormatError(`${where}: the model has ${inputs.length} inputs; only single-input chains are supported`);
  const first = layers.findIndex((l) => l.name === inputs[0]![0]);
  if (first < 0 || layers[first]!.className !== 'InputLayer')
    throw new FormatError(`${where}: input layer '${inputs[0]![0]}' is not an InputLayer of the model`);
  const chain: KerasLayer[] = [];
  let previous = layers[first]!.name;
  const rest = layers.filter((_, i) => i !== first);
  for (const [i, layer] of rest.entries()) {
    const inbound = inboundOf(raw[layers.indexOf(layer)], `${where}: layer '${layer.name}'`);
    if (inbound.length !== 1 || inbound[0]![0] !== previous || inbound[0]![1] !== 0) {
      const got = inbound.map(([n, t]) => `${n}[${t}]`).join(', ') || 'nothing';
      throw new FormatError(
        `${where}: layer '${layer.name}' (${i + 1} in the chain) reads ${got}; only chains where each layer reads the first output of the one before are supported`,
      );
    }
    chain.push(layer);
    previous = layer.name;
  }
  const outputs = refs(config['output_layers'], `${where}: output_layers`);
  if (outputs.length === 0 || outputs.some(([name]) => name !== previous)) {
    throw new FormatError(`${where}: the model's outputs must come from its last layer '${previous}'; got ${outputs.map(([n]) => n).join(', ')}`);
  }
  const input = layers[first]!.config;
  return { kerasVersion, layers: chain, outputs: outputs.map(([, t]) => t), inputDType: dtypeOf(input), inputShape: shapeOf(input) };
}

/** [[layer, node, tensor], …] → [layer, tensor] pairs. */
function refs(value: unknown, where: string): [string, number][] {
  if (!Array.isArray(value)) throw new FormatError(`${where} must be a list of [layer, node, tensor]`);
  return value.map((r) => {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || !Number.isInteger(r[2]))
      throw new FormatError(`${where}: ${describe(r)} is not [layer, node, tensor]`);
    return [r[0], r[2] as number];
  });
}

/** The tensors one layer reads, as [layer, tensor] pairs, in the Keras 2 or Keras 3 form. */
function inboundOf(layer: unknown, where: string): [string, number][] {
  const nodes = isRecord(layer) ? layer['inbound_nodes'] : undefined;
  if (!Array.isArray(nodes)) throw new FormatError(`${where} has no inbound_nodes`);
  if (nodes.length !== 1) throw new FormatError(`${where} is called ${nodes.length} times; shared layers are not supported`);
  const node: unknown = nodes[0];
  if (Array.isArray(node)) {
    return node.map((entry) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string')
        throw new FormatError(`${where}: inbound entry ${describe(entry)} is not [layer, node, tensor, kwargs]`);
      if (isRecord(entry[3]) && Object.keys(entry[3]).length > 0)
        throw new FormatError(`${where} is called with arguments (${Object.keys(entry[3]).join(', ')}), which are not supported`);
      return [entry[0], Number(entry[2])];
    });
  }
  if (isRecord(node) && Array.isArray(node['args'])) {
    if (isRecord(node['kwargs']) && Object.keys(node['kwargs']).length > 0) {
      throw new FormatError(`${where} is called with arguments (${Object.keys(node['kwargs']).join(', ')}), which are not supported`);
    }
    return node['args'].map((arg) => {
      const history = isRecord(arg) && isRecord(arg['config']) ? arg['config']['keras_history'] : undefined;
      if (!Array.isArray(history) || typeof history[0] !== 'string') throw new FormatError(`${where}: inbound argument ${describe(arg)} is not a Keras tensor`);
      return [history[0], Number(history[2])];
    });
  }
  throw new FormatError(`${where}: inbound node ${describe(node)} is in no known form`);
}

/** batch_input_shape (Keras 2, tfjs) or batch_shape (Keras 3) without the batch axis. */
function shapeOf(config: Record<string, unknown> | undefined): (number | null)[] | null {
  const shape = config?.['batch_input_shape'] ?? config?.['batch_shape'];
  if (!Array.isArray(shape) || shape.length < 2) return null;
  const dims = shape.slice(1);
  return dims.every((d) => d === null || (Number.isInteger(d) && (d as number) > 0)) ? (dims as (number | null)[]) : null;
}

function dtypeOf(config: Record<string, unknown> | undefined): string | null {
  const dtype = config?.['dtype'];
  if (typeof dtype === 'string') return dtype;
  if (isRecord(dtype) && isRecord(dtype['config']) && typeof dtype['config']['name'] === 'string') return dtype['config']['name'];
  return null;
}

/** A short printable form of an untrusted value. */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
