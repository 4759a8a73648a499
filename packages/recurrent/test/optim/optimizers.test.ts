// SGD, Adam, AdamW, RMSprop and Adagrad against PyTorch 1.13: five steps on the fixtures' problem
// (test/fixtures/optim, see its README), parameters after every step and the final state; state
// dict round trips that resume a run exactly; in-place updates.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { optim, tensor, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';
import { type Fixture, fixtures, leaf, setup } from './fixtures.js';

const cases = fixtures('optimizer');

function tolerance(f: Fixture): number {
  return f.metadata.dtype === 'float64' ? 1e-10 : 1e-5;
}

describe('optimizers match PyTorch step by step', () => {
  test('there is a fixture for each optimizer', () => {
    const kinds = new Set(cases.map((f) => f.metadata.optimizer));
    assert.deepEqual([...kinds].sort(), ['Adagrad', 'Adam', 'AdamW', 'RMSprop', 'SGD']);
    assert.ok(cases.length >= 30, `only ${cases.length} optimizer fixtures`);
  });

  for (const f of cases) {
    test(f.name, () => {
      const { params, opt, step } = setup(f);
      const tol = tolerance(f);
      const untouched = params[2]!.data.slice();
      for (let k = 1; k <= Number(f.metadata.steps); k++) {
        const loss = step();
        const expected = f.get(`step.${k}.loss`).item();
        assert.ok(Math.abs(loss - expected) <= tol * (1 + Math.abs(expected)), `step ${k}: loss ${loss}, expected ${expected}`);
        for (let i = 0; i < 3; i++) assertClose(params[i]!, f.get(`step.${k}.param.${i}`), `step ${k}, param ${i}`, tol, tol);
      }
      assert.deepEqual(params[2]!.data, untouched, 'a parameter without gradient must not change');

      // The final state, under PyTorch's names and indices.
      const { state } = opt.stateDict();
      for (let i = 0; i < 3; i++) {
        const prefix = `state.${i}.`;
        const expectedKeys = Object.keys(f.tensors)
          .filter((k) => k.startsWith(prefix))
          .map((k) => k.slice(prefix.length))
          .sort();
        assert.deepEqual(Object.keys(state[i] ?? {}).sort(), expectedKeys, `state keys of parameter ${i}`);
        for (const key of expectedKeys) {
          const ours = state[i]![key]!;
          const theirs = f.get(prefix + key);
          if (typeof ours === 'number') assert.equal(ours, theirs.item(), `state ${i}.${key}`);
          else assertClose(ours, theirs, `state ${i}.${key}`, tol, tol);
        }
      }
    });
  }
});

