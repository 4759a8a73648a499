// Every nn constructor that takes an options object rejects keys it does not know, naming the key
// and, for PyTorch's snake_case spelling, the camelCase option meant.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError, nn, optim } from '../../src/index.js';

type Make = (extra: Record<string, unknown>) => unknown;

const cases: [string, Make][] = [
  ['LSTM', (x) => new nn.LSTM({ inputSize: 2, hiddenSize: 3, ...x })],
  ['GRU', (x) => new nn.GRU({ inputSize: 2, hiddenSize: 3, ...x })],
  ['RNN', (x) => new nn.RNN({ inputSize: 2, hiddenSize: 3, ...x })],
  ['LSTMCell', (x) => new nn.LSTMCell({ inputSize: 2, hiddenSize: 3, ...x })],
  ['GRUCell', (x) => new nn.GRUCell({ inputSize: 2, hiddenSize: 3, ...x })],
  ['RNNCell', (x) => new nn.RNNCell({ inputSize: 2, hiddenSize: 3, ...x })],
  ['PeepholeLSTMCell', (x) => new nn.PeepholeLSTMCell({ inputSize: 2, hiddenSize: 3, ...x })],
  ['LayerNormLSTMCell', (x) => new nn.LayerNormLSTMCell({ inputSize: 2, hiddenSize: 3, ...x })],
  ['Linear', (x) => new nn.Linear({ inFeatures: 2, outFeatures: 3, ...x })],
  ['Embedding', (x) => new nn.Embedding({ numEmbeddings: 4, embeddingDim: 3, ...x })],
  ['LayerNorm', (x) => new nn.LayerNorm({ normalizedShape: 3, ...x })],
  ['Dropout', (x) => new nn.Dropout({ p: 0.1, ...x })],
  ['Masking', (x) => new nn.Masking({ ...x })],
  ['LanguageModel', (x) => new nn.LanguageModel({ vocabSize: 5, ...x })],
  ['Recurrent', (x) => new nn.Recurrent(new nn.LSTMCell({ inputSize: 2, hiddenSize: 3 }), { ...x })],
  ['Bidirectional', (x) => new nn.Bidirectional(new nn.Recurrent(new nn.LSTMCell({ inputSize: 2, hiddenSize: 3 })), { ...x })],
  ['ConvLSTM1DCell', (x) => new nn.ConvLSTM1DCell({ inputChannels: 1, hiddenChannels: 2, kernelSize: 3, ...x })],
  ['ConvLSTM2D', (x) => new nn.ConvLSTM2D({ inputChannels: 1, hiddenChannels: 2, kernelSize: 3, ...x })],
  ['TreeLSTM', (x) => new nn.TreeLSTM({ inputSize: 2, hiddenSize: 3, ...x })],
  ['RecursiveNN', (x) => new nn.RecursiveNN({ inputSize: 2, hiddenSize: 3, ...x })],
  ['CrossEntropyLoss', (x) => new nn.CrossEntropyLoss({ ...x })],
  ['NLLLoss', (x) => new nn.NLLLoss({ ...x })],
  ['MSELoss', (x) => new nn.MSELoss({ ...x })],
  ['L1Loss', (x) => new nn.L1Loss({ ...x })],
  ['BCEWithLogitsLoss', (x) => new nn.BCEWithLogitsLoss({ ...x })],
];

describe('unknown constructor options', () => {
  for (const [name, make] of cases) {
    test(`${name} accepts its own options and rejects an unknown one`, () => {
      make({});
      assert.throws(
        () => make({ frobnicate: 1 }),
        (e: unknown) => e instanceof ValueError && e.message.includes(`${name}: unknown option 'frobnicate'`),
      );
    });
  }

  test('a snake_case name suggests the camelCase option', () => {
    assert.throws(
      () => new nn.LSTM({ inputSize: 2, hiddenSize: 3, ...{ batch_first: true } }),
      /LSTM: unknown option 'batch_first'; did you mean 'batchFirst'\?/,
    );
    assert.throws(() => new nn.Linear({ inFeatures: 2, outFeatures: 3, ...{ out_features: 3 } }), /did you mean 'outFeatures'/);
    assert.throws(() => new nn.GRU({ inputSize: 2, hiddenSize: 3, ...{ reset_after: false } }), /did you mean 'resetAfter'/);
  });

  test('a different capitalisation suggests the option too', () => {
    assert.throws(() => new nn.Linear({ inFeatures: 2, outFeatures: 3, ...{ Bias: false } }), /did you mean 'bias'/);
  });

  test('the optimizers report through the same helper', () => {
    const p = new nn.Linear({ inFeatures: 2, outFeatures: 1 }).parameters();
    assert.throws(() => new optim.Adam(p, { lr: 0.1, ...{ weight_decay: 0.1 } }), /Adam: unknown option 'weight_decay'; did you mean 'weightDecay'\?/);
  });
});
