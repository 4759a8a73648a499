// Option validation and misuse: every error names the optimizer or schedule, the option, what was
// expected and what was given.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, nn, optim, tensor, type Tensor } from '../../src/index.js';
import { leaf } from './fixtures.js';

function throwsValue(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof ValueError, `expected a ValueError, got ${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

const params = (): Tensor[] => [leaf(tensor([1, 2]))];

describe('optimizer options', () => {
  test('ranges', () => {
    throwsValue(() => new optim.Adam(params(), { betas: [1.2, 0.999] }), /^Adam: betas\[0\] must be in \[0, 1\); got 1\.2$/);
    throwsValue(() => new optim.AdamW(params(), { betas: [0.9, 1] }), /^AdamW: betas\[1\] must be in \[0, 1\); got 1$/);
    throwsValue(() => new optim.Adam(params(), { betas: [0.9] as unknown as [number, number] }), /^Adam: betas must be a pair \[beta1, beta2\]; got \[0\.9\]$/);
    throwsValue(() => new optim.SGD(params(), { lr: -0.1 }), /^SGD: lr must be a finite number >= 0; got -0\.1$/);
    throwsValue(() => new optim.SGD(params(), { lr: Number.NaN }), /^SGD: lr must be a finite number >= 0; got NaN$/);
    throwsValue(() => new optim.SGD(params(), { lr: 0.1, momentum: -1 }), /^SGD: momentum must be a finite number >= 0; got -1$/);
    throwsValue(() => new optim.SGD(params(), { lr: 0.1, dampening: 2 }), /^SGD: dampening must be in \[0, 1\]; got 2$/);
    throwsValue(() => new optim.Adam(params(), { eps: -1e-8 }), /^Adam: eps must be a finite number >= 0; got -1e-8$/);
    throwsValue(() => new optim.RMSprop(params(), { alpha: 1.5 }), /^RMSprop: alpha must be in \[0, 1\]; got 1\.5$/);
    throwsValue(() => new optim.Adagrad(params(), { lrDecay: -1 }), /^Adagrad: lrDecay must be a finite number >= 0; got -1$/);
    throwsValue(() => new optim.Adagrad(params(), { initialAccumulatorValue: -0.1 }), /^Adagrad: initialAccumulatorValue must be/);
    throwsValue(() => new optim.Adam(params(), { amsgrad: 'yes' as unknown as boolean }), /^Adam: amsgrad must be true or false; got "yes"$/);
  });

  test("SGD needs lr; Nesterov needs momentum and no dampening (PyTorch's message)", () => {
    throwsValue(() => new optim.SGD(params(), {} as optim.SGDOptions), /^SGD: lr is required/);
    throwsValue(
      () => new optim.SGD(params(), { lr: 0.1, nesterov: true }),
      /^SGD: Nesterov momentum requires a momentum and zero dampening; got momentum 0, dampening 0$/,
    );
    throwsValue(() => new optim.SGD(params(), { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }), /Nesterov momentum requires/);
  });

  test("unknown options are errors, with the camelCase name suggested for PyTorch's", () => {
    throwsValue(
      () => new optim.Adam(params(), { weight_decay: 0.1 } as optim.AdamOptions),
      /^Adam: unknown option 'weight_decay'; did you mean 'weightDecay'\?$/,
    );
    throwsValue(
      () => new optim.SGD(params(), { lr: 0.1, mommentum: 0.9 } as optim.SGDOptions),
      /^SGD: unknown option 'mommentum'; known options: lr, momentum/,
    );
  });

  test('an undefined option keeps its default', () => {
    const opt = new optim.SGD(params(), { lr: 0.1, momentum: undefined });
    assert.equal(opt.paramGroups[0]!.momentum, 0);
  });

  test('groups are validated and named', () => {
    const [a, b] = [leaf(tensor([1])), leaf(tensor([2]))];
    throwsValue(() => new optim.Adam([{ params: [a] }, { params: [b], lr: -1 }]), /^Adam \(param group 1\): lr must be a finite number >= 0; got -1$/);
    throwsValue(() => new optim.SGD([{ params: [a], nesterov: true }], { lr: 0.1 }), /^SGD \(param group 0\): Nesterov momentum requires/);
    throwsValue(
      () => new optim.SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 }),
      /^SGD \(param group 1\): params\[0\] is already in another parameter group$/,
    );
    throwsValue(() => new optim.SGD([a, a], { lr: 0.1 }), /^SGD \(param group 0\): params\[1\] appears twice in the group$/);
  });
});

describe('optimizer parameters', () => {
  test('what can be optimized', () => {
    throwsValue(() => new optim.Adam([]), /^Adam: got an empty parameter list$/);
    throwsValue(
      () => new optim.Adam(leaf(tensor([1])) as unknown as Tensor[]),
      /^Adam: params must be an array of Tensors or of parameter groups; got a single Tensor/,
    );
    const model = new nn.Linear({ inFeatures: 2, outFeatures: 1 });
    throwsValue(() => new optim.Adam(model as unknown as Tensor[]), /\(pass module\.parameters\(\)\)$/);
    assert.throws(
      () => new optim.Adam([tensor([1, 2], { dtype: 'int32' })]),
      (e: Error) => e instanceof DTypeError && /params\[0\] must be float32 or float64; got int32/.test(e.message),
    );
    const x = leaf(tensor([1]));
    throwsValue(() => new optim.Adam([x.mul(2)]), /params\[0\] is not a leaf tensor/);
    throwsValue(() => new optim.Adam([x, 3 as unknown as Tensor]), /^Adam \(param group 0\): params\[1\] must be a Tensor; got 3$/);
  });

  test('a gradient of the wrong shape', () => {
    const p = leaf(tensor([1, 2]));
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensor([1, 2, 3]);
    assert.throws(
      () => opt.step(),
      (e: Error) => e instanceof ShapeError && /SGD\.step: a gradient has shape \[3\] but its parameter has shape \[2\]/.test(e.message),
    );
  });
});

describe('optimizer loadStateDict', () => {
  function trained(): optim.Adam {
    const opt = new optim.Adam([leaf(tensor([1, 2])), leaf(tensor([3]))]);
    for (const p of opt.paramGroups[0]!.params) p.grad = p.mul(0).add(1).detach();
    opt.step();
    return opt;
  }

  test('mismatched groups', () => {
    const dict = trained().stateDict();
    const other = new optim.Adam([{ params: [leaf(tensor([1, 2]))] }, { params: [leaf(tensor([3]))] }]);
    throwsValue(() => other.loadStateDict(dict), /^Adam\.loadStateDict: the dict has 1 parameter group\(s\), the optimizer 2$/);
    const fewer = new optim.Adam([leaf(tensor([1, 2]))]);
    throwsValue(() => fewer.loadStateDict(dict), /^Adam\.loadStateDict: parameter group 0 has 2 parameters in the dict, 1 in the optimizer$/);
  });

  test('mismatched shapes, unknown parameters and unknown options; nothing changes on failure', () => {
    const dict = trained().stateDict();
    const other = new optim.Adam([leaf(tensor([1, 2, 3])), leaf(tensor([3]))], { lr: 0.5 });
    assert.throws(
      () => other.loadStateDict(dict),
      (e: Error) => e instanceof ShapeError && /state of parameter 0: 'exp_avg' has shape \[2\], the parameter \[3\]/.test(e.message),
    );
    assert.equal(other.paramGroups[0]!.lr, 0.5);
    assert.equal(other.state.size, 0);
    const same = new optim.Adam([leaf(tensor([1, 2])), leaf(tensor([3]))]);
    throwsValue(() => same.loadStateDict({ ...dict, state: { 7: dict.state[0]! } }), /state refers to parameter 7, which no parameter group lists/);
    throwsValue(() => same.loadStateDict({ ...dict, paramGroups: [{ ...dict.paramGroups[0], momentum: 0.9 }] }), /unknown option 'momentum'/);
    throwsValue(() => same.loadStateDict({ ...dict, paramGroups: [{ ...dict.paramGroups[0], betas: [2, 0.9] }] }), /betas\[0\] must be in \[0, 1\); got 2/);
  });
});

describe('schedule options', () => {
  const sgd = (): optim.SGD => new optim.SGD(params(), { lr: 0.1 });

  test('ranges and required options', () => {
    throwsValue(() => new optim.StepLR(sgd(), { stepSize: 0 }), /^StepLR: stepSize must be an integer >= 1; got 0$/);
    throwsValue(() => new optim.StepLR(sgd(), {} as optim.StepLROptions), /^StepLR: stepSize is required/);
    throwsValue(() => new optim.ExponentialLR(sgd(), { gamma: -0.5 }), /^ExponentialLR: gamma must be a finite number >= 0; got -0\.5$/);
    throwsValue(() => new optim.CosineAnnealingLR(sgd(), { tMax: 0 }), /^CosineAnnealingLR: tMax must be a finite number > 0; got 0$/);
    throwsValue(() => new optim.LinearLR(sgd(), { startFactor: 0 }), /^LinearLR: startFactor must be in \(0, 1\]; got 0$/);
    throwsValue(() => new optim.LinearLR(sgd(), { endFactor: 1.5 }), /^LinearLR: endFactor must be in \[0, 1\]; got 1\.5$/);
    throwsValue(() => new optim.LinearLR(sgd(), { total_iters: 3 } as optim.LinearLROptions), /did you mean 'totalIters'/);
    throwsValue(() => new optim.ReduceLROnPlateau(sgd(), { factor: 1 }), /^ReduceLROnPlateau: factor must be in \[0, 1\); got 1$/);
    throwsValue(() => new optim.ReduceLROnPlateau(sgd(), { mode: 'median' as 'min' }), /^ReduceLROnPlateau: mode must be one of 'min', 'max'; got "median"$/);
    throwsValue(() => new optim.ReduceLROnPlateau(sgd(), { patience: 1.5 }), /^ReduceLROnPlateau: patience must be an integer >= 0; got 1\.5$/);
    throwsValue(
      () => new optim.ReduceLROnPlateau(sgd(), { minLr: [0, 0] }),
      /^ReduceLROnPlateau: minLr must hold 1 value\(s\), one per parameter group; got \[0, 0\]$/,
    );
    throwsValue(() => new optim.StepLR({} as optim.Optimizer, { stepSize: 1 }), /^StepLR: optimizer must be an Optimizer; got an object$/);
  });

  test('SequentialLR', () => {
    const opt = sgd();
    const a = new optim.LinearLR(opt);
    const b = new optim.ExponentialLR(opt, { gamma: 0.9 });
    throwsValue(
      () => new optim.SequentialLR(opt, { schedulers: [a, b], milestones: [] }),
      /^SequentialLR: milestones must hold 1 epoch\(s\), one fewer than the schedulers; got \[\]$/,
    );
    throwsValue(
      () => new optim.SequentialLR(opt, { schedulers: [a, b, b], milestones: [3, 3] }),
      /^SequentialLR: milestones\[1\] must be an integer > 3; got 3$/,
    );
    throwsValue(
      () => new optim.SequentialLR(sgd(), { schedulers: [a, b], milestones: [3] }),
      /^SequentialLR: schedulers\[0\] belongs to a different optimizer$/,
    );
    throwsValue(() => new optim.SequentialLR(opt, { schedulers: [], milestones: [] }), /^SequentialLR: schedulers must be a non-empty array/);
  });

  test('ReduceLROnPlateau.step needs a number', () => {
    const s = new optim.ReduceLROnPlateau(sgd());
    throwsValue(() => s.step(tensor([1, 2])), /^ReduceLROnPlateau\.step: metric must be a number or a one-element Tensor; got a Tensor of 2 elements$/);
    throwsValue(() => s.step(), /^ReduceLROnPlateau\.step: metric must be a number or a one-element Tensor; got undefined$/);
  });

  test('loadStateDict checks what it reads', () => {
    const s = new optim.StepLR(sgd(), { stepSize: 2 });
    throwsValue(() => s.loadStateDict({ ...s.stateDict(), stepSize: -1 }), /^StepLR\.loadStateDict: stepSize must be an integer >= 1; got -1$/);
    throwsValue(
      () => s.loadStateDict({ ...s.stateDict(), baseLrs: [0.1, 0.2] }),
      /^StepLR\.loadStateDict: 'baseLrs' must hold 1 finite number\(s\), one per parameter group/,
    );
  });
});
