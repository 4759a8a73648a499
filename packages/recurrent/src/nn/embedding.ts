/** nn.Embedding: a lookup table of vectors indexed by integer ids. */
import { checkOptions, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { allocate, type DType } from '../tensor/dtype.js';
import { checkInt } from '../tensor/ops/common.js';
import { where } from '../tensor/ops/elementwise.js';
import { indexSelect } from '../tensor/ops/indexing.js';
import { reshape } from '../tensor/ops/view.js';
import { Tensor } from '../tensor/tensor.js';
import { normalInit } from './init.js';
import { Module, paramDType, positiveInt } from './module.js';

export interface EmbeddingOptions {
  /** Size of the vocabulary. */
  numEmbeddings: number;
  /** Size of each vector. */
  embeddingDim: number;
  /** Id whose vector is initialised to zeros and never receives a gradient; negative counts from the end. */
  paddingIdx?: number | null;
  /**
   * Keras's `mask_zero`: id 0 is padding, and computeMask(ids) marks it, so that later layers in
   * nn.Sequential (nn.Recurrent, nn.Bidirectional) skip those steps. Default false. The vector of
   * id 0 is still looked up (add `paddingIdx: 0` to keep it zero and untrained).
   */
  maskZero?: boolean;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim`, as torch.nn.Embedding.
 *
 * Shapes: ids (*) int32 → output (*, embeddingDim); computeMask(ids) → (*) float 0/1 mask with
 * `maskZero`, null without.
 * Parameter: `weight` (numEmbeddings, embeddingDim), initialised N(0, 1), the padding row zero.
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * const emb = new nn.Embedding({ numEmbeddings: 10, embeddingDim: 3, paddingIdx: 0 });
 * emb.forward(tensor([[1, 2, 0]], { dtype: 'int32' })).shape; // [1, 3, 3]
 * new nn.Embedding({ numEmbeddings: 10, embeddingDim: 3, maskZero: true }).computeMask(tensor([[1, 2, 0]], { dtype: 'int32' })); // [[1, 1, 0]]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maskZero: boolean;
  /** (numEmbeddings, 1) 1/0 mask of rows that learn; null without a padding id. */

  constructor(options: EmbeddingOptions) {
    super();
    checkOptions('Embedding', options, { numEmbeddings: true, embeddingDim: true, paddingIdx: true, maskZero: true, dtype: true });
    this.numEmbeddings = positiveInt('Embedding', 'numEmbeddings', options.numEmbeddings);
    this.embeddingDim = positiveInt('Embedding', 'embeddingDim', options.embeddingDim);
    this.paddingIdx = normalizePaddingIdx(options.paddingIdx ?? null, this.numEmbeddings);
    this.maskZero = options.maskZero ?? false;
    if (typeof this.maskZero !== 'boolean') throw new ValueError(`Embedding: maskZero must be a boolean; got ${String(options.maskZero)}`);
    const weight = normalInit([this.numEmbeddings, this.embeddingDim], paramDType('Embedding', options.dtype), 'Embedding: weight');
    if (this.paddingIdx !== null) weight.data.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
    this.registerParameter('weight', weight);
  }

  /** An embedding holding `weights` (numEmbeddings, embeddingDim); frozen unless `freeze` is false. */
  static fromPretrained(weights: Tensor, options: { freeze?: boolean; paddingIdx?: number | null; maskZero?: boolean } = {}): Embedding {
    if (weights.ndim !== 2) throw new ShapeError(`Embedding.fromPretrained: weights must be 2-D; got ${fmtShape(weights.shape)}`);
    const emb = new Embedding({
      numEmbeddings: weights.shape[0]!,
      embeddingDim: weights.shape[1]!,
      paddingIdx: options.paddingIdx ?? null,
      maskZero: options.maskZero ?? false,
      dtype: weights.dtype === 'float64' ? 'float64' : 'float32',
    });
    emb.weight.data.set(weights.data);
    emb.weight.requiresGrad = !(options.freeze ?? true);
    return emb;
  }

  get weight(): Tensor {
    return this.param('weight');
  }

  forward(ids: Tensor): Tensor {
    checkInt('Embedding', 'ids', ids);
    for (const id of ids.data) {
      if (id < 0 || id >= this.numEmbeddings) {
        throw new IndexError(`Embedding: id ${id} is out of range for ${this.numEmbeddings} embeddings`);
      }
    }
    let rows = indexSelect(this.weight, 0, reshape(ids, [ids.size]));
    if (this.paddingIdx !== null && this.weight.requiresGrad) {
      // The padding row reads its value but takes no gradient: where an id is padding, its row comes
      // from a detached copy. Masking the selected rows, not the whole table, keeps the cost
      // proportional to the ids rather than to the vocabulary.
      const learns = new Tensor(
        Int32Array.from(ids.data, (id) => (id === this.paddingIdx ? 0 : 1)),
        [ids.size, 1],
      );
      rows = where(learns, rows, rows.detach());
    }
    return reshape(rows, [...ids.shape, this.embeddingDim]);
  }

  /** With maskZero, a mask of the ids' shape: 0 where the id is 0, else 1 (weight dtype); null otherwise. */
  computeMask(ids: Tensor, _mask?: Tensor | null): Tensor | null {
    if (!this.maskZero) return null;
    checkInt('Embedding', 'ids', ids);
    const mask = new Tensor(allocate(this.weight.dtype, ids.size), ids.shape);
    for (let i = 0; i < ids.size; i++) mask.data[i] = ids.data[i] === 0 ? 0 : 1;
    return mask;
  }

  override extraRepr(): string {
    const extras = [`${this.numEmbeddings}`, `${this.embeddingDim}`];
    if (this.paddingIdx !== null) extras.push(`paddingIdx=${this.paddingIdx}`);
    if (this.maskZero) extras.push('maskZero=true');
    return extras.join(', ');
  }
}

function normalizePaddingIdx(paddingIdx: number | null, n: number): number | null {
  if (paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n) {
    throw new ValueError(`Embedding: paddingIdx must be within [${-n}, ${n}); got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + n : paddingIdx;
}
