/** nn.GRU: the gated recurrent unit. */
import type { Tensor } from '../../tensor/tensor.js';
import type { PackedSequence } from '../../sequence/packed.js';
import { checkOptions, ValueError } from '../../errors.js';
import { GRUCell } from './cells.js';
import { RNNBase, RNN_BASE_KEYS, type RNNBaseOptions } from './rnn_base.js';

export interface GRUOptions extends RNNBaseOptions {
  /**
   * Apply the reset gate after the recurrent product (true, default: PyTorch, cuDNN, Keras
   * reset_after=True) or to h before it (false: Cho et al. 2014, Keras reset_after=False).
   */
  resetAfter?: boolean;
}

/**
 * A multi-layer GRU, as torch.nn.GRU. For each element of the input sequence each layer computes
 *
 *     r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)
 *     z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
 *     n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))      (resetAfter, the default)
 *     n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t−1}) + b_hn)      (resetAfter: false)
 *     h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
 *
 * Shapes (L length, N batch, D = 2 if bidirectional else 1, H = hiddenSize):
 *   input: (L, N, inputSize), (N, L, inputSize) with batchFirst, (L, inputSize) unbatched, or a PackedSequence
 *   h0: (D·numLayers, N, H) — whatever batchFirst says — zeros if omitted
 *   output: (L, N, D·H) (batchFirst: (N, L, D·H)), or a PackedSequence; hN like h0
 *
 * Parameters for layer k (suffix `_reverse` for the backward direction), all U(−1/√H, 1/√H), gates
 * stacked in the order (r, z, n):
 *   weight_ih_l{k} (3H, inputSize for k = 0 else D·H), weight_hh_l{k} (3H, H), bias_ih_l{k} (3H), bias_hh_l{k} (3H)
 *
 * Defaults: numLayers 1, bias true, batchFirst false, dropout 0, bidirectional false, resetAfter true.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const gru = new nn.GRU({ inputSize: 10, hiddenSize: 20, bidirectional: true });
 * const [output, hN] = gru.forward(randn([5, 3, 10]));
 * output.shape; // [5, 3, 40]
 * hN.shape;     // [2, 3, 20]
 */
export class GRU extends RNNBase {
  constructor(options: GRUOptions) {
    checkOptions('GRU', options, { ...RNN_BASE_KEYS, resetAfter: true });
    const resetAfter = options.resetAfter ?? true;
    if (typeof resetAfter !== 'boolean') throw new ValueError(`GRU: resetAfter must be a boolean; got ${String(resetAfter)}`);
    super('GRU', options, { projSize: 0, peepholes: false, resetAfter });
  }

  /**
   * The cell of `layer` and `direction` (0 forward, 1 reverse), as an nn.GRUCell whose parameters
   * ARE this layer's tensors (weight_ih_l{layer}, … — the same objects, not copies): training
   * either trains both, so a trained layer can be stepped by hand, by `generateSequence` or beam
   * search. The view follows the tensors, not the names: after `to(dtype)` ask for it again.
   *
   * @example
   * import { nn, randn } from 'recurrent';
   * const gru = new nn.GRU({ inputSize: 8, hiddenSize: 16, numLayers: 2 });
   * const cell = gru.cell(0);   // GRUCell sharing weight_ih_l0, weight_hh_l0, …
   * const h1 = cell.forward(randn([4, 8])); // one step, as the layer's first step
   * h1.shape; // [4, 16]
   */
  cell(layer: number, direction = 0): GRUCell {
    return this.cellView(layer, direction, (o) => new GRUCell({ ...o, resetAfter: this.resetAfter }));
  }

  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor];
  forward(input: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const { output, states } = this.runLayers(input, h0 ? [h0] : null);
    return [output, states[0]!];
  }
}
