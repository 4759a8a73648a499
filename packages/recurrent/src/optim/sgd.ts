/** Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov), as torch.optim.SGD. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Checks, bool, nonNegative, unitClosed, withDefaults } from './options.js';
import { Optimizer, type ParamGroup, type ParamGroupSpec } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate γ (required). */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** Use Nesterov momentum (default false); needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type SGDHyperparameters = Required<SGDOptions>;
export type SGDParamGroup = ParamGroup & SGDHyperparameters;

const DEFAULTS = { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };
const CHECKS: Checks<SGDHyperparameters> = {
  lr: nonNegative,
  momentum: nonNegative,
  dampening: unitClosed,
  nesterov: bool,
  weightDecay: nonNegative,
  maximize: bool,
};

/**
 * Stochastic gradient descent with optional momentum, PyTorch's update rule:
 *
 * ```text
 * g ← ∇f(θ)                                  (−∇f(θ) when maximize)
 * g ← g + λθ                                 if λ ≠ 0
 * if μ ≠ 0:
 *   b ← g                                    at a parameter's first step
 *   b ← μb + (1 − τ)g                        afterwards
 *   g ← g + μb   if nesterov,   else g ← b
 * θ ← θ − γg
 * ```
 *
 * State per parameter: `momentum_buffer` (b), when μ ≠ 0. Note that the first step does not
 * dampen: the buffer starts as the gradient itself, as in PyTorch.
 *
 * @example
 * ```ts
 * import { mseLoss, nn, optim, randn } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * mseLoss(model.forward(randn([8, 4])), randn([8, 1])).backward();
 * opt.step();
 * ```
 */
export class SGD extends Optimizer<SGDHyperparameters> {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<SGDHyperparameters>[], options: SGDOptions) {
    super(params, withDefaults('SGD', DEFAULTS, options), { name: 'SGD', checks: CHECKS });
  }

  protected override checkGroup(owner: string, o: SGDHyperparameters): void {
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ValueError(`${owner}: Nesterov momentum requires a momentum and zero dampening; got momentum ${o.momentum}, dampening ${o.dampening}`);
    }
  }

  protected stepGroup(group: SGDParamGroup): void {
    const { lr, momentum, dampening, nesterov, weightDecay: wd, maximize } = group;
    const sign = maximize ? -1 : 1;
    for (const p of group.params) {
      const g = this.gradOf(p);
      if (g === null) continue;
      const x = p.data;
      const n = x.length;
      if (momentum === 0) {
        for (let i = 0; i < n; i++) {
          const d = wd === 0 ? sign * g[i]! : sign * g[i]! + wd * x[i]!;
          x[i] = x[i]! - lr * d;
        }
        continue;
      }
      const state = this.stateOf(p);
      const first = state.momentum_buffer === undefined;
      const buf = this.buffer(p, state, 'momentum_buffer');
      const keep = 1 - dampening;
      for (let i = 0; i < n; i++) {
        const d = wd === 0 ? sign * g[i]! : sign * g[i]! + wd * x[i]!;
        buf[i] = first ? d : momentum * buf[i]! + keep * d;
        const b = buf[i]!;
        x[i] = x[i]! - lr * (nesterov ? d + momentum * b : b);
      }
    }
  }
}
