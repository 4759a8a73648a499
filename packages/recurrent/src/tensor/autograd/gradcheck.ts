/**
 * Finite-difference gradient checking in float64, as torch.autograd.gradcheck.
 *
 * The function's output is reduced to a scalar with fixed random weights w (s = Σ w⊙fn(inputs)),
 * so one backward pass gives every input's analytic gradient of s; each input element is then
 * perturbed by ±eps and the central difference (s(x+eps) − s(x−eps)) / 2eps compared with it.
 */
import { GradcheckError, ValueError } from '../../errors.js';
import { Tensor } from '../tensor.js';
import { noGrad } from './no_grad.js';

export interface GradcheckOptions {
  /** Perturbation; default 1e-6. */
  eps?: number;
  /** Absolute tolerance; default 1e-5. */
  atol?: number;
  /** Relative tolerance; default 1e-3. */
  rtol?: number;
}

/** Deterministic weights in [0.5, 1.5) × ±1, independent of the global generator. */
function projectionWeights(n: number): Float64Array {
  const w = new Float64Array(n);
  let s = 0x2545f491;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    w[i] = (i % 2 === 0 ? 1 : -1) * (0.5 + u);
  }
  return w;
}

function project(out: Tensor, w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < out.size; i++) s += out.data[i]! * w[i]!;
  return s;
}

/**
 * Checks the analytic gradients of `fn` at `inputs` (float64 tensors; those with requiresGrad are
 * checked) against central differences. Returns true, or throws GradcheckError naming the input,
 * the element, both values and the tolerance.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  inputs.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new ValueError(`gradcheck: inputs[${i}] must be float64 for a meaningful check; got ${t.dtype}`);
    }
  });
  const checked = inputs.map((t, i) => [t, i] as const).filter(([t]) => t.requiresGrad);
  if (checked.length === 0) throw new ValueError('gradcheck: no input requires grad');
  for (const [t] of checked) t.grad = null;
  const out = fn(...inputs);
  const w = projectionWeights(out.size);
  out.backward(new Tensor(Float64Array.from(w), out.shape));
  for (const [t, index] of checked) {
    const analytic = t.grad === null ? new Float64Array(t.size) : Float64Array.from(t.grad.data);
    for (let k = 0; k < t.size; k++) {
      const saved = t.data[k]!;
      const [plus, minus] = noGrad(() => {
        t.data[k] = saved + eps;
        const p = project(fn(...inputs), w);
        t.data[k] = saved - eps;
        const m = project(fn(...inputs), w);
        t.data[k] = saved;
        return [p, m];
      });
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[k]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new GradcheckError(
          `gradcheck: gradient of inputs[${index}] differs at element ${k}: analytic ${a}, numerical ${numeric} (atol ${atol}, rtol ${rtol})`,
        );
      }
    }
  }
  return true;
}
