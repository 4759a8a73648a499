/**
 * nn.TextClassifier: many-to-one over token ids — embedding, a (bidirectional) recurrent stack over
 * packed variable-length input, a pooling of its outputs into one vector, and a linear layer to
 * class logits.
 */
import { ValueError, checkOptions } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { dropout } from '../tensor/ops/dropout.js';
import { tanh, where } from '../tensor/ops/elementwise.js';
import { concat } from '../tensor/ops/join.js';
import { matmul } from '../tensor/ops/matmul.js';
import { max, sum } from '../tensor/ops/reduce.js';
import { div } from '../tensor/ops/elementwise.js';
import { reshape, select, unsqueeze } from '../tensor/ops/view.js';
import { Tensor } from '../tensor/tensor.js';
import { maskedSoftmax } from './attention/masked_softmax.js';
import type { CellKind } from './language_model.js';
import { Linear } from './linear.js';
import { Module, positiveInt } from './module.js';
import { Encoder } from './seq2seq/encoder.js';

/** How the recurrent outputs of a text become one vector. */
export const POOLING_KINDS = ['last', 'max', 'mean', 'attention'] as const;
export type PoolingKind = (typeof POOLING_KINDS)[number];

export interface TextClassifierOptions {
  /** Number of token ids. */
  vocabSize: number;
  /** Number of classes. */
  numClasses: number;
  /** Embedding size; default 128. */
  embeddingDim?: number;
  /** Hidden size of each direction of every recurrent layer; default 128. */
  hiddenSize?: number;
  /** Stacked recurrent layers; default 1. */
  numLayers?: number;
  /** Recurrent cell; default 'lstm'. */
  cell?: CellKind;
  /** Read the text backwards too and concatenate both directions; default true. */
  bidirectional?: boolean;
  /** 'last' (final states), 'max' (default), 'mean' or 'attention' over the steps. */
  pooling?: PoolingKind;
  /** Hidden size of the attention pooling's scorer; default hiddenSize. */
  attentionDim?: number;
  /** Dropout on the embeddings, between layers and on the pooled vector (training only); default 0. */
  dropout?: number;
  /** Padding id; default 0. */
  paddingIdx?: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** What `forward` returns. */
export interface TextClassifierOutput {
  /** (N, numClasses) unnormalised class scores. */
  logits: Tensor;
  /** (N, S) attention weights over the steps, each row summing to 1 over the real steps; only with 'attention' pooling. */
  attention: Tensor | null;
}

/**
 * logits = W · pool(rnn(embed(ids))) + b, the recurrent layer run over each text's real steps only
 * (packed), so padding never changes a text's logits. Pooling, over the top layer's outputs
 * h_1…h_L (D·H each; D = 2 when bidirectional):
 * - 'last': the final state of each direction (the forward one after token L, the reverse one after
 *   token 1), concatenated;
 * - 'max': the element-wise maximum over t of h_t;
 * - 'mean': (1/L) Σ_t h_t;
 * - 'attention': Σ_t a_t h_t with a = softmax_t(vᵀ tanh(W h_t + b)) over the real steps (Yang et al. 2016).
 *
 * Shapes: ids (N, S) int32, lengths (N) each in [1, S] → logits (N, numClasses).
 * Submodules `encoder` (nn.Encoder: `encoder.embedding.weight`, `encoder.rnn.weight_ih_l0`, …),
 * `scorer` and `context` (attention pooling only), `output` (nn.Linear).
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * const model = new nn.TextClassifier({ vocabSize: 50, numClasses: 3, hiddenSize: 16, pooling: 'attention' });
 * const ids = tensor([[5, 6, 7], [8, 9, 0]], { dtype: 'int32' }); // 0 pads the second text
 * const { logits, attention } = model.forward(ids, [3, 2]);
 * logits.shape; // [2, 3]
 * attention!.shape; // [2, 3]
 */
export class TextClassifier extends Module {
  readonly options: Required<Omit<TextClassifierOptions, 'dtype'>> & { dtype: DType };
  readonly encoder: Encoder;
  readonly scorer: Linear | null;
  readonly context: Linear | null;
  readonly output: Linear;