describe('state dicts resume a run exactly', () => {
  for (const f of cases) {
    test(f.name, () => {
      const straight = setup(f);
      for (let k = 0; k < 5; k++) straight.step();

      const first = setup(f);
      for (let k = 0; k < 3; k++) first.step();
      const saved = first.opt.stateDict();
      const savedParams = first.params.map((p) => p.data.slice()); // what the model's own checkpoint holds
      first.step(); // further steps must not reach into the saved dict

      const resumed = setup(f);
      resumed.params.forEach((p, i) => p.data.set(savedParams[i]!));
      resumed.opt.loadStateDict(saved);
      for (let k = 0; k < 2; k++) resumed.step();
      resumed.params.forEach((p, i) => assert.deepEqual(p.data, straight.params[i]!.data, `param ${i}`));
      assert.deepEqual(
        resumed.opt.paramGroups.map((g) => ({ ...g, params: g.params.length })),
        straight.opt.paramGroups.map((g) => ({ ...g, params: g.params.length })),
      );
    });
  }

  test('the dict refers to parameters by index, counted across groups, as PyTorch', () => {
    const [a, b, c] = [leaf(tensor([1, 2])), leaf(tensor([3])), leaf(tensor([4, 5, 6]))];
    const opt = new optim.SGD(
      [
        { params: [a, b], momentum: 0.9 },
        { params: [c], lr: 0.5 },
      ],
      { lr: 0.1 },
    );
    b.grad = tensor([1]);
    c.grad = tensor([1, 1, 1]);
    opt.step();
    const dict = opt.stateDict();
    assert.deepEqual(
      dict.paramGroups.map((g) => g.params),
      [[0, 1], [2]],
    );
    assert.deepEqual(
      dict.paramGroups.map((g) => g.lr),
      [0.1, 0.5],
    );
    assert.deepEqual(Object.keys(dict.state), ['1']);
    assert.deepEqual([...(dict.state[1]!.momentum_buffer as Tensor).data], [1]);
  });

  test("state is converted to the parameters' dtype on load", () => {
    const p64 = leaf(tensor([1, 2], { dtype: 'float64' }));
    const opt64 = new optim.Adam([p64]);
    p64.grad = tensor([0.5, -0.25], { dtype: 'float64' });
    opt64.step();
    const p32 = leaf(tensor([1, 2]));
    const opt32 = new optim.Adam([p32]);
    opt32.loadStateDict(opt64.stateDict());
    const s = opt32.stateDict().state[0]!;
    assert.equal(s.step, 1);
    assert.equal((s.exp_avg as Tensor).dtype, 'float32');
    assert.ok(Math.abs((s.exp_avg as Tensor).data[0]! - 0.05) < 1e-7);
  });

  test('a PyTorch-style step tensor loads as a number', () => {
    const p = leaf(tensor([1, 2]));
    const opt = new optim.Adam([p]);
    opt.loadStateDict({
      state: { 0: { step: tensor(3), exp_avg: tensor([0.1, 0.2]), exp_avg_sq: tensor([0.01, 0.04]) } },
      paramGroups: opt.stateDict().paramGroups,
    });
    assert.equal(opt.stateDict().state[0]!.step, 3);
  });
});

