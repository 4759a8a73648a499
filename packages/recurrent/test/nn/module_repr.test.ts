// A model's printout, as PyTorch's repr: the tree of children with their options, then the count.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Tensor, nn } from '../../src/index.js';

class Tagger extends nn.Module {
  lstm = new nn.LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, bidirectional: true });
  head = new nn.Sequential(new nn.Dropout({ p: 0.1 }), new nn.Linear({ inFeatures: 64, outFeatures: 5 }), new nn.LogSoftmax({ dim: -1 }));

  forward(x: Tensor): Tensor {
    return this.head.forward(this.lstm.forward(x)[0]);
  }
}

describe('Module.toString', () => {
  test('prints the tree in PyTorch style with camelCase options, and the parameter count', () => {
    const m = new Tagger();
    const expected = [
      'Tagger(',
      '  (lstm): LSTM(8, 32, numLayers=2, bidirectional=true)',
      '  (head): Sequential(',
      '    (0): Dropout(p=0.1)',
      '    (1): Linear(inFeatures=64, outFeatures=5, bias=true)',
      '    (2): LogSoftmax(dim=-1)',
      '  )',
      ')',
      `numParameters: ${m.numParameters()}`,
    ].join('\n');
    assert.equal(m.toString(), expected);
    assert.equal(String(m), expected);
    assert.equal(inspect(m), expected);
  });

  test('leaf modules print on one line with the options that differ from the defaults', () => {
    const line = (m: nn.Module): string => m.toString().split('\n')[0]!;
    assert.equal(line(new nn.GRU({ inputSize: 4, hiddenSize: 8, batchFirst: true, resetAfter: false })), 'GRU(4, 8, batchFirst=true, resetAfter=false)');
    assert.equal(line(new nn.RNN({ inputSize: 4, hiddenSize: 8, nonlinearity: 'relu', bias: false })), "RNN(4, 8, nonlinearity='relu', bias=false)");
    assert.equal(
      line(new nn.LSTM({ inputSize: 4, hiddenSize: 8, projSize: 3, dropout: 0.2, numLayers: 2 })),
      'LSTM(4, 8, projSize=3, numLayers=2, dropout=0.2)',
    );
    assert.equal(line(new nn.LSTMCell({ inputSize: 4, hiddenSize: 8 })), 'LSTMCell(4, 8)');
    assert.equal(line(new nn.RNNCell({ inputSize: 4, hiddenSize: 8, nonlinearity: 'relu' })), "RNNCell(4, 8, nonlinearity='relu')");
    assert.equal(line(new nn.Embedding({ numEmbeddings: 10, embeddingDim: 3, paddingIdx: 0 })), 'Embedding(10, 3, paddingIdx=0)');
    assert.equal(line(new nn.GELU({ approximate: 'tanh' })), "GELU(approximate='tanh')");
    assert.equal(line(new nn.ReLU()), 'ReLU()');
  });

  test('a frozen part shows the trainable count', () => {
    const m = new Tagger();
    m.lstm.requiresGrad(false);
    assert.match(m.toString(), new RegExp(`numParameters: ${m.numParameters()} \\(trainable: ${m.head.numParameters()}\\)$`));
  });
});
