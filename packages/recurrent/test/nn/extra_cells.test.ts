// nn.PeepholeLSTMCell (against nn.LSTM({ peepholes: true }) with the same weights) and
// nn.LayerNormLSTMCell (against the formulas computed with plain numbers): parameters, the cell
// interface, float64 gradchecks over two steps, and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, concat, gradcheck, manualSeed, nn, randn, select, stack, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const f64 = { dtype: 'float64' as const };
const g64 = { dtype: 'float64' as const, requiresGrad: true };

/** Overwrites every parameter with fresh N(0, 0.5²) draws, so gains and shifts differ from 1 and 0. */
function randomize(m: nn.Module): void {
  for (const p of m.parameters()) p.data.set(randn(p.shape, { dtype: p.dtype }).mul(0.5).data);
}

describe('nn.PeepholeLSTMCell', () => {
  test("parameters carry nn.LSTM's names without the layer suffix, in the same order", () => {
    const cell = new nn.PeepholeLSTMCell({ inputSize: 3, hiddenSize: 4 });
    assert.deepEqual(
      cell.namedParameters().map(([k, p]) => [k, [...p.shape]]),
      [
        ['weight_ih', [16, 3]],
        ['weight_hh', [16, 4]],
        ['bias_ih', [16]],
        ['bias_hh', [16]],
        ['weight_ci', [4]],
        ['weight_cf', [4]],
        ['weight_co', [4]],
      ],
    );
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, peepholes: true });
    assert.deepEqual(
      lstm.namedParameters().map(([k]) => k.replace(/_l0$/, '')),
      cell.namedParameters().map(([k]) => k),
    );
    const noBias = new nn.PeepholeLSTMCell({ inputSize: 3, hiddenSize: 4, bias: false });
    assert.deepEqual(
      noBias.namedParameters().map(([k]) => k),
      ['weight_ih', 'weight_hh', 'weight_ci', 'weight_cf', 'weight_co'],
    );
  });

  for (const bias of [true, false]) {
    test(`one step equals one step of nn.LSTM({ peepholes: true }) with the same weights${bias ? '' : ', no bias'}`, () => {
      manualSeed(1);
      const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, peepholes: true, bias, dtype: 'float64' });
      const cell = new nn.PeepholeLSTMCell({ inputSize: 3, hiddenSize: 4, bias, dtype: 'float64' });
      cell.loadStateDict(Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k.replace(/_l0$/, ''), v])));
      const x = randn([2, 3], f64);
      const h0 = randn([2, 4], f64);
      const c0 = randn([2, 4], f64);
      const [, [hN, cN]] = lstm.forward(x.reshape(1, 2, 3), [h0.reshape(1, 2, 4), c0.reshape(1, 2, 4)]);
      const [h, c] = cell.forward(x, [h0, c0]);
      assertClose(h, hN.reshape(2, 4), 'h', 1e-12, 1e-12);
      assertClose(c, cN.reshape(2, 4), 'c', 1e-12, 1e-12);
      // Unbatched input, and zero default states.
      const [hu, cu] = cell.forward(select(x, 0, 1), [select(h0, 0, 1), select(c0, 0, 1)]);
      assertClose(hu, select(h, 0, 1), 'unbatched h', 1e-12, 1e-12);
      assertClose(cu, select(c, 0, 1), 'unbatched c', 1e-12, 1e-12);
      const [, [hz]] = lstm.forward(x.reshape(1, 2, 3));
      assertClose(cell.forward(x)[0], hz.reshape(2, 4), 'zero states', 1e-12, 1e-12);
    });
  }

  test('four steps through call() equal nn.LSTM with peepholes over the sequence', () => {
    manualSeed(2);
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 3, peepholes: true, dtype: 'float64' });
    const cell = new nn.PeepholeLSTMCell({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    cell.loadStateDict(Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k.replace(/_l0$/, ''), v])));
    const xs = randn([4, 2, 2], f64);
    const [out] = lstm.forward(xs);
    let states = cell.zeroState(2);
    const outs: Tensor[] = [];
    for (let t = 0; t < 4; t++) {
      const [y, next] = cell.call(select(xs, 0, t), states);
      outs.push(y);
      states = next;
    }
    assertClose(stack(outs, 0), out, 'outputs', 1e-12, 1e-12);
    assert.deepEqual(cell.stateSize, [3, 3]);
    assert.equal(cell.outputSize, 3);
    assert.ok(nn.isRecurrentCell(cell));
  });

  test('gradcheck over two steps: input, states and every parameter', () => {
    manualSeed(3);
    const cell = new nn.PeepholeLSTMCell({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    gradcheck(
      (x, h, c) => {
        let s: [Tensor, Tensor] = [h!, c!];
        s = cell.forward(select(x!, 0, 0), s);
        s = cell.forward(select(x!, 0, 1), s);
        return concat([s[0].reshape(-1), s[1].reshape(-1)]);
      },
      [randn([2, 2, 2], g64), randn([2, 3], g64), randn([2, 3], g64), ...cell.parameters()],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });

  test('bad options and inputs', () => {
    assert.throws(
      () => new nn.PeepholeLSTMCell({ inputSize: 0, hiddenSize: 2 }),
      (e: unknown) => e instanceof ValueError && /PeepholeLSTMCell/.test(e.message),
    );
    const cell = new nn.PeepholeLSTMCell({ inputSize: 2, hiddenSize: 3 });
    assert.throws(() => cell.forward(randn([4, 3])), ShapeError);
    assert.throws(() => cell.forward(randn([4, 2]), [randn([4, 2]), randn([4, 3])]), ShapeError);
  });
});

/** The layer-normalised LSTM step of Ba et al. with plain numbers, row by row. */
function lnLstmStep(p: Record<string, Tensor>, x: Tensor, h: Tensor, c: Tensor, H: number, eps: number): { h: number[]; c: number[] } {
  const N = x.shape[0]!;
  const I = x.shape[1]!;
  const v = (name: string): Float64Array => Float64Array.from(p[name]!.data);
  const [wih, whh, bias] = [v('weight_ih'), v('weight_hh'), v('bias')];
  const norm = (a: number[], gain: Float64Array, shift: Float64Array): number[] => {
    const m = a.reduce((s, e) => s + e, 0) / a.length;
    const variance = a.reduce((s, e) => s + (e - m) ** 2, 0) / a.length;
    return a.map((e, j) => ((e - m) / Math.sqrt(variance + eps)) * gain[j]! + shift[j]!);
  };
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const hOut: number[] = [];
  const cOut: number[] = [];
  for (let n = 0; n < N; n++) {
    const xi = Array.from({ length: 4 * H }, (_, r) => {
      let s = 0;
      for (let k = 0; k < I; k++) s += wih[r * I + k]! * x.data[n * I + k]!;
      return s;
    });
    const hh = Array.from({ length: 4 * H }, (_, r) => {
      let s = 0;
      for (let k = 0; k < H; k++) s += whh[r * H + k]! * h.data[n * H + k]!;
      return s;
    });
    const a = norm(xi, v('ln_ih.weight'), v('ln_ih.bias'));
    const b = norm(hh, v('ln_hh.weight'), v('ln_hh.bias'));
    const z = a.map((e, r) => e + b[r]! + bias[r]!);
    const cNew = Array.from({ length: H }, (_, j) => sig(z[H + j]!) * c.data[n * H + j]! + sig(z[j]!) * Math.tanh(z[2 * H + j]!));
    const cNorm = norm(cNew, v('ln_c.weight'), v('ln_c.bias'));
    hOut.push(...cNorm.map((e, j) => sig(z[3 * H + j]!) * Math.tanh(e)));
    cOut.push(...cNew);
  }
  return { h: hOut, c: cOut };
}

describe('nn.LayerNormLSTMCell', () => {
  test('parameters by name and shape', () => {
    const cell = new nn.LayerNormLSTMCell({ inputSize: 3, hiddenSize: 4 });
    assert.deepEqual(
      cell.namedParameters().map(([k, p]) => [k, [...p.shape]]),
      [
        ['weight_ih', [16, 3]],
        ['weight_hh', [16, 4]],
        ['bias', [16]],
        ['ln_ih.weight', [16]],
        ['ln_ih.bias', [16]],
        ['ln_hh.weight', [16]],
        ['ln_hh.bias', [16]],
        ['ln_c.weight', [4]],
        ['ln_c.bias', [4]],
      ],
    );
    assert.ok(!new nn.LayerNormLSTMCell({ inputSize: 3, hiddenSize: 4, bias: false }).namedParameters().some(([k]) => k === 'bias'));
  });

  for (const eps of [1e-5, 0.5]) {
    test(`one step matches the formulas computed with plain numbers (eps ${eps})`, () => {
      manualSeed(4);
      const H = 3;
      const cell = new nn.LayerNormLSTMCell({ inputSize: 2, hiddenSize: H, eps, dtype: 'float64' });
      randomize(cell);
      const x = randn([2, 2], f64);
      const h0 = randn([2, H], f64);
      const c0 = randn([2, H], f64);
      const [h, c] = cell.forward(x, [h0, c0]);
      const want = lnLstmStep(cell.stateDict(), x, h0, c0, H, eps);
      want.h.forEach((e, i) => assert.ok(Math.abs(h.data[i]! - e) < 1e-12, `h[${i}]: ${h.data[i]} vs ${e}`));
      want.c.forEach((e, i) => assert.ok(Math.abs(c.data[i]! - e) < 1e-12, `c[${i}]: ${c.data[i]} vs ${e}`));
      const [hu, cu] = cell.forward(select(x, 0, 0), [select(h0, 0, 0), select(c0, 0, 0)]);
      assertClose(hu, select(h, 0, 0), 'unbatched h', 1e-12, 1e-12);
      assertClose(cu, select(c, 0, 0), 'unbatched c', 1e-12, 1e-12);
    });
  }

  test('cell interface: stateSize, zeroState, call', () => {
    manualSeed(5);
    const cell = new nn.LayerNormLSTMCell({ inputSize: 2, hiddenSize: 3 });
    assert.deepEqual(cell.stateSize, [3, 3]);
    assert.equal(cell.outputSize, 3);
    const states = cell.zeroState(4);
    assert.deepEqual(
      states.map((s) => [...s.shape]),
      [
        [4, 3],
        [4, 3],
      ],
    );
    const x = randn([4, 2]);
    const [y, [h, c]] = cell.call(x, states);
    const [h2, c2] = cell.forward(x);
    assert.equal(y, h);
    assertClose(h!, h2, 'h', 0, 0);
    assertClose(c!, c2, 'c', 0, 0);
    assert.ok(nn.isRecurrentCell(cell));
  });

  test('gradcheck over two steps: input, states and every parameter', () => {
    manualSeed(6);
    const cell = new nn.LayerNormLSTMCell({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    randomize(cell);
    gradcheck(
      (x, h, c) => {
        let s: [Tensor, Tensor] = [h!, c!];
        s = cell.forward(select(x!, 0, 0), s);
        s = cell.forward(select(x!, 0, 1), s);
        return concat([s[0].reshape(-1), s[1].reshape(-1)]);
      },
      [randn([2, 2, 2], g64), randn([2, 3], g64), randn([2, 3], g64), ...cell.parameters()],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });

  test('bad options and inputs', () => {
    assert.throws(() => new nn.LayerNormLSTMCell({ inputSize: 2, hiddenSize: -1 }), ValueError);
    const cell = new nn.LayerNormLSTMCell({ inputSize: 2, hiddenSize: 3 });
    assert.throws(() => cell.forward(randn([4, 3])), ShapeError);
    assert.throws(() => cell.forward(randn([4, 2], f64)), DTypeError);
    assert.throws(() => cell.forward(randn([4, 2]), [randn([4, 3]), randn([3, 3])]), ShapeError);
  });
});
