/**
 * Tagging data as the model reads it: sentences as word, character and tag ids, and padded
 * batches of them, each distinct word of a batch spelt once for the character LSTM.
 *
 * Shape legend: N sentences in a batch, S longest sentence, W distinct words, C longest word.
 */
import { bucketBatches } from '../sequence/bucket.js';
import { Tensor } from '../tensor/tensor.js';
import type { TaggerInput } from '../nn/sequence_tagger.js';
import type { Vocabulary } from '../text/vocab.js';

/** One sentence as ids. */
export interface TagExample {
  /** Word ids (<unk> for words outside the vocabulary). */
  words: Int32Array;
  /** The characters the character LSTM reads of each word (maxWordLength at most), as text: the key that batches spell once. */
  spellings: string[];
  /** Tag ids; −1 for a tag the task does not know (seen only at evaluation). */
  tags: Int32Array;
  /** 1 where the word was seen exactly once in training (a candidate for <unk> replacement). */
  singleton: Uint8Array;
  /** The line of the sentence's first token (0 when not from a file). */
  line: number;
}

/** A padded batch. */
export interface TagBatch {
  input: TaggerInput;
  /** (N, S) int32 tag ids; 0 in padding and for a tag the task does not know (its loss is then that of tag 0; `evaluate` counts it wrong). */
  tags: Tensor;
  /** (N·S) 1 where the word may be replaced by <unk> in training. */
  singleton: Uint8Array;
}

/** The part of `word` the character LSTM reads: all of it, or its first and last maxLength/2 code points. */
export function spelling(word: string, maxLength: number): string {
  const chars = Array.from(word);
  if (chars.length <= maxLength) return word;
  const half = Math.floor(maxLength / 2);
  return chars.slice(0, half).join('') + chars.slice(chars.length - (maxLength - half)).join('');
}

/** Pads examples into one batch. `charVocab` spells the distinct words; null: no character model. */
export function collateTagged(examples: readonly TagExample[], charVocab: Vocabulary | null): TagBatch {
  const N = examples.length;
  const S = Math.max(...examples.map((e) => e.words.length));
  const words = new Int32Array(N * S);
  const tags = new Int32Array(N * S);
  const singleton = new Uint8Array(N * S);
  const wordIndex = new Int32Array(N * S).fill(-1);
  const rows = new Map<string, number>();
  examples.forEach((e, n) => {
    words.set(e.words, n * S);
    singleton.set(e.singleton, n * S);
    e.tags.forEach((t, i) => (tags[n * S + i] = Math.max(t, 0)));
    if (charVocab === null) return;
    e.spellings.forEach((word, i) => {
      let row = rows.get(word);
      if (row === undefined) rows.set(word, (row = rows.size));
      wordIndex[n * S + i] = row;
    });
  });
  const spelt = [...rows.keys()].map((w) => (charVocab === null ? Int32Array.of(0) : charVocab.encode(Array.from(w))));
  const W = Math.max(spelt.length, 1);
  const C = Math.max(1, ...spelt.map((c) => c.length));
  const chars = new Int32Array(W * C);
  spelt.forEach((c, w) => chars.set(c, w * C));
  const charLengths = spelt.length === 0 ? Int32Array.of(1) : Int32Array.from(spelt, (c) => Math.max(c.length, 1));
  return {
    input: {
      words: new Tensor(words, [N, S]),
      lengths: Int32Array.from(examples, (e) => e.words.length),
      chars: new Tensor(chars, [W, C]),
      charLengths,
      wordIndex,
    },
    tags: new Tensor(tags, [N, S]),
    singleton,
  };
}

/**
 * The batches of one epoch: sentences of similar length together (bucketBatches), shuffled by a
 * generator seeded from `seed` and `epoch`, so epoch e's batches are the same in a resumed run.
 * Without `shuffle`, the sentences in order.
 */
export function tagBatches(
  examples: readonly TagExample[],
  charVocab: Vocabulary | null,
  options: { batchSize: number; shuffle: boolean; seed?: number; epoch?: number },
): TagBatch[] {
  const order = options.shuffle
    ? bucketBatches(
        examples.map((e) => e.words.length),
        { batchSize: options.batchSize, seed: ((options.seed ?? 0) * 1_000_003 + (options.epoch ?? 0)) % 2_147_483_647 },
      )
    : Array.from({ length: Math.ceil(examples.length / options.batchSize) }, (_, b) =>
        Array.from({ length: Math.min(options.batchSize, examples.length - b * options.batchSize) }, (_, i) => b * options.batchSize + i),
      );
  return order.map((indices) =>
    collateTagged(
      indices.map((i) => examples[i]!),
      charVocab,
    ),
  );
}
