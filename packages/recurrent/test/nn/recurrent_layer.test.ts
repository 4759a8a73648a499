// nn.Recurrent on its own: variational dropout seen through a probe cell, gradients under masks,
// parameters, result types and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, Tensor, ValueError, concat, manualSeed, nn, onesLike, randn, tensor, zeros } from '../../src/index.js';
import type { DType } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const N = 3;
const T = 5;
const F = 4;

/** Shows what the cell receives: output = [x, h, c] (N, 3F); the next states are all ones. */
class ProbeCell implements nn.RecurrentCell {
  readonly stateSize = [F, F];
  readonly outputSize = 3 * F;
  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    return [concat([input, states[0]!, states[1]!], 1), [onesLike(states[0]!), onesLike(states[1]!)]];
  }
  zeroState(batch: number, dtype: DType = 'float32'): Tensor[] {
    return [zeros([batch, F], { dtype }), zeros([batch, F], { dtype })];
  }
}

/** The same (N, F) input at every step. */
function constantInput(): Tensor {
  const x = randn([N, 1, F]).add(3); // away from 0, so dropped entries are the only zeros
  return concat(
    Array.from({ length: T }, () => x),
    1,
  );
}

describe('nn.Recurrent dropout / recurrentDropout', () => {
  test('training: one mask per sequence, the same at every step, 0 or 1/(1−p)', () => {
    manualSeed(1);
    const layer = new nn.Recurrent(new ProbeCell(), { dropout: 0.5, recurrentDropout: 0.5, returnSequences: true });
    const x = constantInput();
    const y = layer.forward(x);
    const seen = (t: number, part: number): Tensor => y.select(1, t).narrow(1, part * F, F);
    const ratio = seen(0, 0).div(x.select(1, 0));
    for (const v of ratio.data) assert.ok(Math.abs(v) < 1e-6 || Math.abs(v - 2) < 1e-6, `input mask entry ${v}`);
    assert.ok(ratio.data.some((v) => v === 0) && ratio.data.some((v) => v !== 0), 'some units dropped, some kept');
    for (let t = 1; t < T; t++) assertClose(seen(t, 0), seen(0, 0), `input mask at step ${t}`, 0, 0);
    // the recurrent mask multiplies h (all ones after step 0) and is fixed over time; c is never dropped
    const hMask = seen(1, 1);
    for (const v of hMask.data) assert.ok(v === 0 || Math.abs(v - 2) < 1e-6, `recurrent mask entry ${v}`);
    assert.ok(hMask.data.some((v) => v === 0) && hMask.data.some((v) => v !== 0));
    for (let t = 2; t < T; t++) assertClose(seen(t, 1), hMask, `recurrent mask at step ${t}`, 0, 0);
    for (let t = 1; t < T; t++)
      assert.ok(
        seen(t, 2).data.every((v) => v === 1),
        'the cell state c is not dropped',
      );
    // each sequence draws its own mask, and the next call draws new masks
    assert.notDeepEqual(hMask.select(0, 0).toArray(), hMask.select(0, 1).toArray());
    assert.notDeepEqual(layer.forward(x).select(1, 1).narrow(1, F, F).toArray(), hMask.toArray());
  });

  test('eval: no dropout (the same as a layer without it)', () => {
    manualSeed(2);
    const cell = new nn.LSTMCell({ inputSize: F, hiddenSize: 6 });
    const x = randn([N, T, F]);
    const dropped = new nn.Recurrent(cell, { dropout: 0.5, recurrentDropout: 0.5, returnSequences: true });
    const plain = new nn.Recurrent(cell, { returnSequences: true });
    dropped.eval();
    assert.equal(cell.training, false, 'eval() reaches the cell');
    assertClose(dropped.forward(x), plain.forward(x), 'eval', 0, 0);
    dropped.train();
    assert.ok(dropped.forward(x).sub(plain.forward(x)).abs().max().item() > 1e-3, 'training differs');
  });

  test('rates outside [0, 1) are errors', () => {
    for (const bad of [1, -0.1, Number.NaN]) {
      assert.throws(() => new nn.Recurrent(new ProbeCell(), { dropout: bad }), ValueError);
      assert.throws(() => new nn.Recurrent(new ProbeCell(), { recurrentDropout: bad }), ValueError);
    }
  });
});

