/**
 * The shared forward of the attention modules: input checks, the key mask, a masked softmax over
 * the scores and the weighted sum of the values. A subclass supplies only its score function and,
 * where the score transforms the keys, that transformation.
 *
 * A decoder attends over the same source at every output step, so the key side is prepared once
 * (`prepare`: checks, mask, key projection) and each step only scores its query (`attend`).
 */
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../../errors.js';
import { indexSelect } from '../../tensor/ops/indexing.js';
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
 * The key side of an attention call, prepared once by `Attention.prepare` and attended to by any
 * number of queries. Shapes: N = batch, S = source steps.
 */
export interface AttentionMemory {
  /** The keys as the score reads them (after the module's key projection, if any): (N, S, ·). */
  readonly keys: Tensor;
  /** The values (N, S, Dv). */
  readonly values: Tensor;
  /** (N, 1, S) 0/1 mask of the real keys, or null when every key is real. */
  readonly valid: Tensor | null;
  /** Dk, the feature size of the keys as given (before any projection). */
  readonly keyDim: number;
}

/**
 * The memory whose row r is row `rows[r]` of `memory` (`index_select` on the batch axis), e.g.
 * to repeat each source once per beam-search hypothesis.
 */
export function selectMemoryRows(memory: AttentionMemory, rows: Int32Array | readonly number[]): AttentionMemory {
  const index = new Tensor(Int32Array.from(rows), [rows.length]);
  return {
    keys: indexSelect(memory.keys, 0, index),
    values: indexSelect(memory.values, 0, index),
    valid: memory.valid === null ? null : indexSelect(memory.valid, 0, index),
    keyDim: memory.keyDim,
  };
}

const checkInput = (owner: string, name: string, t: unknown): Tensor => {
  if (!(t instanceof Tensor)) throw new ValueError(`${owner}: ${name} must be a Tensor; got ${fmtValue(t)}`);
  if (t.dtype === 'int32') throw new DTypeError(`${owner}: ${name} must be float32 or float64; got int32`);
  return t;
};

/**
 * Base of the attention modules. Shapes (N = batch, Tq = query steps, S = source steps):
 * query (N, Dq) for one decoder step or (N, Tq, Dq) for all steps at once, keys (N, S, Dk),
 * values (N, S, Dv) → context (N, [Tq,] Dv), weights (N, [Tq,] S).
 */
export abstract class Attention extends Module {
  /**
   * Scores of every query step against every prepared key: query (N, Tq, Dq), keys as
   * `projectKeys` returned them → (N, Tq, S). Feature sizes are already checked by `checkFeatures`.
   */
  protected abstract score(query: Tensor, keys: Tensor): Tensor;

  /** The key-side part of the score, computed once per source: keys (N, S, Dk) → (N, S, ·). Default: the keys themselves. */
  protected projectKeys(keys: Tensor): Tensor {
    return keys;
  }

  /** Throws a ShapeError when the feature sizes do not fit this score; `queryDim` is null when only the keys are known yet. */
  protected abstract checkFeatures(queryDim: number | null, keyDim: number): void;

  /** The parameters' dtype, which the inputs must share; null without parameters. */
  protected paramDType(): DType | null {
    return this.parameters()[0]?.dtype ?? null;
  }

  private checkDType(name: string, t: Tensor, like: DType): void {
    if (t.dtype !== like)
      throw new DTypeError(`${this.constructor.name}: ${name} must be ${like} (as the ${this.paramDType() === null ? 'query' : 'parameters'}); got ${t.dtype}`);
  }

