// nn.Encoder and nn.Bridge against the same computation in PyTorch 1.13 (test/fixtures/seq2seq):
// nn.Embedding → nn.LSTM / nn.GRU over pack_padded_sequence(enforce_sorted=False) → memory and
// final states, then the bridge; values and the gradient of every parameter, float64 and float32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nn, readSafetensorsFile, type Tensor } from '../../../src/index.js';
import { assertClose, TORCH_FLOAT32_TOLERANCE } from '../../helpers/close.js';

interface CaseConfig {
  cell: 'lstm' | 'gru';
  vocab: number;
  emb: number;
  hidden: number;
  layers: number;
  bidirectional: boolean;
  bridge: 'linear' | 'copy';
  decHidden: number;
  decLayers: number;
  decStates: 1 | 2;
  lengths: number[];
}

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'seq2seq');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

test('there are encoder and bridge fixtures', () => assert.ok(files.length >= 3, `found ${files.length}`));

for (const file of files)
  for (const dtype of ['float64', 'float32'] as const)
    test(`${file} ${dtype}: memory, states, bridged states and every parameter gradient match PyTorch`, () => {
      const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
      const c = JSON.parse(metadata.config!) as CaseConfig;
      const t = (name: string): Tensor => {
        const found = tensors[name];
        assert.ok(found, `${file}: missing tensor ${name}`);
        return found;
      };
      const encoder = new nn.Encoder({
        vocabSize: c.vocab,
        embeddingDim: c.emb,
        hiddenSize: c.hidden,
        numLayers: c.layers,
        cell: c.cell,
        bidirectional: c.bidirectional,
        dtype,
      });
      const bridge = new nn.Bridge({
        encoderHiddenSize: c.hidden,
        encoderDirections: c.bidirectional ? 2 : 1,
        encoderLayers: c.layers,
        decoderHiddenSize: c.decHidden,
        decoderLayers: c.decLayers,
        decoderStates: c.decStates,
        kind: c.bridge,
        dtype,
      });
      const params = (prefix: string): Record<string, Tensor> =>
        Object.fromEntries(
          Object.entries(tensors)
            .filter(([k]) => k.startsWith(`param.${prefix}.`))
            .map(([k, v]) => [k.slice(`param.${prefix}.`.length), v.to(dtype)]),
        );
      encoder.loadStateDict(params('encoder'));
      bridge.loadStateDict(params('bridge'));
      const tol = dtype === 'float64' ? 1e-10 : TORCH_FLOAT32_TOLERANCE;
      const { memory, states } = encoder.forward(t('source'), c.lengths);
      assertClose(memory, t('memory'), `${file} ${dtype}: memory`, tol, tol);
      // Past each length the memory is exactly zero, not merely close.
      const [N, S, W] = memory.shape as [number, number, number];
      for (let n = 0; n < N; n++)
        for (let s = c.lengths[n]!; s < S; s++)
          for (let w = 0; w < W; w++) assert.equal(memory.data[(n * S + s) * W + w], 0, `${file}: memory[${n}, ${s}, ${w}]`);
      states.forEach((s, i) => assertClose(s, t(`states.${i}`), `${file} ${dtype}: states[${i}]`, tol, tol));
      const bridged = bridge.forward(states);
      assert.equal(bridged.length, c.decStates);
      bridged.forEach((b, i) => assertClose(b, t(`bridge.${i}`), `${file} ${dtype}: bridge[${i}]`, tol, tol));
      let loss = memory.mul(t('grad_memory').to(dtype)).sum();
      bridged.forEach((b, i) => (loss = loss.add(b.mul(t(`grad_bridge.${i}`).to(dtype)).sum())));
      loss.backward();
      const named = [...encoder.namedParameters('encoder'), ...bridge.namedParameters('bridge')];
      assert.equal(named.length, Object.keys(tensors).filter((k) => k.startsWith('grad.param.')).length, `${file}: parameter count`);
      for (const [name, p] of named) {
        const expected = t(`grad.param.${name}`);
        assertClose(p.grad!, expected, `${file} ${dtype}: grad ${name}`, tol, tol);
      }
      // The recurrent layer's gradients are not all zero (the fixture really reaches them).
      const rnnGrad = t('grad.param.encoder.rnn.weight_hh_l0');
      assert.ok(
        rnnGrad.data.some((v) => Math.abs(v) > 1e-3),
        `${file}: PyTorch's weight_hh_l0 gradient is all but zero`,
      );
    });
