// exportOnnx checked by ONNX Runtime: random recurrent configurations and feed-forward models are
// exported, run by onnxruntime-node, and compared with our forward pass.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, ValueError, exportOnnx, manualSeed, nn, randint, randn } from '../../../src/index.js';
import { assertClose } from '../../helpers/close.js';
import { runOnnxRuntime } from '../../helpers/onnxruntime.js';

/** ONNX Runtime against our forward: 1e-5 relative, 1e-6 absolute (measured worst: about 3e-7). */
const RTOL = 1e-5;
const ATOL = 1e-6;

type Mode = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru' | 'gru_reset_before';

interface Config {
  mode: Mode;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  bias: boolean;
  states: boolean;
  projSize: number;
  peepholes: boolean;
}

/** A small seeded generator, so that the configurations are the same on every run. */
function generator(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function randomConfigs(count: number): Config[] {
  const pick = generator(2024);
  const modes: Mode[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru', 'gru_reset_before'];
  const out: Config[] = [];
  for (let i = 0; i < count; i++) {
    const mode = modes[i % modes.length]!;
    const lstm = mode === 'lstm';
    const projSize = lstm && pick(3) === 0 ? 2 : 0;
    out.push({
      mode,
      numLayers: 1 + pick(3),
      bidirectional: pick(2) === 1,
      batchFirst: pick(2) === 1,
      bias: pick(4) !== 0,
      states: projSize === 0 && pick(2) === 1,
      projSize,
      peepholes: lstm && projSize === 0 && pick(3) === 0,
    });
  }
  return out;
}

function build(c: Config, inputSize: number, hiddenSize: number): nn.RNN | nn.LSTM | nn.GRU {
  const base = { inputSize, hiddenSize, numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, bias: c.bias };
  if (c.mode === 'lstm') return new nn.LSTM({ ...base, projSize: c.projSize, peepholes: c.peepholes });
  if (c.mode.startsWith('gru')) return new nn.GRU({ ...base, resetAfter: c.mode === 'gru' });
  return new nn.RNN({ ...base, nonlinearity: c.mode === 'rnn_relu' ? 'relu' : 'tanh' });
}

/** Our forward as ONNX names its outputs. */
function ours(layer: nn.RNN | nn.LSTM | nn.GRU, x: Tensor, h0: Tensor | null, c0: Tensor | null): Record<string, Tensor> {
  if (layer instanceof nn.LSTM) {
    const [output, [hn, cn]] = layer.forward(x, h0 && c0 ? [h0, c0] : null);
    return { output, hn, cn };
  }
  const [output, hn] = layer.forward(x, h0);
  return { output, hn };
}

function compare(mine: Record<string, Tensor>, theirs: Record<string, Tensor>, label: string): void {
  assert.deepEqual(Object.keys(theirs).sort(), Object.keys(mine).sort(), `${label}: output names`);
  for (const [name, t] of Object.entries(mine)) assertClose(theirs[name]!, t, `${label} ${name}`, ATOL, RTOL);
}

describe('exportOnnx: recurrent layers in ONNX Runtime', () => {
  const configs = randomConfigs(40);

  test('the random configurations cover every option', () => {
    for (const key of ['bidirectional', 'batchFirst', 'bias', 'states', 'peepholes'] as const) {
      assert.ok(
        configs.some((c) => c[key]),
        key,
      );
      assert.ok(
        configs.some((c) => !c[key]),
        `not ${key}`,
      );
    }
    assert.ok(configs.some((c) => c.projSize > 0 && c.numLayers > 1 && c.bidirectional));
    for (const layers of [1, 2, 3]) assert.ok(configs.some((c) => c.numLayers === layers));
  });

  for (const [i, c] of configs.entries()) {
    const label = `#${i} ${JSON.stringify(c)}`;
    test(label, async () => {
      manualSeed(100 + i);
      const [I, H, T, N] = [3, 4 + (i % 3), 2 + (i % 5), 1 + (i % 3)];
      const layer = build(c, I, H);
      const x = randn(c.batchFirst ? [N, T, I] : [T, N, I]);
      const D = c.bidirectional ? 2 : 1;
      const h0 = c.states ? randn([D * c.numLayers, N, layer.outputSize]) : null;
      const c0 = c.states && c.mode === 'lstm' ? randn([D * c.numLayers, N, H]) : null;
      const feeds: Record<string, Tensor> = { input: x };
      if (h0) feeds['h0'] = h0;
      if (c0) feeds['c0'] = c0;
      const bytes = exportOnnx(layer, { initialStates: c.states });
      compare(ours(layer, x, h0, c0), await runOnnxRuntime(bytes, feeds), label);
    });
  }

  test('one export serves any batch size and length (symbolic axes)', async () => {
    manualSeed(3);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 5, batchFirst: true, bidirectional: true });
    const bytes = exportOnnx(lstm);
    for (const [N, T] of [
      [1, 1],
      [4, 9],
    ] as const) {
      const x = randn([N, T, 3]);
      compare(ours(lstm, x, null, null), await runOnnxRuntime(bytes, { input: x }), `N=${N} T=${T}`);
    }
  });

  test('projSize with initial states is a clear error: ONNX LSTM has no projection', () => {
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2 });
    assert.throws(
      () => exportOnnx(lstm, { initialStates: true }),
      (e: unknown) => e instanceof ValueError && /projSize 2.*h0/.test(e.message),
    );
  });
});

