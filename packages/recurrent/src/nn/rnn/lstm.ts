/** nn.LSTM: long short-term memory. */
import type { Tensor } from '../../tensor/tensor.js';
import type { PackedSequence } from '../../sequence/packed.js';
import { checkOptions, ValueError } from '../../errors.js';
import { LSTMCell } from './cells.js';
import { RNNBase, RNN_BASE_KEYS, type RNNBaseOptions } from './rnn_base.js';

export interface LSTMOptions extends RNNBaseOptions {
  /** If > 0, project h to this size with weight_hr (Sak et al. 2014); must be < hiddenSize. Default 0. */
  projSize?: number;
  /** Diagonal peephole connections from the cell to i, f, o (Graves 2013). Default false. */
  peepholes?: boolean;
}

/**
 * A multi-layer LSTM, as torch.nn.LSTM. For each element of the input sequence each layer computes
 *
 *     i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)
 *     f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)
 *     g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
 *     o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)
 *     c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
 *     h_t = o_t ⊙ tanh(c_t)            (h_t = W_hr (o_t ⊙ tanh(c_t)) with projSize > 0)
 *
 * With `peepholes`, i_t and f_t also add w_ci ⊙ c_{t−1} and w_cf ⊙ c_{t−1}, and o_t adds w_co ⊙ c_t.
 *
 * Shapes (L length, N batch, D = 2 if bidirectional else 1, H = hiddenSize, H_out = projSize or H):
 *   input: (L, N, inputSize), (N, L, inputSize) with batchFirst, (L, inputSize) unbatched, or a PackedSequence
 *   h0: (D·numLayers, N, H_out); c0: (D·numLayers, N, H) — whatever batchFirst says; zeros if omitted
 *   output: (L, N, D·H_out) (batchFirst: (N, L, D·H_out)), or a PackedSequence
 *   hN, cN: like h0, c0 — each sequence's state after its last valid step
 *
 * Parameters for layer k (suffix `_reverse` for the backward direction), all U(−1/√H, 1/√H), gates
 * stacked in the order (i, f, g, o):
 *   weight_ih_l{k} (4H, inputSize for k = 0 else D·H_out), weight_hh_l{k} (4H, H_out),
 *   bias_ih_l{k} (4H), bias_hh_l{k} (4H), weight_hr_l{k} (H_out, H) with projSize,
 *   weight_ci_l{k}, weight_cf_l{k}, weight_co_l{k} (H) with peepholes.
 *
 * Defaults: numLayers 1, bias true, batchFirst false, dropout 0, bidirectional false, projSize 0,
 * peepholes false.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const lstm = new nn.LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2 });
 * const [output, [hN, cN]] = lstm.forward(randn([5, 3, 10]));
 * output.shape; // [5, 3, 20]
 */
export class LSTM extends RNNBase {
  constructor(options: LSTMOptions) {
    checkOptions('LSTM', options, { ...RNN_BASE_KEYS, projSize: true, peepholes: true });
    const projSize = options.projSize ?? 0;
    const peepholes = options.peepholes ?? false;
    if (typeof peepholes !== 'boolean') throw new ValueError(`LSTM: peepholes must be a boolean; got ${String(peepholes)}`);
    super('LSTM', options, { projSize, peepholes, resetAfter: true });
  }

  /**
   * The cell of `layer` and `direction` (0 forward, 1 reverse), as an nn.LSTMCell whose parameters
   * ARE this layer's tensors (weight_ih_l{layer}, … — the same objects, not copies): training
   * either trains both, so a trained layer can be stepped by hand, by `generateSequence` or beam
   * search. The view follows the tensors, not the names: after `to(dtype)` ask for it again.
   * An LSTM with projSize or peepholes has no such cell: that is an error.
   *
   * @example
   * import { nn, randn } from 'recurrent';
   * const lstm = new nn.LSTM({ inputSize: 8, hiddenSize: 16 });
   * const cell = lstm.cell(0);            // LSTMCell sharing weight_ih_l0, weight_hh_l0, …
   * const [h, c] = cell.forward(randn([4, 8])); // one step, as the layer's first step
   * [h.shape, c.shape]; // [[4, 16], [4, 16]]
   */
  cell(layer: number, direction = 0): LSTMCell {
    return this.cellView(layer, direction, (o) => new LSTMCell(o));
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor | PackedSequence, hx?: [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor | PackedSequence, hx?: [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (hx != null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new ValueError('LSTM: hx must be a pair [h0, c0]');
    }
    const { output, states } = this.runLayers(input, hx ?? null);
    return [output, [states[0]!, states[1]!]];
  }
}
