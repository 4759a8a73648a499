// nn.RNNCell / LSTMCell / GRUCell: against PyTorch 1.13 over three steps with the state fed back
// (test/fixtures/cells, see test/fixtures/README.md), against one step of the matching layer, and
// their argument checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DTypeError, ShapeError, ValueError, manualSeed, nn, randn, readSafetensorsFile, select, stack, tensor, zeros, type Tensor } from '../../src/index.js';
import { assertClose, TORCH_FLOAT32_TOLERANCE } from '../helpers/close.js';

interface CellConfig {
  mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  batched: boolean;
  withH0: boolean;
}

type AnyCell = nn.RNNCell | nn.LSTMCell | nn.GRUCell;

const TOL = TORCH_FLOAT32_TOLERANCE;
const dir = join(import.meta.dirname, '..', 'fixtures', 'cells');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

function leaf(t: Tensor): Tensor {
  const copy = t.detach().clone();
  copy.requiresGrad = true;
  return copy;
}

function buildCell(config: CellConfig): AnyCell {
  const options = { inputSize: config.inputSize, hiddenSize: config.hiddenSize, bias: config.bias };
  if (config.mode === 'LSTM') return new nn.LSTMCell(options);
  if (config.mode === 'GRU') return new nn.GRUCell(options);
  return new nn.RNNCell({ ...options, nonlinearity: config.mode === 'RNN_RELU' ? 'relu' : 'tanh' });
}

function runFixture(file: string): void {
  const { tensors, metadata } = readSafetensorsFile(readFileSync(join(dir, file)));
  const config = JSON.parse(metadata.config!) as CellConfig;
  const t = (name: string): Tensor => {
    const found = tensors[name];
    assert.ok(found, `${file}: missing tensor ${name}`);
    return found;
  };
  const cell = buildCell(config);
  const params = Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith('param.'))
      .map(([k, v]) => [k.slice(6), v]),
  );
  const expectedKeys = config.bias ? ['bias_hh', 'bias_ih', 'weight_hh', 'weight_ih'] : ['weight_hh', 'weight_ih'];
  assert.deepEqual(Object.keys(params).sort(), expectedKeys, 'fixture parameter names');
  cell.loadStateDict(params);

  const input = leaf(t('input'));
  const h0 = config.withH0 ? leaf(t('h0')) : null;
  const c0 = config.withH0 && config.mode === 'LSTM' ? leaf(t('c0')) : null;
  const steps = input.shape[0]!;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  if (cell instanceof nn.LSTMCell) {
    let state: [Tensor, Tensor] | null = h0 && c0 ? [h0, c0] : null;
    for (let s = 0; s < steps; s++) {
      state = cell.forward(select(input, 0, s), state);
      hs.push(state[0]);
      cs.push(state[1]);
    }
  } else {
    let h: Tensor | null = h0;
    for (let s = 0; s < steps; s++) {
      h = cell.forward(select(input, 0, s), h);
      hs.push(h);
    }
  }
  const output = stack(hs, 0);
  assertClose(output, t('output'), 'output', TOL, TOL);
  let loss = output.mul(t('grad_output')).sum();
  if (cs.length > 0) {
    const cOutput = stack(cs, 0);
    assertClose(cOutput, t('c_output'), 'c_output', TOL, TOL);
    loss = loss.add(cOutput.mul(t('grad_c_output')).sum());
  }
  loss.backward();

  assertClose(input.grad!, t('grad.input'), 'grad.input', TOL, TOL);
  if (h0) assertClose(h0.grad!, t('grad.h0'), 'grad.h0', TOL, TOL);
  if (c0) assertClose(c0.grad!, t('grad.c0'), 'grad.c0', TOL, TOL);
  const named = new Map(cell.namedParameters());
  assert.deepEqual([...named.keys()].sort(), expectedKeys, 'cell parameter names');
  for (const [name, p] of named) {
    assert.ok(p.grad, `grad.param.${name} is missing`);
    assertClose(p.grad, t(`grad.param.${name}`), `grad.param.${name}`, TOL, TOL);
  }
}

describe('cells match PyTorch fixtures', () => {
  test('the fixture set covers every cell kind', () => {
    assert.ok(files.length >= 10, `found ${files.length} fixtures`);
    const modes = new Set(files.map((f) => (JSON.parse(readSafetensorsFile(readFileSync(join(dir, f))).metadata.config!) as CellConfig).mode));
    assert.deepEqual([...modes].sort(), ['GRU', 'LSTM', 'RNN_RELU', 'RNN_TANH']);
  });
  for (const file of files) test(file, () => runFixture(file));
});

/** Copies a cell's weights into a one-layer recurrent module of the same kind (weight_ih → weight_ih_l0, ...). */
function layerDict(cell: AnyCell): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(cell.stateDict()).map(([k, v]) => [`${k}_l0`, v]));
}

