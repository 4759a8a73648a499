/** OnnxModel: an imported ONNX graph as a Module that runs it node by node on this library's ops. */
import { DTypeError, RecurrentError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../../nn/module.js';
import type { Kernel } from './operator.js';
import type { OnnxDim } from './onnx_proto.js';
import { DATA_TYPE, type OnnxNode } from './onnx_proto.js';
import { DATA_TYPE_NAMES } from './tensor_data.js';

/** A graph input as the model checks it. */
export interface OnnxInput {
  readonly name: string;
  /** ONNX element type (1 FLOAT, 7 INT64, …). */
  readonly elemType: number;
  /** Sizes, symbolic names, or null for unknown; null when the rank is unknown. */
  readonly shape: readonly OnnxDim[] | null;
}

/** One node, ready to run. */
export interface CompiledNode {
  readonly node: OnnxNode;
  readonly label: string;
  readonly kernel: Kernel;
}

/** A holder of parameters under a dotted name (`embedding.weight` → module `embedding`, parameter `weight`). */
class Scope extends Module {
  addParameter(name: string, value: Tensor): void {
    this.registerParameter(name, value);
  }
  addModule(name: string, module: Module): void {
    this.registerModule(name, module);
  }
}

/**
 * An ONNX model imported by `importOnnx`. Its parameters are the graph's floating initializers
 * (under their own dotted names, e.g. `decoder.weight`) and the weights of its recurrent nodes,
 * held by nn.LSTM / nn.GRU / nn.RNN submodules named after the nodes (PyTorch's parameter names
 * within them). It always runs in eval mode (dropout off).
 *
 * - `run({ input: x, h0 })` → every graph output by name;
 * - `forward(x, h0, …)` → the outputs as a list, the inputs given in the graph's order.
 *
 * Inputs are checked against the graph's declarations (element type, rank, fixed sizes).
 * INT64 inputs (token ids) take int32 tensors, which the library uses for ids.
 */
export class OnnxModel extends Module {
  /** The graph's inputs (initializers excluded), in order. */
  readonly inputs: readonly OnnxInput[];
  /** The graph's output names, in order. */
  readonly outputNames: readonly string[];
  /** The model's metadata_props (e.g. what the exporter stored: a vocabulary). */
  readonly metadata: Readonly<Record<string, string>>;
  private readonly nodes: readonly CompiledNode[];
  /** Values known before running: constant initializers and parameters, by graph name. */
  private readonly known: ReadonlyMap<string, Tensor>;

  constructor(
    inputs: OnnxInput[],
    outputNames: string[],
    nodes: CompiledNode[],
    known: Map<string, Tensor>,
    parameters: Map<string, Tensor>,
    metadata: readonly (readonly [string, string])[],
  ) {
    super();
    this.metadata = Object.fromEntries(metadata);
    this.inputs = inputs;
    this.outputNames = outputNames;
    this.nodes = nodes;
    this.known = known;
    // Parameters keep their graph names, split at dots into nested modules.
    const paths = [...parameters].map(([name, p]) => [name.split('.').map((part) => (part === '' ? '_' : part)), p] as const);
    const used = new Set(paths.map(([path]) => path[0]!));
    const unique = (base: string): string => {
      const clean = base.replace(/^\/+/, '').replace(/[./]/g, '_') || 'node';
      let name = clean;
      for (let k = 1; used.has(name); k++) name = `${clean}_${k}`;
      used.add(name);
      return name;
    };
    nodes.forEach(({ node, kernel }, i) => {
      if (kernel.layer !== undefined) this.registerModule(unique(node.name === '' ? `${node.opType}_${i}` : node.name), kernel.layer);
    });
    const scopes = new Map<string, Scope>();
    const scopeAt = (path: readonly string[]): Scope | null => {
      if (path.length === 0) return null;
      const key = path.join('.');
      let scope = scopes.get(key);
      if (scope === undefined) {
        scope = new Scope();
        const parent = scopeAt(path.slice(0, -1));
        if (parent === null) this.registerModule(path.at(-1)!, scope);
        else parent.addModule(path.at(-1)!, scope);
        scopes.set(key, scope);
      }
      return scope;
    };
    for (const [path, p] of paths) {
      const scope = scopeAt(path.slice(0, -1));
      if (scope === null) this.registerParameter(path[0]!, p);
      else scope.addParameter(path.at(-1)!, p);
    }
    this.eval();
  }

  /** Runs the graph on `feeds` (one tensor per graph input, by name); returns every output by name. */
  run(feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
    if (feeds === null || typeof feeds !== 'object') throw new ValueError(`OnnxModel.run: feeds must be an object of tensors by input name`);
    const values = new Map(this.known);
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) {
        throw new ValueError(`OnnxModel.run: the graph has no input '${name}'; its inputs: ${this.inputs.map((i) => i.name).join(', ')}`);
      }
    }
    for (const input of this.inputs) {
      const x = feeds[input.name];
      if (x === undefined)
        throw new ValueError(`OnnxModel.run: input '${input.name}' is missing; the graph's inputs: ${this.inputs.map((i) => i.name).join(', ')}`);
      checkInput(input, x);
      values.set(input.name, x);
    }
    for (const { node, label, kernel } of this.nodes) {
      const args = node.input.map((name) => (name === '' ? null : values.get(name)!));
      let results: Tensor[];
      try {
        results = kernel.run(args);
      } catch (e) {
        if (e instanceof RecurrentError) e.message = `ONNX: ${label}: ${e.message}`;
        throw e;
      }
      node.output.forEach((name, k) => {
        if (name !== '' && results[k] !== undefined) values.set(name, results[k]);
      });
    }
    return Object.fromEntries(this.outputNames.map((name) => [name, values.get(name)!]));
  }

  /** Runs the graph with the inputs in the graph's order; returns the outputs in the graph's order. */
  forward(...inputs: Tensor[]): Tensor[] {
    if (inputs.length !== this.inputs.length) {
      throw new ValueError(`OnnxModel: the graph takes ${this.inputs.length} input(s) (${this.inputs.map((i) => i.name).join(', ')}); got ${inputs.length}`);
    }
    const out = this.run(Object.fromEntries(this.inputs.map((input, k) => [input.name, inputs[k]!])));
    return this.outputNames.map((name) => out[name]!);
  }

  override extraRepr(): string {
    return `inputs=[${this.inputs.map((i) => i.name).join(', ')}], outputs=[${this.outputNames.join(', ')}], nodes=${this.nodes.length}`;
  }
}

