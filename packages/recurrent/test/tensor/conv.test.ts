// conv1d / conv2d: against PyTorch 1.13 (test/fixtures/conv, values and the gradients of input,
// weight and bias), against a plain-loop definition, float64 gradchecks over every option, and
// argument errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DTypeError,
  ShapeError,
  Tensor,
  ValueError,
  conv1d,
  conv2d,
  gradcheck,
  manualSeed,
  randn,
  readSafetensorsFile,
  type Conv2dOptions,
} from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'conv');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

function leaf(t: Tensor): Tensor {
  const copy = t.detach().clone();
  copy.requiresGrad = true;
  return copy;
}

/** Either convolution, through one signature (1-D options are the 2-D ones' single numbers). */
function runConv(op: string, x: Tensor, w: Tensor, b: Tensor | null, options: Conv2dOptions): Tensor {
  if (op === 'conv1d') {
    const { stride, padding, dilation } = options;
    assert.ok(!Array.isArray(stride) && !Array.isArray(padding) && !Array.isArray(dilation), 'conv1d options are numbers');
    return conv1d(x, w, b, {
      stride: stride as number | undefined,
      padding: padding as number | 'same' | 'valid' | undefined,
      dilation: dilation as number | undefined,
    });
  }
  return conv2d(x, w, b, options);
}

describe('conv fixtures (PyTorch 1.13)', () => {
  test('there are fixtures for both ops', () => {
    assert.ok(files.some((f) => f.startsWith('conv1d_')) && files.some((f) => f.startsWith('conv2d_')));
  });
  for (const file of files) {
    test(file, () => {
      const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
      const t = (name: string): Tensor => {
        const found = tensors[name];
        assert.ok(found, `${file}: missing tensor ${name}`);
        return found;
      };
      const options = JSON.parse(metadata.options!) as Conv2dOptions;
      const hasBias = JSON.parse(metadata.bias!) as boolean;
      const x = leaf(t('input'));
      const w = leaf(t('weight'));
      const b = hasBias ? leaf(t('bias')) : null;
      const out = runConv(metadata.op!, x, w, b, options);
      const tol = (actual: Tensor, expected: Tensor, label: string): void => assertClose(actual, expected, `${file}: ${label}`, 1e-5, 1e-5);
      tol(out, t('out'), 'out');
      out.mul(t('grad_out')).sum().backward();
      tol(x.grad!, t('grad.input'), 'grad.input');
      tol(w.grad!, t('grad.weight'), 'grad.weight');
      if (b) tol(b.grad!, t('grad.bias'), 'grad.bias');
    });
  }
});

/** The definition, by loops over float64 arrays: 2-D cross-correlation with zero padding. */
function naiveConv2d(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  stride: [number, number],
  padBefore: [number, number],
  padAfter: [number, number],
  dilation: [number, number],
): { data: number[]; shape: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [K, , R, S] = w.shape as [number, number, number, number];
  const P = Math.floor((H + padBefore[0] + padAfter[0] - dilation[0] * (R - 1) - 1) / stride[0]) + 1;
  const Q = Math.floor((W + padBefore[1] + padAfter[1] - dilation[1] * (S - 1) - 1) / stride[1]) + 1;
  const data: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      for (let p = 0; p < P; p++) {
        for (let q = 0; q < Q; q++) {
          let s = b ? b.data[k]! : 0;
          for (let c = 0; c < C; c++) {
            for (let r = 0; r < R; r++) {
              for (let t = 0; t < S; t++) {
                const ih = p * stride[0] - padBefore[0] + r * dilation[0];
                const iw = q * stride[1] - padBefore[1] + t * dilation[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += x.data[((n * C + c) * H + ih) * W + iw]! * w.data[((k * C + c) * R + r) * S + t]!;
              }
            }
          }
          data.push(s);
        }
      }
    }
  }
  return { data, shape: [N, K, P, Q] };
}

function assertMatches(actual: Tensor, expected: { data: number[]; shape: number[] }, label: string): void {
  assert.deepEqual([...actual.shape], expected.shape, `${label}: shape`);
  expected.data.forEach((e, i) =>
    assert.ok(Math.abs(actual.data[i]! - e) <= 1e-12 * Math.max(1, Math.abs(e)), `${label}: element ${i}: ${actual.data[i]} vs ${e}`),
  );
}

