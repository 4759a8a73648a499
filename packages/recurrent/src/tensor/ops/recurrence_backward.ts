/**
 * Backward sweeps of the fused recurrences as tensor-level ops, as conv's backward is: the
 * gradient table calls these, and only they reach the backend's recurrent backward kernels.
 * Each returns the gradients of the input projections, the initial states and the recurrent
 * weights at once; an output that received no gradient counts as zeros.
 *
 * Shape legend: N = Σ batchSizes packed rows, B batch, H hidden size, P output size (projSize or H).
 */
import type { GruCache, GruOptions } from '../../backend/cells/gru.js';
import type { LstmCache } from '../../backend/cells/lstm.js';
import type { RnnCache, RnnOptions } from '../../backend/cells/rnn.js';
import type { RecurrentBackward, SequenceLayout } from '../../backend/recurrent_kernels.js';
import type { FloatArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { zerosOf } from './common.js';
import { fusedKernel as kernel } from './recurrence.js';

const f = (t: Tensor): FloatArray => t.data as FloatArray;
const fOrNull = (t: Tensor | null): FloatArray | null => (t === null ? null : f(t));
/** The upstream gradient of an output, zeros when it got none. */
const gradOf = (t: Tensor): Tensor => zerosOf(t.dtype, t.shape);
const upstream = (g: Tensor | null, like: Tensor): FloatArray => f(g ?? gradOf(like));

/** What a two-state recurrence (RNN, GRU) saved in forward: inputs [xProj, h0, wHH, bHH?], outputs [out, hN]. */
export interface TwoStateSaved {
  xProj: Tensor;
  h0: Tensor;
  wHH: Tensor;
  bHH: Tensor | null;
  out: Tensor;
  hN: Tensor;
}

function twoStateBackward<C, O extends object>(
  run: (a: RecurrentBackward<C> & O) => void,
  s: TwoStateSaved,
  layout: SequenceLayout,
  cache: C,
  options: O,
  dOut: Tensor | null,
  dHN: Tensor | null,
): [Tensor, Tensor, Tensor, Tensor | null] {
  const dXProj = gradOf(s.xProj);
  const dH0 = gradOf(s.h0);
  const dWHH = gradOf(s.wHH);
  const dBHH = s.bHH ? gradOf(s.bHH) : null;
  // One literal, no spread: spreading into a large literal is slow on V8, and this runs at every call.
  const args: RecurrentBackward<C> = {
    batch: layout.batch,
    hiddenSize: layout.hiddenSize,
    batchSizes: layout.batchSizes,
    reverse: layout.reverse,
    cache,
    xProj: f(s.xProj),
    h0: f(s.h0),
    wHH: f(s.wHH),
    bHH: fOrNull(s.bHH),
    out: f(s.out),
    dOut: upstream(dOut, s.out),
    dHN: upstream(dHN, s.hN),
    dXProj: f(dXProj),
    dH0: f(dH0),
    dWHH: f(dWHH),
    dBHH: fOrNull(dBHH),
  };
  run(Object.assign(args, options));
  return [dXProj, dH0, dWHH, dBHH];
}

/** Backward of `rnnRecurrence`: [dXProj (N, H), dH0 (B, H), dWHH (H, H), dBHH (H) or null]. */
export function rnnRecurrenceBackward(
  s: TwoStateSaved,
  layout: SequenceLayout,
  options: RnnOptions,
  dOut: Tensor | null,
  dHN: Tensor | null,
): [Tensor, Tensor, Tensor, Tensor | null] {
  const cache: RnnCache = null;
  return twoStateBackward(kernel('rnnBackward'), s, layout, cache, { nonlinearity: options.nonlinearity }, dOut, dHN);
}

/** Backward of `gruRecurrence`: [dXProj (N, 3H), dH0 (B, H), dWHH (3H, H), dBHH (3H) or null]. */
export function gruRecurrenceBackward(
  s: TwoStateSaved,
  layout: SequenceLayout,
  cache: GruCache,
  options: GruOptions,
  dOut: Tensor | null,
  dHN: Tensor | null,
): [Tensor, Tensor, Tensor, Tensor | null] {
  return twoStateBackward(kernel('gruBackward'), s, layout, cache, { resetAfter: options.resetAfter }, dOut, dHN);
}

/** What `lstmRecurrence` saved in forward. */
export interface LstmSaved {
  xProj: Tensor;
  h0: Tensor;
  c0: Tensor;
  wHH: Tensor;
  bHH: Tensor | null;
  wHR: Tensor | null;
  peepholes: Tensor | null;
  out: Tensor;
  hN: Tensor;
  cN: Tensor;
}

/** Gradients of `lstmRecurrence`'s inputs; null where the input was absent. */
export interface LstmGradients {
  dXProj: Tensor;
  dH0: Tensor;
  dC0: Tensor;
  dWHH: Tensor;
  dBHH: Tensor | null;
  dWHR: Tensor | null;
  dPeepholes: Tensor | null;
}

/** Backward of `lstmRecurrence`, from the gradients of out (N, P), hN (B, P) and cN (B, H). */
export function lstmRecurrenceBackward(
  s: LstmSaved,
  layout: SequenceLayout,
  cache: LstmCache,
  dOut: Tensor | null,
  dHN: Tensor | null,
  dCN: Tensor | null,
): LstmGradients {
  const g: LstmGradients = {
    dXProj: gradOf(s.xProj),
    dH0: gradOf(s.h0),
    dC0: gradOf(s.c0),
    dWHH: gradOf(s.wHH),
    dBHH: s.bHH && gradOf(s.bHH),
    dWHR: s.wHR && gradOf(s.wHR),
    dPeepholes: s.peepholes && gradOf(s.peepholes),
  };
  kernel('lstmBackward')({
    batch: layout.batch,
    hiddenSize: layout.hiddenSize,
    batchSizes: layout.batchSizes,
    reverse: layout.reverse,
    cache,
    xProj: f(s.xProj),
    h0: f(s.h0),
    c0: f(s.c0),
    wHH: f(s.wHH),
    bHH: fOrNull(s.bHH),
    wHR: fOrNull(s.wHR),
    peep: fOrNull(s.peepholes),
    out: f(s.out),
    cN: f(s.cN),
    dOut: upstream(dOut, s.out),
    dHN: upstream(dHN, s.hN),
    dCN: upstream(dCN, s.cN),
    dXProj: f(g.dXProj),
    dH0: f(g.dH0),
    dC0: f(g.dC0),
    dWHH: f(g.dWHH),
    dBHH: fOrNull(g.dBHH),
    dWHR: fOrNull(g.dWHR),
    dPeep: fOrNull(g.dPeepholes),
  });
  return g;
}
