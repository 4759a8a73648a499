// exportOnnx → importOnnx gives back the module's outputs: the importer reads the exporter's every
// form (projection rewrite, peepholes, both GRU reset forms, states, Gemm and MatMul, LayerNorm).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, exportOnnx, importOnnx, manualSeed, nn, randint, randn } from '../../../src/index.js';
import { assertClose } from '../../helpers/close.js';

/** The import runs the same ops as the module, in another order only for the projection (R = W_hh·W_hr). */
const TOL = 1e-5;

function compare(actual: Tensor[], expected: Tensor[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: outputs`);
  expected.forEach((t, i) => assertClose(actual[i]!, t, `${label} [${i}]`, TOL, TOL));
}

describe('exportOnnx → importOnnx', () => {
  const layers: [string, () => nn.RNN | nn.LSTM | nn.GRU][] = [
    ['RNN relu, 2 layers, bidirectional', () => new nn.RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, nonlinearity: 'relu' })],
    ['LSTM, 3 layers, batch first', () => new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 3, batchFirst: true })],
    ['LSTM with projection, bidirectional', () => new nn.LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, numLayers: 2, bidirectional: true })],
    ['LSTM with peepholes, no bias', () => new nn.LSTM({ inputSize: 3, hiddenSize: 4, peepholes: true, bias: false })],
    ['GRU reset after, bidirectional', () => new nn.GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true })],
    ['GRU reset before, 2 layers', () => new nn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, resetAfter: false })],
  ];
  for (const [label, make] of layers) {
    test(label, () => {
      manualSeed(11);
      const layer = make();
      const x = randn(layer.batchFirst ? [2, 5, 3] : [5, 2, 3]);
      const [out, state] = (layer as nn.LSTM).forward(x);
      const expected = [out, ...(Array.isArray(state) ? state : [state])];
      compare(importOnnx(exportOnnx(layer)).forward(x), expected, label);
      if (layer.projSize > 0) return;
      const D = layer.numDirections * layer.numLayers;
      const states = layer instanceof nn.LSTM ? [randn([D, 2, 4]), randn([D, 2, 4])] : [randn([D, 2, 4])];
      const [out2, state2] = layer instanceof nn.LSTM ? layer.forward(x, [states[0]!, states[1]!]) : layer.forward(x, states[0]);
      compare(
        importOnnx(exportOnnx(layer, { initialStates: true })).forward(x, ...states),
        [out2, ...(Array.isArray(state2) ? state2 : [state2])],
        `${label}, states`,
      );
    });
  }

  test('the language model and a Sequential', () => {
    manualSeed(12);
    const lm = new nn.LanguageModel({ vocabSize: 9, hiddenSize: 5, embeddingDim: 3, numLayers: 2 }).eval();
    const ids = randint(0, 9, [4, 2], { dtype: 'int32' });
    const [logits, [h, c]] = lm.forward(ids) as [Tensor, [Tensor, Tensor]];
    const imported = importOnnx(exportOnnx(lm));
    compare(imported.forward(ids), [logits, h, c], 'LanguageModel');
    assert.ok(Object.keys(imported.stateDict()).includes('embedding.weight'));

    const mlp = new nn.Sequential(
      new nn.Linear({ inFeatures: 4, outFeatures: 6 }),
      new nn.LayerNorm({ normalizedShape: 6 }),
      new nn.GELU(),
      new nn.Linear({ inFeatures: 6, outFeatures: 3 }),
      new nn.Softmax(),
    );
    const x = randn([2, 3, 4]);
    compare(importOnnx(exportOnnx(mlp, { inputShape: ['batch', 'time', 4] })).forward(x), [mlp.forward(x)], 'Sequential');
  });
});
