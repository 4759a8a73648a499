/**
 * Gradient entries of the fused recurrences: each hands what forward saved to the recurrence's
 * backward op (tensor/ops/recurrence_backward.ts), which returns every input's gradient at once.
 * Part of the one gradient table (spread into it by `gradients.ts`).
 */
import type { GruCache } from '../../backend/cells/gru.js';
import type { LstmCache } from '../../backend/cells/lstm.js';
import type { RnnOptions } from '../../backend/cells/rnn.js';
import type { SequenceLayout } from '../../backend/recurrent_kernels.js';
import { gruRecurrenceBackward, lstmRecurrenceBackward, rnnRecurrenceBackward, type TwoStateSaved } from '../ops/recurrence_backward.js';
import type { Tensor } from '../tensor.js';
import type { GradContext } from './gradients.js';

/** RNN and GRU record inputs [xProj, h0, wHH, bHH?] and outputs [out, hN]. */
function twoStateSaved(ctx: GradContext): TwoStateSaved {
  const [xProj, h0, wHH, bHH = null] = ctx.inputs as [Tensor, Tensor, Tensor, Tensor?];
  const [out, hN] = ctx.outputs as [Tensor, Tensor];
  return { xProj, h0, wHH, bHH, out, hN };
}

/** The gradients of the recorded inputs, in order: bHH's only when it was an input. */
const recordedGrads = (g: readonly [Tensor, Tensor, Tensor, Tensor | null]): Tensor[] => g.filter((t): t is Tensor => t !== null);

export const recurrentGradients = {
  rnnRecurrence: (ctx: GradContext, grads: readonly (Tensor | null)[]) =>
    recordedGrads(rnnRecurrenceBackward(twoStateSaved(ctx), ctx.attrs.layout as SequenceLayout, { nonlinearity: ctx.attrs.nonlinearity as RnnOptions['nonlinearity'] }, grads[0] ?? null, grads[1] ?? null)),
  gruRecurrence: (ctx: GradContext, grads: readonly (Tensor | null)[]) =>
    recordedGrads(gruRecurrenceBackward(twoStateSaved(ctx), ctx.attrs.layout as SequenceLayout, ctx.attrs.cache as GruCache, { resetAfter: ctx.attrs.resetAfter as boolean }, grads[0] ?? null, grads[1] ?? null)),
  lstmRecurrence: (ctx: GradContext, grads: readonly (Tensor | null)[]) => {
    // Inputs were [xProj, h0, c0, wHH, bHH, wHR, peepholes] with the absent ones dropped.
    const present = ctx.attrs.present as boolean[];
    const full: (Tensor | null)[] = [];
    let k = 0;
    for (const has of present) full.push(has ? ctx.inputs[k++]! : null);
    const [xProj, h0, c0, wHH, bHH, wHR, peepholes] = full as [Tensor, Tensor, Tensor, Tensor, Tensor | null, Tensor | null, Tensor | null];
    const [out, hN, cN] = ctx.outputs as [Tensor, Tensor, Tensor];
    const layout = ctx.attrs.layout as SequenceLayout;
    const d = lstmRecurrenceBackward({ xProj, h0, c0, wHH, bHH, wHR, peepholes, out, hN, cN }, layout, ctx.attrs.cache as LstmCache, grads[0] ?? null, grads[1] ?? null, grads[2] ?? null);
    return [d.dXProj, d.dH0, d.dC0, d.dWHH, d.dBHH, d.dWHR, d.dPeepholes].filter((t, i) => present[i] && t !== null);
  },
};
