// Malformed and hostile ONNX files: each is a FormatError naming what is wrong, found before
// anything large is allocated, never a hang, a crash or an untyped error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import { FormatError, RecurrentError, exportOnnx, importOnnx, manualSeed, nn, randn } from '../../../src/index.js';

const { onnx } = onnxProto;
const FLOAT = 1;

type Graph = NonNullable<Parameters<typeof onnx.ModelProto.create>[0]>['graph'];

/** A model around `graph` (input x: float [2, 3], output y unless the graph says otherwise). */
function model(graph: Graph, opset = 17): Uint8Array {
  const base = {
    name: 'g',
    input: [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 2 }, { dimValue: 3 }] } } } }],
    output: [{ name: 'y', type: { tensorType: { elemType: FLOAT } } }],
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph: { ...base, ...graph } })).finish();
}

function refused(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => importOnnx(bytes),
    (e: unknown) => e instanceof FormatError && pattern.test(e.message),
  );
}

describe('importOnnx refuses bad files with a FormatError', () => {
  manualSeed(1);
  const good = exportOnnx(new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 }));

  test('a truncated file, cut at every byte', () => {
    let count = 0;
    for (let end = 0; end < good.length; end++) {
      assert.throws(
        () => importOnnx(good.subarray(0, end)),
        (e: unknown) => e instanceof FormatError && e.message.startsWith('ONNX: '),
        `cut at ${end}`,
      );
      count++;
    }
    assert.equal(count, good.length);
    assert.ok(importOnnx(good));
  });

  test('an unknown operator, named with its node and the supported list', () => {
    refused(
      model({ node: [{ name: 'mystery', opType: 'FancyOp', input: ['x'], output: ['y'] }] }),
      /node 'mystery' \(FancyOp\): operator 'FancyOp' is not supported; supported: Abs, Add/,
    );
    refused(
      model({ node: [{ opType: 'Relu', domain: 'com.example', input: ['x'], output: ['y'] }] }),
      /operator 'Relu' of domain 'com.example' is not supported/,
    );
    refused(
      model({ node: [{ opType: 'If', input: ['x'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: { name: 'b' } }] }] }),
      /operator 'If' is not supported/,
    );
  });

  test('an unsupported attribute or attribute value, named', () => {
    const W = { name: 'W', dims: [1, 16, 3], dataType: FLOAT, floatData: new Array<number>(48).fill(0) };
    const R = { name: 'R', dims: [1, 16, 4], dataType: FLOAT, floatData: new Array<number>(64).fill(0) };
    const lstm = (attribute: object[]): Uint8Array =>
      model({ initializer: [W, R], node: [{ name: 'l', opType: 'LSTM', input: ['x', 'W', 'R'], output: ['y'], attribute }] });
    refused(lstm([{ name: 'clip', type: 1, f: 3 }]), /node 'l' \(LSTM\): attribute 'clip' is not supported/);
    refused(
      lstm([{ name: 'activations', type: 8, strings: ['Relu', 'Tanh', 'Tanh'].map((s) => new TextEncoder().encode(s)) }]),
      /activations \[Relu, Tanh, Tanh\]/,
    );
    refused(lstm([{ name: 'hidden_size', type: 2, i: 5 }]), /W must be \[1, 20, 3\]/);
    refused(
      model({ node: [{ opType: 'Relu', input: ['x'], output: ['y'], attribute: [{ name: 'alpha', type: 1, f: 1 }] }] }),
      /attribute 'alpha' is not supported/,
    );
  });

  test('a tensor whose raw data is shorter than its shape needs', () => {
    const t = { name: 'w', dims: [4, 4], dataType: FLOAT, rawData: new Uint8Array(60) };
    refused(
      model({ initializer: [t], node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }] }),
      /initializer 'w' \(FLOAT, shape \[4, 4\]\) needs 64 bytes of raw data; it holds 60/,
    );
    const typed = { name: 'v', dims: [3], dataType: FLOAT, floatData: [1, 2] };
    refused(model({ initializer: [typed], node: [{ opType: 'Add', input: ['x', 'v'], output: ['y'] }] }), /initializer 'v' .* needs 3 values; it holds 2/);
  });

  test('an initializer of 2^40 elements is refused from its shape, before any allocation', () => {
    for (const dims of [[2 ** 40], [2 ** 20, 2 ** 20], [2 ** 62]]) {
      const t = { name: 'huge', dims, dataType: FLOAT, rawData: new Uint8Array(16) };
      refused(
        model({ initializer: [t], node: [{ opType: 'Add', input: ['x', 'huge'], output: ['y'] }] }),
        /initializer 'huge' has shape .* more than the limit of 4294967296/,
      );
    }
    const attribute = [{ name: 'value', type: 4, t: { dims: [2 ** 40], dataType: FLOAT } }];
    refused(model({ node: [{ opType: 'Constant', output: ['y'], attribute }] }), /Constant.*attribute 'value' has shape \[1099511627776\]/);
  });

  test('a cyclic graph', () => {
    const node = [
      { name: 'a', opType: 'Add', input: ['x', 'z'], output: ['y'] },
      { name: 'b', opType: 'Relu', input: ['y'], output: ['z'] },
    ];
    refused(model({ node }), /the graph has a cycle: 2 node\(s\) wait on each other \(node 'a' \(Add\), node 'b' \(Relu\)\)/);
    refused(model({ node: [{ name: 'self', opType: 'Relu', input: ['y'], output: ['y'] }] }), /cycle/);
  });

  test('values nothing produces, produced twice, or graph outputs from nowhere', () => {
    refused(model({ node: [{ opType: 'Relu', input: ['nowhere'], output: ['y'] }] }), /input 'nowhere' is produced by no node/);
    const twice = [
      { opType: 'Relu', input: ['x'], output: ['y'] },
      { opType: 'Tanh', input: ['x'], output: ['y'] },
    ];
    refused(model({ node: twice }), /output 'y' is already produced by another node/);
    refused(model({ node: [{ opType: 'Relu', input: ['x'], output: ['r'] }] }), /graph output 'y' is produced by no node/);
  });

  test('opsets outside 7 to 21, external data, and bytes that are not ONNX', () => {
    refused(model({ node: [{ opType: 'Relu', input: ['x'], output: ['y'] }] }, 3), /opset 3 is not supported; supported: 7 to 21/);
    const external = { name: 'w', dims: [3], dataType: FLOAT, dataLocation: 1 };
    refused(model({ initializer: [external], node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }] }), /keeps its data in an external file/);
    refused(new TextEncoder().encode('{"format": "layers-model"}'), /ONNX: /);
    refused(new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f]), /needs 4294967295 bytes but 0 remain/);
    refused(new Uint8Array(12).fill(0xff), /varint longer than 10 bytes/);
  });
});

describe('seeded byte mutations of a valid file: typed errors or a model that runs', () => {
  test('3,000 mutations', () => {
    manualSeed(2);
    const good = exportOnnx(new nn.Sequential(new nn.Linear({ inFeatures: 3, outFeatures: 4 }), new nn.LayerNorm({ normalizedShape: 4 }), new nn.Softmax()));
    let s = 7;
    const next = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    const counts = { typed: 0, ran: 0 };
    for (let k = 0; k < 3000; k++) {
      const bytes = Uint8Array.from(good);
      const flips = 1 + next(4);
      for (let f = 0; f < flips; f++) bytes[next(bytes.length)] = next(3) === 0 ? 0xff : next(256);
      try {
        importOnnx(bytes).forward(randn([2, 3]));
        counts.ran++;
      } catch (e) {
        if (!(e instanceof RecurrentError) || e.message === '') throw new Error(`mutation ${k}: ${String(e)}`);
        counts.typed++;
      }
    }
    assert.equal(counts.typed + counts.ran, 3000);
    assert.ok(counts.typed > 1000 && counts.ran > 100, JSON.stringify(counts));
  });
});
