// generateSequence: the inputs a hand-built cell receives (context at step 0 or at every step,
// outputs fed back), shapes with a built-in cell and a readout, sampling with manualSeed,
// gradients through the fed-back outputs, and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add,
  argmax,
  concat,
  generateSequence,
  gradcheck,
  linear,
  manualSeed,
  mul,
  narrow,
  nn,
  randn,
  tensor,
  zeros,
  ShapeError,
  ValueError,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

/** A cell that records every input it is given; its one state counts the steps. */
class RecordingCell implements nn.RecurrentCell {
  readonly inputs: Tensor[] = [];
  readonly stateSize = [1];
  constructor(
    readonly outputSize: number,
    private readonly step: (x: Tensor) => Tensor,
  ) {}
  call(x: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    this.inputs.push(x.detach().clone());
    return [this.step(x), [add(states[0]!, 1)]];
  }
  zeroState(batch: number, dtype: DType = 'float32'): Tensor[] {
    return [zeros([batch, 1], { dtype })];
  }
}

const rows = (ts: Tensor[]): unknown[] => ts.map((t) => t.toArray());

describe('generateSequence: what the cell is fed', () => {
  test("contextMode 'first': the context is the input of step 0, then each output is the next input", () => {
    const cell = new RecordingCell(2, (x) => add(mul(x, 2), 1));
    const context = tensor([
      [1, 2],
      [0, -1],
    ]);
    const { outputs, state, tokens } = generateSequence(cell, { context, length: 3 });
    assert.deepEqual(rows(cell.inputs), [
      [
        [1, 2],
        [0, -1],
      ],
      [
        [3, 5],
        [1, -1],
      ],
      [
        [7, 11],
        [3, -1],
      ],
    ]);
    assert.deepEqual(outputs.toArray(), [
      [
        [3, 5],
        [7, 11],
        [15, 23],
      ],
      [
        [1, -1],
        [3, -1],
        [7, -1],
      ],
    ]); // (N, L, O)
    assert.deepEqual(state[0]!.toArray(), [[3], [3]]);
    assert.equal(tokens, null);
  });

  test("contextMode 'every': [fed value ; context] at every step, from a zero start", () => {
    // o = fed part + context (broadcast), so the fed values grow by the context each step.
    const cell = new RecordingCell(2, (x) => add(narrow(x, 1, 0, 2), narrow(x, 1, 2, 1)));
    const context = tensor([[1], [5]]);
    const { outputs } = generateSequence(cell, { context, contextMode: 'every', length: 3 });
    assert.deepEqual(rows(cell.inputs), [
      [
        [0, 0, 1],
        [0, 0, 5],
      ],
      [
        [1, 1, 1],
        [5, 5, 5],
      ],
      [
        [2, 2, 1],
        [10, 10, 5],
      ],
    ]);
    assert.deepEqual(outputs.toArray(), [
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      [
        [5, 5],
        [10, 10],
        [15, 15],
      ],
    ]);
  });

  test('a seed: startInput is the input of step 0; a feedback function is called after every step but the last', () => {
    const cell = new RecordingCell(1, (x) => add(x, 1));
    const steps: number[] = [];
    const { outputs } = generateSequence(cell, {
      startInput: tensor([[10]]),
      length: 3,
      feedback: (y, t) => {
        steps.push(t);
        return mul(y, -1);
      },
    });
    assert.deepEqual(steps, [0, 1]);
    assert.deepEqual(rows(cell.inputs), [[[10]], [[-11]], [[10]]]);
    assert.deepEqual(outputs.toArray(), [[[11], [-10], [11]]]);
  });
});