describe('nn.Recurrent', () => {
  test("parameters are the cell's, under cell.", () => {
    const layer = new nn.Recurrent(new nn.GRUCell({ inputSize: F, hiddenSize: 2 }));
    assert.deepEqual(Object.keys(layer.stateDict()), ['cell.weight_ih', 'cell.weight_hh', 'cell.bias_ih', 'cell.bias_hh']);
    assert.equal(layer.outputSize, 2);
    assert.equal(new nn.Recurrent(new ProbeCell()).parameters().length, 0);
  });

  test('a masked step passes no gradient to its input; the weights get gradients', () => {
    manualSeed(3);
    const cell = new nn.LSTMCell({ inputSize: F, hiddenSize: 3 });
    const layer = new nn.Recurrent(cell, { returnSequences: true });
    const x = randn([2, T, F]);
    x.requiresGrad = true;
    const mask = tensor([
      [1, 1, 0, 1, 0],
      [0, 1, 1, 1, 1],
    ]);
    layer.forward(x, { mask }).sum().backward();
    for (let n = 0; n < 2; n++) {
      for (let t = 0; t < T; t++) {
        const g = x.grad!.select(0, n).select(0, t).abs().sum().item();
        if (mask.data[n * T + t] === 0) assert.equal(g, 0, `masked step (${n}, ${t})`);
        else assert.ok(g > 0, `real step (${n}, ${t})`);
      }
    }
    assert.ok(cell.parameters().every((p) => p.grad !== null));
  });

  test('result types follow returnState', () => {
    const cell = new nn.LSTMCell({ inputSize: F, hiddenSize: 3 });
    const x = randn([N, T, F]);
    const one: Tensor = new nn.Recurrent(cell).forward(x);
    const list: Tensor[] = new nn.Recurrent(cell, { returnState: true }).forward(x);
    assert.deepEqual(one.shape, [N, 3]);
    assert.deepEqual(
      list.map((t) => t.shape),
      [
        [N, 3],
        [N, 3],
        [N, 3],
      ],
    );
  });

  test('errors name what was wrong', () => {
    const layer = new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 3 }));
    const x = randn([N, T, F]);
    assert.throws(
      () => layer.forward(randn([T, F])),
      (e: unknown) => e instanceof ShapeError && /batch-major/.test(e.message),
    );
    assert.throws(
      () => layer.forward(randn([N, 0, F])),
      (e: unknown) => e instanceof ShapeError && /at least one time step/.test(e.message),
    );
    assert.throws(
      () => layer.forward(x, { mask: zeros([N, T + 1]) }),
      (e: unknown) => e instanceof ShapeError && /mask must be \(N, T\)/.test(e.message),
    );
    assert.throws(
      () => layer.forward(x, { initialState: [zeros([N, 3])] }),
      (e: unknown) => e instanceof ValueError && /2 state/.test(e.message),
    );
    assert.throws(
      () => layer.forward(x, { initialState: [zeros([N, 3]), zeros([N, 4])] }),
      (e: unknown) => e instanceof ShapeError && /initialState\[1\]/.test(e.message),
    );
    assert.throws(() => layer.forward(x, { initialState: [zeros([N, 3]), zeros([N, 3], { dtype: 'float64' })] }), DTypeError);
    assert.throws(
      () => layer.resetStates(),
      (e: unknown) => e instanceof ValueError && /stateful/.test(e.message),
    );
    assert.throws(() => new nn.Recurrent({} as nn.RecurrentCell), ValueError);
    const wrong: nn.RecurrentCell = { stateSize: [2], outputSize: 2, call: (input) => [input, [input]], zeroState: (b) => [zeros([b, 2])] };
    assert.throws(
      () => new nn.Recurrent(wrong).forward(x),
      (e: unknown) => e instanceof ShapeError && /expected \[3, 2\]/.test(e.message),
    );
  });

  test('stateful: resetStates(states) sets the carried states', () => {
    manualSeed(4);
    const cell = new nn.GRUCell({ inputSize: F, hiddenSize: 3 });
    const layer = new nn.Recurrent(cell, { stateful: true });
    assert.equal(layer.states, null);
    const x = randn([N, T, F]);
    const h = randn([N, 3]);
    layer.resetStates([h]);
    assertClose(layer.forward(x), new nn.Recurrent(cell).forward(x, { initialState: h }), 'from the set states', 0, 0);
    layer.resetStates();
    assert.deepEqual(layer.forward(randn([N + 2, T, F])).shape, [N + 2, 3], 'a new batch size after reset');
  });
});
