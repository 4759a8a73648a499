/**
 * Builds an ONNX graph node by node for the exporter: unique value names, initializers, typed
 * attributes, and the (possibly symbolic) shape of every value, so that the graph's outputs carry
 * shapes as torch.onnx.export with dynamic_axes writes them.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { tensor } from '../../tensor/ops/creation.js';
import { ATTRIBUTE_TYPE, DATA_TYPE, type OnnxAttribute, type OnnxDim, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from './onnx_proto.js';
import { tensorToProto } from './tensor_data.js';

/** An attribute value, tagged with its ONNX type. */
export type AttributeValue =
  { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string } | { strings: readonly string[] };

/** A value in the graph: its name, element type and shape. */
export interface Value {
  name: string;
  elemType: number;
  shape: OnnxDim[];
}

const encoder = new TextEncoder();

export class GraphBuilder {
  private readonly graph: OnnxGraph = { name: 'recurrent', node: [], initializer: [], input: [], output: [] };
  private readonly used = new Set<string>();
  private count = 0;

  /** A name not used yet, from `base`. */
  fresh(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.count}`;
    this.used.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elemType: number, shape: OnnxDim[]): Value {
    const value = { name: this.fresh(name), elemType, shape };
    this.graph.input.push(info(value));
    return value;
  }

  /** Declares `value` a graph output under `name` (an Identity renames it when needed). */
  output(value: Value, name: string): void {
    let out = value;
    if (value.name !== name) {
      out = { ...value, name: this.fresh(name) };
      this.graph.node.push(node('Identity', [value.name], [out.name], {}, this.fresh(`Identity_${name}`)));
    }
    this.graph.output.push(info(out));
  }

  /** An initializer holding `x` (int32 as INT64 with `asInt64`). */
  constant(name: string, x: Tensor, asInt64 = false): Value {
    const unique = this.fresh(name);
    const proto = tensorToProto(unique, x, asInt64);
    this.graph.initializer.push(proto);
    return { name: unique, elemType: proto.dataType, shape: [...x.shape] };
  }

  /** A 1-D INT64 initializer (shapes, axes, starts/ends). */
  ints(name: string, values: readonly number[]): Value {
    return this.constant(name, tensor(Int32Array.from(values), [values.length]), true);
  }

  /**
   * Adds a node. `outputs` gives each output's element type and shape (its name is made from the
   * op type); an empty input name stands for an omitted optional input.
   */
  node(opType: string, inputs: readonly (Value | null)[], attributes: Record<string, AttributeValue>, outputs: readonly Omit<Value, 'name'>[]): Value[] {
    const name = this.fresh(opType);
    const values = outputs.map((o, i) => ({ ...o, name: this.fresh(`${name}_out${i}`) }));
    this.graph.node.push(
      node(
        opType,
        inputs.map((v) => v?.name ?? ''),
        values.map((v) => v.name),
        attributes,
        name,
      ),
    );
    return values;
  }

  /** Adds a node with one output. */
  op(opType: string, inputs: readonly (Value | null)[], attributes: Record<string, AttributeValue>, output: Omit<Value, 'name'>): Value {
    return this.node(opType, inputs, attributes, [output])[0]!;
  }

  finish(): OnnxGraph {
    return this.graph;
  }
}

/** A float32 value's type with `shape`. */
export function floatOf(shape: OnnxDim[]): Omit<Value, 'name'> {
  return { elemType: DATA_TYPE.float, shape };
}

function info(v: Value): OnnxValueInfo {
  return { name: v.name, elemType: v.elemType, shape: v.shape };
}

function node(opType: string, input: string[], output: string[], attributes: Record<string, AttributeValue>, name: string): OnnxNode {
  return { opType, input, output, name, domain: '', attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)) };
}

function attribute(name: string, v: AttributeValue): OnnxAttribute {
  const a: OnnxAttribute = { name, type: 0, f: 0, i: 0, s: new Uint8Array(0), t: null, g: false, floats: [], ints: [], strings: [] };
  if ('int' in v) Object.assign(a, { type: ATTRIBUTE_TYPE.int, i: v.int });
  else if ('float' in v) Object.assign(a, { type: ATTRIBUTE_TYPE.float, f: v.float });
  else if ('ints' in v) Object.assign(a, { type: ATTRIBUTE_TYPE.ints, ints: [...v.ints] });
  else if ('floats' in v) Object.assign(a, { type: ATTRIBUTE_TYPE.floats, floats: [...v.floats] });
  else if ('string' in v) Object.assign(a, { type: ATTRIBUTE_TYPE.string, s: encoder.encode(v.string) });
  else Object.assign(a, { type: ATTRIBUTE_TYPE.strings, strings: v.strings.map((s) => encoder.encode(s)) });
  return a;
}