describe('conv against the plain-loop definition (float64)', () => {
  const f64 = { dtype: 'float64' as const };
  test('conv2d: stride, explicit padding and dilation per axis', () => {
    manualSeed(1);
    const x = randn([2, 3, 7, 6], f64);
    const w = randn([4, 3, 3, 2], f64);
    const b = randn([4], f64);
    const y = conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2] });
    assertMatches(y, naiveConv2d(x, w, b, [2, 1], [1, 2], [1, 2], [1, 2]), 'conv2d');
  });
  test("conv2d 'same' with an even kernel pads one more zero after than before", () => {
    manualSeed(2);
    const x = randn([1, 2, 5, 6], f64);
    const w = randn([3, 2, 4, 2], f64);
    const y = conv2d(x, w, null, { padding: 'same' });
    assert.deepEqual([...y.shape], [1, 3, 5, 6]);
    assertMatches(y, naiveConv2d(x, w, null, [1, 1], [1, 0], [2, 1], [1, 1]), "conv2d 'same'");
  });
  test("conv1d equals conv2d of height 1; 'same' with dilation 3 and kernel 2", () => {
    manualSeed(3);
    const x = randn([2, 3, 9], f64);
    const w = randn([2, 3, 2], f64);
    const b = randn([2], f64);
    const y = conv1d(x, w, b, { padding: 'same', dilation: 3 });
    assert.deepEqual([...y.shape], [2, 2, 9]);
    const ref = naiveConv2d(x.reshape(2, 3, 1, 9), w.reshape(2, 3, 1, 2), b, [1, 1], [0, 1], [0, 2], [1, 3]);
    assertMatches(y, { data: ref.data, shape: [2, 2, 9] }, "conv1d 'same'");
  });
  test('unbatched input gives the batched result without the batch axis', () => {
    manualSeed(4);
    const x = randn([2, 4, 5], f64);
    const w = randn([3, 2, 3, 3], f64);
    const y = conv2d(x, w, null, { padding: 1, stride: 2 });
    assertMatches(y, { ...naiveConv2d(x.reshape(1, 2, 4, 5), w, null, [2, 2], [1, 1], [1, 1], [1, 1]), shape: [3, 2, 3] }, 'unbatched');
  });
  test('float32 works and keeps its dtype', () => {
    manualSeed(5);
    const y = conv1d(randn([1, 2, 5]), randn([3, 2, 2]), randn([3]), { stride: 2 });
    assert.equal(y.dtype, 'float32');
    assert.deepEqual([...y.shape], [1, 3, 2]);
  });
});

