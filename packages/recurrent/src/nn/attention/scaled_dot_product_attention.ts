/** nn.ScaledDotProductAttention: score(q, k_s) = qᵀ k_s / √d. */
import { ShapeError, ValueError, checkOptions } from '../../errors.js';
import { mul } from '../../tensor/ops/elementwise.js';
import { matmulWith } from '../../tensor/ops/matmul.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Attention } from './attention.js';

export interface ScaledDotProductAttentionOptions {
  /** The factor the dot products are multiplied by; default 1/√d, d the key feature size Dk (= Dq). */
  scale?: number;
}

/**
 * Scaled dot-product attention (Vaswani et al., 2017), single head, no parameters:
 * score(q, k_s) = qᵀ k_s / √d (d = Dq = Dk), weights = softmax over the real keys,
 * context = Σ_s weights_s · values_s.
 *
 * Shapes: query (N, Dq) or (N, Tq, Dq), keys (N, S, Dk = Dq), values (N, S, Dv) →
 * `{ context (N, [Tq,] Dv), weights (N, [Tq,] S) }`; every query step is scored in one batched
 * product.
 *
 * Masking: `{ mask }` (N, S) (nonzero / true = real key) or `{ lengths }`. Padding keys get
 * exactly 0 weight; a row whose keys are all padding gets all-zero weights and a zero context.
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * const attention = new nn.ScaledDotProductAttention();
 * const keys = tensor([[[1, 0], [0, 1], [5, 5]]]);
 * const values = tensor([[[1], [3], [100]]]);
 * const { context, weights } = attention.forward(tensor([[2, 2]]), keys, values, { mask: [[true, true, false]] });
 * weights; // [[0.5, 0.5, 0]]
 * context; // [[2]]
 */
export class ScaledDotProductAttention extends Attention {
  /** The scale, or null for 1/√Dk. */
  readonly scale: number | null;

  constructor(options: ScaledDotProductAttentionOptions = {}) {
    super();
    checkOptions('ScaledDotProductAttention', options, { scale: true });
    if (options.scale !== undefined && (typeof options.scale !== 'number' || !Number.isFinite(options.scale))) {
      throw new ValueError(`ScaledDotProductAttention: scale must be a finite number; got ${String(options.scale)}`);
    }
    this.scale = options.scale ?? null;
  }

  protected checkFeatures(queryDim: number | null, keyDim: number): void {
    if (queryDim !== null && queryDim !== keyDim) {
      throw new ShapeError(`ScaledDotProductAttention: query features Dq must equal key features Dk; got Dq = ${queryDim}, Dk = ${keyDim}`);
    }
  }

  protected score(query: Tensor, keys: Tensor): Tensor {
    return mul(matmulWith(query, keys, false, true), this.scale ?? 1 / Math.sqrt(keys.shape[2]!));
  }

  override extraRepr(): string {
    return this.scale === null ? '' : `scale=${this.scale}`;
  }
}
