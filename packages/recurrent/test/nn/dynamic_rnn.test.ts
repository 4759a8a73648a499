// dynamicRnn / bidirectionalDynamicRnn: a user's own cell passes gradcheck (also through scan);
// with sequence lengths they equal the packed built-in layers on values, final states and every
// gradient; time-major layout, zero lengths and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add,
  bidirectionalDynamicRnn,
  concat,
  dynamicRnn,
  gradcheck,
  linear,
  manualSeed,
  mul,
  nn,
  packPaddedSequence,
  padPackedSequence,
  randn,
  scan,
  select,
  sigmoid,
  sub,
  tanh,
  tensor,
  transpose,
  zeros,
  ShapeError,
  ValueError,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

/**
 * A minimal gated cell written by a user with tensor ops and its own parameters:
 *   f = σ(x·W_fᵀ + h·U_fᵀ + b_f),  h̃ = tanh(x·Wᵀ + (f⊙h)·Uᵀ + b),  h' = h + f⊙(h̃ − h)
 */
class GatedCell implements nn.RecurrentCell {
  readonly params: Tensor[];
  constructor(
    readonly inputSize: number,
    readonly hidden: number,
  ) {
    const p = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' }).mul(0.5);
    this.params = [p([hidden, inputSize]), p([hidden, hidden]), p([hidden]), p([hidden, inputSize]), p([hidden, hidden]), p([hidden])];
    for (const t of this.params) t.requiresGrad = true;
  }
  get stateSize(): number[] {
    return [this.hidden];
  }
  get outputSize(): number {
    return this.hidden;
  }
  call(x: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const [wf, uf, bf, w, u, b] = this.params as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const h = states[0]!;
    const f = sigmoid(add(linear(x, wf, bf), linear(h, uf)));
    const candidate = tanh(add(linear(x, w, b), linear(mul(f, h), u)));
    const next = add(h, mul(f, sub(candidate, h)));
    return [next, [next]];
  }
  zeroState(batch: number, dtype: DType = 'float64'): Tensor[] {
    return [zeros([batch, this.hidden], { dtype })];
  }
}

const flat = (ts: Tensor[]): Tensor => concat(ts.map((t) => t.reshape(-1)));
const tight = (a: Tensor, b: Tensor, label: string): void => assertClose(a, b, label, 1e-10, 1e-10);

