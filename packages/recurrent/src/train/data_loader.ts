/**
 * DataLoader: an iterable over the batches of an in-memory dataset, as torch.utils.data.DataLoader
 * (single process, map-style dataset).
 *
 * Each `for (const batch of loader)` is one epoch. The loader picks the indices of every batch
 * (in order, shuffled, or from a `batchSampler`), takes those items and hands them to `collate`.
 *
 * Shuffling is reproducible. With `seed`, epoch k (counting from 0) is shuffled by the library's
 * generator seeded with `seed + k`, independently of the global generator, so epochs differ from
 * each other but a run with the same seed repeats exactly (and `setEpoch` resumes mid-run).
 * Without `seed`, the shuffles draw from the global generator, so `manualSeed` makes the run
 * reproducible.
 */
import { ValueError } from '../errors.js';
import { shuffleInPlace, withSeed } from '../sequence/bucket.js';

/** Index batches for one epoch: a fixed list, or a function of the epoch (0, 1, 2, …). */
export type BatchSampler = readonly (readonly number[])[] | ((epoch: number) => readonly (readonly number[])[]);

export interface DataLoaderOptions<T, B> {
  /** Items per batch. Default: 1. Not with `batchSampler`. */
  batchSize?: number;
  /** Visit the items in a new random order every epoch. Default: false. Not with `batchSampler`. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. Default: false. Not with `batchSampler`. */
  dropLast?: boolean;
  /** Seed of the shuffles: epoch k uses seed + k. Default: the global generator. Not with `batchSampler`. */
  seed?: number;
  /** Turns the items of a batch into the batch. Default: the array of items. */
  collate?: (items: T[]) => B;
  /**
   * The index batches themselves, e.g. `(epoch) => bucketBatches(lengths, { batchSize: 32, seed: 1 + epoch })`.
   * Replaces batchSize, shuffle, dropLast and seed. Default: none.
   */
  batchSampler?: BatchSampler;
}

/**
 * Batches of a dataset, one epoch per iteration.
 *
 * Args:
 *   dataset: the items.
 *   options.batchSize: items per batch. Default: 1.
 *   options.shuffle: new random order each epoch. Default: false.
 *   options.dropLast: drop a last, smaller batch. Default: false.
 *   options.seed: seed of the shuffles (epoch k uses seed + k). Default: the global generator.
 *   options.collate: items → batch. Default: the array of items.
 *   options.batchSampler: index batches, fixed or per epoch (exclusive with the four above). Default: none.
 *
 * Throws: ValueError for a bad option, or a batchSampler index outside the dataset.
 *
 * Example:
 *   const loader = new DataLoader([1, 2, 3, 4, 5], { batchSize: 2, shuffle: true, seed: 0 });
 *   loader.length;                       // 3
 *   for (const batch of loader) { ... }  // e.g. [4, 1], [5, 3], [2]
 */
export class DataLoader<T, B = T[]> implements Iterable<B> {
  readonly dataset: readonly T[];
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number | undefined;
  private readonly collate: ((items: T[]) => B) | undefined;
  private readonly sampler: BatchSampler | undefined;
  private nextEpoch = 0;
  /** Batches planned ahead for `nextEpoch` (a sampler function's batches, computed for `length`). */
  private planned: readonly (readonly number[])[] | null = null;

  constructor(dataset: readonly T[], options: DataLoaderOptions<T, B> = {}) {
    const op = 'DataLoader';
    if (!Array.isArray(dataset)) throw new ValueError(`${op}: dataset must be an array; got ${dataset === null ? 'null' : typeof dataset}`);
    this.dataset = dataset;
    const sampler = options.batchSampler;
    if (sampler !== undefined) {
      const clash = (['batchSize', 'shuffle', 'dropLast', 'seed'] as const).filter((k) => options[k] !== undefined);
      if (clash.length > 0) throw new ValueError(`${op}: batchSampler is mutually exclusive with ${clash.join(', ')}`);
      if (typeof sampler !== 'function' && !Array.isArray(sampler))
        throw new ValueError(`${op}: batchSampler must be an array of index arrays or a function of the epoch`);
    }
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`${op}: batchSize must be a positive integer; got ${String(batchSize)}`);
    if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new ValueError(`${op}: seed must be an integer; got ${String(options.seed)}`);
    if (options.collate !== undefined && typeof options.collate !== 'function') throw new ValueError(`${op}: collate must be a function`);
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.seed = options.seed;
    this.collate = options.collate;
    this.sampler = sampler;
  }

  /** The epoch that the next iteration runs (0 at first, one more after each iteration starts). */
  get epoch(): number {
    return this.nextEpoch;
  }

  /** Makes the next iteration run epoch `epoch` (e.g. when resuming a run). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new ValueError(`DataLoader.setEpoch: epoch must be a non-negative integer; got ${String(epoch)}`);
    this.nextEpoch = epoch;
    this.planned = null;
  }

  /**
   * Number of batches per epoch. With a batchSampler function it is the next epoch's count (the
   * function is called once for that epoch, and the iteration reuses its batches).
   */
  get length(): number {
    if (this.sampler !== undefined) return this.plan().length;
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The index batches of the next epoch (checked against the dataset). */
  private plan(): readonly (readonly number[])[] {
    if (this.planned !== null) return this.planned;
    let batches: readonly (readonly number[])[];
    if (this.sampler !== undefined) {
      batches = typeof this.sampler === 'function' ? this.sampler(this.nextEpoch) : this.sampler;
      this.check(batches);
    } else {
      const order = this.dataset.map((_, i) => i);
      if (this.shuffle) withSeed(this.seed === undefined ? undefined : this.seed + this.nextEpoch, () => shuffleInPlace(order));
      const cut: number[][] = [];
      for (let at = 0; at < order.length; at += this.batchSize) {
        const batch = order.slice(at, at + this.batchSize);
        if (!this.dropLast || batch.length === this.batchSize) cut.push(batch);
      }
      batches = cut;
    }
    this.planned = batches;
    return batches;
  }

  private check(batches: readonly (readonly number[])[]): void {
    const op = 'DataLoader';
    if (!Array.isArray(batches)) throw new ValueError(`${op}: batchSampler must give an array of index arrays`);
    batches.forEach((batch: unknown, k) => {
      if (!Array.isArray(batch)) throw new ValueError(`${op}: batchSampler batch ${k} must be an array of indices`);
      batch.forEach((i: unknown, j) => {
        if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= this.dataset.length) {
          throw new ValueError(`${op}: batchSampler batch ${k}, position ${j}: ${String(i)} is not an index into the dataset (${this.dataset.length} items)`);
        }
      });
    });
  }

  /** The index batches of the next epoch, without running it (the epoch does not advance). */
  peekIndices(): number[][] {
    return this.plan().map((b) => [...b]);
  }

  /** Starts the next epoch: its batches are fixed now, then collated one at a time. */
  [Symbol.iterator](): Iterator<B> {
    const batches = this.plan();
    this.planned = null;
    this.nextEpoch++;
    const dataset = this.dataset;
    const collate = this.collate;
    let k = 0;
    return {
      next: (): IteratorResult<B> => {
        if (k >= batches.length) return { done: true, value: undefined };
        const items = batches[k++]!.map((i) => dataset[i]!);
        return { done: false, value: collate === undefined ? (items as B) : collate(items) };
      },
    };
  }
}