describe('exportOnnx: feed-forward models and the language model in ONNX Runtime', () => {
  test('a Sequential of every feed-forward layer, on 2-D (Gemm) and 3-D (MatMul + Add) input', async () => {
    manualSeed(5);
    const mlp = new nn.Sequential(
      new nn.Linear({ inFeatures: 6, outFeatures: 8 }),
      new nn.ReLU(),
      new nn.Dropout({ p: 0.3 }),
      new nn.LayerNorm({ normalizedShape: 8 }),
      new nn.Tanh(),
      new nn.Linear({ inFeatures: 8, outFeatures: 8, bias: false }),
      new nn.GELU(),
      new nn.Sigmoid(),
      new nn.Linear({ inFeatures: 8, outFeatures: 8 }),
      new nn.GELU({ approximate: 'tanh' }),
      new nn.LeakyReLU({ negativeSlope: 0.2 }),
      new nn.LayerNorm({ normalizedShape: 8, elementwiseAffine: false }),
      new nn.Identity(),
      new nn.Linear({ inFeatures: 8, outFeatures: 5 }),
      new nn.LogSoftmax(),
    ).eval();
    for (const shape of [
      [4, 6],
      [3, 2, 6],
    ] as const) {
      const x = randn([...shape]);
      const bytes = exportOnnx(mlp, { inputShape: shape.length === 2 ? ['batch', 6] : ['batch', 'time', 6] });
      compare({ output: mlp.forward(x) }, await runOnnxRuntime(bytes, { input: x }), `input ${JSON.stringify(shape)}`);
    }
  });

  test('Embedding (Gather on int32 ids), Flatten and Softmax', async () => {
    manualSeed(6);
    const model = new nn.Sequential(
      new nn.Embedding({ numEmbeddings: 11, embeddingDim: 4 }),
      new nn.Flatten(),
      new nn.Linear({ inFeatures: 12, outFeatures: 3 }),
      new nn.Softmax({ dim: 1 }),
    );
    const ids = randint(0, 11, [5, 3], { dtype: 'int32' });
    const bytes = exportOnnx(model, { inputShape: ['batch', 3] });
    compare({ output: model.forward(ids) }, await runOnnxRuntime(bytes, { input: ids }), 'embedding model');
  });

  for (const cell of nn.CELL_KINDS) {
    test(`the language model (${cell}), with and without initial states`, async () => {
      manualSeed(7);
      const lm = new nn.LanguageModel({ vocabSize: 13, cell, hiddenSize: 6, embeddingDim: 4, numLayers: 2, dropout: 0.2 }).eval();
      const ids = randint(0, 13, [5, 2], { dtype: 'int32' });
      const [logits, state] = lm.forward(ids);
      const [h, c] = Array.isArray(state) ? state : [state, null];
      const expected: Record<string, Tensor> = c ? { output: logits, hn: h, cn: c } : { output: logits, hn: h };
      compare(expected, await runOnnxRuntime(exportOnnx(lm), { input: ids }), `${cell} LM`);
      const h0 = randn([2, 2, 6]);
      const c0 = randn([2, 2, 6]);
      const [logits2, state2] = lm.forward(ids, cell === 'lstm' ? [h0, c0] : h0);
      const [h2, c2] = Array.isArray(state2) ? state2 : [state2, null];
      const feeds: Record<string, Tensor> = cell === 'lstm' ? { input: ids, h0, c0 } : { input: ids, h0 };
      const expected2: Record<string, Tensor> = c2 ? { output: logits2, hn: h2, cn: c2 } : { output: logits2, hn: h2 };
      compare(expected2, await runOnnxRuntime(exportOnnx(lm, { initialStates: true }), feeds), `${cell} LM with states`);
    });
  }

  test('a module it cannot export is named in a ValueError', () => {
    const model = new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 4 }), new nn.Recurrent(new nn.LSTMCell({ inputSize: 4, hiddenSize: 4 })));
    assert.throws(
      () => exportOnnx(model),
      (e: unknown) => e instanceof ValueError && /Recurrent '1' cannot be exported/.test(e.message),
    );
    assert.throws(() => exportOnnx(new nn.LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64' })), /weight_ih_l0' is float64/);
    assert.throws(() => exportOnnx(new nn.ReLU()), /input shape .* unknown; give options.inputShape/);
  });
});
