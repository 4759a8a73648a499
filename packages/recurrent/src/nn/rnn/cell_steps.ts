/**
 * One step of each recurrent cell, written with ordinary differentiable ops. The cells use these
 * directly; the composed recurrence loops them over time as the oracle for the fused kernels.
 *
 * Shapes: xp (b, G·H) input projections x·W_ihᵀ + b_ih; h (b, P); c (b, H).
 */
import { add, mul, sigmoid, sub, tanh, relu } from '../../tensor/ops/elementwise.js';
import { chunk } from '../../tensor/ops/join.js';
import { linear } from '../../tensor/ops/matmul.js';
import { narrow } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';

export type Nonlinearity = 'tanh' | 'relu';

/** Keras's `recurrent_activation` (the gates) and `activation` (the candidate and output), when not σ and tanh. */
export interface StepActivations {
  gate: (x: Tensor) => Tensor;
  candidate: (x: Tensor) => Tensor;
}

/** h' = act(xp + h·W_hhᵀ + b_hh). */
export function rnnStep(xp: Tensor, h: Tensor, wHH: Tensor, bHH: Tensor | null, nonlinearity: Nonlinearity): Tensor {
  const pre = add(xp, linear(h, wHH, bHH));
  return nonlinearity === 'relu' ? relu(pre) : tanh(pre);
}

/**
 * LSTM step, gates (i, f, g, o), optional peepholes (3H: w_ci, w_cf, w_co) and projection W_hr (P, H);
 * `acts` replaces σ (gates) and tanh (candidate and output).
 */
export function lstmStep(
  xp: Tensor,
  h: Tensor,
  c: Tensor,
  wHH: Tensor,
  bHH: Tensor | null,
  wHR: Tensor | null,
  peepholes: Tensor | null,
  acts: StepActivations | null = null,
): [Tensor, Tensor] {
  const gate = acts?.gate ?? sigmoid;
  const candidate = acts?.candidate ?? tanh;
  const [gi, gf, gg, go] = chunk(add(xp, linear(h, wHH, bHH)), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const [pi, pf, po] = peepholes ? (chunk(peepholes, 3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
  const i = gate(pi ? add(gi, mul(pi, c)) : gi);
  const f = gate(pf ? add(gf, mul(pf, c)) : gf);
  const g = candidate(gg);
  const cNext = add(mul(f, c), mul(i, g));
  const o = gate(po ? add(go, mul(po, cNext)) : go);
  const m = mul(o, candidate(cNext));
  return [wHR ? linear(m, wHR) : m, cNext];
}

/**
 * GRU step, gates (r, z, n): h' = (1−z)⊙n + z⊙h, with n = tanh(x_n + r⊙(h·W_hnᵀ + b_hn)) when
 * `resetAfter` (PyTorch) or n = tanh(x_n + (r⊙h)·W_hnᵀ + b_hn) otherwise; `acts` replaces σ and tanh.
 */
export function gruStep(xp: Tensor, h: Tensor, wHH: Tensor, bHH: Tensor | null, resetAfter: boolean, acts: StepActivations | null = null): Tensor {
  const gate = acts?.gate ?? sigmoid;
  const candidate = acts?.candidate ?? tanh;
  const H = h.shape[1]!;
  const [xr, xz, xn] = chunk(xp, 3, 1) as [Tensor, Tensor, Tensor];
  let r: Tensor;
  let z: Tensor;
  let n: Tensor;
  if (resetAfter) {
    const [hr, hz, hn] = chunk(linear(h, wHH, bHH), 3, 1) as [Tensor, Tensor, Tensor];
    r = gate(add(xr, hr));
    z = gate(add(xz, hz));
    n = candidate(add(xn, mul(r, hn)));
  } else {
    const part = (t: Tensor | null, from: number, size: number): Tensor | null => (t === null ? null : narrow(t, 0, from, size));
    const [hr, hz] = chunk(linear(h, part(wHH, 0, 2 * H)!, part(bHH, 0, 2 * H)), 2, 1) as [Tensor, Tensor];
    r = gate(add(xr, hr));
    z = gate(add(xz, hz));
    n = candidate(add(xn, linear(mul(r, h), part(wHH, 2 * H, H)!, part(bHH, 2 * H, H))));
  }
  return add(n, mul(z, sub(h, n)));
}
