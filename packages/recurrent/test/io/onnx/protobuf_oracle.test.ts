// The library's protobuf codec (src/io/onnx/protobuf.ts, onnx_proto.ts) against protobufjs with
// ONNX's own schema (onnx-proto): our bytes decoded by protobufjs, and protobufjs's bytes (and
// PyTorch's files) decoded by us, field by field.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { exportOnnx, importOnnx, manualSeed, nn, randn, tensor } from '../../../src/index.js';
import { decodeModel, encodeModel, type OnnxModel as Decoded } from '../../../src/io/onnx/onnx_proto.js';
import { ProtoReader, ProtoWriter } from '../../../src/io/onnx/protobuf.js';
import { assertClose } from '../../helpers/close.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'onnx');
const decoder = new TextDecoder();
// onnx-proto is CommonJS: its namespace is a property of the default export.
const { onnx } = onnxProto;

/** protobufjs's decoding as plain objects: int64 as numbers, bytes as arrays, defaults filled. */
function theirs(bytes: Uint8Array): ReturnType<typeof onnx.ModelProto.toObject> {
  return onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, bytes: Array, defaults: true, arrays: true });
}

/** The fields both sides read, from protobufjs's object, in our shape. */
function normalise(m: ReturnType<typeof theirs>): unknown {
  const g = m['graph'] as Record<string, unknown[]>;
  const dims = (v: Record<string, unknown>): unknown => {
    const shape = ((v['type'] as Record<string, Record<string, Record<string, unknown[]>>>)['tensorType']!['shape'] ?? { dim: [] })['dim'] as Record<
      string,
      unknown
    >[];
    return shape.map((d) => (typeof d['dimParam'] === 'string' && d['dimParam'] !== '' ? d['dimParam'] : (d['dimValue'] ?? null)));
  };
  return {
    irVersion: m['irVersion'],
    opset: (m['opsetImport'] as Record<string, unknown>[]).map((o) => [o['domain'], o['version']]),
    nodes: (g['node'] as Record<string, unknown>[]).map((n) => ({
      op: n['opType'],
      input: n['input'],
      output: n['output'],
      attributes: (n['attribute'] as Record<string, unknown>[]).map((a) => [
        a['name'],
        a['type'],
        a['i'],
        a['f'],
        decoder.decode(Uint8Array.from(a['s'] as number[])),
        a['ints'],
        a['floats'],
      ]),
    })),
    initializers: (g['initializer'] as Record<string, unknown>[]).map((t) => [t['name'], t['dims'], t['dataType'], (t['rawData'] as number[]).length]),
    inputs: (g['input'] as Record<string, unknown>[]).map((v) => [v['name'], dims(v)]),
    outputs: (g['output'] as Record<string, unknown>[]).map((v) => [v['name'], dims(v)]),
  };
}

/** The same fields from our decoding. */
function ours(m: Decoded): unknown {
  return {
    irVersion: m.irVersion,
    opset: m.opsetImport.map((o) => [o.domain, o.version]),
    nodes: m.graph.node.map((n) => ({
      op: n.opType,
      input: n.input,
      output: n.output,
      attributes: n.attribute.map((a) => [a.name, a.type, a.i, a.f, decoder.decode(a.s), a.ints, a.floats]),
    })),
    initializers: m.graph.initializer.map((t) => [t.name, t.dims, t.dataType, t.rawData?.length ?? 0]),
    inputs: m.graph.input.map((v) => [v.name, v.shape ?? []]),
    outputs: m.graph.output.map((v) => [v.name, v.shape ?? []]),
  };
}

