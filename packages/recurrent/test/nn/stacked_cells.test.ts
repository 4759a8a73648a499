// StackedCells (MultiRNNCell) = a multi-layer nn.LSTM with the same weights; ResidualCell adds
// the input; parameter names, state layout, gradients and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add,
  dynamicRnn,
  gradcheck,
  manualSeed,
  nn,
  packPaddedSequence,
  padPackedSequence,
  randn,
  select,
  zeros,
  ShapeError,
  ValueError,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const f64 = 'float64' as const;
const tight = (a: Tensor, b: Tensor, label: string): void => assertClose(a, b, label, 1e-10, 1e-10);
const loss = (ts: Tensor[]): Tensor => ts.map((t) => t.mul(t.mul(0.5).add(1)).sum()).reduce((a, b) => a.add(b));

describe('StackedCells', () => {
  test('equals a 2-layer nn.LSTM (dropout 0) with matching weights: outputs, final states, gradients', () => {
    manualSeed(20);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true, dtype: f64 });
    const stacked = new nn.StackedCells([
      new nn.LSTMCell({ inputSize: 3, hiddenSize: 4, dtype: f64 }),
      new nn.LSTMCell({ inputSize: 4, hiddenSize: 4, dtype: f64 }),
    ]);
    const dict = lstm.stateDict();
    stacked.loadStateDict(
      Object.fromEntries(
        Object.entries(dict).map(([k, v]) => {
          const [, name, layer] = /^(.*)_l(\d)$/.exec(k)!;
          return [`${layer}.${name}`, v];
        }),
      ),
    );
    const lengths = [4, 1, 3];
    const x = randn([3, 4, 3], { dtype: f64 });
    const run = (useStack: boolean): [Tensor, Tensor[], Tensor, Tensor[]] => {
      const input = x.clone();
      input.requiresGrad = true;
      let out: Tensor;
      let finals: Tensor[];
      if (useStack) {
        [out, finals] = dynamicRnn(stacked, input, { sequenceLength: lengths });
      } else {
        const [o, [h, c]] = lstm.forward(packPaddedSequence(input, lengths, { batchFirst: true, enforceSorted: false }));
        out = padPackedSequence(o, { batchFirst: true })[0];
        finals = [select(h, 0, 0), select(c, 0, 0), select(h, 0, 1), select(c, 0, 1)];
      }
      loss([out, ...finals]).backward();
      return [out, finals, input.grad!, (useStack ? stacked : lstm).parameters().map((p) => p.grad!)];
    };
    const [o1, s1, gx1, gp1] = run(true);
    const [o2, s2, gx2, gp2] = run(false);
    tight(o1, o2, 'outputs');
    s1.forEach((s, i) => tight(s, s2[i]!, `state ${i} (h0, c0, h1, c1)`));
    tight(gx1, gx2, 'grad input');
    gp1.forEach((g, i) => tight(g, gp2[i]!, `grad ${stacked.namedParameters()[i]![0]}`));
  });

  test('parameter names, state layout and sizes', () => {
    const stacked = new nn.StackedCells([new nn.GRUCell({ inputSize: 2, hiddenSize: 5 }), new nn.LSTMCell({ inputSize: 5, hiddenSize: 3 })]);
    assert.deepEqual(
      stacked.namedParameters().map(([n]) => n),
      ['0.weight_ih', '0.weight_hh', '0.bias_ih', '0.bias_hh', '1.weight_ih', '1.weight_hh', '1.bias_ih', '1.bias_hh'],
    );
    assert.deepEqual(stacked.stateSize, [5, 3, 3]);
    assert.equal(stacked.outputSize, 3);
    assert.equal(stacked.inputSize, 2);
    assert.ok(nn.isRecurrentCell(stacked));
    assert.deepEqual(
      stacked.zeroState(4).map((s) => s.shape),
      [
        [4, 5],
        [4, 3],
        [4, 3],
      ],
    );
    // Empty states: each cell starts from zeros, as with zeroState.
    const x = randn([4, 2]);
    const [a, sa] = stacked.call(x, []);
    const [b, sb] = stacked.call(x, stacked.zeroState(4));
    // The same computation on equal inputs: bitwise equal.
    assert.deepEqual(a.shape, b.shape, 'output shape');
    assert.deepEqual(a.data, b.data, 'output from empty states');
    assert.equal(sa.length, sb.length, 'state count');
    sa.forEach((s, i) => {
      assert.deepEqual(s.shape, sb[i]!.shape, `state ${i} shape`);
      assert.deepEqual(s.data, sb[i]!.data, `state ${i}`);
    });
  });

  test('the output of each cell feeds the next, each with its own slice of the states', () => {
    manualSeed(21);
    const c0 = new nn.RNNCell({ inputSize: 2, hiddenSize: 3, dtype: f64 });
    const c1 = new nn.GRUCell({ inputSize: 3, hiddenSize: 2, dtype: f64 });
    const stacked = new nn.StackedCells([c0, c1]);
    const x = randn([2, 2], { dtype: f64 });
    const s = [randn([2, 3], { dtype: f64 }), randn([2, 2], { dtype: f64 })];
    const [out, next] = stacked.call(x, s);
    const h0 = c0.forward(x, s[0]);
    const h1 = c1.forward(h0, s[1]);
    tight(out, h1, 'output');
    tight(next[0]!, h0, 'state of cell 0');
    tight(next[1]!, h1, 'state of cell 1');
  });

  test('errors: empty list, sizes that do not chain, a wrong number of states', () => {
    assert.throws(() => new nn.StackedCells([]), ValueError);
    assert.throws(
      () => new nn.StackedCells([new nn.RNNCell({ inputSize: 2, hiddenSize: 3 }), new nn.RNNCell({ inputSize: 4, hiddenSize: 3 })]),
      /cells\[1\] takes inputs of size 4 but cells\[0\] outputs 3/,
    );
    const stacked = new nn.StackedCells([new nn.LSTMCell({ inputSize: 2, hiddenSize: 3 })]);
    assert.throws(() => stacked.call(zeros([1, 2]), [zeros([1, 3])]), /expected 2 state tensors/);
  });
});

