// Writes, for every module with a PyTorch counterpart, our state dict plus inputs and our outputs
// as safetensors files, for tools/check_torch_roundtrip.py to load into PyTorch and compare.
// Usage: node --import tsx tools/export_state_dicts.ts OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, nn, randint, randn, writeSafetensors, type Tensor } from 'recurrent';

type Named = Record<string, Tensor>;

interface Case {
  name: string;
  /** What check_torch_roundtrip.py builds: 'rnn' (nn.RNN/LSTM/GRU), 'cell', 'module' (a torch module by config) or 'language_model' / 'encoder'. */
  kind: string;
  config: Record<string, unknown>;
  module: nn.Module;
  /** Runs the module: named inputs and outputs. */
  run: () => { inputs: Named; outputs: Named };
}

const cases: Case[] = [];

function recurrent(name: string, mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU', options: nn.LSTMOptions): void {
  const layer =
    mode === 'LSTM'
      ? new nn.LSTM(options)
      : mode === 'GRU'
        ? new nn.GRU(options)
        : new nn.RNN({ ...options, nonlinearity: mode === 'RNN_RELU' ? 'relu' : 'tanh' });
  const input = randn(options.batchFirst ? [2, 7, options.inputSize] : [7, 2, options.inputSize]);
  cases.push({
    name,
    kind: 'rnn',
    config: { mode, ...options },
    module: layer,
    run: (): { inputs: Named; outputs: Named } => {
      if (layer instanceof nn.LSTM) {
        const [output, [h, c]] = layer.forward(input);
        return { inputs: { input }, outputs: { output, h_n: h, c_n: c } };
      }
      const [output, h] = (layer as nn.RNN | nn.GRU).forward(input);
      return { inputs: { input }, outputs: { output, h_n: h } };
    },
  });
}

manualSeed(123);
recurrent('rnn_tanh_l2_bi', 'RNN_TANH', { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });
recurrent('rnn_relu_l1_nobias', 'RNN_RELU', { inputSize: 3, hiddenSize: 5, bias: false });
recurrent('lstm_l2_bi_proj', 'LSTM', { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2 });
recurrent('lstm_l3_batchfirst', 'LSTM', { inputSize: 4, hiddenSize: 6, numLayers: 3, batchFirst: true });
recurrent('gru_l2_bi', 'GRU', { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });

for (const [mode, cell] of [
  ['RNN_RELU', new nn.RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' })],
  ['LSTM', new nn.LSTMCell({ inputSize: 3, hiddenSize: 4 })],
  ['GRU', new nn.GRUCell({ inputSize: 3, hiddenSize: 4, bias: false })],
] as const) {
  const input = randn([2, 3]);
  const h = randn([2, 4]);
  const c = randn([2, 4]);
  cases.push({
    name: `cell_${mode.toLowerCase()}`,
    kind: 'cell',
    config: { mode, inputSize: 3, hiddenSize: 4, bias: cell.bias },
    module: cell,
    run: (): { inputs: Named; outputs: Named } => {
      if (cell instanceof nn.LSTMCell) {
        const [h1, c1] = cell.forward(input, [h, c]);
        return { inputs: { input, h0: h, c0: c }, outputs: { h_n: h1, c_n: c1 } };
      }
      return { inputs: { input, h0: h }, outputs: { h_n: (cell as nn.RNNCell | nn.GRUCell).forward(input, h) } };
    },
  });
}

// nn.Sequential of the feed-forward modules: keys '0.weight', … as torch.nn.Sequential's.
const layers: [string, nn.TensorModule][] = [
  ['Linear(6, 8)', new nn.Linear({ inFeatures: 6, outFeatures: 8 })],
  ['LayerNorm(8)', new nn.LayerNorm({ normalizedShape: 8 })],
  ['GELU()', new nn.GELU()],
  ['Dropout(0.1)', new nn.Dropout({ p: 0.1 })],
  ['Linear(8, 8, bias=False)', new nn.Linear({ inFeatures: 8, outFeatures: 8, bias: false })],
  ['Tanh()', new nn.Tanh()],
  ['LeakyReLU(0.2)', new nn.LeakyReLU({ negativeSlope: 0.2 })],
  ['Identity()', new nn.Identity()],
  ['Linear(8, 5)', new nn.Linear({ inFeatures: 8, outFeatures: 5 })],
  ['LogSoftmax(-1)', new nn.LogSoftmax()],
];
const mlp = new nn.Sequential(...layers.map(([, m]) => m)).eval();
const x = randn([2, 3, 6]);
cases.push({
  name: 'sequential_mlp',
  kind: 'module',
  config: { layers: layers.map(([py]) => py) },
  module: mlp,
  run: () => ({ inputs: { input: x }, outputs: { output: mlp.forward(x) } }),
});

const embedding = new nn.Embedding({ numEmbeddings: 9, embeddingDim: 4, paddingIdx: 0 });
const ids = randint(0, 9, [2, 5], { dtype: 'int32' });
cases.push({
  name: 'embedding',
  kind: 'module',
  config: { layers: ['Embedding(9, 4, padding_idx=0)'] },
  module: new nn.Sequential(embedding),
  run: () => ({ inputs: { input: ids }, outputs: { output: embedding.forward(ids) } }),
});

for (const cell of nn.CELL_KINDS) {
  const lm = new nn.LanguageModel({ vocabSize: 11, cell, hiddenSize: 6, embeddingDim: 4, numLayers: 2 }).eval();
  const tokens = randint(0, 11, [5, 2], { dtype: 'int32' });
  cases.push({
    name: `language_model_${cell}`,
    kind: 'language_model',
    config: { ...lm.options },
    module: lm,
    run: (): { inputs: Named; outputs: Named } => {
      const [logits, state] = lm.forward(tokens);
      const [h, c] = Array.isArray(state) ? state : [state, null];
      const outputs: Named = c ? { output: logits, h_n: h, c_n: c } : { output: logits, h_n: h };
      return { inputs: { input: tokens }, outputs };
    },
  });
}

const encoder = new nn.Encoder({ vocabSize: 10, embeddingDim: 4, hiddenSize: 5, numLayers: 2, cell: 'gru' }).eval();
const source = randint(1, 10, [3, 6], { dtype: 'int32' });
for (const [n, len] of [
  [1, 4],
  [2, 2],
] as const)
  for (let s = len; s < 6; s++) source.data[n * 6 + s] = 0;
cases.push({
  name: 'encoder_gru_bi',
  kind: 'encoder',
  config: { vocabSize: 10, embeddingDim: 4, hiddenSize: 5, numLayers: 2, cell: 'gru', lengths: [6, 4, 2] },
  module: encoder,
  run: () => {
    const { memory, states } = encoder.forward(source, [6, 4, 2]);
    return { inputs: { input: source }, outputs: { memory, h_n: states[0]! } };
  },
});

const out = process.argv[2];
if (!out) throw new Error('usage: export_state_dicts.ts OUT_DIR');
mkdirSync(out, { recursive: true });
for (const c of cases) {
  const { inputs, outputs } = c.run();
  const tensors: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) tensors[`in.${k}`] = v;
  for (const [k, v] of Object.entries(outputs)) tensors[`out.${k}`] = v;
  for (const [k, v] of Object.entries(c.module.stateDict())) tensors[`param.${k}`] = v;
  writeFileSync(join(out, `${c.name}.safetensors`), writeSafetensors(tensors, { kind: c.kind, config: JSON.stringify(c.config) }));
}
console.log(`wrote ${cases.length} files to ${out}`);
