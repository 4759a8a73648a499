/** nn.Sequential: modules applied one after another, with Keras's mask propagation. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { forwardMasked } from './mask_flow.js';
import { Module, type TensorModule } from './module.js';

/**
 * Chains modules: forward(x) = mₙ(…m₂(m₁(x))). Submodules are named '0', '1', … as in PyTorch,
 * so state-dict keys read `0.weight`, `2.bias`.
 *
 * Masks flow from layer to layer as in a Keras Sequential model (see mask_flow.ts): a layer with
 * `computeMask` (nn.Embedding with maskZero, nn.Masking) creates one; the next layers that take a
 * mask (nn.Recurrent, nn.Bidirectional, nn.Residual) receive it; a recurrent layer with
 * returnSequences passes it on and one without consumes it; other layers (nn.Linear per step,
 * nn.Dropout) pass it on unchanged while their output keeps the (N, T) axes. Without any masking
 * layer, forward is the plain chain. A mask for the first layer may be given as `options.mask`.
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * const mlp = new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 8 }), new nn.Linear({ inFeatures: 8, outFeatures: 2 }));
 * const classifier = new nn.Sequential(
 *   new nn.Embedding({ numEmbeddings: 100, embeddingDim: 16, maskZero: true }),
 *   new nn.Recurrent(new nn.LSTMCell({ inputSize: 16, hiddenSize: 32 })),
 *   new nn.Linear({ inFeatures: 32, outFeatures: 2 }),
 * ); // padded ids (0) are skipped by the LSTM
 * classifier.forward(tensor([[5, 7, 9], [3, 8, 0]], { dtype: 'int32' })).shape; // [2, 2]
 */
export class Sequential extends Module {
  readonly layers: readonly TensorModule[];
  readonly supportsMasking = true as const;

  constructor(...layers: TensorModule[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new ValueError(`Sequential: layer ${i} is not a Module`);
      this.registerModule(String(i), m);
    });
    this.layers = layers;
  }

  forward(input: Tensor, options: { mask?: Tensor | null } = {}): Tensor {
    let x = input;
    let mask = options.mask ?? null;
    this.layers.forEach((layer, i) => {
      [x, mask] = forwardMasked(`Sequential (layer ${i})`, layer, x, mask);
    });
    return x;
  }
}