describe('ResidualCell', () => {
  test("output = cell output + input; the state is the cell's", () => {
    manualSeed(22);
    const cell = new nn.GRUCell({ inputSize: 3, hiddenSize: 3, dtype: f64 });
    const res = new nn.ResidualCell(cell);
    const x = randn([2, 3], { dtype: f64 });
    const h = randn([2, 3], { dtype: f64 });
    const [out, [state]] = res.call(x, [h]);
    const plain = cell.forward(x, h);
    tight(out, add(plain, x), 'output');
    tight(state!, plain, 'state');
    assert.deepEqual(
      res.namedParameters().map(([n]) => n),
      ['cell.weight_ih', 'cell.weight_hh', 'cell.bias_ih', 'cell.bias_hh'],
    );
    assert.deepEqual(res.stateSize, [3]);
    assert.equal(res.outputSize, 3);
  });

  test('inside a stack, through dynamicRnn: float64 gradcheck of inputs and every parameter', () => {
    manualSeed(23);
    const stacked = new nn.StackedCells([
      new nn.GRUCell({ inputSize: 2, hiddenSize: 3, dtype: f64 }),
      new nn.ResidualCell(new nn.LSTMCell({ inputSize: 3, hiddenSize: 3, dtype: f64 })),
    ]);
    assert.deepEqual(
      stacked
        .namedParameters()
        .map(([n]) => n)
        .slice(4),
      ['1.cell.weight_ih', '1.cell.weight_hh', '1.cell.bias_ih', '1.cell.bias_hh'],
    );
    const x = randn([2, 3, 2], { dtype: f64, requiresGrad: true });
    gradcheck(
      (input) => {
        const [out, states] = dynamicRnn(stacked, input!, { sequenceLength: [3, 2] });
        return add(
          out.sum(),
          states.map((s) => s.mul(s).sum()).reduce((a, b) => add(a, b)),
        );
      },
      [x, ...stacked.parameters()],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });

  test('sizes must match: at construction when the cell declares inputSize, else at the step', () => {
    assert.throws(() => new nn.ResidualCell(new nn.RNNCell({ inputSize: 2, hiddenSize: 3 })), /inputs of size 2 and outputs 3/);
    const inner = new nn.RNNCell({ inputSize: 2, hiddenSize: 3 });
    const undeclared: nn.RecurrentCell = { stateSize: [3], outputSize: 3, call: (i, s) => inner.call(i, s), zeroState: (n, d) => inner.zeroState(n, d) };
    const res = new nn.ResidualCell(undeclared);
    assert.throws(
      () => res.call(zeros([1, 2]), []),
      (e: Error) => e instanceof ShapeError && /outputSize 3/.test(e.message),
    );
    assert.deepEqual(res.namedParameters(), []);
  });
});
