/**
 * ONNX's messages (onnx.proto), the fields this library reads and writes, as plain objects; and
 * their decoding from and encoding to the wire format. Fields outside this subset (training info,
 * functions, sparse tensors, quantization annotations, docs) are skipped when read.
 *
 * Field numbers are ONNX's; the tests decode our bytes with protobufjs and onnx-proto's schema.
 */
import { FormatError } from '../../errors.js';
import { ProtoReader, ProtoWriter, WIRE } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const DATA_TYPE = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, double: 11 } as const;

/** AttributeProto.AttributeType values. */
export const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8 } as const;

export interface OnnxTensorProto {
  name: string;
  dims: number[];
  dataType: number;
  /** Little-endian bytes of every element, when the file stores them so. */
  rawData: Uint8Array | null;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  /** 1 when the data lives in another file (not supported). */
  dataLocation: number;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f: number;
  i: number;
  s: Uint8Array;
  t: OnnxTensorProto | null;
  /** A subgraph (If, Loop, Scan); only its presence is recorded, so that an error can name it. */
  g: boolean;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: OnnxAttribute[];
}

/** A dimension: a size, a symbolic name, or neither (unknown). */
export type OnnxDim = number | string | null;

export interface OnnxValueInfo {
  name: string;
  /** The element type, 0 when the value is not a tensor or has no type. */
  elemType: number;
  /** null when the rank is unknown. */
  shape: OnnxDim[] | null;
}

export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensorProto[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

export interface OnnxOpset {
  domain: string;
  version: number;
}

export interface OnnxModel {
  irVersion: number;
  opsetImport: OnnxOpset[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
  metadata: [string, string][];
}

/** Decodes a ModelProto. Throws FormatError on malformed bytes or a model without a graph. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const r = new ProtoReader(bytes, 'ModelProto');
  const model: OnnxModel = { irVersion: 0, opsetImport: [], producerName: '', producerVersion: '', graph: emptyGraph(), metadata: [] };
  let graph = false;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.varint) model.irVersion = r.int64();
    else if (field === 8) model.opsetImport.push(decodeOpset(message(r, wire, 'opset_import', 'OperatorSetIdProto')));
    else if (field === 2) model.producerName = str(r, wire, 'producer_name');
    else if (field === 3) model.producerVersion = str(r, wire, 'producer_version');
    else if (field === 7) {
      model.graph = decodeGraph(message(r, wire, 'graph', 'GraphProto'), 0);
      graph = true;
    } else if (field === 14) model.metadata.push(decodeEntry(message(r, wire, 'metadata_props', 'StringStringEntryProto')));
    else r.skip(wire);
  }
  if (!graph) throw new FormatError('ONNX: ModelProto has no graph (is this an ONNX model file?)');
  return model;
}

/** Encodes a ModelProto. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.uint(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  w.message(7, (g) => encodeGraph(g, model.graph));
  for (const o of model.opsetImport)
    w.message(8, (m) => {
      if (o.domain !== '') m.string(1, o.domain);
      m.uint(2, o.version, true);
    });
  for (const [key, value] of model.metadata)
    w.message(14, (m) => {
      m.string(1, key);
      m.string(2, value);
    });
  return w.finish();
}

function emptyGraph(): OnnxGraph {
  return { name: '', node: [], initializer: [], input: [], output: [] };
}

/** Subgraphs nest through attributes; deeper than this is refused rather than risking the stack. */
const MAX_GRAPH_DEPTH = 8;

function decodeGraph(r: ProtoReader, depth: number): OnnxGraph {
  if (depth > MAX_GRAPH_DEPTH) throw r.error(`subgraphs nested deeper than ${MAX_GRAPH_DEPTH} levels`);
  const g = emptyGraph();
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) g.node.push(decodeNode(message(r, wire, 'node', 'NodeProto'), depth));
    else if (field === 2) g.name = str(r, wire, 'name');
    else if (field === 5) g.initializer.push(decodeTensor(message(r, wire, 'initializer', 'TensorProto')));
    else if (field === 11) g.input.push(decodeValueInfo(message(r, wire, 'input', 'ValueInfoProto')));
    else if (field === 12) g.output.push(decodeValueInfo(message(r, wire, 'output', 'ValueInfoProto')));
    else r.skip(wire);
  }
  return g;
}

function decodeNode(r: ProtoReader, depth: number): OnnxNode {
  const n: OnnxNode = { input: [], output: [], name: '', opType: '', domain: '', attribute: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) n.input.push(str(r, wire, 'input'));
    else if (field === 2) n.output.push(str(r, wire, 'output'));
    else if (field === 3) n.name = str(r, wire, 'name');
    else if (field === 4) n.opType = str(r, wire, 'op_type');
    else if (field === 7) n.domain = str(r, wire, 'domain');
    else if (field === 5) n.attribute.push(decodeAttribute(message(r, wire, 'attribute', 'AttributeProto'), depth));
    else r.skip(wire);
  }
  return n;
}

function decodeAttribute(r: ProtoReader, depth: number): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0, f: 0, i: 0, s: new Uint8Array(0), t: null, g: false, floats: [], ints: [], strings: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) a.name = str(r, wire, 'name');
    else if (field === 20 && wire === WIRE.varint) a.type = r.int32();
    else if (field === 2 && wire === WIRE.fixed32) a.f = r.float32();
    else if (field === 3 && wire === WIRE.varint) a.i = r.int64();
    else if (field === 4 && wire === WIRE.bytes) a.s = r.bytesField();
    else if (field === 5) a.t = decodeTensor(message(r, wire, 't', 'TensorProto'));
    else if (field === 6) {
      decodeGraph(message(r, wire, 'g', 'GraphProto'), depth + 1);
      a.g = true;
    } else if (field === 7) r.repeated(wire, WIRE.fixed32, (p) => p.float32(), a.floats);
    else if (field === 8) r.repeated(wire, WIRE.varint, (p) => p.int64(), a.ints);
    else if (field === 9 && wire === WIRE.bytes) a.strings.push(r.bytesField());
    else r.skip(wire);
  }
  return a;
}