describe('a cell step equals one step of the matching layer', () => {
  const N = 3;
  const I = 4;
  const H = 5;

  for (const nonlinearity of ['tanh', 'relu'] as const) {
    test(`RNNCell (${nonlinearity}) = nn.RNN over one step`, () => {
      manualSeed(11);
      const cell = new nn.RNNCell({ inputSize: I, hiddenSize: H, nonlinearity });
      const layer = new nn.RNN({ inputSize: I, hiddenSize: H, nonlinearity });
      layer.loadStateDict(layerDict(cell));
      const x = randn([N, I]);
      const h = randn([N, H]);
      const [out, hN] = layer.forward(x.unsqueeze(0), h.unsqueeze(0));
      const step = cell.forward(x, h);
      assertClose(step, select(out, 0, 0), 'output', 1e-6, 1e-6);
      assertClose(step, select(hN, 0, 0), 'h_n', 1e-6, 1e-6);
    });
  }

  test('LSTMCell = nn.LSTM over one step, batched and unbatched', () => {
    manualSeed(12);
    const cell = new nn.LSTMCell({ inputSize: I, hiddenSize: H });
    const layer = new nn.LSTM({ inputSize: I, hiddenSize: H });
    layer.loadStateDict(layerDict(cell));
    const x = randn([N, I]);
    const h = randn([N, H]);
    const c = randn([N, H]);
    const [out, [hN, cN]] = layer.forward(x.unsqueeze(0), [h.unsqueeze(0), c.unsqueeze(0)]);
    const [h1, c1] = cell.forward(x, [h, c]);
    assertClose(h1, select(out, 0, 0), 'output', 1e-6, 1e-6);
    assertClose(h1, select(hN, 0, 0), 'h_n', 1e-6, 1e-6);
    assertClose(c1, select(cN, 0, 0), 'c_n', 1e-6, 1e-6);
    // Unbatched: (I) in, (H) out, the same as row 0 of the batched step.
    const [hu, cu] = cell.forward(select(x, 0, 0), [select(h, 0, 0), select(c, 0, 0)]);
    assert.deepEqual(hu.shape, [H]);
    assertClose(hu, select(h1, 0, 0), 'unbatched h', 1e-6, 1e-6);
    assertClose(cu, select(c1, 0, 0), 'unbatched c', 1e-6, 1e-6);
  });

  for (const resetAfter of [true, false]) {
    test(`GRUCell (resetAfter ${resetAfter}) = nn.GRU (resetAfter ${resetAfter}) over one step`, () => {
      manualSeed(13);
      const cell = new nn.GRUCell({ inputSize: I, hiddenSize: H, resetAfter });
      const layer = new nn.GRU({ inputSize: I, hiddenSize: H, resetAfter });
      layer.loadStateDict(layerDict(cell));
      const x = randn([N, I]);
      const h = randn([N, H]);
      const [out, hN] = layer.forward(x.unsqueeze(0), h.unsqueeze(0));
      const step = cell.forward(x, h);
      assertClose(step, select(out, 0, 0), 'output', 1e-6, 1e-6);
      assertClose(step, select(hN, 0, 0), 'h_n', 1e-6, 1e-6);
    });
  }

  test('GRUCell resetAfter true and false differ when h is nonzero, and agree when h is zero', () => {
    manualSeed(14);
    const after = new nn.GRUCell({ inputSize: I, hiddenSize: H });
    const before = new nn.GRUCell({ inputSize: I, hiddenSize: H, resetAfter: false });
    before.loadStateDict(after.stateDict());
    const x = randn([N, I]);
    const h = randn([N, H]);
    const diff = after.forward(x, h).sub(before.forward(x, h)).abs().max().item();
    assert.ok(diff > 1e-3, `the two GRU variants should differ; max difference ${diff}`);
    // With h = 0: r⊙(W_hn·0 + b_hn) vs W_hn·(r⊙0) + b_hn differ only through b_hn; without biases they agree.
    const a = new nn.GRUCell({ inputSize: I, hiddenSize: H, bias: false });
    const b = new nn.GRUCell({ inputSize: I, hiddenSize: H, bias: false, resetAfter: false });
    b.loadStateDict(a.stateDict());
    assertClose(a.forward(x), b.forward(x), 'h = 0, no bias', 1e-7, 0);
  });

  test('gradients of a cell step equal those of the one-step layer', () => {
    manualSeed(15);
    const cell = new nn.LSTMCell({ inputSize: I, hiddenSize: H });
    const layer = new nn.LSTM({ inputSize: I, hiddenSize: H });
    layer.loadStateDict(layerDict(cell));
    const x = randn([N, I]);
    const g = randn([N, H]);
    const [h1] = cell.forward(x);
    h1.mul(g).sum().backward();
    const [out] = layer.forward(x.unsqueeze(0));
    select(out, 0, 0).mul(g).sum().backward();
    const layerParams = new Map(layer.namedParameters());
    for (const [name, p] of cell.namedParameters()) {
      assertClose(p.grad!, layerParams.get(`${name}_l0`)!.grad!, `grad ${name}`, 1e-6, 1e-6);
    }
  });
});

