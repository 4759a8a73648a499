/** nn.LuongAttention: multiplicative attention with the dot, general and concat scores. */
import { ShapeError, ValueError, checkOptions, fmtValue } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { add, tanh } from '../../tensor/ops/elementwise.js';
import { linear, matmulWith } from '../../tensor/ops/matmul.js';
import { narrow, squeeze, unsqueeze } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Linear } from '../linear.js';
import { paramDType, positiveInt } from '../module.js';
import { Attention } from './attention.js';

/** Luong's score functions. */
export type LuongScore = 'dot' | 'general' | 'concat';

export const LUONG_SCORES: readonly LuongScore[] = ['dot', 'general', 'concat'];

export interface LuongAttentionOptions {
  /** The score: 'dot' qᵀ k_s, 'general' qᵀ W k_s, 'concat' vᵀ tanh(W [q; k_s]); default 'general'. */
  score?: LuongScore;
  /** Feature size Dq of the query; needed by 'general' and 'concat' ('dot' takes it from the input). */
  queryDim?: number;
  /** Feature size Dk of the keys; default queryDim. 'dot' needs Dk = Dq. */
  keyDim?: number;
  /** Hidden size A of the 'concat' score; default queryDim. */
  attentionDim?: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * Multiplicative attention (Luong, Pham and Manning, 2015), with its three scores:
 * - `'dot'`: score(q, k_s) = qᵀ k_s (Dq = Dk; no parameters);
 * - `'general'`: score(q, k_s) = qᵀ W k_s, W = `key_proj.weight` (Dq, Dk);
 * - `'concat'`: score(q, k_s) = vᵀ tanh(W [q; k_s]), W = `proj.weight` (A, Dq + Dk), v = `v.weight` (1, A).
 * Then weights = softmax over the real keys and context = Σ_s weights_s · values_s. No biases, as
 * in the paper; parameters are initialised as nn.Linear.
 *
 * Shapes: query (N, Dq) for one decoder step or (N, Tq, Dq) for all steps at once, keys (N, S, Dk),
 * values (N, S, Dv) → `{ context (N, [Tq,] Dv), weights (N, [Tq,] S) }`. With an (N, Tq, Dq)
 * query, 'dot' and 'general' score every step in one batched product; 'concat' splits W into
 * its query and key halves and broadcast-adds W_q q (N, Tq, 1, A) to W_k k (N, 1, S, A).
 *
 * Masking: `{ mask }` (N, S) (nonzero / true = real key) or `{ lengths }`. Padding keys get
 * exactly 0 weight; a row whose keys are all padding gets all-zero weights and a zero context.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const attention = new nn.LuongAttention({ score: 'general', queryDim: 4, keyDim: 6 });
 * Object.keys(attention.stateDict()); // ['key_proj.weight']
 * const encoded = randn([3, 7, 6]);
 * const { context, weights } = attention.forward(randn([3, 2, 4]), encoded, encoded);
 * context.shape; // [3, 2, 6]
 * weights.shape; // [3, 2, 7]
 */
export class LuongAttention extends Attention {
  readonly scoreName: LuongScore;
  /** Dq, or null for 'dot' without a queryDim. */
  readonly queryDim: number | null;
  readonly keyDim: number | null;
  readonly attentionDim: number | null;
  /** 'general': W (Dq, Dk), applied to the keys. */
  readonly keyProj: Linear | null = null;
  /** 'concat': W (A, Dq + Dk). */
  readonly proj: Linear | null = null;
  /** 'concat': vᵀ as a (1, A) weight. */
  readonly v: Linear | null = null;

  constructor(options: LuongAttentionOptions = {}) {
    super();
    const owner = 'LuongAttention';
    checkOptions(owner, options, { score: true, queryDim: true, keyDim: true, attentionDim: true, dtype: true });
    const score = options.score ?? 'general';
    if (!LUONG_SCORES.includes(score))
      throw new ValueError(`${owner}: score must be one of ${LUONG_SCORES.map((s) => `'${s}'`).join(', ')}; got ${fmtValue(score)}`);
    this.scoreName = score;
    const dtype = paramDType(owner, options.dtype);
    if (score !== 'dot' && options.queryDim === undefined) throw new ValueError(`${owner}: score '${score}' needs queryDim`);
    this.queryDim = options.queryDim === undefined ? null : positiveInt(owner, 'queryDim', options.queryDim);
    this.keyDim = options.keyDim === undefined ? this.queryDim : positiveInt(owner, 'keyDim', options.keyDim);
    if (score === 'dot' && this.queryDim !== null && this.keyDim !== this.queryDim) {
      throw new ValueError(`${owner}: score 'dot' needs keyDim = queryDim; got queryDim ${this.queryDim}, keyDim ${this.keyDim}`);
    }
    if (score !== 'concat' && options.attentionDim !== undefined)
      throw new ValueError(`${owner}: attentionDim applies only to score 'concat'; got score '${score}'`);
    this.attentionDim = score === 'concat' ? positiveInt(owner, 'attentionDim', options.attentionDim ?? this.queryDim) : null;
    const [dq, dk] = [this.queryDim!, this.keyDim!];
    if (score === 'general') this.keyProj = this.registerModule('key_proj', new Linear({ inFeatures: dk, outFeatures: dq, bias: false, dtype }));
    if (score === 'concat') {
      const a = this.attentionDim!;
      this.proj = this.registerModule('proj', new Linear({ inFeatures: dq + dk, outFeatures: a, bias: false, dtype }));
      this.v = this.registerModule('v', new Linear({ inFeatures: a, outFeatures: 1, bias: false, dtype }));
    }
  }

  protected checkFeatures(queryDim: number | null, keyDim: number): void {
    const owner = 'LuongAttention';
    if (this.scoreName === 'dot' && this.queryDim === null) {
      if (queryDim !== null && queryDim !== keyDim)
        throw new ShapeError(`${owner}: score 'dot' needs query features Dq = key features Dk; got Dq = ${queryDim}, Dk = ${keyDim}`);
      return;
    }
    if ((queryDim !== null && queryDim !== this.queryDim) || keyDim !== this.keyDim) {
      throw new ShapeError(
        `${owner}: expected query features Dq = ${this.queryDim} and key features Dk = ${this.keyDim}; got ${queryDim === null ? '' : `Dq = ${queryDim}, `}Dk = ${keyDim}`,
      );
    }
  }

  /** The key side, once per source: 'general' W k (N, S, Dq), 'concat' W_k k (N, S, A), 'dot' k. */
  protected override projectKeys(keys: Tensor): Tensor {
    if (this.scoreName === 'general') return this.keyProj!.forward(keys);
    if (this.scoreName === 'concat') return linear(keys, narrow(this.proj!.weight, 1, this.queryDim!, this.keyDim!));
    return keys;
  }

  protected score(query: Tensor, keys: Tensor): Tensor {
    if (this.scoreName !== 'concat') return matmulWith(query, keys, false, true); // (N, Tq, Dq) · (N, S, Dq)ᵀ
    // W [q; k] = W_q q + W_k k, so the (N, Tq, S, Dq + Dk) concatenation is never built.
    const q = unsqueeze(linear(query, narrow(this.proj!.weight, 1, 0, this.queryDim!)), 2);
    return squeeze(this.v!.forward(tanh(add(q, unsqueeze(keys, 1)))), 3);
  }

  override extraRepr(): string {
    const dims = this.queryDim === null ? '' : `, queryDim=${this.queryDim}, keyDim=${this.keyDim}`;
    return `score='${this.scoreName}'${dims}${this.attentionDim === null ? '' : `, attentionDim=${this.attentionDim}`}`;
  }
}
