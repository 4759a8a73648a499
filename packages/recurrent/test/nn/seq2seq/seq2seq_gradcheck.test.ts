// float64 finite-difference checks of nn.Seq2Seq under teacher forcing, for every decoder form
// (Luong with input feeding, the fused Luong form, Bahdanau, no attention) and for a decoder built
// on a user's own RecurrentCell: the gradient of every parameter through the label-smoothed loss
// and the logits. The decoder's inputs hold no padding id: its embedding row gets no gradient by
// design (as PyTorch's padding_idx), which finite differences would see; the targets past EOS are
// padding, which the loss ignores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, gradcheck, linear, manualSeed, nn, sigmoid, tanh, tensor, zeros, add, mul, sub, type DType, type Tensor } from '../../../src/index.js';

const SOURCE = tensor(
  [
    [3, 1, 4, 0],
    [1, 5, 2, 6],
    [2, 0, 0, 0],
  ],
  { dtype: 'int32' },
);
const LENGTHS = [3, 4, 1];
const TARGET_IN = tensor(
  [
    [1, 4, 3],
    [1, 5, 2],
    [1, 3, 6],
  ],
  { dtype: 'int32' },
);
const TARGET_OUT = tensor(
  [
    [4, 3, 2],
    [5, 2, 0],
    [3, 6, 2],
  ],
  { dtype: 'int32' },
);

/** A minimal gated cell of a user's own: h' = z ⊙ h + (1 − z) ⊙ tanh(W x + U h), z = σ(W_z x + U_z h). */
class MinimalGatedCell extends nn.Module implements nn.RecurrentCell {
  w = nn.parameter(zeros([3, 5], { dtype: 'float64' }).add(0.3));
  u = nn.parameter(zeros([3, 3], { dtype: 'float64' }).add(-0.2));
  wz = nn.parameter(zeros([3, 5], { dtype: 'float64' }).add(0.1));
  uz = nn.parameter(zeros([3, 3], { dtype: 'float64' }).add(0.25));
  readonly inputSize = 5;
  readonly stateSize = [3];
  readonly outputSize = 3;
  constructor() {
    super();
    for (const p of this.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = Math.sin(7 * i + p.size) * 0.5;
  }
  call(x: Tensor, [h]: readonly Tensor[]): [Tensor, Tensor[]] {
    const z = sigmoid(add(linear(x, this.wz), linear(h!, this.uz)));
    const next = add(mul(z, h!), mul(sub(1, z) as Tensor, tanh(add(linear(x, this.w), linear(h!, this.u)))));
    return [next, [next]];
  }
  zeroState(batch: number, dtype: DType = 'float64'): Tensor[] {
    return [zeros([batch, 3], { dtype })];
  }
}

const FORMS: [string, Partial<nn.Seq2SeqOptions>][] = [
  ['Luong, general score, input feeding, 2-layer LSTMs', { style: 'luong', attention: 'general', encoderLayers: 2, decoderLayers: 2 }],
  ['Luong, concat score, fused (no input feeding), GRU', { style: 'luong', attention: 'concat', inputFeeding: false, cell: 'gru' }],
  ['Bahdanau, additive score, LSTM', { style: 'bahdanau', attention: 'bahdanau' }],
  ['Bahdanau, dot score, RNN, copy bridge', { style: 'bahdanau', attention: 'dot', cell: 'rnn', bidirectional: false, bridge: 'copy' }],
  ['no attention, GRU', { attention: 'none', cell: 'gru' }],
  ["a user's cell, Luong without input feeding", { decoderCell: new MinimalGatedCell(), inputFeeding: false, embeddingDim: 5, hiddenSize: 3 }],
];

for (const [name, options] of FORMS) {
  test(`${name}: every parameter's gradient matches finite differences`, () => {
    manualSeed(11);
    const model = new nn.Seq2Seq({ sourceVocabSize: 7, targetVocabSize: 7, hiddenSize: 3, embeddingDim: 2, attentionDim: 2, dtype: 'float64', ...options });
    const run = (): Tensor => {
      const { logits } = model.forward(SOURCE, LENGTHS, TARGET_IN);
      return concat([logits.reshape([-1]), model.loss(logits, TARGET_OUT, { labelSmoothing: 0.1 }).loss.reshape([1])]);
    };
    assert.ok(gradcheck(run, model.parameters(), { atol: 1e-7, rtol: 1e-6 }));
  });
}
