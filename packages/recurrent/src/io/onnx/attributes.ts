/**
 * A node's attributes, read against the list its operator accepts: an attribute the operator does
 * not know, or of the wrong type, is a FormatError naming the node, the operator and the attribute.
 */
import { FormatError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ATTRIBUTE_TYPE, type OnnxAttribute, type OnnxNode } from './onnx_proto.js';
import { tensorFromProto } from './tensor_data.js';

export type AttributeKind = keyof typeof ATTRIBUTE_TYPE;

const KIND_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'INT',
  3: 'STRING',
  4: 'TENSOR',
  5: 'GRAPH',
  6: 'FLOATS',
  7: 'INTS',
  8: 'STRINGS',
  9: 'TENSORS',
  10: 'GRAPHS',
  11: 'SPARSE_TENSOR',
  12: 'SPARSE_TENSORS',
  13: 'TYPE_PROTO',
  14: 'TYPE_PROTOS',
};

const decoder = new TextDecoder();

/** `node 'name' (LSTM)`, or `node #3 (LSTM)` for a node without a name: how errors name a node. */
export function nodeLabel(node: OnnxNode, index: number): string {
  return node.name === '' ? `node #${index} (${node.opType})` : `node '${node.name}' (${node.opType})`;
}

export class Attributes {
  private readonly byName = new Map<string, OnnxAttribute>();

  /** Checks every attribute of `node` against `accepted` (name → kind). */
  constructor(
    node: OnnxNode,
    readonly label: string,
    accepted: Readonly<Record<string, AttributeKind>>,
  ) {
    for (const a of node.attribute) {
      const kind = accepted[a.name];
      if (kind === undefined) {
        const known = Object.keys(accepted);
        throw new FormatError(
          `ONNX: ${label}: attribute '${a.name}' is not supported${known.length > 0 ? `; supported: ${known.join(', ')}` : ' (the operator takes none here)'}`,
        );
      }
      if (a.g) throw new FormatError(`ONNX: ${label}: attribute '${a.name}' holds a subgraph, which is not supported`);
      // Files from old exporters may leave `type` unset; the value fields then say the kind.
      if (a.type !== 0 && a.type !== ATTRIBUTE_TYPE[kind]) {
        throw new FormatError(`ONNX: ${label}: attribute '${a.name}' is ${KIND_NAMES[a.type] ?? a.type}; expected ${kind.toUpperCase()}`);
      }
      if (this.byName.has(a.name)) throw new FormatError(`ONNX: ${label}: attribute '${a.name}' is given twice`);
      this.byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  int(name: string, fallback: number): number {
    return this.byName.get(name)?.i ?? fallback;
  }

  float(name: string, fallback: number): number {
    return this.byName.get(name)?.f ?? fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.byName.get(name);
    return a === undefined ? fallback : decoder.decode(a.s);
  }

  ints(name: string): number[] | null {
    const a = this.byName.get(name);
    return a === undefined ? null : [...a.ints];
  }

  floats(name: string): number[] | null {
    const a = this.byName.get(name);
    return a === undefined ? null : [...a.floats];
  }

  strings(name: string): string[] | null {
    const a = this.byName.get(name);
    return a === undefined ? null : a.strings.map((s) => decoder.decode(s));
  }

  tensor(name: string): Tensor | null {
    const t = this.byName.get(name)?.t ?? null;
    return t === null ? null : tensorFromProto(t, `${this.label}: attribute '${name}'`);
  }

  /** A FormatError about this node. */
  error(problem: string): FormatError {
    return new FormatError(`ONNX: ${this.label}: ${problem}`);
  }
}
