// nn.LayerNorm and nn.layerNorm: against torch.nn.LayerNorm 1.13 (test/fixtures/layer_norm: the
// output and the gradients of input, weight and bias), float64 gradchecks, parameters, errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DTypeError, ShapeError, ValueError, gradcheck, layerNorm, manualSeed, nn, randn, readSafetensorsFile, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

interface LayerNormConfig {
  normalizedShape: number[];
  eps: number;
  elementwiseAffine: boolean;
  dtype: 'float32' | 'float64';
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'layer_norm');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

describe('nn.LayerNorm against PyTorch 1.13', () => {
  test('there are fixtures', () => assert.ok(files.length >= 4));
  for (const file of files) {
    test(file, () => {
      const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
      const config = JSON.parse(metadata.config!) as LayerNormConfig;
      const t = (name: string): Tensor => {
        const found = tensors[name];
        assert.ok(found, `${file}: missing tensor ${name}`);
        return found;
      };
      const norm = new nn.LayerNorm(config);
      const params = Object.fromEntries(
        Object.entries(tensors)
          .filter(([k]) => k.startsWith('param.'))
          .map(([k, v]) => [k.slice(6), v]),
      );
      assert.deepEqual(Object.keys(params).sort(), config.elementwiseAffine ? ['bias', 'weight'] : []);
      norm.loadStateDict(params);
      const x = t('input').detach().clone();
      x.requiresGrad = true;
      const [atol, rtol] = config.dtype === 'float64' ? [1e-10, 1e-10] : [1e-5, 1e-5];
      const out = norm.forward(x);
      assert.equal(out.dtype, config.dtype);
      assertClose(out, t('out'), `${file}: out`, atol, rtol);
      out.mul(t('grad_out')).sum().backward();
      assertClose(x.grad!, t('grad.input'), `${file}: grad.input`, atol, rtol);
      for (const [name, p] of norm.namedParameters()) assertClose(p.grad!, t(`grad.param.${name}`), `${file}: grad.${name}`, atol, rtol);
    });
  }
});

describe('nn.layerNorm', () => {
  const g = { dtype: 'float64' as const, requiresGrad: true };
  test('normalises each row to mean 0 and variance 1 without affine parameters', () => {
    manualSeed(1);
    const y = layerNorm(randn([3, 8], { dtype: 'float64' }).mul(3).add(2), 8, null, null, 0);
    for (let r = 0; r < 3; r++) {
      const row = Array.from(y.data.slice(r * 8, r * 8 + 8));
      const m = row.reduce((a, b) => a + b, 0) / 8;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 8;
      assert.ok(Math.abs(m) < 1e-12 && Math.abs(v - 1) < 1e-12, `row ${r}: mean ${m}, variance ${v}`);
    }
  });
  test('gradcheck over one axis with weight and bias', () => {
    manualSeed(2);
    gradcheck((x, w, b) => layerNorm(x!, [4], w, b), [randn([2, 3, 4], g), randn([4], g), randn([4], g)], { atol: 1e-7, rtol: 1e-6 });
  });
  test('gradcheck over two axes, no affine, eps 0.1', () => {
    manualSeed(3);
    gradcheck((x) => layerNorm(x!, [2, 3], null, null, 0.1), [randn([3, 2, 3], g)], { atol: 1e-7, rtol: 1e-6 });
  });
  test('errors: shape, parameter shape and dtype, eps', () => {
    const x = randn([2, 4]);
    assert.throws(() => layerNorm(x, [3]), ShapeError);
    assert.throws(() => layerNorm(x, [2, 2]), ShapeError);
    assert.throws(() => layerNorm(x, 4, randn([3])), ShapeError);
    assert.throws(() => layerNorm(x, 4, randn([4], { dtype: 'float64' })), DTypeError);
    assert.throws(() => layerNorm(x, 4, null, null, -1), ValueError);
    assert.throws(() => layerNorm(x, []), ValueError);
  });
});

describe('nn.LayerNorm module', () => {
  test('parameters: weight ones and bias zeros of the normalized shape; none without affine', () => {
    const norm = new nn.LayerNorm({ normalizedShape: [2, 3] });
    assert.deepEqual(
      norm.namedParameters().map(([k, p]) => [k, [...p.shape]]),
      [
        ['weight', [2, 3]],
        ['bias', [2, 3]],
      ],
    );
    assert.deepEqual(Array.from(norm.weight!.data), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(norm.bias!.data), [0, 0, 0, 0, 0, 0]);
    assert.equal(new nn.LayerNorm({ normalizedShape: 4, elementwiseAffine: false }).parameters().length, 0);
  });
  test('bad options are ValueErrors', () => {
    assert.throws(() => new nn.LayerNorm({ normalizedShape: 0 }), ValueError);
    assert.throws(() => new nn.LayerNorm({ normalizedShape: 3, eps: -1 }), ValueError);
  });
});