describe('conv gradchecks (float64)', () => {
  const g = { dtype: 'float64' as const, requiresGrad: true };
  const cases1d: [string, number[], number[], boolean, Parameters<typeof conv1d>[3]][] = [
    ['default', [2, 2, 6], [3, 2, 3], true, {}],
    ['stride 2', [1, 2, 7], [2, 2, 3], true, { stride: 2 }],
    ['padding 2, no bias', [2, 1, 4], [2, 1, 3], false, { padding: 2 }],
    ["'same', odd kernel", [1, 2, 5], [2, 2, 3], true, { padding: 'same' }],
    ["'same', even kernel", [2, 2, 5], [2, 2, 4], false, { padding: 'same' }],
    ["'same', dilation 2", [1, 2, 6], [2, 2, 3], true, { padding: 'same', dilation: 2 }],
    ['stride 2, padding 1, dilation 2', [2, 2, 8], [3, 2, 2], true, { stride: 2, padding: 1, dilation: 2 }],
    ['unbatched', [2, 5], [3, 2, 2], true, { padding: 1 }],
  ];
  for (const [name, xs, ws, bias, options] of cases1d) {
    test(`conv1d: ${name}`, () => {
      manualSeed(11);
      const inputs = [randn(xs, g), randn(ws, g), ...(bias ? [randn([ws[0]!], g)] : [])];
      gradcheck((x, w, b) => conv1d(x!, w!, b ?? null, options), inputs, { atol: 1e-7, rtol: 1e-6 });
    });
  }
  const cases2d: [string, number[], number[], boolean, Conv2dOptions][] = [
    ['default', [2, 2, 4, 3], [3, 2, 2, 2], true, {}],
    ['stride [2, 1], no bias', [1, 2, 5, 4], [2, 2, 3, 2], false, { stride: [2, 1] }],
    ['padding [1, 0]', [1, 1, 3, 4], [2, 1, 3, 3], true, { padding: [1, 0] }],
    ["'same', odd kernel", [1, 2, 4, 4], [2, 2, 3, 3], true, { padding: 'same' }],
    ["'same', even kernel", [2, 1, 4, 3], [2, 1, 2, 4], true, { padding: 'same' }],
    ["'same', dilation [1, 2]", [1, 2, 4, 5], [2, 2, 3, 2], false, { padding: 'same', dilation: [1, 2] }],
    ['stride 2, padding 1, dilation 2', [1, 2, 6, 5], [2, 2, 2, 3], true, { stride: 2, padding: 1, dilation: 2 }],
    ['unbatched', [2, 3, 3], [2, 2, 2, 2], true, { padding: 1 }],
  ];
  for (const [name, xs, ws, bias, options] of cases2d) {
    test(`conv2d: ${name}`, () => {
      manualSeed(12);
      const inputs = [randn(xs, g), randn(ws, g), ...(bias ? [randn([ws[0]!], g)] : [])];
      gradcheck((x, w, b) => conv2d(x!, w!, b ?? null, options), inputs, { atol: 1e-7, rtol: 1e-6 });
    });
  }
  test('only the inputs that require grad get one', () => {
    manualSeed(13);
    const x = randn([1, 2, 4, 4], { dtype: 'float64' });
    const w = randn([2, 2, 3, 3], g);
    conv2d(x, w, null, { padding: 'same' }).sum().backward();
    assert.equal(x.grad, null);
    assert.deepEqual([...w.grad!.shape], [2, 2, 3, 3]);
  });
});

describe('conv argument errors', () => {
  const x = randn([1, 2, 5, 5]);
  const w = randn([3, 2, 3, 3]);
  test('channel mismatch names both shapes', () => {
    assert.throws(
      () => conv2d(randn([1, 3, 5, 5]), w),
      (e: unknown) => e instanceof ShapeError && /3 input channels/.test(e.message),
    );
  });
  test("'same' with a stride is refused, as PyTorch does", () => {
    assert.throws(() => conv2d(x, w, null, { padding: 'same', stride: 2 }), ValueError);
  });
  test('unknown padding, negative padding, zero stride or dilation', () => {
    assert.throws(() => conv2d(x, w, null, { padding: 'full' as 'same' }), ValueError);
    assert.throws(() => conv2d(x, w, null, { padding: -1 }), ValueError);
    assert.throws(() => conv2d(x, w, null, { stride: 0 }), ValueError);
    assert.throws(() => conv1d(randn([1, 2, 5]), randn([1, 2, 2]), null, { dilation: 1.5 }), ValueError);
    assert.throws(() => conv2d(x, w, null, { stride: [1, 1, 1] as unknown as [number, number] }), ValueError);
  });
  test('input smaller than the dilated kernel', () => {
    assert.throws(() => conv2d(randn([1, 2, 2, 5]), w), ShapeError);
    assert.throws(() => conv1d(randn([1, 2, 4]), randn([1, 2, 3]), null, { dilation: 2 }), ShapeError);
  });
  test('wrong ranks and bias shape', () => {
    assert.throws(() => conv2d(randn([2, 5, 5, 5, 5]), w), ShapeError);
    assert.throws(() => conv1d(randn([1, 2, 5]), w), ShapeError);
    assert.throws(() => conv2d(x, w, randn([2])), ShapeError);
  });
  test('dtype mismatch', () => {
    assert.throws(() => conv2d(x, randn([3, 2, 3, 3], { dtype: 'float64' })), DTypeError);
  });
});
