/**
 * Truncated BPTT for language models: the corpus is split into B parallel streams, read in
 * windows of T steps; the state is carried from one window to the next and detached, so gradients
 * flow back at most T steps while the model still sees every stream as one long sequence.
 *
 * Shape legend: L = steps per stream, B = streams (batch), T = window length.
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

export interface Window {
  /** (T, B) int32 input ids. */
  input: Tensor;
  /** (T, B) int32 ids of the next token. */
  target: Tensor;
}

/**
 * Lays `ids` out as (L, B): stream b is the b-th contiguous slice of floor((n − 1)/B) + 1 tokens,
 * so stream b's targets continue its inputs. The tail that does not fill every stream is dropped.
 */
export function toStreams(ids: Int32Array, batchSize: number): { streams: Int32Array; steps: number } {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`toStreams: batchSize must be a positive integer; got ${batchSize}`);
  const steps = Math.floor(ids.length / batchSize);
  if (steps < 2) throw new ValueError(`toStreams: ${ids.length} tokens are too few for ${batchSize} streams of at least 2 tokens`);
  const streams = new Int32Array(steps * batchSize);
  for (let b = 0; b < batchSize; b++) {
    for (let t = 0; t < steps; t++) streams[t * batchSize + b] = ids[b * steps + t]!;
  }
  return { streams, steps };
}

/** Consecutive windows of `seqLen` steps over (L, B) streams; the last may be shorter. */
export function* windows(streams: Int32Array, steps: number, batchSize: number, seqLen: number): Generator<Window> {
  if (!Number.isInteger(seqLen) || seqLen <= 0) throw new ValueError(`windows: seqLen must be a positive integer; got ${seqLen}`);
  for (let start = 0; start + 1 < steps; start += seqLen) {
    const T = Math.min(seqLen, steps - 1 - start);
    const input = streams.slice(start * batchSize, (start + T) * batchSize);
    const target = streams.slice((start + 1) * batchSize, (start + 1 + T) * batchSize);
    yield { input: new Tensor(input, [T, batchSize]), target: new Tensor(target, [T, batchSize]) };
  }
}

/** Number of windows `windows` yields. */
export function windowCount(steps: number, seqLen: number): number {
  return Math.ceil((steps - 1) / seqLen);
}
