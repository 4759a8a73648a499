// nn.ConvLSTM1D / ConvLSTM2D and their cells: one step against the formulas computed with plain
// loops, the layer against a loop over its cell, shapes for every option, float64 gradchecks of
// both layers through time, the cell interface, and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, concat, gradcheck, manualSeed, nn, permute, randn, select, stack, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const f64 = { dtype: 'float64' as const };
const g64 = { dtype: 'float64' as const, requiresGrad: true };

/**
 * One ConvLSTM2D step with plain numbers. Input convolution padded by inPad (before: [top, left]),
 * the recurrent one 'same' (⌊(k − 1)/2⌋ before); states (N, Ch, P, Q).
 */
function handStep(p: Record<string, Tensor>, x: Tensor, h: Tensor, c: Tensor, Ch: number, inPad: [number, number]): { h: number[]; c: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, , R, S] = p.weight_ih!.shape as [number, number, number, number];
  const [P, Q] = [h.shape[2]!, h.shape[3]!];
  const wih = p.weight_ih!.data;
  const whh = p.weight_hh!.data;
  const bias = p.bias?.data;
  const [rTop, rLeft] = [Math.floor((R - 1) / 2), Math.floor((S - 1) / 2)];
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const z = (n: number, o: number, y: number, xx: number): number => {
    let s = bias ? bias[o]! : 0;
    for (let r = 0; r < R; r++) {
      for (let t = 0; t < S; t++) {
        for (let k = 0; k < C; k++) {
          const iy = y - inPad[0] + r;
          const ix = xx - inPad[1] + t;
          if (iy >= 0 && iy < H && ix >= 0 && ix < W) s += wih[((o * C + k) * R + r) * S + t]! * x.data[((n * C + k) * H + iy) * W + ix]!;
        }
        for (let k = 0; k < Ch; k++) {
          const iy = y - rTop + r;
          const ix = xx - rLeft + t;
          if (iy >= 0 && iy < P && ix >= 0 && ix < Q) s += whh[((o * Ch + k) * R + r) * S + t]! * h.data[((n * Ch + k) * P + iy) * Q + ix]!;
        }
      }
    }
    return s;
  };
  const hOut: number[] = [];
  const cOut: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Ch; o++) {
      for (let y = 0; y < P; y++) {
        for (let xx = 0; xx < Q; xx++) {
          const at = ((n * Ch + o) * P + y) * Q + xx;
          const i = sig(z(n, o, y, xx));
          const f = sig(z(n, Ch + o, y, xx));
          const g = Math.tanh(z(n, 2 * Ch + o, y, xx));
          const out = sig(z(n, 3 * Ch + o, y, xx));
          const cn = f * c.data[at]! + i * g;
          cOut.push(cn);
          hOut.push(out * Math.tanh(cn));
        }
      }
    }
  }
  return { h: hOut, c: cOut };
}

function assertNumbers(actual: Tensor, expected: number[], label: string): void {
  assert.equal(actual.size, expected.length, `${label}: size`);
  expected.forEach((e, i) => assert.ok(Math.abs(actual.data[i]! - e) < 1e-12, `${label}[${i}]: ${actual.data[i]} vs ${e}`));
}

