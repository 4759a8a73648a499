/**
 * Gradient entries of the fused recurrences: each hands what forward saved to the recurrence's
 * backward op (tensor/ops/recurrence_backward.ts), which returns every input's gradient at once.
 * Part of the one gradient table (spread into it by `gradients.ts`).
 */
import { gruRecurrenceBackward, lstmRecurrenceBackward, rnnRecurrenceBackward, type TwoStateSaved } from '../ops/recurrence_backward.js';
import type { Tensor } from '../tensor.js';
import type { GradContext, OpAttrs } from './gradients.js';

type Grads = readonly (Tensor | null)[];

/** RNN and GRU record inputs [xProj, h0, wHH, bHH?] and outputs [out, hN]. */
function twoStateSaved(ctx: GradContext<unknown>): TwoStateSaved {
  const [xProj, h0, wHH, bHH = null] = ctx.inputs as [Tensor, Tensor, Tensor, Tensor?];
  const [out, hN] = ctx.outputs as [Tensor, Tensor];
  return { xProj, h0, wHH, bHH, out, hN };
}

/** The gradients of the recorded inputs, in order: bHH's only when it was an input. */
const recordedGrads = (g: readonly [Tensor, Tensor, Tensor, Tensor | null]): Tensor[] => g.filter((t): t is Tensor => t !== null);

export const recurrentGradients = {
  rnnRecurrence: (ctx: GradContext<OpAttrs['rnnRecurrence']>, grads: Grads) =>
    recordedGrads(rnnRecurrenceBackward(twoStateSaved(ctx), ctx.attrs.layout, ctx.attrs, grads[0] ?? null, grads[1] ?? null)),
  gruRecurrence: (ctx: GradContext<OpAttrs['gruRecurrence']>, grads: Grads) =>
    recordedGrads(gruRecurrenceBackward(twoStateSaved(ctx), ctx.attrs.layout, ctx.attrs.cache, ctx.attrs, grads[0] ?? null, grads[1] ?? null)),
  lstmRecurrence: (ctx: GradContext<OpAttrs['lstmRecurrence']>, grads: Grads) => {
    // Inputs were [xProj, h0, c0, wHH, bHH, wHR, peepholes] with the absent ones dropped.
    const { present, layout, cache } = ctx.attrs;
    const full: (Tensor | null)[] = [];
    let k = 0;
    for (const has of present) full.push(has ? ctx.inputs[k++]! : null);
    const [xProj, h0, c0, wHH, bHH, wHR, peepholes] = full as [Tensor, Tensor, Tensor, Tensor, Tensor | null, Tensor | null, Tensor | null];
    const [out, hN, cN] = ctx.outputs as [Tensor, Tensor, Tensor];
    const d = lstmRecurrenceBackward(
      { xProj, h0, c0, wHH, bHH, wHR, peepholes, out, hN, cN },
      layout,
      cache,
      grads[0] ?? null,
      grads[1] ?? null,
      grads[2] ?? null,
    );
    return [d.dXProj, d.dH0, d.dC0, d.dWHH, d.dBHH, d.dWHR, d.dPeepholes].filter((t, i) => present[i] && t !== null);
  },
};
