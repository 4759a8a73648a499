// The attention modules against the equations written out in PyTorch 1.13 (test/fixtures/attention):
// context, weights and the gradients of query, keys, values and every parameter, in float64 and
// float32, with no mask, source lengths (one of them 0) and a mask with holes and an all-padding row.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsFile, type Tensor, type nn } from '../../../src/index.js';
import { assertClose } from '../../helpers/close.js';
import { buildAttention, type AttentionConfig } from './attention_variants.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'attention');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

// float32 against float64 PyTorch: the worst error measured over every fixture and output is
// 3.9e-7·(1 + |expected|) on both backends (6.9e-7 absolute); 1e-5 leaves room for other summation orders.
const TOLERANCE = { float64: 1e-10, float32: 1e-5 } as const;

function run(file: string, dtype: 'float32' | 'float64'): void {
  const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
  const config = JSON.parse(metadata.config!) as AttentionConfig;
  const t = (name: string): Tensor => {
    const found = tensors[name];
    assert.ok(found, `${file}: missing tensor ${name}`);
    return found;
  };
  const attention = buildAttention(config, dtype);
  const params = Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith('param.'))
      .map(([k, v]) => [k.slice('param.'.length), v]),
  );
  attention.loadStateDict(params);
  const input = (name: string): Tensor => {
    const x = t(name).to(dtype).detach();
    x.requiresGrad = true;
    return x;
  };
  const [query, keys, values] = [input('query'), input('keys'), input('values')];
  const options: nn.AttentionForwardOptions = config.mask === 'lengths' ? { lengths: config.lengths! } : config.mask === 'mask' ? { mask: t('mask') } : {};
  const { context, weights } = attention.forward(query, keys, values, options);
  assert.equal(context.dtype, dtype);
  const tol = TOLERANCE[dtype];
  assertClose(context, t('context'), `${file} ${dtype}: context`, tol, tol);
  assertClose(weights, t('weights'), `${file} ${dtype}: weights`, tol, tol);
  const expected = t('weights');
  for (let i = 0; i < expected.size; i++) if (expected.data[i] === 0) assert.equal(weights.data[i], 0, `${file} ${dtype}: weights[${i}] must be exactly 0`);
  context
    .mul(t('grad_context').to(dtype))
    .sum()
    .add(weights.mul(t('grad_weights').to(dtype)).sum())
    .backward();
  for (const [name, x] of [
    ['query', query],
    ['keys', keys],
    ['values', values],
  ] as const) {
    assertClose(x.grad!, t(`grad.${name}`), `${file} ${dtype}: grad.${name}`, tol, tol);
  }
  const named = attention.namedParameters();
  assert.deepEqual(named.map(([k]) => k).sort(), Object.keys(params).sort(), `${file}: parameter names`);
  for (const [name, p] of named) assertClose(p.grad!, t(`grad.param.${name}`), `${file} ${dtype}: grad.param.${name}`, tol, tol);
}

describe('attention modules against the PyTorch equations', () => {
  test('there are fixtures of every module, query rank and mask', () => {
    assert.ok(files.length >= 30);
    for (const part of ['bahdanau_', 'luong_dot_', 'luong_general_', 'luong_concat_', 'scaled_dot_', '_2d_', '_3d_', '_none', '_lengths', '_mask']) {
      assert.ok(
        files.some((f) => f.includes(part)),
        `no fixture with ${part}`,
      );
    }
  });
  for (const file of files) {
    test(`${file} float64`, () => run(file, 'float64'));
    test(`${file} float32`, () => run(file, 'float32'));
  }
});
