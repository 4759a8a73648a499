/** AdamW: Adam with decoupled weight decay, as torch.optim.AdamW. */
import type { Tensor } from '../tensor/tensor.js';
import { ADAM_CHECKS, AdamBase, type AdamHyperparameters, type AdamOptions } from './adam.js';
import { withDefaults } from './options.js';
import type { ParamGroupSpec } from './optimizer.js';

/**
 * AdamW (Loshchilov & Hutter, 2017): Adam whose weight decay shrinks the parameters directly
 * instead of entering the gradient, so it is not rescaled by the adaptive denominator.
 * PyTorch's update rule:
 *
 * ```text
 * g ← ∇f(θ)                                  (−∇f(θ) when maximize)
 * θ ← θ(1 − γλ)
 * m ← β₁m + (1 − β₁)g
 * v ← β₂v + (1 − β₂)g²
 * v_max ← max(v_max, v)                      if amsgrad (then v_max replaces v below)
 * θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ```
 *
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2, amsgrad false,
 * maximize false. State per parameter as Adam's: `step`, `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq` (amsgrad).
 *
 * @example
 * ```ts
 * import { mseLoss, nn, optim, randn } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 });
 * opt.zeroGrad();
 * mseLoss(model.forward(randn([8, 4])), randn([8, 1])).backward();
 * opt.step();
 * ```
 */
export class AdamW extends AdamBase {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdamHyperparameters>[], options: AdamOptions = {}) {
    const defaults = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false };
    super(params, withDefaults('AdamW', defaults, options), { name: 'AdamW', checks: ADAM_CHECKS }, true);
  }
}
