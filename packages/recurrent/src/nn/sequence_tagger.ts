/**
 * nn.SequenceTagger: the BiLSTM(-CRF) tagger of Lample et al. (2016) — each word is its embedding
 * joined with the final states of a bidirectional LSTM over its characters, a bidirectional LSTM
 * reads the sentence, a linear layer scores the tags, and a softmax or a linear-chain CRF on top.
 *
 * Shape legend: N sentences, S longest sentence, W distinct words of a batch, C longest word (chars), K tags.
 */
import { ShapeError, ValueError, checkOptions, fmtShape } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { checkInt, checkTensor } from '../tensor/ops/common.js';
import { dropout } from '../tensor/ops/dropout.js';
import { zeros } from '../tensor/ops/creation.js';
import { indexSelect } from '../tensor/ops/indexing.js';
import { concat } from '../tensor/ops/join.js';
import { permute, reshape } from '../tensor/ops/view.js';
import { Tensor } from '../tensor/tensor.js';
import { packPaddedSequence } from '../sequence/pack.js';
import { padPackedSequence } from '../sequence/pad.js';
import { crossEntropy } from './losses/cross_entropy.js';
import { CRF } from './crf.js';
import type { TransitionMask } from './crf_constraints.js';
import { Embedding } from './embedding.js';
import { Linear } from './linear.js';
import { Module, positiveInt } from './module.js';
import { LSTM } from './rnn/lstm.js';

export interface SequenceTaggerOptions {
  /** Word ids (0 is padding). */
  wordVocabSize: number;
  /** Character ids (0 is padding); 0 for no character representation. */
  charVocabSize: number;
  numTags: number;
  /** Word embedding size; default 100. */
  wordEmbeddingDim?: number;
  /** Character embedding size; default 25. */
  charEmbeddingDim?: number;
  /** Hidden size of each direction of the character LSTM; default 25. */
  charHiddenSize?: number;
  /** Hidden size of each direction of the sentence LSTM; default 100. */
  hiddenSize?: number;
  /** Layers of the sentence LSTM; default 1. */
  numLayers?: number;
  /** Dropout on the word representations and on the LSTM's outputs (training only); default 0.5. */
  dropout?: number;
  /** A linear-chain CRF on the tag scores instead of a per-token softmax; default false. */
  crf?: boolean;
  /** The CRF's transition constraints (nn.allowedTransitions); only with crf. */
  constraints?: TransitionMask;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** A batch of sentences as the tagger reads it (see SequenceTagger). */
export interface TaggerInput {
  /** (N, S) int32 word ids, padded with 0. */
  words: Tensor;
  /** (N) sentence lengths, each in [1, S]. */
  lengths: Int32Array;
  /** (W, C) int32 character ids of the batch's distinct words, padded with 0 (ignored without a character model). */
  chars: Tensor;
  /** (W) characters of each distinct word, each ≥ 1. */
  charLengths: Int32Array;
  /** (N·S) row of `chars` of each position; −1 for padding. */
  wordIndex: Int32Array;
}

/**
 * A BiLSTM tagger with character-level word representations and an optional CRF (Lample et al.
 * 2016). The representation of a word is [word embedding; h→ ; h←] where h→, h← are the final
 * states of a bidirectional LSTM over its characters, so a word never seen in training still has
 * one; the sentence LSTM runs over packed variable-length input.
 *
 * Submodules: `wordEmbedding`, `charEmbedding` and `charLstm` (absent with charVocabSize 0),
 * `lstm`, `output` (Linear to K scores), `crf` (nn.CRF, with crf).
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * const tagger = new nn.SequenceTagger({ wordVocabSize: 10, charVocabSize: 8, numTags: 3, hiddenSize: 8, crf: true });
 * const input = {
 *   words: tensor([[4, 5, 6], [7, 8, 0]], { dtype: 'int32' }),
 *   lengths: Int32Array.of(3, 2),
 *   chars: tensor([[2, 3, 0], [4, 0, 0], [5, 6, 7], [2, 2, 0], [3, 0, 0]], { dtype: 'int32' }),
 *   charLengths: Int32Array.of(2, 1, 3, 2, 1),
 *   wordIndex: Int32Array.of(0, 1, 2, 3, 4, -1),
 * };
 * tagger.emissions(input).shape; // [2, 3, 3]
 * tagger.decode(input); // e.g. [[0, 2, 1], [1, 1]]
 */
export class SequenceTagger extends Module {
  readonly options: Required<Omit<SequenceTaggerOptions, 'constraints' | 'dtype'>> & { dtype: DType };
  readonly wordEmbedding: Embedding;
  readonly charEmbedding: Embedding | null;
  readonly charLstm: LSTM | null;
  readonly lstm: LSTM;
  readonly output: Linear;
  readonly crf: CRF | null;

