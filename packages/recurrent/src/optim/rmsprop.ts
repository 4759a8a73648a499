/** RMSprop, as torch.optim.RMSprop. */
import type { Tensor } from '../tensor/tensor.js';
import { type Checks, bool, nonNegative, unitClosed, withDefaults } from './options.js';
import { Optimizer, type ParamGroup, type ParamGroupSpec } from './optimizer.js';

export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the running averages (default 0.99). */
  alpha?: number;
  /** Term ε added to the denominator, after the square root (default 1e-8). */
  eps?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type RMSpropHyperparameters = Required<RMSpropOptions>;
export type RMSpropParamGroup = ParamGroup & RMSpropHyperparameters;

const DEFAULTS = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
const CHECKS: Checks<RMSpropHyperparameters> = {
  lr: nonNegative,
  alpha: unitClosed,
  eps: nonNegative,
  weightDecay: nonNegative,
  momentum: nonNegative,
  centered: bool,
  maximize: bool,
};

/**
 * RMSprop (Hinton), PyTorch's update rule:
 *
 * ```text
 * g ← ∇f(θ)                                  (−∇f(θ) when maximize)
 * g ← g + λθ                                 if λ ≠ 0
 * v ← αv + (1 − α)g²
 * if centered:  ḡ ← αḡ + (1 − α)g,   d ← √(v − ḡ²) + ε
 * else:         d ← √v + ε
 * if μ > 0:     b ← μb + g/d,   θ ← θ − γb
 * else:         θ ← θ − γ g/d
 * ```
 *
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false,
 * maximize false. State per parameter: `step`, `square_avg` (v), `momentum_buffer` (b, when
 * μ > 0) and `grad_avg` (ḡ, when centered).
 *
 * @example
 * ```ts
 * import { mseLoss, nn, optim, randn } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, centered: true });
 * opt.zeroGrad();
 * mseLoss(model.forward(randn([8, 4])), randn([8, 1])).backward();
 * opt.step();
 * ```
 */
export class RMSprop extends Optimizer<RMSpropHyperparameters> {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<RMSpropHyperparameters>[], options: RMSpropOptions = {}) {
    super(params, withDefaults('RMSprop', DEFAULTS, options), { name: 'RMSprop', checks: CHECKS });
  }

  protected stepGroup(group: RMSpropParamGroup): void {
    const { lr, alpha, eps, weightDecay: wd, momentum, centered, maximize } = group;
    const sign = maximize ? -1 : 1;
    for (const p of group.params) {
      const g = this.gradOf(p);
      if (g === null) continue;
      const state = this.stateOf(p);
      state.step = this.counter(state, 'step') + 1;
      const sq = this.buffer(p, state, 'square_avg');
      const buf = momentum > 0 ? this.buffer(p, state, 'momentum_buffer') : null;
      const avg = centered ? this.buffer(p, state, 'grad_avg') : null;
      const x = p.data;
      for (let i = 0; i < x.length; i++) {
        const gi = wd === 0 ? sign * g[i]! : sign * g[i]! + wd * x[i]!;
        sq[i] = sq[i]! * alpha + (1 - alpha) * gi * gi;
        let variance = sq[i]!;
        if (avg !== null) {
          avg[i] = avg[i]! * alpha + (1 - alpha) * gi;
          variance -= avg[i]! * avg[i]!;
        }
        const denom = Math.sqrt(variance) + eps;
        if (buf !== null) {
          buf[i] = buf[i]! * momentum + gi / denom;
          x[i] = x[i]! - lr * buf[i]!;
        } else {
          x[i] = x[i]! - lr * (gi / denom);
        }
      }
    }
  }
}