describe('ConvLSTM cells', () => {
  test('parameters by name and shape', () => {
    const c2 = new nn.ConvLSTM2DCell({ inputChannels: 3, hiddenChannels: 5, kernelSize: [3, 2] });
    assert.deepEqual(
      c2.namedParameters().map(([k, p]) => [k, [...p.shape]]),
      [
        ['weight_ih', [20, 3, 3, 2]],
        ['weight_hh', [20, 5, 3, 2]],
        ['bias', [20]],
      ],
    );
    const c1 = new nn.ConvLSTM1DCell({ inputChannels: 2, hiddenChannels: 4, kernelSize: 3, bias: false });
    assert.deepEqual(
      c1.namedParameters().map(([k, p]) => [k, [...p.shape]]),
      [
        ['weight_ih', [16, 2, 3]],
        ['weight_hh', [16, 4, 3]],
      ],
    );
  });

  const stepCases: [string, 'same' | 'valid', number[], [number, number]][] = [
    ["'valid' input padding, kernel [3, 2]", 'valid', [3, 2], [0, 0]],
    ["'same' input padding, kernel [2, 3]", 'same', [2, 3], [0, 1]],
  ];
  for (const [name, padding, kernel, inPad] of stepCases) {
    test(`one ConvLSTM2DCell step matches the formulas with plain loops: ${name}`, () => {
      manualSeed(1);
      const cell = new nn.ConvLSTM2DCell({ inputChannels: 2, hiddenChannels: 2, kernelSize: [kernel[0]!, kernel[1]!], padding, dtype: 'float64' });
      const x = randn([2, 2, 4, 5], f64);
      const spatial = cell.stateSpatialShape([4, 5]);
      assert.deepEqual(spatial, padding === 'same' ? [4, 5] : [2, 4]);
      const h0 = randn([2, 2, ...spatial], f64);
      const c0 = randn([2, 2, ...spatial], f64);
      const [h, c] = cell.forward(x, [h0, c0]);
      assert.deepEqual([...h.shape], [2, 2, ...spatial]);
      const want = handStep(cell.stateDict(), x, h0, c0, 2, inPad);
      assertNumbers(h, want.h, 'h');
      assertNumbers(c, want.c, 'c');
    });
  }

  test('ConvLSTM1DCell equals ConvLSTM2DCell on height-1 inputs with the same weights', () => {
    manualSeed(2);
    const c1 = new nn.ConvLSTM1DCell({ inputChannels: 2, hiddenChannels: 3, kernelSize: 2, dtype: 'float64' });
    const c2 = new nn.ConvLSTM2DCell({ inputChannels: 2, hiddenChannels: 3, kernelSize: [1, 2], dtype: 'float64' });
    c2.loadStateDict(
      Object.fromEntries(Object.entries(c1.stateDict()).map(([k, v]) => [k, v.ndim === 3 ? v.reshape(v.shape[0]!, v.shape[1]!, 1, v.shape[2]!) : v])),
    );
    const x = randn([2, 2, 5], f64);
    const h0 = randn([2, 3, 5], f64);
    const c0 = randn([2, 3, 5], f64);
    const [h1, cc1] = c1.forward(x, [h0, c0]);
    const [h2, cc2] = c2.forward(x.reshape(2, 2, 1, 5), [h0.reshape(2, 3, 1, 5), c0.reshape(2, 3, 1, 5)]);
    assertClose(h1, h2.reshape(2, 3, 5), 'h', 1e-12, 1e-12);
    assertClose(cc1, cc2.reshape(2, 3, 5), 'c', 1e-12, 1e-12);
  });

  test('cell interface: stateSize in channels, zeroState from the spatialShape option or the last input', () => {
    manualSeed(3);
    const cell = new nn.ConvLSTM2DCell({ inputChannels: 1, hiddenChannels: 4, kernelSize: 3, padding: 'valid' });
    assert.deepEqual(cell.stateSize, [4, 4]);
    assert.equal(cell.outputSize, 4);
    assert.equal(cell.stateShape, null);
    assert.throws(() => cell.zeroState(2), ValueError);
    const x = randn([2, 1, 6, 5]);
    const [y, [h, c]] = cell.call(x, []);
    assert.deepEqual([...y.shape], [2, 4, 4, 3]);
    assert.equal(y, h);
    assert.deepEqual(cell.stateShape, [4, 4, 3]);
    assert.deepEqual(
      cell.zeroState(3, 'float64').map((s) => [s.dtype, ...s.shape]),
      [
        ['float64', 3, 4, 4, 3],
        ['float64', 3, 4, 4, 3],
      ],
    );
    const [y2] = cell.call(x, [h!, c!]);
    assert.deepEqual([...y2.shape], [2, 4, 4, 3]);
    const known = new nn.ConvLSTM1DCell({ inputChannels: 1, hiddenChannels: 2, kernelSize: 3, spatialShape: [7] });
    assert.deepEqual(
      known.zeroState(5).map((s) => [...s.shape]),
      [
        [5, 2, 7],
        [5, 2, 7],
      ],
    );
    assert.ok(nn.isRecurrentCell(cell));
  });

  test('bad options and inputs', () => {
    assert.throws(() => new nn.ConvLSTM2DCell({ inputChannels: 1, hiddenChannels: 2, kernelSize: 0 }), ValueError);
    assert.throws(() => new nn.ConvLSTM2DCell({ inputChannels: 1, hiddenChannels: 2, kernelSize: 3, padding: 'full' as 'same' }), ValueError);
    assert.throws(() => new nn.ConvLSTM1DCell({ inputChannels: 1, hiddenChannels: 2, kernelSize: [3, 3] as unknown as [number] }), ValueError);
    const cell = new nn.ConvLSTM2DCell({ inputChannels: 2, hiddenChannels: 3, kernelSize: 3, padding: 'valid' });
    assert.throws(() => cell.forward(randn([1, 3, 4, 4])), ShapeError);
    assert.throws(() => cell.forward(randn([1, 2, 2, 4])), ShapeError);
    assert.throws(() => cell.forward(randn([1, 2, 4, 4], f64)), DTypeError);
    assert.throws(() => cell.forward(randn([1, 2, 4, 4]), [randn([1, 3, 4, 4]), randn([1, 3, 4, 4])]), ShapeError);
  });
});

