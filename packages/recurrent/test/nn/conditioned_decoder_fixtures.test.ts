// nn.ConditionedDecoder against the same model built from torch's own modules (Embedding,
// LSTM/GRU/RNN, Linear) in PyTorch 1.13 (test/fixtures/conditioned_decoder, written by
// tools/generate_conditioned_fixtures.py): both couplings and both LSTM initialisations; logits,
// the cross-entropy loss, and the gradients of every parameter and of the context, in float64 and
// float32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crossEntropy, nn, readSafetensorsFile, type Tensor } from '../../src/index.js';
import { assertClose, TORCH_FLOAT32_TOLERANCE } from '../helpers/close.js';

interface CaseConfig {
  cell: nn.CellKind;
  coupling: nn.ContextCoupling;
  lstmInit: 'hc' | 'h';
  layers: number;
  vocab: number;
  contextSize: number;
  emb: number;
  hidden: number;
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'conditioned_decoder');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

test('there are conditioned decoder fixtures of both couplings and every cell', () => {
  assert.ok(files.length >= 5, `found ${files.length}`);
});

for (const file of files)
  for (const dtype of ['float64', 'float32'] as const)
    test(`${file} ${dtype}: logits, loss and the gradients of every parameter and of the context match PyTorch`, () => {
      const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
      const c = JSON.parse(metadata.config!) as CaseConfig;
      const t = (name: string): Tensor => {
        const found = tensors[name];
        assert.ok(found, `${file}: missing tensor ${name}`);
        return found.dtype === 'int32' ? found : found.to(dtype);
      };
      const model = new nn.ConditionedDecoder({
        vocabSize: c.vocab,
        contextSize: c.contextSize,
        coupling: c.coupling,
        cell: c.cell,
        lstmInit: c.lstmInit,
        numLayers: c.layers,
        embeddingDim: c.emb,
        hiddenSize: c.hidden,
        dtype,
      });
      const params = Object.fromEntries(
        Object.keys(tensors)
          .filter((k) => k.startsWith('param.'))
          .map((k) => [k.slice('param.'.length), t(k)]),
      );
      assert.deepEqual(
        model.namedParameters().map(([n]) => n),
        Object.keys(params),
        `${file}: the same parameters, in the same order`,
      );
      model.loadStateDict(params);
      const tol = dtype === 'float64' ? 1e-10 : TORCH_FLOAT32_TOLERANCE;
      const context = t('context').detach();
      context.requiresGrad = true;
      const [logits] = model.forward(t('ids_in'), context);
      assertClose(logits, t('logits'), `${file} ${dtype}: logits`, tol, tol);
      const loss = crossEntropy(logits.reshape([-1, c.vocab]), t('ids_out').reshape([-1]));
      assertClose(loss.reshape([1]), t('loss'), `${file} ${dtype}: loss`, tol, tol);
      loss.add(logits.mul(t('grad_logits')).sum()).backward();
      for (const [name, p] of model.namedParameters()) assertClose(p.grad!, t(`grad.param.${name}`), `${file} ${dtype}: grad ${name}`, tol, tol);
      assertClose(context.grad!, t('grad.context'), `${file} ${dtype}: grad context`, tol, tol);
    });
