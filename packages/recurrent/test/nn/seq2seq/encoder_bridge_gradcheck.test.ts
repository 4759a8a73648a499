// float64 finite-difference checks of nn.Encoder followed by nn.Bridge over unsorted, padded
// sources: the gradient of every parameter, through packing, both directions and each bridge rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, gradcheck, manualSeed, nn, tensor, type Tensor } from '../../../src/index.js';

const SOURCE = tensor(
  [
    [3, 1, 4, 0],
    [1, 5, 2, 6],
    [2, 0, 0, 0],
  ],
  { dtype: 'int32' },
);
const LENGTHS = [3, 4, 1];

for (const [cell, kind, directions] of [
  ['lstm', 'linear', 2],
  ['gru', 'linear', 2],
  ['rnn', 'copy', 1],
] as const) {
  test(`${cell} encoder (${directions} direction(s), 2 layers) with a '${kind}' bridge`, () => {
    manualSeed(7);
    const hidden = 3;
    const encoder = new nn.Encoder({
      vocabSize: 7,
      embeddingDim: 2,
      hiddenSize: hidden,
      numLayers: 2,
      cell,
      bidirectional: directions === 2,
      dtype: 'float64',
    });
    const bridge = new nn.Bridge({
      encoderHiddenSize: hidden,
      encoderDirections: directions,
      encoderLayers: 2,
      decoderHiddenSize: kind === 'copy' ? hidden : 4,
      decoderLayers: 1,
      decoderStates: 2,
      kind,
      dtype: 'float64',
    });
    const params = [...encoder.parameters(), ...bridge.parameters()];
    const run = (): Tensor => {
      const { memory, states } = encoder.forward(SOURCE, LENGTHS);
      return concat([memory.reshape(-1), ...bridge.forward(states).map((s) => s.reshape(-1))]);
    };
    assert.ok(gradcheck(run, params, { atol: 1e-7, rtol: 1e-6 }));
  });
}

test('bad arguments name the argument, the expected and the actual value', () => {
  const encoder = new nn.Encoder({ vocabSize: 7, hiddenSize: 3 });
  assert.throws(() => encoder.forward(SOURCE, [3, 4]), /Encoder: lengths must have one entry per source \(N = 3\); got 2/);
  assert.throws(() => encoder.forward(SOURCE, [3, 5, 1]), /Encoder: lengths\[1\] must be an integer in \[1, 4\]; got 5/);
  assert.throws(() => encoder.forward(tensor([[1, 2]]), [2]), /Encoder: source must be int32; got float32/);
  assert.throws(
    () => new nn.Bridge({ encoderHiddenSize: 3, encoderDirections: 2, decoderHiddenSize: 4, kind: 'copy' }),
    /'copy' needs .*\(6\) = decoderHiddenSize \(4\)/,
  );
  assert.throws(() => new nn.Bridge({ encoderHiddenSize: 3, decoderHiddenSize: 4, decoderLayers: 2 }), /decoderLayers \(2\) must be ≤ encoderLayers \(1\)/);
  const bridge = new nn.Bridge({ encoderHiddenSize: 3, encoderDirections: 2, decoderHiddenSize: 4 });
  assert.throws(() => bridge.forward([tensor([[[1, 2, 3]]])]), /states\[0\] must be \(D·L_enc, N, H_enc\) = \(2, N, 3\); got \[1, 1, 3\]/);
});

test("a 'zero' bridge starts the decoder from zeros, and the encoder's output does not depend on the padding ids", () => {
  manualSeed(3);
  const encoder = new nn.Encoder({ vocabSize: 7, hiddenSize: 3, dtype: 'float64' });
  const bridge = new nn.Bridge({ encoderHiddenSize: 3, encoderDirections: 2, decoderHiddenSize: 5, decoderStates: 1, kind: 'zero' });
  const [h0] = bridge.forward(encoder.forward(SOURCE, LENGTHS).states);
  assert.deepEqual(h0!.shape, [1, 3, 5]);
  assert.ok(h0!.data.every((v) => v === 0));
  const other = tensor(
    [
      [3, 1, 4, 6],
      [1, 5, 2, 6],
      [2, 3, 3, 3],
    ],
    { dtype: 'int32' },
  );
  const a = encoder.forward(SOURCE, LENGTHS);
  const b = encoder.forward(other, LENGTHS);
  assert.deepEqual(Array.from(a.memory.data), Array.from(b.memory.data));
  a.states.forEach((s, i) => assert.deepEqual(Array.from(s.data), Array.from(b.states[i]!.data)));
});
