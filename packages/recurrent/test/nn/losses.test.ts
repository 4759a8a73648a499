// Loss functions and modules: against PyTorch 1.13 (test/fixtures/losses, see
// test/fixtures/README.md), float64 gradient checks, the mask's semantics (a masked position is a
// dropped position) and the argument checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DTypeError,
  IndexError,
  ShapeError,
  Tensor,
  ValueError,
  bceWithLogits,
  crossEntropy,
  gradcheck,
  indexSelect,
  l1Loss,
  logSoftmax,
  manualSeed,
  mseLoss,
  nllLoss,
  nn,
  rand,
  randint,
  randn,
  readSafetensorsFile,
  softmax,
  tensor,
  type Reduction,
} from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

// ---------------------------------------------------------------------------------------------
// PyTorch fixtures

interface TorchOptions {
  reduction?: Reduction;
  ignore_index?: number;
  label_smoothing?: number;
}

type LossName = 'cross_entropy' | 'nll_loss' | 'mse_loss' | 'l1_loss' | 'bce_with_logits';

const dir = join(import.meta.dirname, '..', 'fixtures', 'losses');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

function leaf(t: Tensor): Tensor {
  const copy = t.detach().clone();
  copy.requiresGrad = true;
  return copy;
}

/** assertClose at 1e-5 + 1e-5·|torch|, where a NaN in torch's result must be a NaN in ours. */
function assertMatches(actual: Tensor, expected: Tensor, label: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${label}: shape`);
  const nan = [...expected.data].map(Number.isNaN);
  nan.forEach((isNaN, i) => {
    if (isNaN) assert.ok(Number.isNaN(actual.data[i]), `${label}: element ${i} should be NaN; got ${actual.data[i]}`);
  });
  if (!nan.some(Boolean)) assertClose(actual, expected, label, 1e-5, 1e-5);
}

function runFunctional(loss: LossName, input: Tensor, target: Tensor, o: TorchOptions, weight: Tensor | null, posWeight: Tensor | null): Tensor {
  const reduction = o.reduction ?? 'mean';
  switch (loss) {
    case 'cross_entropy':
      return crossEntropy(input, target, { weight, reduction, ignoreIndex: o.ignore_index, labelSmoothing: o.label_smoothing });
    case 'nll_loss':
      return nllLoss(input, target, { weight, reduction, ignoreIndex: o.ignore_index });
    case 'mse_loss':
      return mseLoss(input, target, { reduction });
    case 'l1_loss':
      return l1Loss(input, target, { reduction });
    case 'bce_with_logits':
      return bceWithLogits(input, target, { weight, posWeight, reduction });
  }
}

function runModule(loss: LossName, input: Tensor, target: Tensor, o: TorchOptions, weight: Tensor | null, posWeight: Tensor | null): Tensor {
  const reduction = o.reduction ?? 'mean';
  switch (loss) {
    case 'cross_entropy':
      return new nn.CrossEntropyLoss({ weight, reduction, ignoreIndex: o.ignore_index, labelSmoothing: o.label_smoothing }).forward(input, target);
    case 'nll_loss':
      return new nn.NLLLoss({ weight, reduction, ignoreIndex: o.ignore_index }).forward(input, target);
    case 'mse_loss':
      return new nn.MSELoss({ reduction }).forward(input, target);
    case 'l1_loss':
      return new nn.L1Loss({ reduction }).forward(input, target);
    case 'bce_with_logits':
      return new nn.BCEWithLogitsLoss({ weight, posWeight, reduction }).forward(input, target);
  }
}

describe('losses against PyTorch 1.13', () => {
  test('the fixture folder holds every kind of case', () => {
    assert.ok(files.length >= 60, `expected the loss fixtures; found ${files.length}`);
  });

  for (const file of files) {
    test(file.replace('.safetensors', ''), () => {
      const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
      const loss = metadata.loss as LossName;
      const options = JSON.parse(metadata.options!) as TorchOptions;
      const t = (name: string): Tensor => {
        const found = tensors[name];
        assert.ok(found, `${file}: missing tensor ${name}`);
        return found;
      };
      const weight = tensors.weight ?? null;
      const posWeight = tensors.pos_weight ?? null;
      const input = leaf(t('input'));
      const floatingTarget = t('target').dtype !== 'int32';
      const target = floatingTarget ? leaf(t('target')) : t('target');

      const out = runFunctional(loss, input, target, options, weight, posWeight);
      assertMatches(out, t('out'), 'out');
      if ((options.reduction ?? 'mean') === 'none') out.backward(t('grad_out'));
      else out.backward();
      assertMatches(input.grad!, t('grad.input'), 'grad.input');
      if (floatingTarget) assertMatches(target.grad!, t('grad.target'), 'grad.target');

      const viaModule = runModule(loss, t('input'), t('target'), options, weight, posWeight);
      assertMatches(viaModule, out.detach(), 'module output');
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Values by hand

describe('values by hand', () => {
  test('crossEntropy of uniform logits is log C; nllLoss picks −logProbs[i, y]', () => {
    const loss = crossEntropy(tensor([[0, 0, 0, 0]]), tensor([2], { dtype: 'int32' }));
    assert.ok(Math.abs(loss.item() - Math.log(4)) < 1e-6);
    const lp = tensor([
      [-1, -2, -3],
      [-4, -5, -6],
    ]);
    const y = tensor([2, 0], { dtype: 'int32' });
    assert.ok(Math.abs(nllLoss(lp, y).item() - 3.5) < 1e-6);
    assert.deepEqual(nllLoss(lp, y, { reduction: 'none' }).toArray(), [3, 4]);
    // weighted mean: (0.5·3 + 2·4) / (0.5 + 2)
    const weighted = nllLoss(lp, y, { weight: tensor([2, 1, 0.5]) }).item();
    assert.ok(Math.abs(weighted - 9.5 / 2.5) < 1e-6);
  });

  test('mseLoss, l1Loss and bceWithLogits on small inputs', () => {
    assert.equal(mseLoss(tensor([1, 2]), tensor([0, 4])).item(), 2.5);
    assert.equal(l1Loss(tensor([1, 2]), tensor([0, 4]), { reduction: 'sum' }).item(), 3);
    assert.ok(Math.abs(bceWithLogits(tensor([0]), tensor([1])).item() - Math.LN2) < 1e-7);
    // posWeight 3 on a positive target at x = 0: 3·log 2
    assert.ok(Math.abs(bceWithLogits(tensor([0]), tensor([1]), { posWeight: tensor([3]) }).item() - 3 * Math.LN2) < 1e-6);
  });

  test('bceWithLogits stays finite and exact for huge logits, with the exact gradient at 0', () => {
    const x = tensor([-1000, 1000, 0], { dtype: 'float64', requiresGrad: true });
    const loss = bceWithLogits(x, tensor([1, 0, 1], { dtype: 'float64' }), { reduction: 'none' });
    assert.deepEqual(loss.toArray(), [1000, 1000, Math.LN2]);
    loss.sum().backward();
    // d/dx = σ(x) − t
    assert.deepEqual(x.grad!.toArray(), [-1, 1, -0.5]);
  });
});

// ---------------------------------------------------------------------------------------------
// Gradient checks in float64

describe('float64 gradchecks', () => {
  const f64 = { dtype: 'float64' as const, requiresGrad: true };
  const opts = { atol: 1e-6, rtol: 1e-5 };
  const int = (values: number[], shape?: number[]): Tensor => tensor(values, shape ?? [values.length], { dtype: 'int32' });
  const weight = tensor([0.5, 1.5, 2, 0.8], { dtype: 'float64' });

  for (const reduction of ['mean', 'sum', 'none'] as const) {
    test(`crossEntropy, class indices, weight + ignoreIndex + labelSmoothing, ${reduction}`, () => {
      manualSeed(1);
      const x = randn([5, 4], f64);
      const y = int([1, -100, 3, 0, 2]);
      gradcheck((a) => crossEntropy(a!, y, { weight, labelSmoothing: 0.2, reduction }), [x], opts);
      gradcheck((a) => crossEntropy(a!, y, { reduction }), [x], opts);
    });
  }

  test('crossEntropy, K-dimensional with a mask', () => {
    manualSeed(2);
    const x = randn([2, 4, 3], f64);
    const y = int([0, 3, 1, 2, -100, 1], [2, 3]);
    const mask = tensor([
      [1, 0, 1],
      [1, 1, 1],
    ]);
    gradcheck((a) => crossEntropy(a!, y, { weight, labelSmoothing: 0.1, mask }), [x], opts);
  });

  test('crossEntropy, probability targets: input and target', () => {
    manualSeed(3);
    const x = randn([3, 4, 2], f64);
    const p = softmax(randn([3, 4, 2], { dtype: 'float64' }), 1).detach();
    p.requiresGrad = true;
    gradcheck((a, b) => crossEntropy(a!, b!, { weight, labelSmoothing: 0.3 }), [x, p], opts);
    gradcheck((a, b) => crossEntropy(a!, b!, { reduction: 'none', mask: tensor([[1, 0]]) }), [x, p], opts);
  });

  test('crossEntropy, unbatched', () => {
    manualSeed(4);
    gradcheck((a) => crossEntropy(a!, int([2], []), { labelSmoothing: 0.1, weight }), [randn([4], f64)], opts);
  });

  test('nllLoss with weight, ignoreIndex and mask', () => {
    manualSeed(5);
    const lp = randn([6, 4], f64);
    const y = int([0, 1, 2, 3, 9, 1]);
    const mask = tensor([1, 1, 0, 1, 0, 1]); // the 9 sits at a masked position
    gradcheck((a) => nllLoss(a!, y, { weight, ignoreIndex: 1, mask }), [lp], opts);
  });

  test('mseLoss and l1Loss: input and target, with a broadcast mask', () => {
    manualSeed(6);
    const a = randn([3, 4, 2], f64);
    const b = randn([3, 4, 2], f64);
    const mask = tensor([[1], [0], [1]]).reshape(3, 1, 1);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      gradcheck((x, y) => mseLoss(x!, y!, { reduction }), [a, b], opts);
      gradcheck((x, y) => l1Loss(x!, y!, { reduction, mask }), [a, b], opts);
    }
  });

  test('bceWithLogits: input and target, weight, posWeight and mask', () => {
    manualSeed(7);
    const x = randn([4, 3], f64).mul(3).detach();
    x.requiresGrad = true;
    const t = rand([4, 3], f64);
    const w = rand([4, 1], { dtype: 'float64' }).add(0.5);
    const pw = tensor([0.5, 2, 3], { dtype: 'float64' });
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      gradcheck((a, b) => bceWithLogits(a!, b!, { weight: w, posWeight: pw, reduction }), [x, t], opts);
    }
    gradcheck((a, b) => bceWithLogits(a!, b!, { mask: tensor([1, 0, 1]) }), [x, t], opts);
  });
});

// ---------------------------------------------------------------------------------------------
// Mask semantics: a masked position is a dropped position

/** Keeps the rows of `x` along axis 0 whose flag is 1. */
function rows(x: Tensor, keep: number[]): Tensor {
  return indexSelect(
    x,
    0,
    keep.flatMap((k, i) => (k === 1 ? [i] : [])),
  );
}

describe('mask', () => {
  const keep = [1, 0, 1, 1, 0, 1];
  const mask = tensor(keep);

  for (const reduction of ['mean', 'sum'] as const) {
    test(`crossEntropy (${reduction}): masked rows count as dropped rows, in value and gradient`, () => {
      manualSeed(10);
      const x = randn([6, 5], { dtype: 'float64', requiresGrad: true });
      // a padding id out of range (−1) at a masked row, and an ignored target at a kept one
      const y = tensor([1, -1, 4, -100, 7, 0], { dtype: 'int32' });
      const w = tensor([1, 2, 0.5, 1.5, 3], { dtype: 'float64' });
      const options = { weight: w, labelSmoothing: 0.2, reduction };
      const masked = crossEntropy(x, y, { ...options, mask });
      masked.backward();
      const x2 = rows(x.detach(), keep);
      x2.requiresGrad = true;
      const dropped = crossEntropy(x2, rows(y, keep), options);
      dropped.backward();
      assert.ok(Math.abs(masked.item() - dropped.item()) < 1e-12, `${masked.item()} vs ${dropped.item()}`);
      assertClose(rows(x.grad!, keep), x2.grad!, 'kept rows', 1e-12, 1e-12);
      for (const i of [1, 4]) assert.ok(x.grad!.select(0, i).data.every((v) => v === 0));
    });
  }

  test("'none' zeroes masked positions; a (N, 1) mask broadcasts over K-dimensional targets", () => {
    manualSeed(11);
    const x = randn([2, 3, 4], { dtype: 'float64' });
    const y = randint(0, 3, [2, 4], { dtype: 'int32' });
    const none = crossEntropy(x, y, { reduction: 'none', mask: tensor([[0], [1]]) });
    const plain = crossEntropy(x, y, { reduction: 'none' });
    assert.deepEqual((none.toArray() as number[][])[0], [0, 0, 0, 0]);
    assert.deepEqual((none.toArray() as number[][])[1], (plain.toArray() as number[][])[1]);
    const mean = crossEntropy(x, y, { mask: tensor([[0], [1]]) }).item();
    const expected = (plain.toArray() as number[][])[1]!.reduce((s, v) => s + v, 0) / 4;
    assert.ok(Math.abs(mean - expected) < 1e-12);
  });

  test('probability targets: mean over unmasked positions', () => {
    manualSeed(12);
    const x = randn([6, 3], { dtype: 'float64' });
    const p = softmax(randn([6, 3], { dtype: 'float64' }), 1);
    const masked = crossEntropy(x, p, { mask, labelSmoothing: 0.1 }).item();
    const dropped = crossEntropy(rows(x, keep), rows(p, keep), { labelSmoothing: 0.1 }).item();
    assert.ok(Math.abs(masked - dropped) < 1e-12);
  });

  test('nllLoss: masked rows count as dropped rows', () => {
    manualSeed(13);
    const lp = logSoftmax(randn([6, 4], { dtype: 'float64' }), 1);
    const y = tensor([0, 3, 2, 1, 3, 2], { dtype: 'int32' });
    const w = tensor([1, 2, 3, 4], { dtype: 'float64' });
    const masked = nllLoss(lp, y, { weight: w, mask }).item();
    const dropped = nllLoss(rows(lp, keep), rows(y, keep), { weight: w }).item();
    assert.ok(Math.abs(masked - dropped) < 1e-12);
  });

  test('mseLoss, l1Loss, bceWithLogits: a (N, 1) mask drops rows; a NaN at a masked position stays out of the value', () => {
    manualSeed(14);
    const a = randn([6, 3], { dtype: 'float64' });
    const b = rand([6, 3], { dtype: 'float64' });
    const m = mask.reshape(6, 1);
    const withNaN = a.detach().clone();
    withNaN.data[3] = NaN; // row 1, masked
    for (const fn of [mseLoss, l1Loss, bceWithLogits]) {
      for (const reduction of ['mean', 'sum'] as const) {
        const x = a.detach().clone();
        x.requiresGrad = true;
        const masked = fn(x, b, { reduction, mask: m });
        masked.backward();
        const dropped = fn(rows(a, keep), rows(b, keep), { reduction }).item();
        assert.ok(Math.abs(masked.item() - dropped) < 1e-12, `${fn.name} ${reduction}: ${masked.item()} vs ${dropped}`);
        assert.ok(x.grad!.select(0, 1).data.every((v) => v === 0));
        assert.equal(fn(withNaN, b, { reduction, mask: m }).item(), masked.item());
      }
    }
  });

  test("everything masked: 'mean' is NaN (0/0, as PyTorch's all-ignored batch), the gradient zero", () => {
    const x = randn([3, 4], { requiresGrad: true });
    const loss = crossEntropy(x, tensor([1, 2, 3], { dtype: 'int32' }), { mask: tensor([0, 0, 0]) });
    assert.ok(Number.isNaN(loss.item()));
    loss.backward();
    assert.ok(x.grad!.data.every((v) => v === 0));
    const y = randn([3], { requiresGrad: true });
    const mse = mseLoss(y, randn([3]), { mask: tensor([0, 0, 0]) });
    assert.ok(Number.isNaN(mse.item()));
    mse.backward();
    assert.ok(y.grad!.data.every((v) => v === 0));
  });

  test('the module forward takes the mask as its third argument', () => {
    manualSeed(15);
    const x = randn([6, 5]);
    const y = randint(0, 5, [6], { dtype: 'int32' });
    const viaModule = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(x, y, mask).item();
    assert.equal(viaModule, crossEntropy(x, y, { labelSmoothing: 0.1, mask }).item());
  });
});

// ---------------------------------------------------------------------------------------------
// Modules

describe('loss modules', () => {
  test('weights are buffers under PyTorch names, in the state dict and following to(dtype)', () => {
    const ce = new nn.CrossEntropyLoss({ weight: tensor([1, 2, 3]) });
    assert.deepEqual(Object.keys(ce.stateDict()), ['weight']);
    assert.equal(ce.parameters().length, 0);
    ce.to('float64');
    assert.equal(ce.weight!.dtype, 'float64');
    const bce = new nn.BCEWithLogitsLoss({ weight: tensor([1, 2]), posWeight: tensor([3, 4]) });
    assert.deepEqual(Object.keys(bce.stateDict()), ['weight', 'pos_weight']);
    assert.deepEqual(Object.keys(new nn.NLLLoss().stateDict()), []);
    assert.equal(new nn.MSELoss().reduction, 'mean');
  });

  test('constructor options are checked', () => {
    assert.throws(() => new nn.L1Loss({ reduction: 'avg' as Reduction }), ValueError);
    assert.throws(() => new nn.CrossEntropyLoss({ weight: tensor([[1, 2]]) }), ShapeError);
    assert.throws(() => new nn.NLLLoss({ weight: tensor([1, 2], { dtype: 'int32' }) }), DTypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors

describe('errors', () => {
  const x = randn([3, 4]);
  const int = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });

  test('a target out of range names the value and the class count', () => {
    assert.throws(
      () => crossEntropy(x, int([0, 4, 1])),
      (e: unknown) => e instanceof IndexError && /target 4 .* 4 classes/.test(e.message),
    );
    assert.throws(
      () => nllLoss(x, int([0, -1, 1])),
      (e: unknown) => e instanceof IndexError && /target -1 .* 4 classes/.test(e.message),
    );
    // in range once it is the ignoreIndex
    assert.doesNotThrow(() => crossEntropy(x, int([0, -1, 1]), { ignoreIndex: -1 }));
  });

  test('shape mismatches name both shapes', () => {
    const names =
      (a: string, b: string) =>
      (e: unknown): boolean =>
        e instanceof ShapeError && e.message.includes(a) && e.message.includes(b);
    assert.throws(() => crossEntropy(x, int([0, 1])), names('[2]', '[3, 4]'));
    assert.throws(
      () =>
        crossEntropy(
          randn([2, 3, 5]),
          tensor(
            [
              [0, 1, 2, 0],
              [1, 1, 1, 1],
            ],
            { dtype: 'int32' },
          ),
        ),
      names('[2, 4]', '[2, 3, 5]'),
    );
    assert.throws(() => nllLoss(x, int([0, 1])), names('[2]', '[3, 4]'));
    assert.throws(() => mseLoss(x, randn([4])), names('[4]', '[3, 4]'));
    assert.throws(() => l1Loss(x, randn([3, 1])), names('[3, 1]', '[3, 4]'));
    assert.throws(() => bceWithLogits(x, randn([4, 3])), names('[4, 3]', '[3, 4]'));
    assert.throws(() => crossEntropy(x, int([0, 1, 2]), { weight: tensor([1, 2, 3]) }), names('[4]', '[3]'));
    assert.throws(() => crossEntropy(x, int([0, 1, 2]), { mask: tensor([1, 0]) }), names('[2]', '[3]'));
    assert.throws(() => mseLoss(x, x, { mask: tensor([[1], [0], [1], [1]]) }), names('[4, 1]', '[3, 4]'));
    assert.throws(() => bceWithLogits(x, x, { posWeight: tensor([1, 2, 3]) }), names('[3]', '[3, 4]'));
    assert.throws(() => crossEntropy(tensor(1), int([0])), ShapeError);
  });

  test('dtypes: class indices must be int32, probabilities floating', () => {
    assert.throws(
      () => crossEntropy(x, tensor([0, 1, 2])),
      (e: unknown) => e instanceof DTypeError && /int32/.test(e.message),
    );
    assert.throws(() => nllLoss(x, tensor([0, 1, 2])), DTypeError);
    assert.throws(
      () => crossEntropy(x, randint(0, 4, [3, 4], { dtype: 'int32' })),
      (e: unknown) => e instanceof DTypeError && /floating/.test(e.message),
    );
    assert.throws(() => crossEntropy(x, softmax(randn([3, 4], { dtype: 'float64' }), 1)), DTypeError);
    assert.throws(() => crossEntropy(int([1, 2]), int([0, 1])), DTypeError);
    assert.throws(() => mseLoss(x, randn([3, 4], { dtype: 'float64' })), DTypeError);
  });

  test('option values', () => {
    const y = int([0, 1, 2]);
    assert.throws(() => crossEntropy(x, y, { labelSmoothing: 1.5 }), ValueError);
    assert.throws(() => crossEntropy(x, y, { labelSmoothing: -0.1 }), ValueError);
    assert.throws(() => crossEntropy(x, y, { reduction: 'avg' as Reduction }), ValueError);
    assert.throws(() => crossEntropy(x, softmax(x, 1), { ignoreIndex: 0 }), ValueError);
    assert.throws(() => crossEntropy(x, y, { mask: tensor([1, 2, 0]) }), ValueError);
    const w = tensor([1, 2, 3, 4], { requiresGrad: true });
    assert.throws(() => crossEntropy(x, y, { weight: w }), ValueError);
    assert.throws(() => bceWithLogits(x, x, { weight: w }), ValueError);
  });
});

// The fixtures compare values; this checks that a larger (N·T, V) problem runs through the same
// single logSoftmax + gather path with a correct gradient sum (each row's softmax − one-hot sums to 0).
test('crossEntropy on (N·T, V) logits: gradient rows sum to zero', () => {
  manualSeed(20);
  const logits = randn([512, 300], { requiresGrad: true });
  const y = randint(0, 300, [512], { dtype: 'int32' });
  crossEntropy(logits, y).backward();
  const g = logits.grad!.sum(1);
  assert.ok(g.data.every((v) => Math.abs(v) < 1e-7));
});
