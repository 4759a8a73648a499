/**
 * Cells built from cells: StackedCells (TensorFlow's MultiRNNCell) and ResidualCell (its
 * ResidualWrapper). Both implement RecurrentCell, so every runner drives them like any cell.
 *
 * Shapes (N batch): input (N, inputSize of the first cell); each state (N, S_i); output
 * (N, outputSize of the last cell).
 */
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { checkTensor } from '../../tensor/ops/common.js';
import { add } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import type { RecurrentCell } from './cell.js';
import { checkCell } from './cell_contract.js';

/** The input width a cell declares (built-in cells have `inputSize`), or null when it does not say. */
function declaredInputSize(cell: RecurrentCell): number | null {
  const size = (cell as { inputSize?: unknown }).inputSize;
  return typeof size === 'number' ? size : null;
}

/**
 * A stack of cells run as one cell, as tf.nn.rnn_cell.MultiRNNCell: the output of cell k is the
 * input of cell k + 1 at the same step, and the state is every cell's states in order.
 *
 *     x⁰ = input;   (x^{k+1}, s'_k) = cells[k].call(x^k, s_k);   output = x^K
 *     state = [...s_0, ...s_1, …]       (stateSize = the cells' stateSize lists, concatenated)
 *
 * Cells that are Modules are registered as submodules '0', '1', …, so the parameters are named
 * '0.weight_ih', '1.weight_hh', … and a state dict is stacked like the cells.
 *
 * Args:
 *   cells: one or more RecurrentCells; where a cell declares `inputSize`, it must equal the
 *     previous cell's outputSize.
 *
 * Throws: ValueError for an empty list, a non-cell, or sizes that do not chain.
 *
 * @example
 * import { dynamicRnn, nn, randn } from 'recurrent';
 * // Equivalent to a 2-layer nn.LSTM (dropout 0) with weights weight_ih_l{k} → '{k}.weight_ih', …
 * const stacked = new nn.StackedCells([
 *   new nn.LSTMCell({ inputSize: 8, hiddenSize: 16 }),
 *   new nn.LSTMCell({ inputSize: 16, hiddenSize: 16 }),
 * ]);
 * stacked.stateSize; // [16, 16, 16, 16]: h and c of layer 0, then of layer 1
 * const [outputs, [h0, c0, h1, c1]] = dynamicRnn(stacked, randn([4, 10, 8]));
 */
export class StackedCells extends Module implements RecurrentCell {
  readonly cells: readonly RecurrentCell[];

  constructor(cells: readonly RecurrentCell[]) {
    super();
    if (!Array.isArray(cells) || cells.length === 0) throw new ValueError('StackedCells: cells must be a non-empty array of RecurrentCells');
    cells.forEach((cell: unknown, k) => {
      checkCell('StackedCells', `cells[${k}]`, cell);
      const inputSize = declaredInputSize(cell);
      if (k > 0 && inputSize !== null && inputSize !== cells[k - 1]!.outputSize) {
        throw new ValueError(`StackedCells: cells[${k}] takes inputs of size ${inputSize} but cells[${k - 1}] outputs ${cells[k - 1]!.outputSize}`);
      }
      if (cell instanceof Module) this.registerModule(String(k), cell);
    });
    this.cells = [...cells];
  }

  get stateSize(): readonly number[] {
    return this.cells.flatMap((c) => c.stateSize);
  }

  get outputSize(): number {
    return this.cells[this.cells.length - 1]!.outputSize;
  }

  /** Input width of the first cell, when it declares one. */
  get inputSize(): number | null {
    return declaredInputSize(this.cells[0]!);
  }

  /**
   * One step through every cell. `states` is every cell's states in order, or empty to let each
   * cell start from its own default (zeros for the built-in cells).
   */
  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    checkTensor('StackedCells', 'input', input);
    const total = this.stateSize.length;
    if (states.length !== 0 && states.length !== total) {
      throw new ValueError(
        `StackedCells: expected ${total} state tensors (${this.cells.map((c) => c.stateSize.length).join(' + ')} per cell); got ${states.length}`,
      );
    }
    let x = input;
    let at = 0;
    const next: Tensor[] = [];
    for (const cell of this.cells) {
      const count = cell.stateSize.length;
      const [out, s] = cell.call(x, states.length === 0 ? [] : states.slice(at, at + count));
      next.push(...s);
      x = out;
      at += count;
    }
    return [x, next];
  }

  zeroState(batch: number, dtype?: DType): Tensor[] {
    return this.cells.flatMap((c) => c.zeroState(batch, dtype));
  }
}

/**
 * A cell whose output adds its input, as tf.nn.rnn_cell.ResidualWrapper:
 *
 *     (o, s') = cell.call(x, s);   output = o + x;   state = s'
 *
 * The state is the wrapped cell's, unchanged. The input width must equal cell.outputSize. The
 * wrapped cell, when a Module, is the submodule 'cell' (parameters 'cell.weight_ih', …).
 *
 * Throws: ValueError when the cell declares an inputSize other than its outputSize; ShapeError at
 * a step whose input width differs from outputSize.
 *
 * @example
 * import { nn } from 'recurrent';
 * // Residual connections between the upper layers of a stack:
 * const stacked = new nn.StackedCells([
 *   new nn.GRUCell({ inputSize: 8, hiddenSize: 32 }),
 *   new nn.ResidualCell(new nn.GRUCell({ inputSize: 32, hiddenSize: 32 })),
 * ]);
 */
export class ResidualCell extends Module implements RecurrentCell {
  readonly cell: RecurrentCell;

  constructor(cell: RecurrentCell) {
    super();
    checkCell('ResidualCell', 'cell', cell);
    const inputSize = declaredInputSize(cell);
    if (inputSize !== null && inputSize !== cell.outputSize) {
      throw new ValueError(`ResidualCell: the residual needs equal sizes, but the cell takes inputs of size ${inputSize} and outputs ${cell.outputSize}`);
    }
    if (cell instanceof Module) this.registerModule('cell', cell);
    this.cell = cell;
  }

  get stateSize(): readonly number[] {
    return this.cell.stateSize;
  }

  get outputSize(): number {
    return this.cell.outputSize;
  }

  get inputSize(): number {
    return this.cell.outputSize;
  }

  call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    checkTensor('ResidualCell', 'input', input);
    if (input.shape[input.ndim - 1] !== this.outputSize) {
      throw new ShapeError(`ResidualCell: input ${fmtShape(input.shape)} cannot be added to the output: its last axis must be outputSize ${this.outputSize}`);
    }
    const [out, next] = this.cell.call(input, states);
    return [add(out, input), next];
  }

  zeroState(batch: number, dtype?: DType): Tensor[] {
    return this.cell.zeroState(batch, dtype);
  }
}