describe('a user-defined cell', () => {
  test('float64 gradcheck through dynamicRnn with lengths (one of them 0) and an initial state', () => {
    manualSeed(1);
    const cell = new GatedCell(2, 3);
    const x = randn([3, 4, 2], { dtype: 'float64', requiresGrad: true });
    const h0 = randn([3, 3], { dtype: 'float64', requiresGrad: true });
    gradcheck(
      (input, init) => {
        const [out, state] = dynamicRnn(cell, input!, { sequenceLength: [4, 2, 0], initialState: [init!] });
        return flat([out, ...state]);
      },
      [x, h0, ...cell.params],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });

  test('float64 gradcheck through scan (time-major inputs, every state stacked)', () => {
    manualSeed(2);
    const cell = new GatedCell(2, 3);
    const x = randn([4, 2, 2], { dtype: 'float64', requiresGrad: true });
    const h0 = randn([2, 3], { dtype: 'float64', requiresGrad: true });
    gradcheck((input, init) => scan((s: Tensor[], xt: Tensor) => cell.call(xt, s)[1], input!, [init!])[0]!, [x, h0, ...cell.params], {
      atol: 1e-7,
      rtol: 1e-6,
    });
  });
});

type Kind = 'lstm' | 'gru' | 'rnn';
function layers(kind: Kind, bidirectional: boolean): [nn.LSTM | nn.GRU | nn.RNN, () => nn.LSTMCell | nn.GRUCell | nn.RNNCell] {
  const o = { inputSize: 3, hiddenSize: 4, batchFirst: true, bidirectional, dtype: 'float64' as const };
  const c = { inputSize: 3, hiddenSize: 4, dtype: 'float64' as const };
  if (kind === 'lstm') return [new nn.LSTM(o), () => new nn.LSTMCell(c)];
  if (kind === 'gru') return [new nn.GRU(o), () => new nn.GRUCell(c)];
  return [new nn.RNN(o), () => new nn.RNNCell(c)];
}

/** A cell holding one direction's weights of `layer`. */
function cellFrom(layer: nn.Module, make: () => nn.LSTMCell | nn.GRUCell | nn.RNNCell, suffix: string): nn.LSTMCell | nn.GRUCell | nn.RNNCell {
  const cell = make();
  const dict = layer.stateDict();
  cell.loadStateDict(Object.fromEntries(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((k) => [k, dict[`${k}${suffix}`]!])));
  return cell;
}

/** Runs the packed layer: [padded output (N, T, D·H), final states (D, N, ·)…]. */
function packedRun(layer: nn.LSTM | nn.GRU | nn.RNN, x: Tensor, lengths: number[], h0: Tensor[]): [Tensor, Tensor[]] {
  const packed = packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
  const total = { batchFirst: true, totalLength: x.shape[1]! };
  if (layer instanceof nn.LSTM) {
    const [o, [h, c]] = layer.forward(packed, [h0[0]!, h0[1]!]);
    return [padPackedSequence(o, total)[0], [h, c]];
  }
  const [o, h] = layer.forward(packed, h0[0]!);
  return [padPackedSequence(o, total)[0], [h]];
}

const loss = (ts: Tensor[]): Tensor => ts.map((t) => t.mul(t.mul(0.5).add(1)).sum()).reduce((a, b) => a.add(b));

describe('dynamicRnn = packed built-in layer', () => {
  for (const kind of ['lstm', 'gru', 'rnn'] as const) {
    test(`${kind}: valid steps, zeros past the lengths, final states and gradients (float64, 1e-10)`, () => {
      manualSeed(10);
      const [layer, make] = layers(kind, false);
      const cell = cellFrom(layer, make, '_l0');
      const lengths = [5, 2, 4, 1];
      const x = randn([4, 6, 3], { dtype: 'float64' }); // T = 6 > longest length 5
      const h0 = cell.stateSize.map(() => randn([1, 4, 4], { dtype: 'float64' }));
      const run = (useCell: boolean): [Tensor, Tensor[], Tensor, Tensor[]] => {
        const input = x.clone();
        input.requiresGrad = true;
        const [out, states] = useCell
          ? dynamicRnn(cell, input, { sequenceLength: lengths, initialState: h0.map((h) => select(h, 0, 0)) })
          : packedRun(layer, input, lengths, h0);
        const finals = useCell ? states : states.map((s) => select(s, 0, 0));
        loss([out, ...finals]).backward();
        return [out, finals, input.grad!, (useCell ? cell : layer).parameters().map((p) => p.grad!)];
      };
      const [o1, s1, gx1, gp1] = run(true);
      const [o2, s2, gx2, gp2] = run(false);
      tight(o1, o2, 'outputs');
      assert.equal(o1.select(1, 5).abs().sum().item(), 0, 'step 5 is past every length');
      s1.forEach((s, i) => tight(s, s2[i]!, `final state ${i}`));
      tight(gx1, gx2, 'grad inputs');
      assert.equal(gx1.select(1, 3).select(0, 1).abs().sum().item(), 0, 'no gradient past a length');
      gp1.forEach((g, i) => tight(g, gp2[i]!, `grad ${cell.namedParameters()[i]![0]}`));
    });
  }

  test('bidirectionalDynamicRnn = bidirectional packed LSTM (weights split into two cells), with gradients', () => {
    manualSeed(11);
    const [layer, make] = layers('lstm', true);
    const fw = cellFrom(layer, make, '_l0');
    const bw = cellFrom(layer, make, '_l0_reverse');
    const lengths = [3, 5, 1];
    const x = randn([3, 5, 3], { dtype: 'float64' });
    const zero = [zeros([2, 3, 4], { dtype: 'float64' }), zeros([2, 3, 4], { dtype: 'float64' })];
    const run = (useCells: boolean): [Tensor, Tensor[], Tensor, Tensor[]] => {
      const input = x.clone();
      input.requiresGrad = true;
      let out: Tensor;
      let finals: Tensor[];
      if (useCells) {
        const [[of, ob], [sf, sb]] = bidirectionalDynamicRnn(fw, bw, input, { sequenceLength: lengths });
        out = concat([of, ob], 2);
        finals = [sf[0]!, sb[0]!, sf[1]!, sb[1]!];
      } else {
        const [o, [h, c]] = packedRun(layer, input, lengths, zero);
        out = o;
        finals = [select(h!, 0, 0), select(h!, 0, 1), select(c!, 0, 0), select(c!, 0, 1)];
      }
      loss([out, ...finals]).backward();
      const grads = useCells ? [...fw.parameters(), ...bw.parameters()] : layer.parameters();
      return [out, finals, input.grad!, grads.map((p) => p.grad!)];
    };
    const [o1, s1, gx1, gp1] = run(true);
    const [o2, s2, gx2, gp2] = run(false);
    tight(o1, o2, 'outputs [fw ; bw]');
    s1.forEach((s, i) => tight(s, s2[i]!, `final state ${i}`));
    tight(gx1, gx2, 'grad inputs');
    gp1.forEach((g, i) => tight(g, gp2[i]!, `grad ${layer.namedParameters()[i]![0]}`));
  });
});

describe('dynamicRnn options', () => {
  test('timeMajor gives the transposed results; no lengths equals the unpacked layer', () => {
    manualSeed(12);
    const [layer, make] = layers('gru', false);
    const cell = cellFrom(layer, make, '_l0');
    const x = randn([2, 5, 3], { dtype: 'float64' });
    const [outB, [hB]] = dynamicRnn(cell, x);
    const [outT, [hT]] = dynamicRnn(cell, transpose(x, 0, 1), { timeMajor: true });
    const [ref, hRef] = (layer as nn.GRU).forward(x);
    tight(outB, ref, 'batch-major outputs');
    tight(hB!, select(hRef, 0, 0), 'final state');
    tight(transpose(outT, 0, 1), outB, 'time-major outputs');
    tight(hT!, hB!, 'time-major final state');
  });

  test('bidirectional without lengths: the backward outputs are the flipped run of the flipped inputs', () => {
    manualSeed(13);
    const cell = new GatedCell(2, 3);
    const x = randn([2, 4, 2], { dtype: 'float64' });
    const [[, ob], [, [hb]]] = bidirectionalDynamicRnn(cell, cell, x);
    const [rev, [hRev]] = dynamicRnn(cell, x.flip(1));
    tight(ob, rev.flip(1), 'backward outputs');
    tight(hb!, hRev!, 'backward state');
  });

  test('a length of 0 keeps the initial state and gives zero outputs; lengths as an int32 tensor', () => {
    manualSeed(14);
    const cell = new nn.LSTMCell({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    const init = [randn([2, 3], { dtype: 'float64' }), randn([2, 3], { dtype: 'float64' })];
    const lengths = tensor([0, 0], { dtype: 'int32' });
    const [out, [h, c]] = dynamicRnn(cell, randn([2, 3, 2], { dtype: 'float64' }), { sequenceLength: lengths, initialState: init });
    assert.deepEqual(out.shape, [2, 3, 3]);
    assert.equal(out.abs().sum().item(), 0);
    tight(h!, init[0]!, 'h');
    tight(c!, init[1]!, 'c');
    const [, [h1]] = dynamicRnn(cell, randn([2, 3, 2], { dtype: 'float64' }), { sequenceLength: [0, 2], initialState: init });
    tight(select(h1!, 0, 0), select(init[0]!, 0, 0), 'sequence 0 keeps h0');
    assert.ok(
      select(h1!, 0, 1)
        .sub(select(init[0]!, 0, 1))
        .abs()
        .sum()
        .item() > 1e-6,
      'sequence 1 moved',
    );
  });

  test('clear errors', () => {
    const cell = new nn.GRUCell({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    const x = randn([2, 4, 2], { dtype: 'float64' });
    assert.throws(
      () => dynamicRnn(cell, randn([4, 2], { dtype: 'float64' })),
      (e: Error) => e instanceof ShapeError && /3-D/.test(e.message),
    );
    assert.throws(
      () => dynamicRnn(cell, x, { sequenceLength: [4, 5] }),
      (e: Error) => e instanceof ValueError && /sequenceLength\[1\] = 5/.test(e.message),
    );
    assert.throws(() => dynamicRnn(cell, x, { sequenceLength: [4] }), ShapeError);
    assert.throws(() => dynamicRnn(cell, x, { initialState: [zeros([2, 4], { dtype: 'float64' })] }), /initialState\[0\] of shape \[2, 3\]/);
    assert.throws(() => dynamicRnn({} as nn.RecurrentCell, x), /RecurrentCell/);
    const liar: nn.RecurrentCell = { stateSize: [3], outputSize: 5, call: (i, s) => cell.call(i, s), zeroState: (n, d) => cell.zeroState(n, d) };
    assert.throws(() => dynamicRnn(liar, x), /output of shape \[2, 3\] at step 0; expected \[2, 5\]/);
  });
});
