/**
 * Length bucketing: batches of sequences of similar length, so that padding wastes little work.
 *
 * The "sortish" sampler: shuffle the indices, cut them into chunks of `bucketSize`, sort each
 * chunk by decreasing length, cut each chunk into batches of `batchSize`, shuffle the order of the
 * batches. Batches are random from epoch to epoch yet nearly uniform in length inside.
 *
 * Randomness: with `seed` the draws come from the library's generator seeded with it (the global
 * generator's state is saved and restored around them, so it is not disturbed); without it they
 * come from the global generator, so `manualSeed` makes a run reproducible.
 */
import { ValueError } from '../errors.js';
import { getRngState, manualSeed, randomInt, setRngState } from '../tensor/random.js';

export interface BucketOptions {
  /** Largest batch. Required. */
  batchSize: number;
  /** Shuffle the indices before chunking and the batches after. Default: true. */
  shuffle?: boolean;
  /** Seed of a private generator for the shuffles. Default: draw from the global generator. */
  seed?: number;
  /** Indices sorted together; at least batchSize. Default: batchSize * 50. */
  bucketSize?: number;
  /** Drop batches smaller than batchSize (one per bucket at most). Default: false. */
  dropLast?: boolean;
}

/**
 * Runs `draw` on the generator seeded with `seed`, then restores the global generator; with no
 * seed, simply runs `draw` on the global generator.
 */
export function withSeed<R>(seed: number | undefined, draw: () => R): R {
  if (seed === undefined) return draw();
  if (!Number.isInteger(seed)) throw new ValueError(`seed must be an integer; got ${String(seed)}`);
  const saved = getRngState();
  manualSeed(seed);
  try {
    return draw();
  } finally {
    setRngState(saved);
  }
}

/** Shuffles `items` in place (Fisher–Yates, from the current generator) and returns it. */
export function shuffleInPlace<X>(items: X[]): X[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

function checkPositive(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`${op}: ${name} must be a positive integer; got ${String(value)}`);
  }
  return value;
}

function checkLengths(op: string, lengths: readonly number[]): void {
  if (!Array.isArray(lengths)) throw new ValueError(`${op}: lengths must be an array of numbers`);
  lengths.forEach((len: unknown, i) => {
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 0) {
      throw new ValueError(`${op}: lengths[${i}] must be a non-negative integer; got ${String(len)}`);
    }
  });
}

/**
 * Index batches of sequences of similar length ("sortish" sampling).
 *
 * Every index 0..n−1 appears in exactly one batch (unless `dropLast` drops short batches); every
 * batch has at most `batchSize` indices, listed by decreasing length (ties in a stable order), so a
 * batch can be packed with `enforceSorted: true`. For a per-epoch reshuffle in a `DataLoader`,
 * pass a function of the epoch: `batchSampler: (epoch) => bucketBatches(lengths, { batchSize, seed: seed + epoch })`.
 *
 * Args:
 *   lengths: length of each sequence (non-negative integers), indexed like the dataset.
 *   options.batchSize: largest batch. Required.
 *   options.shuffle: shuffle indices and batch order. Default: true.
 *   options.seed: seed of a private generator. Default: the global generator.
 *   options.bucketSize: indices sorted together (≥ batchSize). Default: batchSize * 50.
 *   options.dropLast: drop batches smaller than batchSize. Default: false.
 *
 * Returns: the batches, as arrays of dataset indices.
 *
 * Throws: ValueError for a bad length, batchSize, bucketSize or seed.
 *
 * Example:
 *   bucketBatches([5, 1, 4, 2, 3, 6], { batchSize: 2, shuffle: false });  // [[5, 0], [2, 4], [3, 1]]
 */
export function bucketBatches(lengths: readonly number[], options: BucketOptions): number[][] {
  const op = 'bucketBatches';
  checkLengths(op, lengths);
  const batchSize = checkPositive(op, 'batchSize', options.batchSize);
  const bucketSize = checkPositive(op, 'bucketSize', options.bucketSize ?? batchSize * 50);
  if (bucketSize < batchSize) throw new ValueError(`${op}: bucketSize (${bucketSize}) must be at least batchSize (${batchSize})`);
  const shuffle = options.shuffle ?? true;
  const dropLast = options.dropLast ?? false;
  return withSeed(options.seed, () => {
    const order = lengths.map((_, i) => i);
    if (shuffle) shuffleInPlace(order);
    const batches: number[][] = [];
    for (let start = 0; start < order.length; start += bucketSize) {
      const bucket = order.slice(start, start + bucketSize).sort((a, b) => lengths[b]! - lengths[a]!);
      for (let at = 0; at < bucket.length; at += batchSize) {
        const batch = bucket.slice(at, at + batchSize);
        if (!dropLast || batch.length === batchSize) batches.push(batch);
      }
    }
    return shuffle ? shuffleInPlace(batches) : batches;
  });
}

/**
 * The fraction of padded positions when each batch is padded to its longest sequence:
 * Σ_batches (|batch| · max length − Σ lengths) / Σ_batches |batch| · max length (0 when that is 0).
 *
 * Example:
 *   paddingFraction([4, 2, 3, 3], [[0, 1], [2, 3]]);  // (8 − 6 + 0) / 14 = 1/7
 */
export function paddingFraction(lengths: readonly number[], batches: readonly (readonly number[])[]): number {
  const op = 'paddingFraction';
  checkLengths(op, lengths);
  let padded = 0;
  let total = 0;
  batches.forEach((batch, k) => {
    let longest = 0;
    let sum = 0;
    batch.forEach((i, j) => {
      if (!Number.isInteger(i) || i < 0 || i >= lengths.length) {
        throw new ValueError(`${op}: batches[${k}][${j}] = ${String(i)} is not an index into lengths (${lengths.length})`);
      }
      longest = Math.max(longest, lengths[i]!);
      sum += lengths[i]!;
    });
    total += longest * batch.length;
    padded += longest * batch.length - sum;
  });
  return total === 0 ? 0 : padded / total;
}
