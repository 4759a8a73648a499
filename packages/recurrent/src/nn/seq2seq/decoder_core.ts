/**
 * The recurrent core of a Decoder: a built-in stack (nn.LSTM / nn.GRU / nn.RNN, stepped through
 * cells that share its parameters, or run fused over a whole known input) or any RecurrentCell.
 *
 * Shapes (N batch, L layers, H hidden size): a built-in stack's state is the StackedCells layout,
 * per layer its (N, H) tensors in order — [h₀, c₀, h₁, c₁, …] for an LSTM, [h₀, h₁, …] otherwise —
 * so that every state tensor has the batch on axis 0, whatever the core.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { dropout } from '../../tensor/ops/dropout.js';
import { stack, unbind } from '../../tensor/ops/join.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CellKind } from '../language_model.js';
import { Module } from '../module.js';
import type { RecurrentCell } from '../rnn/cell.js';
import { checkStep, initialStates } from '../rnn/cell_contract.js';
import { GRU } from '../rnn/gru.js';
import { LSTM } from '../rnn/lstm.js';
import { RNN } from '../rnn/rnn.js';

/** What the Decoder needs of its recurrent core. */
export interface DecoderCore {
  /** H: the width of each step's output. */
  readonly hiddenSize: number;
  /** The module holding the core's parameters (registered by the Decoder), or null for a cell that is not a Module. */
  readonly module: Module | null;
  /** One step: x (N, I), states → [top output (N, H), new states]. `dropout` applies between layers. */
  step(x: Tensor, states: readonly Tensor[], p: number, training: boolean): [Tensor, Tensor[]];
  /** Every step of a known input x (N, T, I) at once, or null when the core cannot run fused. */
  sequence(x: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] | null;
  /** The state to start from: `given` (in the core's documented layout) checked, or zeros. */
  start(batch: number, dtype: DType, given?: readonly Tensor[]): Tensor[];
  /** The top layer's hidden state (N, H) in `states`, or null when the layout does not say (a user's cell). */
  topHidden(states: readonly Tensor[]): Tensor | null;
}

/** nn.LSTM / nn.GRU / nn.RNN with batchFirst, stepped through its own cells. */
export class BuiltinCore implements DecoderCore {
  readonly module: LSTM | GRU | RNN;
  private readonly cells: RecurrentCell[];
  private readonly perLayer: number;

  constructor(
    kind: CellKind,
    inputSize: number,
    readonly hiddenSize: number,
    readonly numLayers: number,
    dropoutP: number,
    dtype: DType,
  ) {
    const options = { inputSize, hiddenSize, numLayers, batchFirst: true, dropout: numLayers > 1 ? dropoutP : 0, dtype };
    this.module = kind === 'lstm' ? new LSTM(options) : kind === 'gru' ? new GRU(options) : new RNN(options);
    // Views sharing the layer's tensors: loadStateDict copies into those tensors, so the views stay current.
    this.cells = Array.from({ length: numLayers }, (_, l) => this.module.cell(l));
    this.perLayer = kind === 'lstm' ? 2 : 1;
  }

  step(x: Tensor, states: readonly Tensor[], p: number, training: boolean): [Tensor, Tensor[]] {
    const next: Tensor[] = [];
    let input = x;
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0) input = dropout(input, p, training && p > 0);
      const [out, s] = this.cells[l]!.call(input, states.slice(l * this.perLayer, (l + 1) * this.perLayer));
      next.push(...s);
      input = out;
    }
    return [input, next];
  }

  sequence(x: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    // [h₀, c₀, h₁, c₁] → h (L, N, H), c (L, N, H), and back.
    const kinds = Array.from({ length: this.perLayer }, (_, k) => stack(states.filter((_, i) => i % this.perLayer === k)));
    let out: Tensor;
    let hn: Tensor[];
    if (this.module instanceof LSTM) {
      const [o, [h, c]] = this.module.forward(x, [kinds[0]!, kinds[1]!]);
      [out, hn] = [o, [h, c]];
    } else {
      const [o, h] = this.module.forward(x, kinds[0]!);
      [out, hn] = [o, [h]];
    }
    const layers = hn.map((t) => unbind(t, 0));
    return [out, Array.from({ length: this.numLayers * this.perLayer }, (_, i) => layers[i % this.perLayer]![Math.floor(i / this.perLayer)]!)];
  }

  /** `given`: the recurrent layer's own hx — [h] or [h, c], each (L, N, H) — as nn.Bridge returns it. */
  start(batch: number, dtype: DType, given?: readonly Tensor[]): Tensor[] {
    const [L, H] = [this.numLayers, this.hiddenSize];
    if (given === undefined) return this.cells.flatMap((cell) => cell.zeroState(batch, dtype));
    if (!Array.isArray(given) || given.length !== this.perLayer) {
      throw new ValueError(`Decoder: initial states must be ${this.perLayer === 2 ? '[h, c]' : '[h]'}, each (L, N, H); got ${given.length} tensor(s)`);
    }
    given.forEach((t, i) => {
      if (t.ndim !== 3 || t.shape[0] !== L || t.shape[1] !== batch || t.shape[2] !== H) {
        throw new ShapeError(`Decoder: initial state ${i} must be (L, N, H) = ${fmtShape([L, batch, H])}; got ${fmtShape(t.shape)}`);
      }
      if (t.dtype !== dtype) throw new DTypeError(`Decoder: initial state ${i} must be ${dtype}; got ${t.dtype}`);
    });
    const layers = given.map((t) => unbind(t, 0));
    return Array.from({ length: L * this.perLayer }, (_, i) => layers[i % this.perLayer]![Math.floor(i / this.perLayer)]!);
  }

  topHidden(states: readonly Tensor[]): Tensor {
    return states[(this.numLayers - 1) * this.perLayer]!;
  }
}

/** A user's RecurrentCell, stepped one step at a time (its output is the top hidden state). */
export class CellCore implements DecoderCore {
  readonly module: Module | null;

  constructor(readonly cell: RecurrentCell) {
    this.module = cell instanceof Module ? cell : null;
  }

  get hiddenSize(): number {
    return this.cell.outputSize;
  }

  step(x: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
    const [out, next] = this.cell.call(x, states);
    checkStep('Decoder', this.cell, out, next, x.shape[0]!, x.dtype, 0);
    return [out, next];
  }

  sequence(): null {
    return null;
  }

  /** `given`: the cell's own states, each (N, stateSize[i]). */
  start(batch: number, dtype: DType, given?: readonly Tensor[]): Tensor[] {
    return initialStates('Decoder', 'initial states', this.cell, given, batch, dtype);
  }

  topHidden(): null {
    return null;
  }
}
