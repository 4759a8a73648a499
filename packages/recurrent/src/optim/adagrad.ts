/** Adagrad, as torch.optim.Adagrad. */
import type { Tensor } from '../tensor/tensor.js';
import { type Checks, bool, nonNegative, withDefaults } from './options.js';
import { Optimizer, type ParamGroup, type ParamGroupSpec } from './optimizer.js';

export interface AdagradOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Learning-rate decay η: step t uses γ / (1 + (t − 1)η) (default 0). */
  lrDecay?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Term ε added to the denominator, after the square root (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type AdagradHyperparameters = Required<AdagradOptions>;
export type AdagradParamGroup = ParamGroup & AdagradHyperparameters;

const DEFAULTS = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };
const CHECKS: Checks<AdagradHyperparameters> = {
  lr: nonNegative,
  lrDecay: nonNegative,
  weightDecay: nonNegative,
  initialAccumulatorValue: nonNegative,
  eps: nonNegative,
  maximize: bool,
};

/**
 * Adagrad (Duchi et al., 2011), PyTorch's update rule:
 *
 * ```text
 * g ← ∇f(θ)                                  (−∇f(θ) when maximize)
 * g ← g + λθ                                 if λ ≠ 0
 * γ̃ ← γ / (1 + (t − 1)η)
 * s ← s + g²
 * θ ← θ − γ̃ g / (√s + ε)
 * ```
 *
 * t counts the parameter's steps from 1; s starts at `initialAccumulatorValue`. Defaults: lr 1e-2,
 * lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10, maximize false. State per
 * parameter: `step` and `sum` (s), created for every parameter when the optimizer is built, as in
 * PyTorch.
 *
 * @example
 * ```ts
 * import { mseLoss, nn, optim, randn } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.Adagrad(model.parameters(), { lr: 0.05 });
 * opt.zeroGrad();
 * mseLoss(model.forward(randn([8, 4])), randn([8, 1])).backward();
 * opt.step();
 * ```
 */
export class Adagrad extends Optimizer<AdagradHyperparameters> {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdagradHyperparameters>[], options: AdagradOptions = {}) {
    super(params, withDefaults('Adagrad', DEFAULTS, options), { name: 'Adagrad', checks: CHECKS });
    for (const group of this.paramGroups) for (const p of group.params) this.initState(p, group);
  }

  private initState(p: Tensor, group: AdagradParamGroup): void {
    const state = this.stateOf(p);
    state.step = this.counter(state, 'step');
    this.buffer(p, state, 'sum', group.initialAccumulatorValue);
  }

  protected stepGroup(group: AdagradParamGroup): void {
    const { lr, lrDecay, weightDecay: wd, eps, maximize } = group;
    const sign = maximize ? -1 : 1;
    for (const p of group.params) {
      const g = this.gradOf(p);
      if (g === null) continue;
      const state = this.stateOf(p);
      this.initState(p, group);
      const step = this.counter(state, 'step') + 1;
      state.step = step;
      const sum = this.buffer(p, state, 'sum');
      const clr = lr / (1 + (step - 1) * lrDecay);
      const x = p.data;
      for (let i = 0; i < x.length; i++) {
        const gi = wd === 0 ? sign * g[i]! : sign * g[i]! + wd * x[i]!;
        sum[i] = sum[i]! + gi * gi;
        x[i] = x[i]! - clr * (gi / (Math.sqrt(sum[i]!) + eps));
      }
    }
  }
}