  /**
   * Attends from `query` over `keys`, mixing `values`. Padding keys (per `options.mask` or
   * `options.lengths`) get exactly zero weight; a row with no real key gets all-zero weights and
   * a zero context. Equal to `attend(query, prepare(keys, values, options))`.
   */
  forward(query: Tensor, keys: Tensor, values: Tensor, options: AttentionForwardOptions = {}): AttentionOutput {
    const owner = this.constructor.name;
    checkInput(owner, 'query', query);
    checkInput(owner, 'keys', keys);
    checkInput(owner, 'values', values);
    if (query.ndim !== 2 && query.ndim !== 3) {
      throw new ShapeError(`${owner}: query must be (N, Dq) or (N, Tq, Dq); got ${fmtShape(query.shape)}`);
    }
    if (keys.ndim === 3 && query.shape[0] !== keys.shape[0]) {
      throw new ShapeError(`${owner}: query must have batch size N = ${keys.shape[0]} (from keys ${fmtShape(keys.shape)}); got ${fmtShape(query.shape)}`);
    }
    const dtype = this.paramDType() ?? query.dtype;
    this.checkDType('query', query, dtype);
    if (keys.ndim === 3) this.checkFeatures(query.shape[query.ndim - 1]!, keys.shape[2]!);
    return this.attend(query, this.prepare(keys, values, options, dtype));
  }

  /**
   * Prepares `keys` and `values` for any number of `attend` calls: checks them and the mask, and
   * computes the key side of the score once (W_k k for Bahdanau, W k for Luong's general score).
   * `dtype` (default: the parameters', else the keys') is what every input must be.
   */
  prepare(keys: Tensor, values: Tensor, options: AttentionForwardOptions = {}, dtype?: DType): AttentionMemory {
    const owner = this.constructor.name;
    checkInput(owner, 'keys', keys);
    checkInput(owner, 'values', values);
    if (keys.ndim !== 3) throw new ShapeError(`${owner}: keys must be (N, S, Dk); got ${fmtShape(keys.shape)}`);
    if (values.ndim !== 3) throw new ShapeError(`${owner}: values must be (N, S, Dv); got ${fmtShape(values.shape)}`);
    const [batch, source] = [keys.shape[0]!, keys.shape[1]!];
    if (values.shape[0] !== batch || values.shape[1] !== source) {
      throw new ShapeError(
        `${owner}: values must be (N, S, Dv) with N = ${batch}, S = ${source} (from keys ${fmtShape(keys.shape)}); got ${fmtShape(values.shape)}`,
      );
    }
    if (source === 0) throw new ShapeError(`${owner}: keys must have at least one source step; got ${fmtShape(keys.shape)}`);
    const like = dtype ?? this.paramDType() ?? keys.dtype;
    this.checkDType('keys', keys, like);
    this.checkDType('values', values, like);
    const keyDim = keys.shape[2]!;
    this.checkFeatures(null, keyDim);
    return { keys: this.projectKeys(keys), values, valid: keyMask(owner, options, batch, source), keyDim };
  }

  /** Attends from `query` (N, Dq) or (N, Tq, Dq) over a prepared memory: `{ context, weights }` as `forward`. */
  attend(query: Tensor, memory: AttentionMemory): AttentionOutput {
    const owner = this.constructor.name;
    checkInput(owner, 'query', query);
    if (query.ndim !== 2 && query.ndim !== 3) {
      throw new ShapeError(`${owner}: query must be (N, Dq) or (N, Tq, Dq); got ${fmtShape(query.shape)}`);
    }
    const batch = memory.values.shape[0]!;
    if (query.shape[0] !== batch) {
      throw new ShapeError(`${owner}: query must have batch size N = ${batch} (from the memory's ${batch} rows); got ${fmtShape(query.shape)}`);
    }
    this.checkDType('query', query, memory.values.dtype);
    this.checkFeatures(query.shape[query.ndim - 1]!, memory.keyDim);
    const steps = query.ndim === 2 ? unsqueeze(query, 1) : query;
    const weights = maskedSoftmax(this.score(steps, memory.keys), memory.valid);
    const context = matmul(weights, memory.values);
    return query.ndim === 2 ? { context: squeeze(context, 1), weights: squeeze(weights, 1) } : { context, weights };
  }
}