  constructor(options: SequenceTaggerOptions) {
    super();
    const op = 'SequenceTagger';
    checkOptions(op, options, {
      wordVocabSize: true,
      charVocabSize: true,
      numTags: true,
      wordEmbeddingDim: true,
      charEmbeddingDim: true,
      charHiddenSize: true,
      hiddenSize: true,
      numLayers: true,
      dropout: true,
      crf: true,
      constraints: true,
      dtype: true,
    });
    const p = options.dropout ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ValueError(`${op}: dropout must be a number in [0, 1); got ${String(p)}`);
    const charVocabSize = options.charVocabSize;
    if (!Number.isInteger(charVocabSize) || charVocabSize < 0)
      throw new ValueError(`${op}: charVocabSize must be a non-negative integer; got ${String(charVocabSize)}`);
    if (options.constraints !== undefined && options.crf !== true) throw new ValueError(`${op}: constraints apply to the CRF; set crf: true`);
    this.options = {
      wordVocabSize: positiveInt(op, 'wordVocabSize', options.wordVocabSize),
      charVocabSize,
      numTags: positiveInt(op, 'numTags', options.numTags),
      wordEmbeddingDim: positiveInt(op, 'wordEmbeddingDim', options.wordEmbeddingDim ?? 100),
      charEmbeddingDim: positiveInt(op, 'charEmbeddingDim', options.charEmbeddingDim ?? 25),
      charHiddenSize: positiveInt(op, 'charHiddenSize', options.charHiddenSize ?? 25),
      hiddenSize: positiveInt(op, 'hiddenSize', options.hiddenSize ?? 100),
      numLayers: positiveInt(op, 'numLayers', options.numLayers ?? 1),
      dropout: p,
      crf: options.crf ?? false,
      dtype: options.dtype ?? 'float32',
    };
    const o = this.options;
    this.wordEmbedding = new Embedding({ numEmbeddings: o.wordVocabSize, embeddingDim: o.wordEmbeddingDim, paddingIdx: 0, dtype: o.dtype });
    const withChars = o.charVocabSize > 0;
    this.charEmbedding = withChars ? new Embedding({ numEmbeddings: o.charVocabSize, embeddingDim: o.charEmbeddingDim, paddingIdx: 0, dtype: o.dtype }) : null;
    this.charLstm = withChars ? new LSTM({ inputSize: o.charEmbeddingDim, hiddenSize: o.charHiddenSize, bidirectional: true, dtype: o.dtype }) : null;
    this.lstm = new LSTM({
      inputSize: o.wordEmbeddingDim + (withChars ? 2 * o.charHiddenSize : 0),
      hiddenSize: o.hiddenSize,
      numLayers: o.numLayers,
      bidirectional: true,
      dropout: o.numLayers > 1 ? p : 0,
      dtype: o.dtype,
    });
    this.output = new Linear({ inFeatures: 2 * o.hiddenSize, outFeatures: o.numTags, dtype: o.dtype });
    this.crf = o.crf ? new CRF(o.numTags, { dtype: o.dtype, ...(options.constraints ? { constraints: options.constraints } : {}) }) : null;
  }

