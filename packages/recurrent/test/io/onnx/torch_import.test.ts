// importOnnx on the graphs PyTorch 1.13's torch.onnx.export writes (tools/generate_onnx_fixtures.py):
// recurrent layers of every kind, direction, layout and state option, and small models around them;
// our run of each graph must give PyTorch's outputs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, importOnnx, nn, readSafetensorsFile } from '../../../src/index.js';
import { TORCH_FLOAT32_TOLERANCE, assertClose } from '../../helpers/close.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'onnx');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.onnx'))
  .map((f) => f.slice(0, -'.onnx'.length))
  .sort();

interface Fixture {
  model: Uint8Array;
  inputs: Record<string, Tensor>;
  outputs: Record<string, Tensor>;
}

function load(name: string): Fixture {
  const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, `${name}.safetensors`)));
  const config = JSON.parse(metadata['config']!) as { inputs: string[]; outputs: string[] };
  return {
    model: readFileSync(join(dir, `${name}.onnx`)),
    inputs: Object.fromEntries(config.inputs.map((n) => [n, tensors[`in.${n}`]!])),
    outputs: Object.fromEntries(config.outputs.map((n) => [n, tensors[`out.${n}`]!])),
  };
}

describe('importOnnx reads PyTorch 1.13 exports', () => {
  test('the fixtures cover LSTM, GRU and RNN, states, batch-first, no bias, and models around them', () => {
    assert.equal(cases.length, 14);
    for (const part of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu', 'states', 'batchfirst', 'nobias', '_bi', 'char_', 'classifier', 'opset17']) {
      assert.ok(
        cases.some((c) => c.includes(part)),
        part,
      );
    }
  });

  for (const name of cases) {
    test(name, () => {
      const { model, inputs, outputs } = load(name);
      const imported = importOnnx(model);
      assert.deepEqual(
        imported.inputs.map((i) => i.name),
        Object.keys(inputs),
      );
      const results = imported.run(inputs);
      assert.deepEqual(Object.keys(results), Object.keys(outputs));
      for (const [key, expected] of Object.entries(outputs)) {
        assertClose(results[key]!, expected, `${name} ${key}`, TORCH_FLOAT32_TOLERANCE, TORCH_FLOAT32_TOLERANCE);
      }
    });
  }

  test('a recurrent node becomes an nn layer with PyTorch names; Linear weights keep their graph names', () => {
    const lm = importOnnx(load('char_lstm').model);
    const layers = lm.namedModules().filter(([, m]) => m instanceof nn.LSTM);
    assert.equal(layers.length, 2, 'one nn.LSTM per exported layer');
    const keys = Object.keys(lm.stateDict());
    assert.ok(keys.includes('embedding.weight'), keys.join(' '));
    assert.ok(keys.includes('decoder.bias'), keys.join(' '));
    assert.ok(
      keys.some((k) => k.endsWith('.weight_hh_l0')),
      keys.join(' '),
    );
    assert.equal(lm.training, false);
  });

  test('the batch and time axes stay dynamic: a longer, wider input runs', () => {
    const { model } = load('gru_l2_bi_states');
    const imported = importOnnx(model);
    const [output, hn] = imported.forward(new Tensor(new Float32Array(9 * 4 * 3), [9, 4, 3]), new Tensor(new Float32Array(4 * 4 * 4), [4, 4, 4]));
    assert.deepEqual(output!.shape, [9, 4, 8]);
    assert.deepEqual(hn!.shape, [4, 4, 4]);
  });
});
