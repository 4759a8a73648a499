// nn.CRF against the same equations in PyTorch 1.13 (test/fixtures/crf; PyTorch has no CRF module,
// so tools/generate_fixtures.py writes the forward algorithm, the gold path score and Viterbi out in
// float64 and checks them against an enumeration of every tag sequence): the per-sequence negative
// log-likelihood, every reduction, the gradients of the mean loss with respect to the emissions and
// each parameter, and the Viterbi paths, with and without BIO constraints, in float64 and float32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nn, readSafetensorsFile, type Tensor } from '../../src/index.js';
import { assertClose, TORCH_FLOAT32_TOLERANCE } from '../helpers/close.js';

interface CaseConfig {
  tags: string[];
  lengths: number[];
  constraints: 'BIO' | null;
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'crf');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

function load(file: string, dtype: 'float32' | 'float64'): { crf: nn.CRF; t: (name: string) => Tensor; c: CaseConfig } {
  const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
  const c = JSON.parse(metadata.config!) as CaseConfig;
  const t = (name: string): Tensor => {
    const found = tensors[name];
    assert.ok(found, `${file}: missing tensor ${name}`);
    return found.dtype === 'int32' ? found : found.to(dtype);
  };
  const constraints = c.constraints === null ? undefined : nn.allowedTransitions(c.tags, c.constraints);
  const crf = new nn.CRF(c.tags.length, { dtype, ...(constraints === undefined ? {} : { constraints }) });
  crf.loadStateDict({
    start_transitions: t('param.start_transitions'),
    end_transitions: t('param.end_transitions'),
    transitions: t('param.transitions'),
  });
  return { crf, t, c };
}

/** The rows of an int32 (B, T) tensor, each cut at its length. */
function rows(x: Tensor, lengths: number[]): number[][] {
  const T = x.shape[1]!;
  return lengths.map((l, b) => Array.from(x.data.subarray(b * T, b * T + l)));
}

test('there are CRF fixtures with and without constraints, one step and unequal lengths', () => {
  assert.ok(files.length >= 7, `found ${files.length}`);
  const configs = files.map((f) => load(f, 'float64').c);
  assert.ok(configs.some((c) => c.constraints === 'BIO'));
  assert.ok(configs.some((c) => c.constraints === null));
  assert.ok(configs.some((c) => c.lengths.includes(1)));
  assert.ok(configs.some((c) => new Set(c.lengths).size > 1));
});

for (const file of files)
  for (const dtype of ['float64', 'float32'] as const) {
    const tol = dtype === 'float64' ? 1e-10 : TORCH_FLOAT32_TOLERANCE;

    test(`${file} ${dtype}: the constraints are the fixture's mask`, () => {
      const { crf, t, c } = load(file, dtype);
      const K = c.tags.length;
      const bits = (name: string): boolean[] => Array.from(t(name).data, (v) => v === 1);
      const mask = crf.constraints ?? {
        start: Array<boolean>(K).fill(true),
        end: Array<boolean>(K).fill(true),
        transitions: Array.from({ length: K }, () => Array<boolean>(K).fill(true)),
      };
      assert.deepEqual(mask.start, bits('allowed.start'));
      assert.deepEqual(mask.end, bits('allowed.end'));
      assert.deepEqual(mask.transitions.flat(), bits('allowed.transitions'));
    });

    test(`${file} ${dtype}: negative log-likelihood, every reduction and the gradients of the mean match PyTorch`, () => {
      const { crf, t, c } = load(file, dtype);
      const emissions = t('emissions');
      emissions.requiresGrad = true;
      const tags = t('tags');
      const lengths = c.lengths;
      assertClose(crf.forward(emissions, tags, { lengths, reduction: 'none' }), t('nll'), `${file} ${dtype}: nll`, tol, tol);
      for (const reduction of ['sum', 'tokenMean'] as const)
        assertClose(crf.forward(emissions, tags, { lengths, reduction }).reshape([1]), t(`loss.${reduction}`), `${file} ${dtype}: ${reduction}`, tol, tol);
      const loss = crf.forward(emissions, tags, { lengths });
      assertClose(loss.reshape([1]), t('loss.mean'), `${file} ${dtype}: mean`, tol, tol);
      loss.backward();
      assertClose(emissions.grad!, t('grad.emissions'), `${file} ${dtype}: grad emissions`, tol, tol);
      for (const [name, p] of crf.namedParameters()) {
        const want = t(`grad.param.${name}`);
        // One step never reaches the transitions: no gradient here, None (written as zeros) in PyTorch.
        if (p.grad === null) assert.ok(name === 'transitions' && want.data.every((v) => v === 0), `${file} ${dtype}: no grad for ${name}`);
        else assertClose(p.grad, want, `${file} ${dtype}: grad ${name}`, tol, tol);
      }
    });

    test(`${file} ${dtype}: Viterbi paths and scores match PyTorch`, () => {
      const { crf, t, c } = load(file, dtype);
      const paths = crf.decode(t('emissions'), c.lengths);
      assert.deepEqual(
        paths.map((p) => p.tags),
        rows(t('viterbi.tags'), c.lengths),
      );
      const want = t('viterbi.score');
      paths.forEach((p, b) => {
        const e = want.data[b]!;
        assert.ok(Math.abs(p.score - e) <= tol * (1 + Math.abs(e)), `${file} ${dtype}: Viterbi score ${b} is ${p.score}, expected ${e}`);
      });
    });
  }
