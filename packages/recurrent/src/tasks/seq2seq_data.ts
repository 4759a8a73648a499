/**
 * Sequence-to-sequence data as the model reads it: pairs of token ids, checked line by line, and
 * batches of them padded, with BOS and EOS around the targets.
 *
 * Shape legend: N pairs in a batch, S longest source, T longest target + 1.
 */
import { FormatError } from '../errors.js';
import { bucketBatches } from '../sequence/bucket.js';
import { Tensor } from '../tensor/tensor.js';
import type { Vocabulary } from '../text/vocab.js';
import type { TextPair } from './formats/tsv.js';
import { tokenize, type TokenKind } from './token_kind.js';

/** One pair as ids, with the line it came from. */
export interface Seq2SeqExample {
  source: Int32Array;
  target: Int32Array;
  line: number;
}

/** A padded batch: targetIn = BOS + target, targetOut = target + EOS. */
export interface Seq2SeqBatch {
  /** (N, S) int32, padded with the padding id. */
  source: Tensor;
  /** (N) source lengths. */
  lengths: Int32Array;
  /** (N, T) int32. */
  targetIn: Tensor;
  /** (N, T) int32. */
  targetOut: Tensor;
}

/** How the pairs of a file become tokens: both sides' token kinds, lower-casing, the length limit. */
export interface PairTokenization {
  sourceTokens: TokenKind;
  targetTokens: TokenKind;
  lowercase: boolean;
  maxLength: number;
}

/** Both sides of each pair as tokens; an empty side, or one longer than maxLength, is a FormatError naming the file and line. */
export function tokenizePairs(pairs: readonly TextPair[], t: PairTokenization, file: string): { source: string[]; target: string[]; line: number }[] {
  return pairs.map((p, i) => {
    const where = p.line > 0 ? `${file}:${p.line}` : `${file}: pair ${i}`;
    const sides = { source: tokenize(t.sourceTokens, p.source, t.lowercase), target: tokenize(t.targetTokens, p.target, t.lowercase) };
    for (const side of ['source', 'target'] as const) {
      const n = sides[side].length;
      if (n === 0) throw new FormatError(`${where}: the ${side} has no ${side === 'source' ? t.sourceTokens : t.targetTokens} tokens`);
      if (n > t.maxLength) throw new FormatError(`${where}: the ${side} has ${n} tokens, more than maxLength (${t.maxLength})`);
    }
    return { ...sides, line: p.line };
  });
}

/** Pairs of tokens as ids; tokens outside a vocabulary become its <unk> id and are counted in `unknown`. */
export function encodePairs(
  pairs: readonly { source: string[]; target: string[]; line: number }[],
  sourceVocab: Vocabulary,
  targetVocab: Vocabulary,
): { examples: Seq2SeqExample[]; unknown: Map<string, number> } {
  const unknown = new Map<string, number>();
  const encode = (vocab: Vocabulary, tokens: string[]): Int32Array => {
    for (const token of tokens) if (!vocab.has(token)) unknown.set(token, (unknown.get(token) ?? 0) + 1);
    return vocab.encode(tokens);
  };
  const examples = pairs.map((p) => ({ source: encode(sourceVocab, p.source), target: encode(targetVocab, p.target), line: p.line }));
  return { examples, unknown };
}

/** Pads examples into one batch. */
export function collatePairs(examples: readonly Seq2SeqExample[], ids: { pad: number; bos: number; eos: number }): Seq2SeqBatch {
  const N = examples.length;
  const S = Math.max(...examples.map((e) => e.source.length));
  const T = Math.max(...examples.map((e) => e.target.length)) + 1;
  const source = new Int32Array(N * S).fill(ids.pad);
  const targetIn = new Int32Array(N * T).fill(ids.pad);
  const targetOut = new Int32Array(N * T).fill(ids.pad);
  examples.forEach((e, n) => {
    source.set(e.source, n * S);
    targetIn[n * T] = ids.bos;
    targetIn.set(e.target, n * T + 1);
    targetOut.set(e.target, n * T);
    targetOut[n * T + e.target.length] = ids.eos;
  });
  return {
    source: new Tensor(source, [N, S]),
    lengths: Int32Array.from(examples, (e) => e.source.length),
    targetIn: new Tensor(targetIn, [N, T]),
    targetOut: new Tensor(targetOut, [N, T]),
  };
}

/**
 * The batches of one epoch: pairs of similar source length together (bucketBatches), shuffled by
 * a generator seeded from `seed` and `epoch`, so epoch e's batches are the same in a resumed run.
 * Without `shuffle`, the pairs in order.
 */
export function epochBatches(
  examples: readonly Seq2SeqExample[],
  options: { batchSize: number; shuffle: boolean; seed?: number; epoch?: number },
  ids: { pad: number; bos: number; eos: number },
): Seq2SeqBatch[] {
  const order = options.shuffle
    ? bucketBatches(
        examples.map((e) => e.source.length),
        { batchSize: options.batchSize, seed: ((options.seed ?? 0) * 1_000_003 + (options.epoch ?? 0)) % 2_147_483_647 },
      )
    : Array.from({ length: Math.ceil(examples.length / options.batchSize) }, (_, b) =>
        Array.from({ length: Math.min(options.batchSize, examples.length - b * options.batchSize) }, (_, i) => b * options.batchSize + i),
      );
  return order.map((indices) =>
    collatePairs(
      indices.map((i) => examples[i]!),
      ids,
    ),
  );
}
