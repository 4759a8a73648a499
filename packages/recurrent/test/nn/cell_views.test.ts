// nn.LSTM / GRU / RNN .cell(layer, direction): cells whose parameters are the layer's tensors.
// Stepping them reproduces the layer's forward, and training the layer trains them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IndexError,
  Tensor,
  ValueError,
  concat,
  flip,
  manualSeed,
  nn,
  optim,
  randn,
  select,
  getRngState,
  generateSequence,
  narrow,
  transpose,
} from '../../src/index.js';

function assertClose(a: Tensor, b: Tensor, tol = 1e-10): void {
  assert.deepEqual(a.shape, b.shape);
  a.data.forEach((v, i) => assert.ok(Math.abs(v - b.data[i]!) <= tol, `element ${i}: ${v} vs ${b.data[i]}`));
}

/** Runs `step` over the time axis of x (T, N, I), returning the outputs stacked as (T, N, H). */
function unroll(x: Tensor, step: (xt: Tensor) => Tensor): Tensor {
  const outs: Tensor[] = [];
  for (let t = 0; t < x.shape[0]!; t++) outs.push(step(select(x, 0, t)).reshape([1, x.shape[1]!, -1]));
  return concat(outs, 0);
}

describe('RNNBase.cell', () => {
  test('LSTM: stepping the cells of a 2-layer LSTM equals its forward, and shares its tensors', () => {
    manualSeed(1);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype: 'float64' });
    const x = randn([5, 2, 3], { dtype: 'float64' });
    const [expected, [hN, cN]] = lstm.forward(x);
    let input = x;
    const finals: Tensor[][] = [];
    for (let layer = 0; layer < 2; layer++) {
      const cell = lstm.cell(layer);
      assert.ok(cell instanceof nn.LSTMCell);
      assert.equal(cell.parameters()[0], lstm.parameters()[4 * layer], 'the same tensor object');
      let state: [Tensor, Tensor] | null = null;
      input = unroll(input, (xt) => {
        state = cell.forward(xt, state);
        return state[0];
      });
      finals.push(state!);
    }
    assertClose(input, expected);
    assertClose(select(hN, 0, 1), finals[1]![0]!);
    assertClose(select(cN, 0, 0), finals[0]![1]!);
  });

  test('the reverse direction of a bidirectional GRU runs over the reversed sequence', () => {
    manualSeed(2);
    const gru = new nn.GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, dtype: 'float64' });
    const x = randn([6, 2, 3], { dtype: 'float64' });
    const [out] = gru.forward(x);
    const forward = gru.cell(0, 0);
    const backward = gru.cell(0, 1);
    let h: Tensor | null = null;
    const fwd = unroll(x, (xt) => (h = forward.forward(xt, h)));
    h = null;
    const bwd = flip(
      unroll(flip(x, 0), (xt) => (h = backward.forward(xt, h))),
      0,
    );
    assertClose(concat([fwd, bwd], 2), out);
  });

  test('RNN with relu and without bias gives a matching RNNCell', () => {
    manualSeed(3);
    const rnn = new nn.RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu', bias: false, dtype: 'float64' });
    const cell = rnn.cell(0);
    assert.equal(cell.nonlinearity, 'relu');
    assert.equal(cell.parameters().length, 2);
    const x = randn([4, 1, 2], { dtype: 'float64' });
    let h: Tensor | null = null;
    assertClose(
      unroll(x, (xt) => (h = cell.forward(xt, h))),
      rnn.forward(x)[0],
    );
  });

  test('an optimizer step on the layer changes the cell output', () => {
    manualSeed(4);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4 });
    const cell = lstm.cell(0);
    const x = randn([2, 3]);
    const before = cell.forward(x)[0].data.slice();
    const opt = new optim.SGD(lstm.parameters(), { lr: 0.5 });
    lstm
      .forward(randn([3, 2, 3]))[0]
      .sum()
      .backward();
    opt.step();
    const after = cell.forward(x)[0].data;
    assert.ok(
      after.some((v, i) => v !== before[i]),
      'the cell sees the trained weights',
    );
  });

  test('a layer drives generateSequence through its cell view', () => {
    manualSeed(5);
    const gru = new nn.GRU({ inputSize: 4, hiddenSize: 4, dtype: 'float64' });
    const x0 = randn([2, 4], { dtype: 'float64' });
    const { outputs } = generateSequence(gru.cell(0), { startInput: x0, length: 4 }); // (N, L, H), each output fed back
    const inputs = concat([x0.reshape([1, 2, 4]), transpose(narrow(outputs, 1, 0, 3), 0, 1)], 0);
    assertClose(transpose(outputs, 0, 1), gru.forward(inputs)[0]);
  });

  test('asking for a cell leaves the random stream untouched', () => {
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4 });
    const rng = getRngState();
    lstm.cell(0);
    assert.deepEqual(getRngState(), rng);
  });

  test('projSize, peepholes and out-of-range indices are clear errors', () => {
    assert.throws(
      () => new nn.LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2 }).cell(0),
      (e: unknown) => e instanceof ValueError && /projSize/.test(e.message),
    );
    assert.throws(() => new nn.LSTM({ inputSize: 3, hiddenSize: 4, peepholes: true }).cell(0), /peepholes/);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    assert.throws(() => lstm.cell(2), IndexError);
    assert.throws(() => lstm.cell(0, 1), /not bidirectional/);
  });
});
