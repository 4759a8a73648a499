/**
 * How `train` (validation) and `eval` read held-out text: the same streams and windows, so both
 * score the same characters and report the same counts.
 */
import { toStreams, type Vocabulary, type Window, windows } from 'recurrent';

/** Validation reads long windows; with the state carried, window length does not change the loss. */
export const HELD_OUT_SEQ_LEN = 200;

export interface HeldOutStreams {
  batch: number;
  /** Characters scored: every one but the first of each stream. */
  scored: number;
  windows(): Generator<Window>;
}

/** The held-out characters as at most `maxBatch` streams, each long enough for one full window. */
export function heldOutStreams(chars: readonly string[], vocab: Vocabulary, maxBatch: number): HeldOutStreams {
  const batch = Math.max(1, Math.min(maxBatch, Math.floor(chars.length / (HELD_OUT_SEQ_LEN + 1))));
  const { streams, steps } = toStreams(vocab.encode(chars), batch);
  return { batch, scored: batch * (steps - 1), windows: () => windows(streams, steps, batch, HELD_OUT_SEQ_LEN) };
}

/** "3,002 characters, 2,982 scored in 14 streams". */
export function describeHeldOut(chars: number, h: HeldOutStreams): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `${n(chars)} characters, ${n(h.scored)} scored in ${h.batch} stream${h.batch === 1 ? '' : 's'}`;
}
