// Keras models as tensorflowjs_converter writes them (tools/generate_keras_fixtures.py), for what
// TensorFlow.js cannot be the oracle of: a GRU with reset_after=True (TensorFlow.js refuses it)
// and Keras 3's hard_sigmoid. The expected outputs are computed from Keras's layer definitions in
// PyTorch; the files are read from disk by loadTfjsModel (sharded weights, h5 and Keras 3 names).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, nn, readSafetensors } from '../../../src/index.js';
import { loadTfjsModel } from '../../../src/node.js';
import { assertClose } from '../../helpers/close.js';
import { tf } from '../../helpers/tfjs.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'keras');
const TOL = 1e-5;

function check(name: string): ReturnType<typeof loadTfjsModel> {
  const model = loadTfjsModel(join(dir, name));
  const { input, output } = readSafetensors(readFileSync(join(dir, name, 'expected.safetensors')));
  assertClose(model.forward(input!), output!, name, TOL, TOL);
  return model;
}

describe('Keras files that TensorFlow.js cannot check', () => {
  test('a Keras 2 GRU with reset_after=True (h5 weight order, two shards) loads and predicts', () => {
    const model = check('keras2_gru_reset_after');
    assert.equal(model.info.kerasVersion, '2.15.0');
    const gru = model.layers[0] as nn.Recurrent<nn.GRUCell>;
    assert.equal(gru.cell.resetAfter, true);
  });

  test('TensorFlow.js itself refuses that GRU', async () => {
    const json = JSON.parse(readFileSync(join(dir, 'keras2_gru_reset_after', 'model.json'), 'utf8')) as {
      modelTopology: Parameters<typeof tf.models.modelFromJSON>[0];
    };
    await assert.rejects(() => tf.models.modelFromJSON(json.modelTopology), /reset_after/);
  });

  test('hard_sigmoid is read by the keras_version: clip(0.2x + 0.5) for Keras 2, relu6(x + 3)/6 for Keras 3', () => {
    const keras2 = check('keras2_lstm_hard_sigmoid');
    const keras3 = check('keras3_lstm_hard_sigmoid');
    assert.equal(keras2.info.hardSigmoid, 'keras2');
    assert.equal(keras3.info.hardSigmoid, 'keras3');
    assert.equal((keras3.layers[0] as nn.Recurrent<nn.LSTMCell>).cell.recurrentActivation, 'hardSigmoidKeras3');
    // The two files differ only in their version, and their predictions differ.
    const { input } = readSafetensors(readFileSync(join(dir, 'keras2_lstm_hard_sigmoid', 'expected.safetensors')));
    const gap = keras2.forward(input!).sub(keras3.forward(input!)).abs().max().item();
    assert.ok(gap > 100 * TOL, `the definitions give the same output (gap ${gap})`);
  });

  test('a Keras 3 functional model: int32 ids, Embedding(mask_zero), Bidirectional GRU (reset_after) with its backward layer, Dense', () => {
    const model = check('keras3_functional_bigru');
    assert.equal(model.info.inputDType, 'int32');
    assert.ok(model.layers[1] instanceof nn.Bidirectional);
  });

  test('weight files missing, misplaced or short are errors naming the file', () => {
    const copy = mkdtempSync(join(tmpdir(), 'recurrent-keras-'));
    cpSync(join(dir, 'keras2_gru_reset_after'), copy, { recursive: true });
    const file = join(copy, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    writeFileSync(join(copy, 'group1-shard2of2.bin'), new Uint8Array(10));
    assert.throws(
      () => loadTfjsModel(copy),
      (e: unknown) => e instanceof FormatError && e.message.includes(file) && /holds \d+ bytes/.test(e.message),
    );
    json.weightsManifest[0]!.paths[0] = '../elsewhere.bin';
    writeFileSync(file, JSON.stringify(json));
    assert.throws(() => loadTfjsModel(file), /weight path "..\/elsewhere.bin" must be a relative path inside the model's folder/);
    writeFileSync(file, '{"modelTopology": ');
    assert.throws(
      () => loadTfjsModel(file),
      (e: unknown) => e instanceof FormatError && /not valid JSON/.test(e.message),
    );
  });
});
