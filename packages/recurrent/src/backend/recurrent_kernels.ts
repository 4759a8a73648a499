/**
 * Fused recurrent sequence kernels: the recurrence of a whole sequence in one call, and its
 * backward in one reverse sweep (DESIGN §4).
 *
 * Shape legend: T = time steps, B = batch (the largest), N = Σ batchSizes = packed rows,
 * H = hidden size, P = output size (projSize, or H), G = gate count (LSTM 4, GRU 3, RNN 1).
 *
 * Rows are packed, as in a PackedSequence: step t owns rows offsets[t] .. offsets[t] + batchSizes[t]
 * of every (N, ·) array, and batchSizes never grows. A padded (T, B, ·) time-major input is the
 * special case batchSizes = [B, …, B]. At step t only the first batchSizes[t] sequences advance;
 * the others keep their state, so the state buffers end holding each sequence's final state.
 * With `reverse`, steps run from T−1 down to 0 and a sequence starts from h0 at its last step.
 *
 * The input projection xProj = x·W_ihᵀ + b_ih is computed outside, as one large product; the
 * kernels add b_hh and the recurrent product h·W_hhᵀ per step. Backward returns dXProj (the gate
 * gradients, from which the caller's autograd forms dx and dW_ih as large products) and computes
 * dW_hh, db_hh (and dW_hr, dPeepholes) as one large product each after the sweep.
 */
import type { FloatArray } from '../tensor/dtype.js';
import type { GruCache, GruOptions } from './cells/gru.js';
import type { LstmCache, LstmExtra, LstmGradExtra } from './cells/lstm.js';
import type { RnnCache, RnnOptions } from './cells/rnn.js';

export interface SequenceLayout {
  /** B: rows of h0 (at least batchSizes[0]). */
  batch: number;
  /** H: hidden units per gate. */
  hiddenSize: number;
  /** Active sequences per step (length T, non-increasing). */
  batchSizes: Int32Array;
  /** Run steps from last to first. */
  reverse: boolean;
}

export interface RecurrentForward<C> extends SequenceLayout {
  /** (N, G·H) input projections, bias b_ih included. */
  xProj: FloatArray;
  /** (B, P) initial hidden state. */
  h0: FloatArray;
  /** (G·H, P) recurrent weights. */
  wHH: FloatArray;
  /** (G·H) recurrent bias, or null. */
  bHH: FloatArray | null;
  /** Outputs: (N, P) hidden state after every step, (B, P) final hidden state. */
  out: FloatArray;
  hN: FloatArray;
  /** What backward needs, filled by forward. */
  cache: C;
  /**
   * False when no backward will read the cache (inference): a backend may then fill it in
   * temporary storage and leave the given arrays untouched. Default true.
   */
  keepCache?: boolean;
}

export interface RecurrentBackward<C> extends SequenceLayout {
  xProj: FloatArray;
  h0: FloatArray;
  wHH: FloatArray;
  bHH: FloatArray | null;
  out: FloatArray;
  cache: C;
  /** Upstream gradients: (N, P) of out, (B, P) of hN. */
  dOut: FloatArray;
  dHN: FloatArray;
  /** Results: (N, G·H) of xProj, (B, P) of h0, (G·H, P) of W_hh, (G·H) of b_hh (when bHH). */
  dXProj: FloatArray;
  dH0: FloatArray;
  dWHH: FloatArray;
  dBHH: FloatArray | null;
}

/**
 * What the fused kernels of every cell take: the common arguments above, each cell's options,
 * cache and extra arrays (defined with the cell in cells/rnn.ts, cells/lstm.ts, cells/gru.ts).
 * Every kernel is optional in a backend: where one is missing, the composed recurrence runs.
 */
export interface RecurrentKernels {
  rnnForward(a: RecurrentForward<RnnCache> & RnnOptions): void;
  rnnBackward(a: RecurrentBackward<RnnCache> & RnnOptions): void;
  lstmForward(a: RecurrentForward<LstmCache> & LstmExtra): void;
  lstmBackward(a: RecurrentBackward<LstmCache> & LstmExtra & LstmGradExtra): void;
  gruForward(a: RecurrentForward<GruCache> & GruOptions): void;
  gruBackward(a: RecurrentBackward<GruCache> & GruOptions): void;
}
