/** Adam, as torch.optim.Adam; the shared update also serves AdamW (adamw.ts). */
import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Checks, betas, bool, nonNegative, withDefaults } from './options.js';
import { Optimizer, type OptimizerSpec, type ParamGroup, type ParamGroupSpec } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decay rates [β₁, β₂] of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Term ε added to the denominator, after the square root (default 1e-8). */
  eps?: number;
  /** Weight decay λ (Adam: L2 penalty added to the gradient, default 0; AdamW: decoupled, default 1e-2). */
  weightDecay?: number;
  /** Use the AMSGrad variant: normalise by the running maximum of v̂ (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

export type AdamHyperparameters = Required<AdamOptions>;
export type AdamParamGroup = ParamGroup & AdamHyperparameters;

export const ADAM_CHECKS: Checks<AdamHyperparameters> = {
  lr: nonNegative,
  betas,
  eps: nonNegative,
  weightDecay: nonNegative,
  amsgrad: bool,
  maximize: bool,
};

/**
 * The update shared by Adam and AdamW; `decoupled` picks AdamW's weight decay (θ ← θ(1 − γλ)
 * before the step) over Adam's (g ← g + λθ). State per parameter: `step`, `exp_avg` (m),
 * `exp_avg_sq` (v) and, with amsgrad, `max_exp_avg_sq`.
 */
export abstract class AdamBase extends Optimizer<AdamHyperparameters> {
  protected constructor(
    params: readonly Tensor[] | readonly ParamGroupSpec<AdamHyperparameters>[],
    defaults: object,
    spec: OptimizerSpec<AdamHyperparameters>,
    private readonly decoupled: boolean,
  ) {
    super(params, defaults, spec);
  }

  protected stepGroup(group: AdamParamGroup): void {
    const { lr, eps, weightDecay: wd, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas;
    const sign = maximize ? -1 : 1;
    const decoupled = this.decoupled;
    const l2 = !decoupled && wd !== 0;
    const decay = 1 - lr * wd;
    for (const p of group.params) {
      const g = this.gradOf(p);
      if (g === null) continue;
      const state = this.stateOf(p);
      const step = this.counter(state, 'step') + 1;
      state.step = step;
      const m = this.buffer(p, state, 'exp_avg');
      const v = this.buffer(p, state, 'exp_avg_sq');
      const vMax = amsgrad ? this.buffer(p, state, 'max_exp_avg_sq') : null;
      const stepSize = lr / (1 - beta1 ** step);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      const x = p.data;
      if (!decoupled && !l2 && vMax === null) {
        adamUpdate(x as FloatArray, g, m as FloatArray, v as FloatArray, sign, beta1, beta2, stepSize, bc2Sqrt, eps);
        continue;
      }
      for (let i = 0; i < x.length; i++) {
        if (decoupled) x[i] = x[i]! * decay;
        const gi = l2 ? sign * g[i]! + wd * x[i]! : sign * g[i]!;
        m[i] = m[i]! * beta1 + (1 - beta1) * gi;
        v[i] = v[i]! * beta2 + (1 - beta2) * gi * gi;
        let second = v[i]!;
        if (vMax !== null) {
          vMax[i] = Math.max(vMax[i]!, second);
          second = vMax[i]!;
        }
        const denom = Math.sqrt(second) / bc2Sqrt + eps;
        x[i] = x[i]! - stepSize * (m[i]! / denom);
      }
    }
  }
}

/**
 * The update of the common case (no weight decay, no amsgrad) without its branches: the same
 * arithmetic in the same order as the general loop. A function of its own, so that each array
 * type gets a fast, monomorphic loop.
 */
function adamUpdate(
  x: FloatArray,
  g: ArrayLike<number>,
  m: FloatArray,
  v: FloatArray,
  sign: number,
  beta1: number,
  beta2: number,
  stepSize: number,
  bc2Sqrt: number,
  eps: number,
): void {
  const [c1, c2] = [1 - beta1, 1 - beta2];
  for (let i = 0; i < x.length; i++) {
    const gi = sign * g[i]!;
    m[i] = m[i]! * beta1 + c1 * gi;
    v[i] = v[i]! * beta2 + c2 * gi * gi;
    // Read back: the stored moments are what the update uses.
    x[i] = x[i]! - stepSize * (m[i]! / (Math.sqrt(v[i]!) / bc2Sqrt + eps));
  }
}

/**
 * Adam (Kingma & Ba, 2014), PyTorch's update rule with bias correction:
 *
 * ```text
 * g ← ∇f(θ)                                  (−∇f(θ) when maximize)
 * g ← g + λθ                                 if λ ≠ 0
 * m ← β₁m + (1 − β₁)g
 * v ← β₂v + (1 − β₂)g²
 * v_max ← max(v_max, v)                      if amsgrad (then v_max replaces v below)
 * θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ```
 *
 * t counts the parameter's steps from 1. ε is added after the square root and the bias
 * correction, exactly where PyTorch adds it. Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8,
 * weightDecay 0, amsgrad false, maximize false.
 *
 * @example
 * ```ts
 * import { mseLoss, nn, optim, randn } from 'recurrent';
 * const model = new nn.Linear({ inFeatures: 4, outFeatures: 1 });
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad();
 * mseLoss(model.forward(randn([8, 4])), randn([8, 1])).backward();
 * opt.step();
 * ```
 */
export class Adam extends AdamBase {
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdamHyperparameters>[], options: AdamOptions = {}) {
    const defaults = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
    super(params, withDefaults('Adam', defaults, options), { name: 'Adam', checks: ADAM_CHECKS }, false);
  }
}