describe('cell semantics by hand', () => {
  test('RNNCell computes tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) and relu on request', () => {
    const dict = {
      weight_ih: tensor([
        [1, 2],
        [0, -1],
      ]),
      weight_hh: tensor([
        [0.5, 0],
        [1, 1],
      ]),
      bias_ih: tensor([0.1, -0.2]),
      bias_hh: tensor([0, 0.3]),
    };
    const x = tensor([[1, 1]]);
    const h = tensor([[2, -1]]);
    // pre = [1+2 + 0.1 + 1 + 0, -1 - 0.2 + (2 - 1) + 0.3] = [4.1, 0.1]
    const tanhCell = new nn.RNNCell({ inputSize: 2, hiddenSize: 2 });
    tanhCell.loadStateDict(dict);
    assertClose(tanhCell.forward(x, h), tensor([[Math.tanh(4.1), Math.tanh(0.1)]]), 'tanh', 1e-6, 1e-6);
    const reluCell = new nn.RNNCell({ inputSize: 2, hiddenSize: 2, nonlinearity: 'relu' });
    reluCell.loadStateDict(dict);
    assertClose(reluCell.forward(x, h), tensor([[4.1, 0.1]]), 'relu', 1e-6, 1e-6);
    // h = [-10, 0]: pre = [3.1 - 5, -1.2 - 10 + 0.3] = [-1.9, -10.9] → relu 0, 0
    assertClose(reluCell.forward(x, tensor([[-10, 0]])), tensor([[0, 0]]), 'relu clamps', 0, 0);
  });

  test('LSTMCell with zero weights: c = σ(b_i)·tanh(b_g) + σ(b_f)·c0, h = σ(b_o)·tanh(c)', () => {
    const cell = new nn.LSTMCell({ inputSize: 1, hiddenSize: 1 });
    cell.loadStateDict({
      weight_ih: zeros([4, 1]),
      weight_hh: zeros([4, 1]),
      bias_ih: tensor([1, 2, 0.5, -1]),
      bias_hh: zeros([4]),
    });
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const c0 = 3;
    const c = sig(1) * Math.tanh(0.5) + sig(2) * c0;
    const h = sig(-1) * Math.tanh(c);
    const [h1, c1] = cell.forward(tensor([[7]]), [tensor([[5]]), tensor([[c0]])]);
    assertClose(c1, tensor([[c]]), 'c', 1e-6, 1e-6);
    assertClose(h1, tensor([[h]]), 'h', 1e-6, 1e-6);
  });

  test('omitted states are zeros', () => {
    manualSeed(21);
    const x = randn([2, 3]);
    const rnnCell = new nn.RNNCell({ inputSize: 3, hiddenSize: 4 });
    assertClose(rnnCell.forward(x), rnnCell.forward(x, zeros([2, 4])), 'RNNCell', 0, 0);
    const gru = new nn.GRUCell({ inputSize: 3, hiddenSize: 4 });
    assertClose(gru.forward(x, null), gru.forward(x, zeros([2, 4])), 'GRUCell', 0, 0);
    const lstm = new nn.LSTMCell({ inputSize: 3, hiddenSize: 4 });
    const [ha, ca] = lstm.forward(x);
    const [hb, cb] = lstm.forward(x, [zeros([2, 4]), zeros([2, 4])]);
    assertClose(ha, hb, 'LSTMCell h', 0, 0);
    assertClose(ca, cb, 'LSTMCell c', 0, 0);
  });

  test('parameter names, shapes and default init within ±1/√hiddenSize', () => {
    manualSeed(22);
    const cases: [AnyCell, number][] = [
      [new nn.RNNCell({ inputSize: 3, hiddenSize: 16 }), 1],
      [new nn.LSTMCell({ inputSize: 3, hiddenSize: 16 }), 4],
      [new nn.GRUCell({ inputSize: 3, hiddenSize: 16 }), 3],
    ];
    for (const [cell, gates] of cases) {
      const shapes = Object.fromEntries(cell.namedParameters().map(([k, p]) => [k, [...p.shape]]));
      assert.deepEqual(shapes, {
        weight_ih: [gates * 16, 3],
        weight_hh: [gates * 16, 16],
        bias_ih: [gates * 16],
        bias_hh: [gates * 16],
      });
      for (const p of cell.parameters()) for (const v of p.data) assert.ok(Math.abs(v) <= 0.25, `${v} outside ±0.25`);
    }
    const noBias = new nn.GRUCell({ inputSize: 3, hiddenSize: 4, bias: false });
    assert.deepEqual(
      noBias.namedParameters().map(([k]) => k),
      ['weight_ih', 'weight_hh'],
    );
  });
});

