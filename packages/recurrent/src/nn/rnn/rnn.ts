/** nn.RNN: the Elman recurrent network. */
import type { Tensor } from '../../tensor/tensor.js';
import type { PackedSequence } from '../../sequence/packed.js';
import { checkOptions, ValueError } from '../../errors.js';
import { RNNCell } from './cells.js';
import { RNNBase, RNN_BASE_KEYS, type RNNBaseOptions } from './rnn_base.js';

export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * A multi-layer Elman RNN, as torch.nn.RNN. For each element of the input sequence each layer
 * computes
 *
 *     h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh),   act = tanh or relu
 *
 * where x_t is the input of layer 0, or the previous layer's output (after dropout in training).
 *
 * Shapes (L sequence length, N batch, D = 2 if bidirectional else 1, H_out = hiddenSize):
 *   input: (L, N, inputSize), (N, L, inputSize) with batchFirst, (L, inputSize) unbatched, or a PackedSequence
 *   h0:    (D·numLayers, N, H_out) — whatever batchFirst says — or (D·numLayers, H_out) unbatched; zeros if omitted
 *   output: (L, N, D·H_out) (batchFirst: (N, L, D·H_out)), or a PackedSequence for packed input
 *   hN:    like h0, the state after each sequence's last valid step
 *
 * Parameters, for layer k (and `_reverse` for the backward direction), all U(−1/√H, 1/√H):
 *   weight_ih_l{k} (H, inputSize for k = 0 else D·H), weight_hh_l{k} (H, H), bias_ih_l{k} (H), bias_hh_l{k} (H)
 *
 * Defaults: numLayers 1, nonlinearity 'tanh', bias true, batchFirst false, dropout 0, bidirectional false.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const rnn = new nn.RNN({ inputSize: 10, hiddenSize: 20, numLayers: 2 });
 * const [output, hN] = rnn.forward(randn([5, 3, 10]), randn([2, 3, 20]));
 * output.shape; // [5, 3, 20]
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    checkOptions('RNN', options, { ...RNN_BASE_KEYS, nonlinearity: true });
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new ValueError(`RNN: nonlinearity must be 'tanh' or 'relu'; got ${String(nonlinearity)}`);
    }
    super(nonlinearity === 'relu' ? 'RNN_RELU' : 'RNN_TANH', options, { projSize: 0, peepholes: false, resetAfter: true });
    this.nonlinearity = nonlinearity;
  }

  /**
   * The cell of `layer` and `direction` (0 forward, 1 reverse), as an nn.RNNCell whose parameters
   * ARE this layer's tensors (weight_ih_l{layer}, … — the same objects, not copies): training
   * either trains both, so a trained layer can be stepped by hand, by `generateSequence` or beam
   * search. The view follows the tensors, not the names: after `to(dtype)` ask for it again.
   *
   * @example
   * import { nn, randn } from 'recurrent';
   * const rnn = new nn.RNN({ inputSize: 8, hiddenSize: 16, nonlinearity: 'relu' });
   * const cell = rnn.cell(0);   // RNNCell sharing weight_ih_l0, weight_hh_l0, …
   * const h1 = cell.forward(randn([4, 8])); // one step, as the layer's first step
   * h1.shape; // [4, 16]
   */
  cell(layer: number, direction = 0): RNNCell {
    return this.cellView(layer, direction, (o) => new RNNCell({ ...o, nonlinearity: this.nonlinearity }));
  }

  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor];
  forward(input: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const { output, states } = this.runLayers(input, h0 ? [h0] : null);
    return [output, states[0]!];
  }
}
