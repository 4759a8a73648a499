// Writes, for several layer configurations, our state dict plus an input and our outputs as
// safetensors files, for tools/check_torch_roundtrip.py to load into PyTorch and compare.
// Usage: node --import tsx tools/export_state_dicts.ts OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, nn, randn, writeSafetensors, type Tensor } from 'recurrent';

interface Case {
  name: string;
  mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  options: nn.LSTMOptions;
}

const cases: Case[] = [
  { name: 'rnn_tanh_l2_bi', mode: 'RNN_TANH', options: { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true } },
  { name: 'rnn_relu_l1_nobias', mode: 'RNN_RELU', options: { inputSize: 3, hiddenSize: 5, bias: false } },
  { name: 'lstm_l2_bi_proj', mode: 'LSTM', options: { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2 } },
  { name: 'lstm_l3_batchfirst', mode: 'LSTM', options: { inputSize: 4, hiddenSize: 6, numLayers: 3, batchFirst: true } },
  { name: 'gru_l2_bi', mode: 'GRU', options: { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true } },
];

const out = process.argv[2];
if (!out) throw new Error('usage: export_state_dicts.ts OUT_DIR');
mkdirSync(out, { recursive: true });
manualSeed(123);
for (const c of cases) {
  const layer =
    c.mode === 'LSTM'
      ? new nn.LSTM(c.options)
      : c.mode === 'GRU'
        ? new nn.GRU(c.options)
        : new nn.RNN({ ...c.options, nonlinearity: c.mode === 'RNN_RELU' ? 'relu' : 'tanh' });
  const shape = c.options.batchFirst ? [2, 7, c.options.inputSize] : [7, 2, c.options.inputSize];
  const input = randn(shape);
  const tensors: Record<string, Tensor> = { input };
  if (layer instanceof nn.LSTM) {
    const [o, [h, cell]] = layer.forward(input);
    Object.assign(tensors, { output: o, h_n: h, c_n: cell });
  } else {
    const [o, h] = (layer as nn.RNN | nn.GRU).forward(input);
    Object.assign(tensors, { output: o, h_n: h });
  }
  for (const [k, v] of Object.entries(layer.stateDict())) tensors[`param.${k}`] = v;
  const config = JSON.stringify({ mode: c.mode, ...c.options });
  writeFileSync(join(out, `${c.name}.safetensors`), writeSafetensors(tensors, { config }));
}
console.log(`wrote ${cases.length} files to ${out}`);