describe('cell argument checks', () => {
  test('a wrong input shape names input and the expected size', () => {
    const cell = new nn.RNNCell({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => cell.forward(zeros([2, 5])),
      (e: unknown) => e instanceof ShapeError && /RNNCell: input/.test(e.message) && /3/.test(e.message),
    );
    assert.throws(
      () => cell.forward(zeros([1, 2, 3])),
      (e: unknown) => e instanceof ShapeError && /RNNCell: input/.test(e.message),
    );
    const lstm = new nn.LSTMCell({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => lstm.forward(zeros([4])),
      (e: unknown) => e instanceof ShapeError && /LSTMCell: input/.test(e.message),
    );
  });

  test('a wrong state shape names the state', () => {
    const rnnCell = new nn.RNNCell({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => rnnCell.forward(zeros([2, 3]), zeros([3, 4])),
      (e: unknown) => e instanceof ShapeError && /\bh\b/.test(e.message) && /\[2, 4\]/.test(e.message),
    );
    // an unbatched input needs an unbatched state, and the other way round
    assert.throws(
      () => rnnCell.forward(zeros([3]), zeros([1, 4])),
      (e: unknown) => e instanceof ShapeError && /\bh\b/.test(e.message) && /\[4\]/.test(e.message),
    );
    assert.throws(
      () => rnnCell.forward(zeros([1, 3]), zeros([4])),
      (e: unknown) => e instanceof ShapeError && /\bh\b/.test(e.message),
    );
    const lstm = new nn.LSTMCell({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => lstm.forward(zeros([2, 3]), [zeros([2, 4]), zeros([2, 5])]),
      (e: unknown) => e instanceof ShapeError && /\bc\b/.test(e.message) && /\[2, 5\]/.test(e.message),
    );
    assert.throws(
      () => lstm.forward(zeros([2, 3]), [zeros([2, 3]), zeros([2, 4])]),
      (e: unknown) => e instanceof ShapeError && /\bh\b/.test(e.message),
    );
    const gru = new nn.GRUCell({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => gru.forward(zeros([2, 3]), zeros([2, 4, 1])),
      (e: unknown) => e instanceof ShapeError && /GRUCell/.test(e.message) && /\bh\b/.test(e.message),
    );
  });

  test('dtype mismatches name the argument', () => {
    const cell = new nn.GRUCell({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => cell.forward(zeros([2, 3], { dtype: 'float64' })),
      (e: unknown) => e instanceof DTypeError && /input/.test(e.message),
    );
    assert.throws(
      () => cell.forward(zeros([2, 3]), zeros([2, 4], { dtype: 'float64' })),
      (e: unknown) => e instanceof DTypeError && /\bh\b/.test(e.message),
    );
    const lstm = new nn.LSTMCell({ inputSize: 3, hiddenSize: 4 });
    assert.throws(
      () => lstm.forward(zeros([2, 3]), [zeros([2, 4]), zeros([2, 4], { dtype: 'float64' })]),
      (e: unknown) => e instanceof DTypeError && /\bc\b/.test(e.message),
    );
  });

  test('bad options are rejected by name', () => {
    assert.throws(
      () => new nn.RNNCell({ inputSize: 0, hiddenSize: 4 }),
      (e: unknown) => e instanceof ValueError && /inputSize/.test(e.message),
    );
    assert.throws(
      () => new nn.LSTMCell({ inputSize: 3, hiddenSize: 2.5 }),
      (e: unknown) => e instanceof ValueError && /hiddenSize/.test(e.message),
    );
    assert.throws(
      () => new nn.RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: 'sigmoidal' as unknown as 'tanh' }),
      (e: unknown) => e instanceof ValueError && /nonlinearity/.test(e.message),
    );
    assert.throws(
      () => new nn.LSTMCell({ inputSize: 3, hiddenSize: 4, recurrentActivation: 'hard_sigmoid' as unknown as 'hardSigmoid' }),
      (e: unknown) => e instanceof ValueError && /recurrentActivation must be an activation name; got hard_sigmoid/.test(e.message),
    );
    assert.throws(
      () => new nn.GRUCell({ inputSize: 3, hiddenSize: 4, resetAfter: 'no' as unknown as boolean }),
      (e: unknown) => e instanceof ValueError && /resetAfter/.test(e.message),
    );
  });

  test('float64 cells run in float64', () => {
    const cell = new nn.LSTMCell({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    const [h, c] = cell.forward(zeros([1, 2], { dtype: 'float64' }));
    assert.equal(h.dtype, 'float64');
    assert.equal(c.dtype, 'float64');
  });
});