  /** Tag scores (N, S, K); zero past each sentence's length is not guaranteed (they are scores of padding). */
  emissions(input: TaggerInput): Tensor {
    const { words, lengths } = this.checkInput(input);
    const [N, S] = [words.shape[0]!, words.shape[1]!];
    const on = this.training && this.options.dropout > 0;
    let features = this.wordEmbedding.forward(words);
    if (this.charEmbedding !== null && this.charLstm !== null) {
      const W = input.chars.shape[0]!;
      const embedded = this.charEmbedding.forward(input.chars);
      const [, [h]] = this.charLstm.forward(packPaddedSequence(embedded, Array.from(input.charLengths), { batchFirst: true, enforceSorted: false }));
      // h (2, W, Hc): the forward direction's state after the last character, the reverse one's after the first.
      const perWord = reshape(permute(h, [1, 0, 2]), [W, 2 * this.options.charHiddenSize]);
      const withPad = concat([perWord, zeros([1, 2 * this.options.charHiddenSize], { dtype: perWord.dtype })], 0);
      const rows = Int32Array.from(input.wordIndex, (i) => (i < 0 ? W : i));
      const chars = reshape(indexSelect(withPad, 0, new Tensor(rows, [N * S])), [N, S, 2 * this.options.charHiddenSize]);
      features = concat([features, chars], 2);
    }
    features = dropout(features, this.options.dropout, on);
    const packed = packPaddedSequence(features, Array.from(lengths), { batchFirst: true, enforceSorted: false });
    const [out] = this.lstm.forward(packed);
    const [hidden] = padPackedSequence(out, { batchFirst: true, totalLength: S });
    return this.output.forward(dropout(hidden, this.options.dropout, on));
  }

  /**
   * The training loss: the mean negative log-likelihood per real token — the CRF's (sum over
   * sentences / tokens) or the softmax cross-entropy. `tags` (N, S) int32; padding may hold any id.
   */
  loss(emissions: Tensor, tags: Tensor, lengths: Int32Array): Tensor {
    if (this.crf !== null) return this.crf.forward(emissions, tags, { lengths, reduction: 'tokenMean' });
    const [N, S, K] = emissions.shape as [number, number, number];
    const y = tags.data as Int32Array;
    const target = new Tensor(
      Int32Array.from({ length: N * S }, (_, i) => (i % S < lengths[Math.floor(i / S)]! ? y[i]! : -1)),
      [N * S],
    );
    return crossEntropy(reshape(emissions, [N * S, K]), target, { ignoreIndex: -1 });
  }

  /** The best tags of each sentence, its length long: Viterbi with a CRF, else each token's argmax. */
  decode(input: TaggerInput, emissions = this.emissions(input)): number[][] {
    if (this.crf !== null) return this.crf.decode(emissions, input.lengths).map((p) => p.tags);
    const [S, K] = [emissions.shape[1]!, emissions.shape[2]!];
    const e = emissions.data;
    return Array.from(input.lengths, (L, n) =>
      Array.from({ length: L }, (_, t) => {
        const base = (n * S + t) * K;
        let best = 0;
        for (let k = 1; k < K; k++) if (e[base + k]! > e[base + best]!) best = k;
        return best;
      }),
    );
  }

  private checkInput(input: TaggerInput): { words: Tensor; lengths: Int32Array } {
    const op = 'SequenceTagger';
    const { words, lengths } = input;
    checkTensor(op, 'words', words);
    checkInt(op, 'words', words);
    if (words.ndim !== 2) throw new ShapeError(`${op}: words must be (N, S) word ids; got ${fmtShape(words.shape)}`);
    const [N, S] = [words.shape[0]!, words.shape[1]!];
    if (lengths.length !== N) throw new ShapeError(`${op}: lengths must have one entry per sentence (N = ${N}); got ${lengths.length}`);
    lengths.forEach((l, i) => {
      if (l < 1 || l > S) throw new ValueError(`${op}: lengths[${i}] must be in [1, ${S}]; got ${l}`);
    });
    if (this.charEmbedding !== null) {
      checkInt(op, 'chars', input.chars);
      const W = input.chars.ndim === 2 ? input.chars.shape[0]! : -1;
      if (W < 1 || input.charLengths.length !== W)
        throw new ShapeError(
          `${op}: chars must be (W, C) with one charLengths entry per row; got ${fmtShape(input.chars.shape)} and ${input.charLengths.length} lengths`,
        );
      if (input.wordIndex.length !== N * S) throw new ShapeError(`${op}: wordIndex must have N·S = ${N * S} entries; got ${input.wordIndex.length}`);
      input.wordIndex.forEach((w, i) => {
        if (w >= W || (w < 0 && i % S < lengths[Math.floor(i / S)]!))
          throw new ValueError(`${op}: wordIndex[${i}] is ${w}; expected a row of chars in [0, ${W})`);
      });
    }
    return { words, lengths };
  }
}