describe('ConvLSTM layers', () => {
  test('the layer equals a loop over its cell; batchFirst false is the time-major layout', () => {
    manualSeed(4);
    const layer = new nn.ConvLSTM2D({ inputChannels: 2, hiddenChannels: 3, kernelSize: 3, returnSequences: true, dtype: 'float64' });
    const x = randn([2, 3, 2, 4, 4], f64);
    const h0 = randn([2, 3, 4, 4], f64);
    const c0 = randn([2, 3, 4, 4], f64);
    const [out, [hN, cN]] = layer.forward(x, [h0, c0]);
    let s: [Tensor, Tensor] = [h0, c0];
    const outs: Tensor[] = [];
    for (let t = 0; t < 3; t++) {
      s = layer.cell.forward(select(x, 1, t), s);
      outs.push(s[0]);
    }
    assertClose(out, stack(outs, 1), 'outputs', 1e-12, 1e-12);
    assertClose(hN, s[0], 'hN', 0, 0);
    assertClose(cN, s[1], 'cN', 0, 0);
    const timeMajor = new nn.ConvLSTM2D({ inputChannels: 2, hiddenChannels: 3, kernelSize: 3, returnSequences: true, batchFirst: false, dtype: 'float64' });
    timeMajor.loadStateDict(layer.stateDict());
    const [outT, [hT]] = timeMajor.forward(permute(x, [1, 0, 2, 3, 4]), [h0, c0]);
    assertClose(outT, permute(out, [1, 0, 2, 3, 4]), 'time-major outputs', 1e-12, 1e-12);
    assertClose(hT, hN, 'time-major hN', 1e-12, 1e-12);
    const last = new nn.ConvLSTM2D({ inputChannels: 2, hiddenChannels: 3, kernelSize: 3, dtype: 'float64' });
    last.loadStateDict(layer.stateDict());
    assertClose(last.forward(x, [h0, c0])[0], hN, 'last output', 1e-12, 1e-12);
  });

  test('shapes for padding, returnSequences and batchFirst; state-dict keys', () => {
    manualSeed(5);
    const shape = (t: Tensor): number[] => [...t.shape];
    const valid2 = new nn.ConvLSTM2D({ inputChannels: 1, hiddenChannels: 2, kernelSize: [3, 2], padding: 'valid' });
    const [o, [h, c]] = valid2.forward(randn([2, 4, 1, 5, 6]));
    assert.deepEqual(
      [shape(o), shape(h), shape(c)],
      [
        [2, 2, 3, 5],
        [2, 2, 3, 5],
        [2, 2, 3, 5],
      ],
    );
    assert.deepEqual(Object.keys(valid2.stateDict()), ['cell.weight_ih', 'cell.weight_hh', 'cell.bias']);
    const seq1 = new nn.ConvLSTM1D({ inputChannels: 3, hiddenChannels: 2, kernelSize: 4, returnSequences: true, batchFirst: false });
    const [o1, [h1]] = seq1.forward(randn([5, 2, 3, 7]));
    assert.deepEqual(
      [shape(o1), shape(h1)],
      [
        [5, 2, 2, 7],
        [2, 2, 7],
      ],
    );
    const valid1 = new nn.ConvLSTM1D({ inputChannels: 3, hiddenChannels: 2, kernelSize: 4, padding: 'valid', returnSequences: true });
    assert.deepEqual(shape(valid1.forward(randn([2, 5, 3, 7]))[0]), [2, 5, 2, 4]);
  });

  test('gradcheck ConvLSTM2D through time: input, h0, c0 and every parameter', () => {
    manualSeed(6);
    const layer = new nn.ConvLSTM2D({ inputChannels: 1, hiddenChannels: 2, kernelSize: 2, returnSequences: true, dtype: 'float64' });
    gradcheck(
      (x, h0, c0) => {
        const [out, [h, c]] = layer.forward(x!, [h0!, c0!]);
        return concat([out.reshape(-1), h.reshape(-1), c.reshape(-1)]);
      },
      [randn([1, 2, 1, 3, 3], g64), randn([1, 2, 3, 3], g64), randn([1, 2, 3, 3], g64), ...layer.parameters()],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });

  test("gradcheck ConvLSTM2D with 'valid' padding and zero initial states", () => {
    manualSeed(7);
    const layer = new nn.ConvLSTM2D({ inputChannels: 2, hiddenChannels: 1, kernelSize: [2, 3], padding: 'valid', dtype: 'float64' });
    gradcheck(
      (x) => {
        const [out, [, c]] = layer.forward(x!);
        return concat([out.reshape(-1), c.reshape(-1)]);
      },
      [randn([2, 3, 2, 3, 4], g64), ...layer.parameters()],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });

  test('gradcheck ConvLSTM1D through time, time-major, no bias', () => {
    manualSeed(8);
    const layer = new nn.ConvLSTM1D({
      inputChannels: 2,
      hiddenChannels: 2,
      kernelSize: 3,
      bias: false,
      batchFirst: false,
      returnSequences: true,
      dtype: 'float64',
    });
    gradcheck(
      (x, h0, c0) => {
        const [out, [h, c]] = layer.forward(x!, [h0!, c0!]);
        return concat([out.reshape(-1), h.reshape(-1), c.reshape(-1)]);
      },
      [randn([3, 2, 2, 4], g64), randn([2, 2, 4], g64), randn([2, 2, 4], g64), ...layer.parameters()],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });

  test('bad inputs and options', () => {
    const layer = new nn.ConvLSTM2D({ inputChannels: 2, hiddenChannels: 3, kernelSize: 3 });
    assert.throws(() => layer.forward(randn([2, 3, 2, 4])), ShapeError);
    assert.throws(() => layer.forward(randn([2, 3, 1, 4, 4])), ShapeError);
    assert.throws(() => layer.forward(randn([2, 0, 2, 4, 4])), ShapeError);
    assert.throws(() => layer.forward(randn([2, 3, 2, 4, 4]), [randn([2, 3, 4, 4]), randn([2, 3, 4, 5])]), ShapeError);
    assert.throws(() => new nn.ConvLSTM1D({ inputChannels: 2, hiddenChannels: 3, kernelSize: 3, returnSequences: 1 as unknown as boolean }), ValueError);
  });
});
