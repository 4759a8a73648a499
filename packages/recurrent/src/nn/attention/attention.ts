/**
 * The shared forward of the attention modules: input checks, the key mask, a masked softmax over
 * the scores and the weighted sum of the values. A subclass supplies only its score function.
 */
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../../errors.js';
import { matmul } from '../../tensor/ops/matmul.js';
import { squeeze, unsqueeze } from '../../tensor/ops/view.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { keyMask, type AttentionMaskOptions } from './key_mask.js';
import { maskedSoftmax } from './masked_softmax.js';

/** The result of an attention module's forward. */
export interface AttentionOutput {
  /** Σ_s weights[s] · values[s]: (N, Dv), or (N, Tq, Dv) for an (N, Tq, Dq) query; zero for a row whose keys are all padding. */
  context: Tensor;
  /** The attention weights over the keys, summing to 1 over S: (N, S) or (N, Tq, S); exactly 0 at padding keys. */
  weights: Tensor;
}

/** Options of an attention forward: which keys are real (mask or lengths). */
export type AttentionForwardOptions = AttentionMaskOptions;

/**
 * Base of the attention modules. Shapes (N = batch, Tq = query steps, S = source steps):
 * query (N, Dq) for one decoder step or (N, Tq, Dq) for all steps at once, keys (N, S, Dk),
 * values (N, S, Dv) → context (N, [Tq,] Dv), weights (N, [Tq,] S).
 */
export abstract class Attention extends Module {
  /**
   * Scores of every query step against every key: query (N, Tq, Dq), keys (N, S, Dk) → (N, Tq, S).
   * Feature sizes are already checked by `checkFeatures`.
   */
  protected abstract score(query: Tensor, keys: Tensor): Tensor;

  /** Throws a ShapeError when the query and key feature sizes do not fit this score. */
  protected abstract checkFeatures(queryDim: number, keyDim: number): void;

  /** The parameters' dtype, which the inputs must share; null without parameters. */
  protected paramDType(): DType | null {
    return this.parameters()[0]?.dtype ?? null;
  }

  /**
   * Attends from `query` over `keys`, mixing `values`. Padding keys (per `options.mask` or
   * `options.lengths`) get exactly zero weight; a row with no real key gets all-zero weights and
   * a zero context.
   */
  forward(query: Tensor, keys: Tensor, values: Tensor, options: AttentionForwardOptions = {}): AttentionOutput {
    const owner = this.constructor.name;
    for (const [name, t] of [
      ['query', query],
      ['keys', keys],
      ['values', values],
    ] as const) {
      if (!(t instanceof Tensor)) throw new ValueError(`${owner}: ${name} must be a Tensor; got ${fmtValue(t)}`);
      if (t.dtype === 'int32') throw new DTypeError(`${owner}: ${name} must be float32 or float64; got int32`);
    }
    if (query.ndim !== 2 && query.ndim !== 3) {
      throw new ShapeError(`${owner}: query must be (N, Dq) or (N, Tq, Dq); got ${fmtShape(query.shape)}`);
    }
    if (keys.ndim !== 3) throw new ShapeError(`${owner}: keys must be (N, S, Dk); got ${fmtShape(keys.shape)}`);
    if (values.ndim !== 3) throw new ShapeError(`${owner}: values must be (N, S, Dv); got ${fmtShape(values.shape)}`);
    const [batch, source] = [keys.shape[0]!, keys.shape[1]!];
    if (query.shape[0] !== batch) {
      throw new ShapeError(`${owner}: query must have batch size N = ${batch} (from keys ${fmtShape(keys.shape)}); got ${fmtShape(query.shape)}`);
    }
    if (values.shape[0] !== batch || values.shape[1] !== source) {
      throw new ShapeError(
        `${owner}: values must be (N, S, Dv) with N = ${batch}, S = ${source} (from keys ${fmtShape(keys.shape)}); got ${fmtShape(values.shape)}`,
      );
    }
    if (source === 0) throw new ShapeError(`${owner}: keys must have at least one source step; got ${fmtShape(keys.shape)}`);
    const dtype = this.paramDType() ?? query.dtype;
    for (const [name, t] of [
      ['query', query],
      ['keys', keys],
      ['values', values],
    ] as const) {
      if (t.dtype !== dtype)
        throw new DTypeError(`${owner}: ${name} must be ${dtype} (as the ${this.paramDType() === null ? 'query' : 'parameters'}); got ${t.dtype}`);
    }
    this.checkFeatures(query.shape[query.ndim - 1]!, keys.shape[2]!);
    const valid = keyMask(owner, options, batch, source);
    const steps = query.ndim === 2 ? unsqueeze(query, 1) : query;
    const weights = maskedSoftmax(this.score(steps, keys), valid);
    const context = matmul(weights, values);
    return query.ndim === 2 ? { context: squeeze(context, 1), weights: squeeze(weights, 1) } : { context, weights };
  }
}
