/**
 * Fused recurrences as differentiable tensor ops (DESIGN §4). Each runs a whole sequence of one
 * layer and direction over precomputed input projections; its backward is one reverse sweep.
 *
 * Shape legend: N = Σ batchSizes packed rows (T·B for a padded time-major batch), B batch,
 * H hidden size, P output size (projSize or H).
 */
import { record, willRecord } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import type { Backend } from '../../backend/backend.js';
import type { RecurrentKernels } from '../../backend/recurrent_kernels.js';
import { BackendError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { type DType, type FloatArray, allocate } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { checkFloating, checkSameDType, zerosOf } from './common.js';

export interface RecurrenceOptions {
  /** Active sequences per step, non-increasing (PackedSequence.batchSizes). */
  batchSizes: Int32Array;
  /** Run from the last step to the first (the backward direction of a bidirectional layer). */
  reverse?: boolean;
}

/** The active backend's fused kernel `name`; an error naming the backend when it has none. */
export function fusedKernel<K extends keyof RecurrentKernels>(name: K): NonNullable<Backend[K]> {
  const b = backend();
  const k: Backend[K] = b[name];
  if (k === undefined) throw new BackendError(`${name}: the ${b.name} backend has no fused kernel for it; use implementation 'composed'`);
  return k.bind(b) as NonNullable<Backend[K]>;
}

const FUSED: Record<'rnn' | 'lstm' | 'gru', readonly (keyof RecurrentKernels)[]> = {
  rnn: ['rnnForward', 'rnnBackward'],
  lstm: ['lstmForward', 'lstmBackward'],
  gru: ['gruForward', 'gruBackward'],
};

/**
 * Whether the active backend runs this cell's recurrence fused (forward and backward kernels);
 * where it does not, the recurrent layers run the composed recurrence instead.
 */
export function fusedRecurrenceAvailable(cell: 'rnn' | 'lstm' | 'gru'): boolean {
  const b = backend();
  return FUSED[cell].every((name) => b[name] !== undefined);
}

function checkLayout(op: string, batchSizes: Int32Array, xProj: Tensor, h0: Tensor, gateWidth: number): number {
  let rows = 0;
  for (let t = 0; t < batchSizes.length; t++) {
    const bs = batchSizes[t]!;
    if (bs < 0 || (t > 0 && bs > batchSizes[t - 1]!)) {
      throw new ValueError(`${op}: batchSizes must be non-increasing and non-negative; got [${Array.from(batchSizes).join(', ')}]`);
    }
    rows += bs;
  }
  if (xProj.ndim !== 2 || xProj.shape[0] !== rows || xProj.shape[1] !== gateWidth) {
    throw new ShapeError(`${op}: xProj must be (${rows}, ${gateWidth}); got ${fmtShape(xProj.shape)}`);
  }
  if (batchSizes.length > 0 && h0.shape[0]! < batchSizes[0]!) {
    throw new ShapeError(`${op}: h0 has ${h0.shape[0]} rows but the first step has ${batchSizes[0]} sequences`);
  }
  return rows;
}

/** A state argument must be a (B, ·) matrix: its shape defines B and H for the other checks. */
function checkState(op: string, arg: string, t: Tensor): void {
  if (t.ndim !== 2) throw new ShapeError(`${op}: ${arg} must be 2-D (B, H); got ${fmtShape(t.shape)}`);
}

/** Every present argument shares xProj's dtype; a mismatch names the argument. */
function checkDTypes(op: string, xProj: Tensor, args: Record<string, Tensor | null>): void {
  for (const [arg, t] of Object.entries(args)) if (t !== null) checkSameDType(op, xProj, t, ['xProj', arg]);
}

function checkShapeOf(op: string, arg: string, t: Tensor | null, shape: readonly number[]): void {
  if (t === null) return;
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${op}: ${arg} must be ${fmtShape(shape)}; got ${fmtShape(t.shape)}`);
  }
}

/** Reused storage for caches nobody will read (inference), per dtype; collectable between calls. */
const discarded = new Map<DType, WeakRef<FloatArray>>();

/**
 * Arrays of the given sizes for a forward's cache: fresh ones when backward will read them, else
 * disjoint views of one reused buffer, so that inference allocates (and zero-fills) no cache.
 */
function cacheArrays(dtype: DType, keep: boolean, sizes: readonly number[]): FloatArray[] {
  if (keep) return sizes.map((n) => allocate(dtype, n) as FloatArray);
  const total = sizes.reduce((s, n) => s + n, 0);
  let store = discarded.get(dtype)?.deref();
  if (store === undefined || store.length < total) {
    store = allocate(dtype, total) as FloatArray;
    discarded.set(dtype, new WeakRef(store));
  }
  let at = 0;
  return sizes.map((n) => store.subarray(at, (at += n)));
}

const f = (t: Tensor): FloatArray => t.data as FloatArray;
const fOrNull = (t: Tensor | null): FloatArray | null => (t === null ? null : f(t));

/** Elman recurrence: h' = act(xProj + h·W_hhᵀ + b_hh). Returns [out (N, H), hN (B, H)]. */
export function rnnRecurrence(
  xProj: Tensor,
  h0: Tensor,
  wHH: Tensor,
  bHH: Tensor | null,
  options: RecurrenceOptions & { nonlinearity: 'tanh' | 'relu' },
): [Tensor, Tensor] {
  const op = 'rnnRecurrence';
  checkFloating(op, 'xProj', xProj);
  checkState(op, 'h0', h0);
  const [B, H] = h0.shape as [number, number];
  const rows = checkLayout(op, options.batchSizes, xProj, h0, H);
  checkShapeOf(op, 'wHH', wHH, [H, H]);
  checkShapeOf(op, 'bHH', bHH, [H]);
  checkDTypes(op, xProj, { h0, wHH, bHH });
  const out = zerosOf(xProj.dtype, [rows, H]);
  const hN = zerosOf(xProj.dtype, [B, H]);
  const layout = { batch: B, hiddenSize: H, batchSizes: options.batchSizes, reverse: options.reverse ?? false };
  const { nonlinearity } = options;
  fusedKernel('rnnForward')({
    batch: B,
    hiddenSize: H,
    batchSizes: layout.batchSizes,
    reverse: layout.reverse,
    xProj: f(xProj),
    h0: f(h0),
    wHH: f(wHH),
    bHH: fOrNull(bHH),
    out: f(out),
    hN: f(hN),
    cache: null,
    nonlinearity,
    keepCache: willRecord([xProj, h0, wHH, bHH]),
  });
  record(op, bHH ? [xProj, h0, wHH, bHH] : [xProj, h0, wHH], [out, hN], { layout, cache: null, nonlinearity });
  return [out, hN];
}

/**
 * LSTM recurrence, gates (i, f, g, o), with optional projection W_hr (P, H) and peepholes (3H):
 * w_ci, w_cf, w_co. Returns [out (N, P), hN (B, P), cN (B, H)].
 */
export function lstmRecurrence(
  xProj: Tensor,
  h0: Tensor,
  c0: Tensor,
  wHH: Tensor,
  bHH: Tensor | null,
  wHR: Tensor | null,
  peepholes: Tensor | null,
  options: RecurrenceOptions,
): [Tensor, Tensor, Tensor] {
  const op = 'lstmRecurrence';
  checkFloating(op, 'xProj', xProj);
  checkState(op, 'h0', h0);
  checkState(op, 'c0', c0);
  const [B, H] = c0.shape as [number, number];
  const P = h0.shape[1]!;
  const rows = checkLayout(op, options.batchSizes, xProj, h0, 4 * H);
  checkShapeOf(op, 'h0', h0, [B, wHR ? wHR.shape[0]! : H]);
  checkShapeOf(op, 'wHH', wHH, [4 * H, P]);
  checkShapeOf(op, 'bHH', bHH, [4 * H]);
  checkShapeOf(op, 'wHR', wHR, [P, H]);
  checkShapeOf(op, 'peepholes', peepholes, [3 * H]);
  checkDTypes(op, xProj, { h0, c0, wHH, bHH, wHR, peepholes });
  const out = zerosOf(xProj.dtype, [rows, P]);
  const hN = zerosOf(xProj.dtype, [B, P]);
  const cN = zerosOf(xProj.dtype, [B, H]);
  const layout = { batch: B, hiddenSize: H, batchSizes: options.batchSizes, reverse: options.reverse ?? false };
  const keepCache = willRecord([xProj, h0, c0, wHH, bHH, wHR, peepholes]);
  const [gates, cells, m] = cacheArrays(xProj.dtype, keepCache, [rows * 4 * H, rows * H, wHR ? rows * H : 0]) as [FloatArray, FloatArray, FloatArray];
  const cache = { gates, cells, m: wHR ? m : null };
  fusedKernel('lstmForward')({
    batch: B,
    hiddenSize: H,
    batchSizes: layout.batchSizes,
    reverse: layout.reverse,
    xProj: f(xProj),
    h0: f(h0),
    c0: f(c0),
    wHH: f(wHH),
    bHH: fOrNull(bHH),
    wHR: fOrNull(wHR),
    peep: fOrNull(peepholes),
    out: f(out),
    hN: f(hN),
    cN: f(cN),
    cache,
    keepCache,
  });
  const inputs = [xProj, h0, c0, wHH, bHH, wHR, peepholes];
  record(
    op,
    inputs.filter((t): t is Tensor => t !== null),
    [out, hN, cN],
    { layout, cache, present: inputs.map((t) => t !== null) },
  );
  return [out, hN, cN];
}

/** GRU recurrence, gates (r, z, n), reset applied after (default) or before the product. Returns [out (N, H), hN (B, H)]. */
export function gruRecurrence(
  xProj: Tensor,
  h0: Tensor,
  wHH: Tensor,
  bHH: Tensor | null,
  options: RecurrenceOptions & { resetAfter: boolean },
): [Tensor, Tensor] {
  const op = 'gruRecurrence';
  checkFloating(op, 'xProj', xProj);
  checkState(op, 'h0', h0);
  const [B, H] = h0.shape as [number, number];
  const rows = checkLayout(op, options.batchSizes, xProj, h0, 3 * H);
  checkShapeOf(op, 'wHH', wHH, [3 * H, H]);
  checkShapeOf(op, 'bHH', bHH, [3 * H]);
  checkDTypes(op, xProj, { h0, wHH, bHH });
  const out = zerosOf(xProj.dtype, [rows, H]);
  const hN = zerosOf(xProj.dtype, [B, H]);
  const layout = { batch: B, hiddenSize: H, batchSizes: options.batchSizes, reverse: options.reverse ?? false };
  const keepCache = willRecord([xProj, h0, wHH, bHH]);
  const [gates, hn] = cacheArrays(xProj.dtype, keepCache, [rows * 3 * H, rows * H]) as [FloatArray, FloatArray];
  const cache = { gates, hn };
  const { resetAfter } = options;
  fusedKernel('gruForward')({
    batch: B,
    hiddenSize: H,
    batchSizes: layout.batchSizes,
    reverse: layout.reverse,
    xProj: f(xProj),
    h0: f(h0),
    wHH: f(wHH),
    bHH: fOrNull(bHH),
    out: f(out),
    hN: f(hN),
    cache,
    resetAfter,
    keepCache,
  });
  record(op, bHH ? [xProj, h0, wHH, bHH] : [xProj, h0, wHH], [out, hN], { layout, cache, resetAfter });
  return [out, hN];
}
