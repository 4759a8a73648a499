/**
 * erf, GELU and leaky ReLU, composed from differentiable elementwise ops: autograd derives their
 * gradients from the composition, so they need no kernel and no entry in the gradient table.
 */
import { ValueError } from '../../errors.js';
import type { Tensor } from '../tensor.js';
import { checkFloating, checkTensor } from './common.js';
import { abs, add, div, exp, ge, gt, mul, neg, sub, tanh, where } from './elementwise.js';

// erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), z ≥ 0 (Numerical Recipes' erfcc, after Chebyshev):
// relative error below 1.2e-7 everywhere, i.e. float32 precision.
const ERFC = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise, to float32 precision (absolute
 * error below 1.2e-7). Differentiable.
 */
export function erf(x: Tensor): Tensor {
  checkFloating('erf', 'x', checkTensor('erf', 'x', x));
  const z = abs(x);
  const t = div(1, add(mul(z, 0.5), 1));
  let poly: Tensor | number = ERFC[ERFC.length - 1]!;
  for (let k = ERFC.length - 2; k >= 0; k--) poly = add(mul(t, poly), ERFC[k]!);
  const erfc = mul(t, exp(sub(poly, mul(z, z))));
  const e = sub(1, erfc);
  return where(ge(x, 0), e, neg(e));
}

/**
 * GELU(x) = x·Φ(x), Φ the standard normal CDF, as torch.nn.functional.gelu: the exact erf form
 * x/2·(1 + erf(x/√2)) by default, or with `approximate: 'tanh'`
 * x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  checkFloating('gelu', 'x', checkTensor('gelu', 'x', x));
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== 'none') throw new ValueError(`gelu: approximate must be 'none' or 'tanh'; got ${String(approximate)}`);
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** x for x > 0, negativeSlope·x otherwise (default slope 0.01), as torch.nn.functional.leaky_relu. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkFloating('leakyRelu', 'x', checkTensor('leakyRelu', 'x', x));
  if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
    throw new ValueError(`leakyRelu: negativeSlope must be a finite number; got ${String(negativeSlope)}`);
  }
  return where(gt(x, 0), x, mul(x, negativeSlope));
}
