// `recurrent export`: a trained checkpoint written as ONNX runs in ONNX Runtime and gives the
// checkpoint's own logits and states; the vocabulary travels in the model's metadata.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { importOnnx, randint, randn, transpose, type Tensor } from 'recurrent';
import { loadTfjsModel } from 'recurrent/node';
import { loadCharModel } from '../src/char_model.js';
import type { CommandResult } from './helpers/run_commands.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-export-'));
const data = join(root, 'tiny.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. '.repeat(32));
const out = (name: string): string => join(root, name);
const tiny = ['--hidden', '8', '--batch', '2', '--seq-len', '8', '--sample-every', '0', '--validate-every', '0', '--plain', '--steps', '3'];

const commands: Record<string, string[]> = {
  lstm: ['train', '--data', data, ...tiny, '--layers', '2', '--out', out('lstm')],
  gru: ['train', '--data', data, ...tiny, '--cell', 'gru', '--out', out('gru')],
  lstmOnnx: ['export', '--checkpoint', out('lstm'), '--out', out('lstm.onnx')],
  lstmOnnxStates: ['export', '--checkpoint', out('lstm'), '--format', 'onnx', '--initial-states', '--out', out('exports/lstm_states.onnx')],
  gruOnnxStates: ['export', '--checkpoint', out('gru'), '--initial-states', '--out', out('gru.onnx')],
  lstmTfjs: ['export', '--checkpoint', out('lstm'), '--format', 'tfjs', '--out', out('web')],
  gruTfjs: ['export', '--checkpoint', out('gru'), '--format', 'tfjs', '--out', out('webGru')],
  badFormat: ['export', '--checkpoint', out('gru'), '--format', 'caffe', '--out', out('x')],
  noCheckpoint: ['export', '--checkpoint', out('none'), '--out', out('y.onnx')],
};

let results: Record<string, CommandResult> = {};
const ok = (name: string): string => {
  const r = results[name]!;
  assert.equal(r.error, null, `recurrent ${r.argv.join(' ')} failed: ${JSON.stringify(r.error)}`);
  return r.stdout;
};

before(() => {
  const commandsFile = join(root, 'commands.json');
  const resultsFile = join(root, 'results.json');
  writeFileSync(commandsFile, JSON.stringify(Object.values(commands)));
  const runner = join(import.meta.dirname, 'helpers', 'run_commands.ts');
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', runner, commandsFile, resultsFile], {
    encoding: 'utf8',
    env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 0, `the command runner failed:\n${r.stdout}\n${r.stderr}`);
  const list = JSON.parse(readFileSync(resultsFile, 'utf8')) as CommandResult[];
  results = Object.fromEntries(Object.keys(commands).map((name, i) => [name, list[i]!]));
});

async function onnxRuntime(file: string, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  const inputs = Object.fromEntries(
    Object.entries(feeds).map(([k, t]) => [
      k,
      new ort.Tensor(t.dtype === 'int32' ? 'int32' : 'float32', t.dtype === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data), [...t.shape]),
    ]),
  );
  const r = await session.run(inputs);
  await session.release();
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.data as Float32Array]));
}

function close(actual: Float32Array, expected: Tensor, label: string): void {
  assert.equal(actual.length, expected.size, `${label}: size`);
  expected.data.forEach((e, i) => assert.ok(Math.abs(actual[i]! - e) <= 1e-6 + 1e-5 * Math.abs(e), `${label}[${i}]: ${actual[i]} vs ${e}`));
}

test('export --format onnx (the default): the LSTM checkpoint runs in ONNX Runtime with its logits and states', async () => {
  assert.match(
    ok('lstmOnnx'),
    /wrote .*lstm\.onnx \([\d,]+ bytes, ONNX opset 17\): inputs input \(time, batch\) int32 ids; outputs output \(time, batch, \d+\) logits, hn, cn/,
  );
  const { model, vocab } = loadCharModel(out('lstm'));
  model.eval();
  const ids = randint(0, vocab.size, [7, 3], { dtype: 'int32' });
  const [logits, [h, c]] = model.forward(ids) as [Tensor, [Tensor, Tensor]];
  const r = await onnxRuntime(out('lstm.onnx'), { input: ids });
  close(r['output']!, logits, 'output');
  close(r['hn']!, h, 'hn');
  close(r['cn']!, c, 'cn');
  const imported = importOnnx(readFileSync(out('lstm.onnx')));
  assert.deepEqual(JSON.parse(imported.metadata['vocabulary']!), vocab.toJSON());
});

test('export --initial-states: the state inputs carry text step by step (LSTM and GRU), into a new directory', async () => {
  assert.match(ok('lstmOnnxStates'), /inputs input \(time, batch\) int32 ids, h0, c0 \(2, batch, 8\)/);
  const lstm = loadCharModel(out('lstm')).model.eval();
  const ids = randint(0, 5, [4, 1], { dtype: 'int32' });
  const [h0, c0] = [randn([2, 1, 8]), randn([2, 1, 8])];
  const [logits] = lstm.forward(ids, [h0, c0]);
  close((await onnxRuntime(out('exports/lstm_states.onnx'), { input: ids, h0, c0 }))['output']!, logits, 'lstm output');

  assert.match(ok('gruOnnxStates'), /inputs input \(time, batch\) int32 ids, h0 \(1, batch, 8\); outputs .* hn;/);
  const gru = loadCharModel(out('gru')).model.eval();
  const g0 = randn([1, 1, 8]);
  const [gLogits, gh] = gru.forward(ids, g0) as [Tensor, Tensor];
  const r = await onnxRuntime(out('gru.onnx'), { input: ids, h0: g0 });
  close(r['output']!, gLogits, 'gru output');
  close(r['hn']!, gh, 'gru hn');
});

test('export --format tfjs: a model folder that TensorFlow.js loads, batch first, with the logits of the checkpoint', async () => {
  assert.match(ok('lstmTfjs'), /wrote .*web\/model\.json and its weights \(TensorFlow\.js layers model\): input \(batch, time\) int32 ids/);
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(join(out('web'), 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata: { vocabulary: string };
  };
  const weights = readFileSync(join(out('web'), json.weightsManifest[0]!.paths[0]!));
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
    }),
  );
  const { model, vocab } = loadCharModel(out('lstm'));
  model.eval();
  const ids = randint(0, vocab.size, [6, 2], { dtype: 'int32' }); // (time, batch)
  const [logits] = model.forward(ids);
  const theirs = loaded.predict(tf.tensor(Array.from(transpose(ids, 0, 1).data), [2, 6], 'int32')) as tf.Tensor;
  close(theirs.dataSync() as Float32Array, transpose(logits, 0, 1), 'tfjs logits');
  assert.deepEqual(JSON.parse(json.userDefinedMetadata.vocabulary), vocab.toJSON());
  const back = loadTfjsModel(out('web'));
  close(back.forward(transpose(ids, 0, 1)).data as Float32Array, transpose(logits, 0, 1), 'loadTfjsModel logits');
  assert.match(results['gruTfjs']!.stdout, /wrote .*webGru/);
});

test('export refuses an unknown format and a missing checkpoint', () => {
  assert.match(results['badFormat']!.error?.message ?? '', /argument 'caffe' is invalid. Allowed choices are onnx, tfjs/);
  assert.match(results['noCheckpoint']!.error?.message ?? '', /none/);
});