describe('generateSequence with built-in cells', () => {
  test('LSTMCell + readout: shapes, and the values of the hand-written loop', () => {
    manualSeed(30);
    const cell = new nn.LSTMCell({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    const head = new nn.Linear({ inFeatures: 4, outFeatures: 3, dtype: 'float64' });
    const h0 = [randn([2, 4], { dtype: 'float64' }), randn([2, 4], { dtype: 'float64' })];
    // No context and no startInput: x_0 = zeros (N, inputSize); N from the initial state.
    const { outputs, state } = generateSequence(cell, { initialState: h0, length: 4, readout: (h) => head.forward(h) });
    assert.deepEqual(outputs.shape, [2, 4, 3]);
    assert.deepEqual(
      state.map((s) => s.shape),
      [
        [2, 4],
        [2, 4],
      ],
    );
    let x = zeros([2, 3], { dtype: 'float64' });
    let s = h0;
    const ys: Tensor[] = [];
    for (let t = 0; t < 4; t++) {
      const [o, next] = cell.call(x, s);
      s = next;
      x = head.forward(o);
      ys.push(x);
    }
    ys.forEach((y, t) => assertClose(outputs.select(1, t), y, `step ${t}`, 1e-12, 1e-12));
    assertClose(state[1]!, s[1]!, 'final c', 1e-12, 1e-12);
  });

  test('differentiable through the fed-back outputs: float64 gradcheck of context and parameters', () => {
    manualSeed(31);
    const cell = new nn.GRUCell({ inputSize: 3, hiddenSize: 2, dtype: 'float64' });
    const head = new nn.Linear({ inFeatures: 2, outFeatures: 2, dtype: 'float64' });
    const context = randn([2, 1], { dtype: 'float64', requiresGrad: true });
    gradcheck(
      (c) => {
        const { outputs, state } = generateSequence(cell, { context: c!, contextMode: 'every', length: 3, readout: (h) => head.forward(h) });
        return concat([outputs.reshape(-1), state[0]!.reshape(-1)]);
      },
      [context, ...cell.parameters(), ...head.parameters()],
      { atol: 1e-7, rtol: 1e-6 },
    );
  });
});

describe("generateSequence with feedback 'sample'", () => {
  const V = 5;
  const weight = (): Tensor => randn([V, V], { dtype: 'float64' }).mul(3);

  test('reproducible with manualSeed; the one-hot of each sampled id is the next input', () => {
    manualSeed(40);
    const w = weight();
    const start = zeros([3, V], { dtype: 'float64' });
    const run = (seed: number): [Tensor, RecordingCell] => {
      const cell = new RecordingCell(V, (x) => linear(x, w));
      manualSeed(seed);
      return [generateSequence(cell, { startInput: start, length: 6, feedback: 'sample' }).tokens!, cell];
    };
    const [a, cell] = run(1);
    const [b] = run(1);
    const [c] = run(2);
    assert.deepEqual(a.shape, [3, 6]);
    assert.equal(a.dtype, 'int32');
    assert.deepEqual(a.toArray(), b.toArray());
    assert.notDeepEqual(a.toArray(), c.toArray());
    const ids = a.toArray() as number[][];
    for (let t = 1; t < 6; t++) {
      const fed = cell.inputs[t]!.toArray() as number[][];
      fed.forEach((row, n) =>
        assert.deepEqual(
          row,
          Array.from({ length: V }, (_, k) => (k === ids[n]![t - 1] ? 1 : 0)),
          `step ${t} row ${n}`,
        ),
      );
    }
  });

  test('greedy sampling takes the argmax; embed maps ids to the fed vectors', () => {
    manualSeed(41);
    const emb = new nn.Embedding({ numEmbeddings: V, embeddingDim: 3, dtype: 'float64' });
    const w = randn([V, 3], { dtype: 'float64' });
    const cell = new RecordingCell(V, (x) => linear(x, w));
    const context = randn([2, 3], { dtype: 'float64' });
    const { outputs, tokens } = generateSequence(cell, {
      context,
      length: 4,
      feedback: 'sample',
      sampling: { greedy: true },
      embed: (ids) => emb.forward(ids),
    });
    assert.deepEqual(tokens!.toArray(), argmax(outputs, 2).toArray());
    const ids = tokens!.toArray() as number[][];
    for (let t = 1; t < 4; t++) {
      assertClose(
        cell.inputs[t]!,
        emb
          .forward(
            tensor(
              ids.map((r) => r[t - 1]!),
              { dtype: 'int32' },
            ),
          )
          .detach(),
        `fed at step ${t}`,
        0,
        0,
      );
    }
  });
});

describe('generateSequence errors', () => {
  const cell = new nn.GRUCell({ inputSize: 2, hiddenSize: 2 });
  test('bad options are named', () => {
    const context = zeros([1, 2]);
    assert.throws(
      () => generateSequence(cell, { context, length: 0 }),
      (e: Error) => e instanceof ValueError && /length/.test(e.message),
    );
    assert.throws(() => generateSequence(cell, { length: 2, contextMode: 'every', startInput: context }), /'every' needs a context/);
    assert.throws(() => generateSequence(cell, { context, startInput: context, length: 2 }), /not both/);
    assert.throws(() => generateSequence(cell, { length: 2 }), /batch size/);
    assert.throws(() => generateSequence(cell, { context: zeros([2]), length: 2 }), ShapeError);
    assert.throws(() => generateSequence(cell, { context: zeros([1, 3]), length: 2, contextMode: 'every' }), /wider than the cell's input/);
    const undeclared = new RecordingCell(2, (x) => x);
    assert.throws(() => generateSequence(undeclared, { initialState: [zeros([1, 1])], length: 2, readout: (o) => o }), /give a startInput/);
    assert.throws(() => generateSequence(cell, { context, length: 2, feedback: 'sample', sampling: { temperature: -1 } }), /temperature/);
  });
});