function decodeTensor(r: ProtoReader): OnnxTensorProto {
  const t: OnnxTensorProto = { name: '', dims: [], dataType: 0, rawData: null, floatData: [], int32Data: [], int64Data: [], doubleData: [], dataLocation: 0 };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) r.repeated(wire, WIRE.varint, (p) => p.int64(), t.dims);
    else if (field === 2 && wire === WIRE.varint) t.dataType = r.int32();
    else if (field === 4) r.repeated(wire, WIRE.fixed32, (p) => p.float32(), t.floatData);
    else if (field === 5) r.repeated(wire, WIRE.varint, (p) => p.int32(), t.int32Data);
    else if (field === 7) r.repeated(wire, WIRE.varint, (p) => p.int64(), t.int64Data);
    else if (field === 10) r.repeated(wire, WIRE.fixed64, (p) => p.float64(), t.doubleData);
    else if (field === 8) t.name = str(r, wire, 'name');
    else if (field === 9 && wire === WIRE.bytes) t.rawData = r.bytesField();
    else if (field === 14 && wire === WIRE.varint) t.dataLocation = r.int32();
    else r.skip(wire);
  }
  return t;
}

function decodeValueInfo(r: ProtoReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) v.name = str(r, wire, 'name');
    else if (field === 2) {
      const type = message(r, wire, 'type', 'TypeProto');
      while (!type.done) {
        const inner = type.tag();
        if (inner.field !== 1) {
          type.skip(inner.wire);
          continue;
        }
        const tensor = message(type, inner.wire, 'tensor_type', 'TypeProto.Tensor');
        while (!tensor.done) {
          const t = tensor.tag();
          if (t.field === 1 && t.wire === WIRE.varint) v.elemType = tensor.int32();
          else if (t.field === 2) v.shape = decodeShape(message(tensor, t.wire, 'shape', 'TensorShapeProto'));
          else tensor.skip(t.wire);
        }
      }
    } else r.skip(wire);
  }
  return v;
}

function decodeShape(r: ProtoReader): OnnxDim[] {
  const dims: OnnxDim[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field !== 1) {
      r.skip(wire);
      continue;
    }
    const d = message(r, wire, 'dim', 'Dimension');
    let dim: OnnxDim = null;
    while (!d.done) {
      const t = d.tag();
      if (t.field === 1 && t.wire === WIRE.varint) dim = d.int64();
      else if (t.field === 2) dim = str(d, t.wire, 'dim_param');
      else d.skip(t.wire);
    }
    dims.push(dim);
  }
  return dims;
}

function decodeOpset(r: ProtoReader): OnnxOpset {
  const o: OnnxOpset = { domain: '', version: 0 };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) o.domain = str(r, wire, 'domain');
    else if (field === 2 && wire === WIRE.varint) o.version = r.int64();
    else r.skip(wire);
  }
  return o;
}

function decodeEntry(r: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) key = str(r, wire, 'key');
    else if (field === 2) value = str(r, wire, 'value');
    else r.skip(wire);
  }
  return [key, value];
}

function message(r: ProtoReader, wire: number, field: string, what: string): ProtoReader {
  r.expect(wire, WIRE.bytes, field);
  return r.message(`${r.what}.${field} (${what})`);
}

function str(r: ProtoReader, wire: number, field: string): string {
  r.expect(wire, WIRE.bytes, field);
  return r.string();
}

function encodeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.node) w.message(1, (m) => encodeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializer) w.message(5, (m) => encodeTensor(m, t));
  for (const v of g.input) w.message(11, (m) => encodeValueInfo(m, v));
  for (const v of g.output) w.message(12, (m) => encodeValueInfo(m, v));
}

function encodeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.input) w.string(1, i);
  for (const o of n.output) w.string(2, o);
  if (n.name !== '') w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attribute) w.message(5, (m) => encodeAttribute(m, a));
  if (n.domain !== '') w.string(7, n.domain);
}

function encodeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  if (a.type === ATTRIBUTE_TYPE.float) w.float32(2, a.f);
  else if (a.type === ATTRIBUTE_TYPE.int) w.int(3, a.i);
  else if (a.type === ATTRIBUTE_TYPE.string) w.bytes(4, a.s);
  else if (a.type === ATTRIBUTE_TYPE.tensor && a.t !== null) w.message(5, (m) => encodeTensor(m, a.t!));
  else if (a.type === ATTRIBUTE_TYPE.floats) w.packedFloats(7, a.floats);
  else if (a.type === ATTRIBUTE_TYPE.ints) w.packedInts(8, a.ints);
  else if (a.type === ATTRIBUTE_TYPE.strings) for (const s of a.strings) w.bytes(9, s);
  w.uint(20, a.type);
}

function encodeTensor(w: ProtoWriter, t: OnnxTensorProto): void {
  w.packedInts(1, t.dims);
  w.uint(2, t.dataType);
  w.string(8, t.name);
  if (t.rawData !== null) w.bytes(9, t.rawData);
}

function encodeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.uint(1, v.elemType);
      if (v.shape !== null)
        tensor.message(2, (shape) => {
          for (const d of v.shape!)
            shape.message(1, (dim) => {
              if (typeof d === 'number') dim.uint(1, d, true);
              else if (typeof d === 'string') dim.string(2, d);
            });
        });
    }),
  );
}
