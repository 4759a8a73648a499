/**
 * Text classification data as the model reads it: each text as token ids (truncated to maxTokens)
 * with its class index, and batches of them padded.
 *
 * Shape legend: N texts in a batch, S tokens of its longest text.
 */
import { bucketBatches } from '../sequence/bucket.js';
import { Tensor } from '../tensor/tensor.js';

/** One text as ids, with its class and the line it came from. */
export interface ClassifyExample {
  ids: Int32Array;
  label: number;
  line: number;
}

/** A padded batch. */
export interface ClassifyBatch {
  /** (N, S) int32, padded with id 0. */
  ids: Tensor;
  /** (N) text lengths, each ≥ 1. */
  lengths: Int32Array;
  /** (N) int32 class indices. */
  labels: Tensor;
}

/** Pads examples into one batch (padding id 0). */
export function collateTexts(examples: readonly Pick<ClassifyExample, 'ids' | 'label'>[]): ClassifyBatch {
  const N = examples.length;
  const S = Math.max(...examples.map((e) => e.ids.length));
  const ids = new Int32Array(N * S);
  examples.forEach((e, n) => ids.set(e.ids, n * S));
  return {
    ids: new Tensor(ids, [N, S]),
    lengths: Int32Array.from(examples, (e) => e.ids.length),
    labels: new Tensor(
      Int32Array.from(examples, (e) => e.label),
      [N],
    ),
  };
}

/**
 * The batches of one epoch: texts of similar length together (bucketBatches), shuffled by a
 * generator seeded from `seed` and `epoch`, so epoch e's batches are the same in a resumed run.
 * Without `shuffle`, the texts in order.
 */
export function textBatches(
  examples: readonly ClassifyExample[],
  options: { batchSize: number; shuffle: boolean; seed?: number; epoch?: number },
): ClassifyBatch[] {
  const { batchSize } = options;
  const order = options.shuffle
    ? bucketBatches(
        examples.map((e) => e.ids.length),
        { batchSize, seed: ((options.seed ?? 0) * 1_000_003 + (options.epoch ?? 0)) % 2_147_483_647 },
      )
    : Array.from({ length: Math.ceil(examples.length / batchSize) }, (_, b) =>
        Array.from({ length: Math.min(batchSize, examples.length - b * batchSize) }, (_, i) => b * batchSize + i),
      );
  return order.map((indices) => collateTexts(indices.map((i) => examples[i]!)));
}

/** Class weights by scikit-learn's 'balanced' rule: N / (C · N_c); a class with no example weighs 1. */
export function balancedWeights(labels: readonly number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) counts[l]!++;
  return counts.map((c) => (c === 0 ? 1 : labels.length / (numClasses * c)));
}
