/**
 * The composed recurrence: the cell step functions looped over time with ordinary ops, on the same
 * packed layout and with the same results as the fused ops in tensor/ops/recurrence.ts. It is the
 * equivalence oracle for the fused kernels, and the path for `implementation: 'composed'`.
 */
import { zerosOf } from '../../tensor/ops/common.js';
import { concat } from '../../tensor/ops/join.js';
import { narrow } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';

/** One step over the active rows: (xp (b, G·H), states (b, ·)…) → new states, the first being the output. */
export type StepFn = (xp: Tensor, states: Tensor[]) => Tensor[];

/**
 * Runs `step` over packed rows (N, G·H) with per-step `batchSizes`. Returns [out (N, P), ...final
 * states (B, ·)], where sequences that ended early keep their last state.
 */
export function composedRecurrence(step: StepFn, xProj: Tensor, initial: Tensor[], batchSizes: Int32Array, reverse: boolean): Tensor[] {
  const T = batchSizes.length;
  const B = initial[0]!.shape[0]!;
  const offsets: number[] = [];
  let rows = 0;
  for (let t = 0; t < T; t++) {
    offsets.push(rows);
    rows += batchSizes[t]!;
  }
  let states = initial;
  const outs: Tensor[] = new Array<Tensor>(T);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const bs = batchSizes[t]!;
    const active = states.map((st) => (bs < B ? narrow(st, 0, 0, bs) : st));
    const next = step(narrow(xProj, 0, offsets[t]!, bs), active);
    outs[t] = next[0]!;
    states = next.map((st, k) => (bs < B ? concat([st, narrow(states[k]!, 0, bs, B - bs)], 0) : st));
  }
  const P = initial[0]!.shape[1]!;
  const out = T === 0 ? zerosOf(xProj.dtype, [0, P]) : concat(outs, 0);
  return [out, ...states];
}