  constructor(options: TextClassifierOptions) {
    super();
    const op = 'TextClassifier';
    checkOptions(op, options, {
      vocabSize: true,
      numClasses: true,
      embeddingDim: true,
      hiddenSize: true,
      numLayers: true,
      cell: true,
      bidirectional: true,
      pooling: true,
      attentionDim: true,
      dropout: true,
      paddingIdx: true,
      dtype: true,
    });
    const pooling = options.pooling ?? 'max';
    if (!POOLING_KINDS.includes(pooling)) throw new ValueError(`${op}: pooling must be one of ${POOLING_KINDS.join(', ')}; got ${String(pooling)}`);
    const hiddenSize = positiveInt(op, 'hiddenSize', options.hiddenSize ?? 128);
    const dtype = options.dtype ?? 'float32';
    this.encoder = this.registerModule(
      'encoder',
      new Encoder({
        vocabSize: options.vocabSize,
        embeddingDim: options.embeddingDim ?? 128,
        hiddenSize,
        numLayers: options.numLayers ?? 1,
        cell: options.cell ?? 'lstm',
        bidirectional: options.bidirectional ?? true,
        dropout: options.dropout ?? 0,
        paddingIdx: options.paddingIdx ?? 0,
        dtype,
      }),
    );
    const e = this.encoder.options;
    this.options = {
      vocabSize: e.vocabSize,
      numClasses: positiveInt(op, 'numClasses', options.numClasses),
      embeddingDim: e.embeddingDim,
      hiddenSize,
      numLayers: e.numLayers,
      cell: e.cell,
      bidirectional: e.bidirectional,
      pooling,
      attentionDim: positiveInt(op, 'attentionDim', options.attentionDim ?? hiddenSize),
      dropout: e.dropout,
      paddingIdx: e.paddingIdx ?? 0,
      dtype,
    };
    const features = this.encoder.memorySize;
    this.scorer =
      pooling === 'attention' ? this.registerModule('scorer', new Linear({ inFeatures: features, outFeatures: this.options.attentionDim, dtype })) : null;
    this.context =
      pooling === 'attention'
        ? this.registerModule('context', new Linear({ inFeatures: this.options.attentionDim, outFeatures: 1, bias: false, dtype }))
        : null;
    this.output = this.registerModule('output', new Linear({ inFeatures: features, outFeatures: this.options.numClasses, dtype }));
  }

  forward(ids: Tensor, lengths?: readonly number[] | Int32Array): TextClassifierOutput {
    const { memory, states, lengths: lens } = this.encoder.forward(ids, lengths);
    const [N, S] = [memory.shape[0]!, memory.shape[1]!];
    const valid = new Int32Array(N * S);
    lens.forEach((l, n) => valid.fill(1, n * S, n * S + l));
    let pooled: Tensor;
    let attention: Tensor | null = null;
    switch (this.options.pooling) {
      case 'last': {
        const D = this.encoder.rnn.numDirections;
        const top = (this.options.numLayers - 1) * D;
        pooled = concat(
          Array.from({ length: D }, (_, d) => select(states[0]!, 0, top + d)),
          1,
        );
        pooled = dropout(pooled, this.options.dropout, this.training && this.options.dropout > 0);
        break;
      }
      case 'max':
        // Padding steps of the memory are 0, which could exceed every real value: they are filled far below.
        pooled = max(where(new Tensor(valid, [N, S, 1]), memory, -1e30), 1);
        break;
      case 'mean': {
        const counts = memory.dtype === 'float64' ? Float64Array.from(lens) : Float32Array.from(lens);
        pooled = div(sum(memory, 1), new Tensor(counts, [N, 1]));
        break;
      }
      case 'attention': {
        const scores = reshape(this.context!.forward(tanh(this.scorer!.forward(memory))), [N, S]);
        attention = maskedSoftmax(scores, new Tensor(valid, [N, S]));
        pooled = reshape(matmul(unsqueeze(attention, 1), memory), [N, memory.shape[2]!]);
        break;
      }
    }
    return { logits: this.output.forward(pooled), attention };
  }
}