describe('updates', () => {
  const kinds: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ['SGD', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 })],
    ['Adam', (ps) => new optim.Adam(ps, { amsgrad: true, weightDecay: 0.1 })],
    ['AdamW', (ps) => new optim.AdamW(ps)],
    ['RMSprop', (ps) => new optim.RMSprop(ps, { centered: true, momentum: 0.5 })],
    ['Adagrad', (ps) => new optim.Adagrad(ps, { lrDecay: 0.1 })],
  ];
  for (const [name, make] of kinds) {
    test(`${name} updates in place, records nothing and skips parameters without gradient`, () => {
      const w = leaf(
        tensor([
          [0.5, -1],
          [2, 0.25],
        ]),
      );
      const frozen = leaf(tensor([1, 2, 3]));
      const opt = make([w, frozen]);
      const data = w.data;
      const before = w.data.slice();
      w.matmul(w).sum().backward();
      opt.step();
      assert.equal(w.data, data, 'the data array is the same object');
      assert.ok(w.isLeaf && w.gradNode === null, 'the parameter is still a leaf');
      assert.notDeepEqual(w.data, before);
      assert.deepEqual([...frozen.data], [1, 2, 3]);
      assert.equal(opt.state.has(frozen) && name !== 'Adagrad', false);
      assert.notEqual(w.grad, null);
      opt.zeroGrad();
      assert.equal(w.grad, null);
      assert.equal(frozen.grad, null);
      const after = w.data.slice();
      opt.step(); // no gradients: nothing moves
      assert.deepEqual(w.data, after);
    });
  }

  test('SGD by hand: momentum buffer starts undamped, then μb + (1 − τ)g', () => {
    const p = leaf(tensor([1], { dtype: 'float64' }));
    const opt = new optim.SGD([p], { lr: 0.5, momentum: 0.5, dampening: 0.5 });
    p.grad = tensor([2], { dtype: 'float64' });
    opt.step(); // b = 2, θ = 1 − 0.5·2 = 0
    assert.equal(p.data[0], 0);
    opt.step(); // b = 0.5·2 + 0.5·2 = 2, θ = −1
    assert.equal(p.data[0], -1);
  });

  test('Adam by hand: the first step moves each weight by lr·g/(|g| + ε)', () => {
    const p = leaf(tensor([1, 1], { dtype: 'float64' }));
    const opt = new optim.Adam([p], { lr: 0.1, eps: 1 });
    p.grad = tensor([3, -1], { dtype: 'float64' });
    opt.step();
    assertClose(p, tensor([1 - (0.1 * 3) / 4, 1 + (0.1 * 1) / 2], { dtype: 'float64' }), 'θ', 1e-15, 1e-15);
  });

  test('AdamW shrinks the weights by (1 − γλ) even where the gradient is zero', () => {
    const p = leaf(tensor([2], { dtype: 'float64' }));
    const opt = new optim.AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad = tensor([0], { dtype: 'float64' });
    opt.step();
    assert.equal(p.data[0], 2 * (1 - 0.1 * 0.5));
  });

  test('paramGroups can be changed between steps', () => {
    const p = leaf(tensor([1], { dtype: 'float64' }));
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensor([1], { dtype: 'float64' });
    opt.paramGroups[0]!.lr = 0.25;
    opt.step();
    assert.equal(p.data[0], 0.75);
  });

  test('addParamGroup takes the defaults for what a group leaves out', () => {
    const a = leaf(tensor([1]));
    const b = leaf(tensor([2]));
    const opt = new optim.RMSprop([a], { alpha: 0.9 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    assert.equal(opt.paramGroups[1]!.alpha, 0.9);
    assert.equal(opt.paramGroups[1]!.lr, 0.5);
    assert.equal(opt.paramGroups[0]!.lr, 1e-2);
  });

  test("defaults are PyTorch's", () => {
    const p = [leaf(tensor([1]))];
    const strip = (o: optim.Optimizer): Record<string, unknown> => ({ ...o.paramGroups[0], params: undefined });
    assert.deepEqual(strip(new optim.SGD(p, { lr: 0.1 })), {
      params: undefined,
      lr: 0.1,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
    });
    assert.deepEqual(strip(new optim.Adam(p)), {
      params: undefined,
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    });
    assert.deepEqual(strip(new optim.AdamW(p)), {
      params: undefined,
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    });
    assert.deepEqual(strip(new optim.RMSprop(p)), {
      params: undefined,
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
    assert.deepEqual(strip(new optim.Adagrad(p)), {
      params: undefined,
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
  });

  test('a custom optimizer needs only its defaults and stepGroup', () => {
    class SignSGD extends optim.Optimizer<{ lr: number; scale: number }> {
      constructor(ps: Tensor[], options: { lr?: number; scale?: number } = {}) {
        super(ps, { lr: 0.5, scale: 1, ...options });
      }

      protected stepGroup(group: optim.ParamGroup & { scale: number }): void {
        for (const p of group.params) {
          const g = this.gradOf(p);
          if (g === null) continue;
          const s = this.stateOf(p);
          s.step = this.counter(s, 'step') + 1;
          for (let i = 0; i < g.length; i++) p.data[i] = p.data[i]! - group.lr * group.scale * Math.sign(g[i]!);
        }
      }
    }
    const p = leaf(tensor([1, 1], { dtype: 'float64' }));
    const opt = new SignSGD([p], { scale: 2 });
    p.grad = tensor([3, -0.1], { dtype: 'float64' });
    opt.step();
    assert.deepEqual([...p.data], [0, 2]);
    assert.equal(opt.name, 'SignSGD');
    assert.deepEqual(opt.stateDict().state, { 0: { step: 1 } });
    assert.throws(() => new SignSGD([p], { scale: Number.NaN }), /^ValueError: SignSGD: scale must be a finite number; got NaN$/);
    assert.throws(() => new SignSGD([p], { lr: -1 }), /^ValueError: SignSGD: lr must be a finite number >= 0; got -1$/);
  });
});
