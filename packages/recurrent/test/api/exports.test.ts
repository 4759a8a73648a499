// The public names other code and outside checks depend on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../src/index.js';
import * as nodeApi from '../../src/node.js';

test('the entry point exports the documented API', () => {
  const functions = [
    'tensor',
    'zeros',
    'ones',
    'full',
    'arange',
    'eye',
    'rand',
    'randn',
    'randint',
    'manualSeed',
    'noGrad',
    'gradcheck',
    'matmul',
    'linear',
    'softmax',
    'logSoftmax',
    'dropout',
    'setBackend',
    'getBackend',
    'setNumThreads',
    'getNumThreads',
    'ready',
    'memoryUsage',
    'packSequence',
    'packPaddedSequence',
    'padPackedSequence',
    'padSequence',
    'unpadSequence',
    'unpackSequence',
    'readSafetensors',
    'writeSafetensors',
    'scan',
    'dynamicRnn',
    'bidirectionalDynamicRnn',
    'generateSequence',
    'crossEntropy',
    'nllLoss',
    'mseLoss',
    'l1Loss',
    'bceWithLogits',
    'fit',
    'evaluate',
    'sampleLogits',
    'generateText',
    'exportOnnx',
    'importOnnx',
    'fromTfjs',
    'toTfjs',
  ] as const;
  for (const name of functions) assert.equal(typeof api[name], 'function', name);
  for (const name of [
    'Module',
    'Linear',
    'Embedding',
    'Dropout',
    'Sequential',
    'RNN',
    'LSTM',
    'GRU',
    'RNNCell',
    'LSTMCell',
    'GRUCell',
    'Recurrent',
    'Bidirectional',
    'Masking',
    'LayerNormLSTMCell',
    'ConvLSTM1D',
    'ConvLSTM2D',
    'TreeLSTM',
    'LanguageModel',
    'Activation',
  ] as const) {
    assert.equal(typeof api.nn[name], 'function', `nn.${name}`);
  }
  for (const name of ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'clipGradNorm', 'clipGradValue', 'StepLR', 'ReduceLROnPlateau'] as const) {
    assert.equal(typeof api.optim[name], 'function', `optim.${name}`);
  }
  assert.equal(typeof api.PackedSequence, 'function');
  assert.equal(typeof api.OnnxModel, 'function');
  assert.equal(typeof api.KerasModel, 'function');
});

test('recurrent/node adds checkpoints and TensorFlow.js model files to the same API', () => {
  assert.equal(typeof nodeApi.saveCheckpoint, 'function');
  assert.equal(typeof nodeApi.loadCheckpoint, 'function');
  assert.equal(typeof nodeApi.loadTfjsModel, 'function');
  assert.equal(typeof nodeApi.saveTfjsModel, 'function');
  assert.equal(nodeApi.tensor, api.tensor);
});
