// nn.Seq2Seq end to end against the same equations in PyTorch 1.13 (test/fixtures/seq2seq_model):
// encoder, bridge, and every decoder form (Luong with and without input feeding — the fused path —
// Bahdanau, no attention) under teacher forcing; logits, attention weights, the label-smoothed
// padding-aware loss and the gradient of every parameter, in float64 and float32. Then stepping
// the decoder one token at a time reproduces the teacher-forced logits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nn, noGrad, readSafetensorsFile, stack, type Tensor } from '../../../src/index.js';
import { assertClose, TORCH_FLOAT32_TOLERANCE } from '../../helpers/close.js';

interface CaseConfig {
  cell: 'lstm' | 'gru' | 'rnn';
  layers: number;
  decLayers: number;
  bidirectional: boolean;
  bridge: 'linear' | 'copy';
  style: 'luong' | 'bahdanau';
  attention: nn.DecoderAttention;
  feed: boolean;
  lengths: number[];
  srcVocab: number;
  tgtVocab: number;
  emb: number;
  hidden: number;
  attentionDim: number;
}

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'seq2seq_model');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

function load(file: string, dtype: 'float32' | 'float64'): { model: nn.Seq2Seq; t: (name: string) => Tensor; c: CaseConfig; count: number } {
  const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
  const c = JSON.parse(metadata.config!) as CaseConfig;
  const t = (name: string): Tensor => {
    const found = tensors[name];
    assert.ok(found, `${file}: missing tensor ${name}`);
    return found.dtype === 'int32' ? found : found.to(dtype);
  };
  const model = new nn.Seq2Seq({
    sourceVocabSize: c.srcVocab,
    targetVocabSize: c.tgtVocab,
    hiddenSize: c.hidden,
    embeddingDim: c.emb,
    encoderLayers: c.layers,
    decoderLayers: c.decLayers,
    cell: c.cell,
    bidirectional: c.bidirectional,
    attention: c.attention,
    attentionDim: c.attentionDim,
    style: c.style,
    inputFeeding: c.feed,
    bridge: c.bridge,
    dtype,
  });
  const params = Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith('param.'))
      .map(([k, v]) => [k.slice('param.'.length), v.to(dtype)]),
  );
  model.loadStateDict(params);
  return { model, t, c, count: Object.keys(params).length };
}

test('there are seq2seq model fixtures of every decoder form', () => {
  assert.ok(files.length >= 7, `found ${files.length}`);
});

for (const file of files)
  for (const dtype of ['float64', 'float32'] as const) {
    test(`${file} ${dtype}: logits, attention, loss and every parameter gradient match PyTorch`, () => {
      const { model, t, c, count } = load(file, dtype);
      assert.equal(model.namedParameters().length, count, `${file}: the fixture holds every parameter`);
      const tol = dtype === 'float64' ? 1e-10 : TORCH_FLOAT32_TOLERANCE;
      const { logits, attention } = model.forward(t('source'), c.lengths, t('target_in'));
      assertClose(logits, t('logits'), `${file} ${dtype}: logits`, tol, tol);
      if (c.attention === 'none') assert.equal(attention, null);
      else assertClose(attention!, t('attention'), `${file} ${dtype}: attention`, tol, tol);
      const { loss, count: tokens } = model.loss(logits, t('target_out'), { labelSmoothing: 0.1 });
      assertClose(loss.reshape([1]), t('loss'), `${file} ${dtype}: loss`, tol, tol);
      assert.equal(tokens, Array.from(t('target_out').data).filter((y) => y !== 0).length);
      loss.add(logits.mul(t('grad_logits')).sum()).backward();
      for (const [name, p] of model.namedParameters()) assertClose(p.grad!, t(`grad.param.${name}`), `${file} ${dtype}: grad ${name}`, tol, tol);
    });

    test(`${file} ${dtype}: stepping the decoder token by token reproduces the teacher-forced logits`, () => {
      const { model, t, c } = load(file, dtype);
      const tol = dtype === 'float64' ? 1e-10 : TORCH_FLOAT32_TOLERANCE;
      noGrad(() => {
        const targetIn = t('target_in');
        const [N, T] = targetIn.shape as [number, number];
        const stepper = model.stepper(t('source'), c.lengths);
        let state = stepper.initial;
        const logits: Tensor[] = [];
        for (let s = 0; s < T; s++) {
          const tokens = Int32Array.from({ length: N }, (_, n) => targetIn.data[n * T + s]!);
          const out = model.decoder.step(tokens, state.decoder, state.memory);
          logits.push(out.logits);
          state = { ...state, decoder: out.state };
        }
        assertClose(stack(logits, 1), t('logits'), `${file} ${dtype}: stepped logits`, tol, tol);
      });
    });
  }
