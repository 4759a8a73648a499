// The RecurrentCell contract is checked the same way by every runner: a cell that breaks it at
// any step, in its zero state or in its declared sizes is a clear error naming the runner.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dynamicRnn, generateSequence, nn, randn, zeros, DTypeError, ShapeError, ValueError, type DType, type Tensor } from '../../src/index.js';

const N = 2;
const H = 3;

/** A cell of stateSize [H] that keeps to its sizes until step `breakAt`, where it returns `bad`. */
class BreakingCell implements nn.RecurrentCell {
  readonly stateSize = [H];
  readonly outputSize = H;
  private step = 0;
  constructor(
    private readonly breakAt: number,
    private readonly bad: 'state shape' | 'state count' | 'output dtype',
  ) {}
  call(_input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const h = states[0]!.add(1);
    if (this.step++ !== this.breakAt) return [h, [h]];
    if (this.bad === 'state shape') return [h, [zeros([N, H + 1])]];
    if (this.bad === 'state count') return [h, [h, h]];
    return [h.to('float64'), [h]];
  }
  zeroState(batch: number, dtype: DType = 'float32'): Tensor[] {
    return [zeros([batch, H], { dtype })];
  }
}

/** Each runner over a cell: (N, 4, H) inputs, or generation of 4 steps from a zero start. */
const runners: [string, (cell: nn.RecurrentCell) => unknown][] = [
  ['dynamicRnn', (cell) => dynamicRnn(cell, randn([N, 4, H]))],
  ['Recurrent', (cell) => new nn.Recurrent(cell).forward(randn([N, 4, H]))],
  ['generateSequence', (cell) => generateSequence(cell, { startInput: zeros([N, H]), length: 4 })],
];

describe('the cell contract, checked by every runner', () => {
  for (const [name, run] of runners) {
    test(`${name}: a step that breaks the contract after the first is named with its step`, () => {
      assert.throws(
        () => run(new BreakingCell(2, 'state shape')),
        (e: unknown) =>
          e instanceof ShapeError && e.message.startsWith(`${name}: `) && /state 0 of shape \[2, 4\] at step 2; expected \[2, 3\]/.test(e.message),
      );
      assert.throws(
        () => run(new BreakingCell(1, 'state count')),
        (e: unknown) => e instanceof ValueError && e.message.startsWith(`${name}: `) && /2 state\(s\) at step 1; its stateSize lists 1/.test(e.message),
      );
      assert.throws(
        () => run(new BreakingCell(0, 'output dtype')),
        (e: unknown) => e instanceof DTypeError && /float64 output at step 0; the input is float32/.test(e.message),
      );
    });

    test(`${name}: a cell that is not one, or declares sizes that are not positive integers`, () => {
      assert.throws(
        () => run({} as nn.RecurrentCell),
        (e: unknown) => e instanceof ValueError && e.message.startsWith(`${name}: `) && /RecurrentCell/.test(e.message),
      );
      const cell = new nn.GRUCell({ inputSize: H, hiddenSize: H });
      const sized = (outputSize: number, stateSize: number[]): nn.RecurrentCell => ({
        outputSize,
        stateSize,
        call: (x, s) => cell.call(x, s),
        zeroState: (b, d) => cell.zeroState(b, d),
      });
      assert.throws(() => run(sized(0, [H])), /outputSize must be a positive integer; got 0/);
      assert.throws(() => run(sized(H, [1.5])), /stateSize must list positive integers; got \[1.5\]/);
    });

    test(`${name}: a zero state of the wrong shape is caught before the first step`, () => {
      const cell = new BreakingCell(-1, 'state shape');
      cell.zeroState = (batch: number) => [zeros([batch, H + 1])];
      assert.throws(
        () => run(cell),
        (e: unknown) => e instanceof ShapeError && /BreakingCell\.zeroState\(2\)\[0\] of shape \[2, 3\]; got \[2, 4\]/.test(e.message),
      );
    });
  }

  test('generateSequence checks its initial states as the layers do', () => {
    const cell = new nn.GRUCell({ inputSize: H, hiddenSize: H });
    const context = zeros([N, H]);
    assert.throws(() => generateSequence(cell, { context, initialState: [zeros([N + 1, H])], length: 2 }), /initialState\[0\] of shape \[2, 3\]; got \[3, 3\]/);
    assert.throws(() => generateSequence(cell, { context, initialState: [zeros([N, H], { dtype: 'float64' })], length: 2 }), DTypeError);
    assert.throws(() => generateSequence(cell, { context, initialState: [], length: 2 }), /1 state\(s\)/);
  });
});
