/**
 * Gradient entries of the fused recurrences: each calls its backend's backward sweep, which
 * returns the gradients of the input projections, initial states and recurrent weights at once.
 * Part of the one gradient table (spread into it by `gradients.ts`).
 */
import { backend } from '../../backend/select.js';
import type { GruCache, LstmCache, RecurrentBackward, RnnCache, SequenceLayout } from '../../backend/recurrent_kernels.js';
import type { FloatArray } from '../dtype.js';
import { empty } from '../ops/common.js';
import type { Tensor } from '../tensor.js';
import type { GradContext } from './gradients.js';

const f = (t: Tensor): FloatArray => t.data as FloatArray;
/** The upstream gradient of an output, zeros when it got none. */
const upstream = (g: Tensor | null, like: Tensor): FloatArray => f(g ?? empty(like.dtype, like.shape));
const like = (t: Tensor): Tensor => empty(t.dtype, t.shape);

/** Backward for RNN and GRU, whose inputs are [xProj, h0, wHH, bHH?] and outputs [out, hN]. */
function twoStateGrads(ctx: GradContext, grads: readonly (Tensor | null)[], kind: 'rnn' | 'gru'): (Tensor | null)[] {
  const [xProj, h0, wHH, bHH = null] = ctx.inputs as [Tensor, Tensor, Tensor, Tensor?];
  const [out, hN] = ctx.outputs as [Tensor, Tensor];
  const layout = ctx.attrs.layout as SequenceLayout;
  const dXProj = like(xProj);
  const dH0 = like(h0);
  const dWHH = like(wHH);
  const dBHH = bHH ? like(bHH) : null;
  const args = {
    batch: layout.batch, hiddenSize: layout.hiddenSize, batchSizes: layout.batchSizes, reverse: layout.reverse, xProj: f(xProj), h0: f(h0), wHH: f(wHH), bHH: bHH ? f(bHH) : null, out: f(out),
    dOut: upstream(grads[0]!, out), dHN: upstream(grads[1]!, hN),
    dXProj: f(dXProj), dH0: f(dH0), dWHH: f(dWHH), dBHH: dBHH ? f(dBHH) : null,
    cache: ctx.attrs.cache,
  };
  // One literal, no spread: spreading into a large literal is slow on V8, and this runs every step.
  if (kind === 'rnn') backend().rnnBackward(args as RecurrentBackward<RnnCache>);
  else backend().gruBackward(args as RecurrentBackward<GruCache>);
  return bHH ? [dXProj, dH0, dWHH, dBHH] : [dXProj, dH0, dWHH];
}

export const recurrentGradients = {
  rnnRecurrence: (ctx: GradContext, grads: readonly (Tensor | null)[]) => twoStateGrads(ctx, grads, 'rnn'),
  gruRecurrence: (ctx: GradContext, grads: readonly (Tensor | null)[]) => twoStateGrads(ctx, grads, 'gru'),
  lstmRecurrence: (ctx: GradContext, grads: readonly (Tensor | null)[]) => {
    // Inputs were [xProj, h0, c0, wHH, bHH, wHR, peepholes] with the absent ones dropped.
    const present = ctx.attrs.present as boolean[];
    const full: (Tensor | null)[] = [];
    let k = 0;
    for (const has of present) full.push(has ? ctx.inputs[k++]! : null);
    const [xProj, h0, c0, wHH, bHH, wHR, peep] = full as [Tensor, Tensor, Tensor, Tensor, Tensor | null, Tensor | null, Tensor | null];
    const [out, hN, cN] = ctx.outputs as [Tensor, Tensor, Tensor];
    const d = full.map((t) => (t === null ? null : like(t)));
    const [dXProj, dH0, dC0, dWHH, dBHH, dWHR, dPeep] = d;
    const layout = ctx.attrs.layout as SequenceLayout;
    backend().lstmBackward({
      batch: layout.batch, hiddenSize: layout.hiddenSize, batchSizes: layout.batchSizes, reverse: layout.reverse, cache: ctx.attrs.cache as LstmCache,
      xProj: f(xProj), h0: f(h0), c0: f(c0), wHH: f(wHH), bHH: bHH && f(bHH), wHR: wHR && f(wHR), peep: peep && f(peep),
      out: f(out), cN: f(cN),
      dOut: upstream(grads[0]!, out), dHN: upstream(grads[1]!, hN), dCN: upstream(grads[2]!, cN),
      dXProj: f(dXProj!), dH0: f(dH0!), dC0: f(dC0!), dWHH: f(dWHH!),
      dBHH: dBHH ? f(dBHH) : null, dWHR: dWHR ? f(dWHR) : null, dPeep: dPeep ? f(dPeep) : null,
    });
    return d.filter((t, i) => present[i] && t !== null);
  },
};
