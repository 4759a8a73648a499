/** nn.Sequential: modules applied one after another. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, type TensorModule } from './module.js';

/**
 * Chains modules: forward(x) = mₙ(…m₂(m₁(x))). Submodules are named '0', '1', … as in PyTorch,
 * so state-dict keys read `0.weight`, `2.bias`.
 *
 * @example
 * const mlp = new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 8 }), new nn.Linear({ inFeatures: 8, outFeatures: 2 }));
 */
export class Sequential extends Module {
  readonly layers: readonly TensorModule[];

  constructor(...layers: TensorModule[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new ValueError(`Sequential: layer ${i} is not a Module`);
      this.registerModule(String(i), m);
    });
    this.layers = layers;
  }

  forward(input: Tensor): Tensor {
    return this.layers.reduce((x, layer) => layer.forward(x), input);
  }
}
