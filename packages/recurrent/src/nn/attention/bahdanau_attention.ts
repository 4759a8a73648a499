/** nn.BahdanauAttention: additive attention, score(q, k_s) = vᵀ tanh(W_q q + W_k k_s + b). */
import { ShapeError, checkOptions } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { add, tanh } from '../../tensor/ops/elementwise.js';
import { squeeze, unsqueeze } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Linear } from '../linear.js';
import { paramDType, positiveInt } from '../module.js';
import { Attention } from './attention.js';

export interface BahdanauAttentionOptions {
  /** Feature size Dq of the query (the decoder state). */
  queryDim: number;
  /** Feature size Dk of the keys (the encoder outputs). */
  keyDim: number;
  /** Size A of the hidden layer the scores are computed in; default queryDim. */
  attentionDim?: number;
  /** Learn the additive bias b (held by query_proj); default true. */
  bias?: boolean;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * Additive attention (Bahdanau, Cho and Bengio, 2015):
 * score(q, k_s) = vᵀ tanh(W_q q + W_k k_s + b), weights = softmax over the real keys,
 * context = Σ_s weights_s · values_s.
 *
 * Shapes: query (N, Dq) for one decoder step or (N, Tq, Dq) for all steps at once, keys (N, S, Dk),
 * values (N, S, Dv) → `{ context (N, [Tq,] Dv), weights (N, [Tq,] S) }`. With an (N, Tq, Dq)
 * query every step is scored in one pass: W_q q and W_k k are each one product, broadcast-added to
 * (N, Tq, S, A), then tanh and one product with v.
 *
 * Masking: `forward(query, keys, values, { mask })` with an (N, S) mask (nonzero / true = real
 * key) or `{ lengths }` (N source lengths). Padding keys get exactly 0 weight; a row whose keys
 * are all padding gets all-zero weights and a zero context (no NaN, zero gradient).
 *
 * Parameters: `query_proj.weight` (A, Dq) and `query_proj.bias` (A) (b, absent when `bias` is
 * false), `key_proj.weight` (A, Dk), `v.weight` (1, A); initialised as nn.Linear.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const attention = new nn.BahdanauAttention({ queryDim: 8, keyDim: 6, attentionDim: 10 });
 * const encoded = randn([2, 5, 6]);
 * const { context, weights } = attention.forward(randn([2, 8]), encoded, encoded, { lengths: [5, 3] });
 * context.shape; // [2, 6]
 * weights.shape; // [2, 5]
 * weights.data[8]; // 0
 */
export class BahdanauAttention extends Attention {
  readonly queryDim: number;
  readonly keyDim: number;
  readonly attentionDim: number;
  /** W_q and b. */
  readonly queryProj: Linear;
  /** W_k. */
  readonly keyProj: Linear;
  /** vᵀ, as a (1, A) weight. */
  readonly v: Linear;

  constructor(options: BahdanauAttentionOptions) {
    super();
    checkOptions('BahdanauAttention', options, { queryDim: true, keyDim: true, attentionDim: true, bias: true, dtype: true });
    this.queryDim = positiveInt('BahdanauAttention', 'queryDim', options.queryDim);
    this.keyDim = positiveInt('BahdanauAttention', 'keyDim', options.keyDim);
    this.attentionDim = positiveInt('BahdanauAttention', 'attentionDim', options.attentionDim ?? this.queryDim);
    const dtype = paramDType('BahdanauAttention', options.dtype);
    const a = this.attentionDim;
    this.queryProj = this.registerModule('query_proj', new Linear({ inFeatures: this.queryDim, outFeatures: a, bias: options.bias ?? true, dtype }));
    this.keyProj = this.registerModule('key_proj', new Linear({ inFeatures: this.keyDim, outFeatures: a, bias: false, dtype }));
    this.v = this.registerModule('v', new Linear({ inFeatures: a, outFeatures: 1, bias: false, dtype }));
  }

  protected checkFeatures(queryDim: number | null, keyDim: number): void {
    if ((queryDim !== null && queryDim !== this.queryDim) || keyDim !== this.keyDim) {
      throw new ShapeError(
        `BahdanauAttention: expected query features Dq = ${this.queryDim} and key features Dk = ${this.keyDim}; got ${queryDim === null ? '' : `Dq = ${queryDim}, `}Dk = ${keyDim}`,
      );
    }
  }

  /** W_k k (N, S, A), once per source. */
  protected override projectKeys(keys: Tensor): Tensor {
    return this.keyProj.forward(keys);
  }

  protected score(query: Tensor, keys: Tensor): Tensor {
    // (N, Tq, 1, A) + (N, 1, S, A) → (N, Tq, S, A) → (N, Tq, S)
    const hidden = tanh(add(unsqueeze(this.queryProj.forward(query), 2), unsqueeze(keys, 1)));
    return squeeze(this.v.forward(hidden), 3);
  }

  override extraRepr(): string {
    return `queryDim=${this.queryDim}, keyDim=${this.keyDim}, attentionDim=${this.attentionDim}, bias=${this.queryProj.bias !== null}`;
  }
}