const INTEGER_TYPES: readonly number[] = [DATA_TYPE.int32, DATA_TYPE.int64, DATA_TYPE.int8, DATA_TYPE.uint8, DATA_TYPE.bool];

function checkInput(input: OnnxInput, x: Tensor): void {
  const what = `OnnxModel: input '${input.name}'`;
  if (!(x instanceof Object) || !('shape' in x) || !('dtype' in x)) throw new ValueError(`${what} must be a Tensor`);
  const integer = INTEGER_TYPES.includes(input.elemType);
  if (integer !== (x.dtype === 'int32')) {
    const type = DATA_TYPE_NAMES[input.elemType] ?? String(input.elemType);
    throw new DTypeError(`${what} is ${type} in the graph; give ${integer ? 'an int32' : 'a float32'} tensor, not ${x.dtype}`);
  }
  if (input.elemType === DATA_TYPE.float && x.dtype !== 'float32') throw new DTypeError(`${what} is FLOAT in the graph; give a float32 tensor, not ${x.dtype}`);
  if (input.shape === null) return;
  const expected = input.shape.map((d) => (typeof d === 'number' ? String(d) : (d ?? '?')));
  const fits = x.ndim === input.shape.length && input.shape.every((d, k) => typeof d !== 'number' || d === x.shape[k]);
  if (!fits) throw new ShapeError(`${what} must have shape [${expected.join(', ')}]; got ${fmtShape(x.shape)}`);
}