describe('protobuf codec against protobufjs + onnx.proto', () => {
  test('our exports, decoded by protobufjs, say what our decoder says', () => {
    manualSeed(1);
    for (const module of [
      new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, projSize: 2 }),
      new nn.Sequential(new nn.Linear({ inFeatures: 3, outFeatures: 4 }), new nn.LayerNorm({ normalizedShape: 4 }), new nn.LeakyReLU({ negativeSlope: 0.3 })),
    ]) {
      const bytes = exportOnnx(module);
      assert.deepEqual(normalise(theirs(bytes)), ours(decodeModel(bytes)));
      const raw = theirs(bytes)['graph']['initializer'] as { name: string; rawData: number[] }[];
      for (const t of decodeModel(bytes).graph.initializer) {
        assert.deepEqual([...t.rawData!], raw.find((r) => r.name === t.name)!.rawData, t.name);
      }
    }
  });

  test("PyTorch's files, decoded by us, say what protobufjs says", () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.onnx'));
    assert.ok(files.length > 10);
    for (const f of files) {
      const bytes = readFileSync(join(fixtures, f));
      assert.deepEqual(ours(decodeModel(bytes)), normalise(theirs(bytes)), f);
    }
  });

  test("protobufjs's encoding of every field form we read: typed data fields, negative and 64-bit ints, symbolic dims", () => {
    const ints = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 53 - 1, -1, -300, -(2 ** 53) + 1];
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          {
            opType: 'Constant',
            output: ['c'],
            attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dims: [2, 3], dataType: 1, floatData: [1, 2, 3, 4, 5, 6.5] } }],
          },
          { opType: 'Mul', input: ['x', 'c'], output: ['y'] },
          { opType: 'Transpose', input: ['y'], output: ['z'], attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 0] }] },
          { opType: 'Dummy', output: ['unused'], attribute: [{ name: 'many', type: onnx.AttributeProto.AttributeType.INTS, ints }] },
        ],
        initializer: [
          { name: 'i64', dims: [3], dataType: 7, int64Data: [5, -7, 2 ** 40] },
          { name: 'f64', dims: [2], dataType: 11, doubleData: [0.1, -2.5] },
        ],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 3 }] } } } }],
        output: [{ name: 'z', type: { tensorType: { elemType: 1 } } }],
      },
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    const decoded = decodeModel(bytes);
    assert.deepEqual(decoded.graph.node[3]!.attribute[0]!.ints, ints);
    assert.deepEqual(decoded.graph.initializer[0]!.int64Data, [5, -7, 2 ** 40]);
    assert.deepEqual(decoded.graph.initializer[1]!.doubleData, [0.1, -2.5]);
    assert.deepEqual(decoded.graph.node[0]!.attribute[0]!.t!.floatData, [1, 2, 3, 4, 5, 6.5]);
    assert.deepEqual(decoded.graph.input[0]!.shape, ['batch', 3]);
    assert.equal(decoded.graph.output[0]!.shape, null);
    // Without the unsupported node the graph runs: x·c, transposed.
    model.graph!.node!.pop();
    const runnable = importOnnx(onnx.ModelProto.encode(model).finish());
    const x = randn([2, 3]);
    const [z] = runnable.forward(x);
    assertClose(z!, x.mul(tensor([1, 2, 3, 4, 5, 6.5], [2, 3])).transpose(0, 1), 'x·c transposed', 0, 0);
  });

  test('repeated numbers unpacked (one field per value), as old writers store them, read as packed ones are', () => {
    // AttributeProto { ints: 5, ints: -2, ints: 300 } with wire type 0 per value (tag 0x40).
    const minusTwo = [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const bytes = Uint8Array.from([0x40, 0x05, 0x40, ...minusTwo, 0x40, 0xac, 0x02]);
    assert.deepEqual(onnx.AttributeProto.toObject(onnx.AttributeProto.decode(bytes), { longs: Number })['ints'], [5, -2, 300]);
    const r = new ProtoReader(bytes, 'AttributeProto');
    const ints: number[] = [];
    while (!r.done) r.repeated(r.tag().wire, 0, (p) => p.int64(), ints);
    assert.deepEqual(ints, [5, -2, 300]);
  });

  test('our writer, read by protobufjs: signed and large varints, packed floats, strings', () => {
    const values = [0, 5, 2 ** 35, 2 ** 53 - 1, -1, -(2 ** 40)];
    const w = new ProtoWriter();
    w.message(7, (g) =>
      g.message(1, (n) => {
        n.string(4, 'Ünïcode op');
        n.message(5, (a) => {
          a.string(1, 'ints');
          a.packedInts(8, values);
          a.packedFloats(7, [0.5, -1.25]);
          a.uint(20, 7);
        });
      }),
    );
    const node = onnx.ModelProto.toObject(onnx.ModelProto.decode(w.finish()), { longs: Number })['graph']['node'][0];
    assert.equal(node.opType, 'Ünïcode op');
    assert.deepEqual(node.attribute[0].ints, values);
    assert.deepEqual(node.attribute[0].floats, [0.5, -1.25]);
    const r = new ProtoReader(w.finish(), 'test');
    assert.deepEqual(r.tag(), { field: 7, wire: 2 });
  });

  test('decode(encode(model)) keeps every field the exporter writes', () => {
    manualSeed(2);
    const bytes = exportOnnx(new nn.GRU({ inputSize: 2, hiddenSize: 3, resetAfter: false }), { initialStates: true });
    assert.deepEqual(encodeModel(decodeModel(bytes)), bytes);
  });
});
