/**
 * Decoding the output of a CTC model: greedy (best path) and prefix beam search.
 *
 * Shapes: T = frames, N = batch, C = classes (blank included).
 *   logProbs  (T, N, C), or (T, C) for one sequence: log-probabilities (or logits: greedy decoding
 *             reads only their order; beam search needs log-probabilities)
 *   result    one entry per sequence (one entry for (T, C) input)
 */
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Options shared by the CTC decoders. */
export interface CTCDecodeOptions {
  /** Class index of the blank; default 0. */
  blank?: number;
  /** Frames to read of each sequence, (N) numbers or an int32 tensor, each ≤ T; default all T. */
  inputLengths?: Tensor | readonly number[];
}

/** Options of `ctcBeamSearch`. */
export interface CTCBeamSearchOptions extends CTCDecodeOptions {
  /** Prefixes kept after each frame; default 10. */
  beamWidth?: number;
  /** Hypotheses returned per sequence, best first; default 1, at most beamWidth. */
  topK?: number;
}

/** A labelling found by beam search and its log-probability (summed over the alignments kept in the beam). */
export interface CTCHypothesis {
  labels: number[];
  logProb: number;
}

interface Frames {
  T: number;
  N: number;
  C: number;
  blank: number;
  lengths: number[];
  /** logProbs[t, n, c]. */
  at: (t: number, n: number, c: number) => number;
}

function frames(op: string, logProbs: Tensor, options: CTCDecodeOptions): Frames {
  if (!(logProbs instanceof Tensor) || (logProbs.ndim !== 3 && logProbs.ndim !== 2)) {
    throw new ShapeError(
      `${op}: logProbs must be a (T, N, C) or (T, C) tensor; got ${logProbs instanceof Tensor ? fmtShape(logProbs.shape) : typeof logProbs}`,
    );
  }
  const T = logProbs.shape[0]!;
  const N = logProbs.ndim === 3 ? logProbs.shape[1]! : 1;
  const C = logProbs.shape[logProbs.ndim - 1]!;
  const blank = options.blank ?? 0;
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new ValueError(`${op}: blank must be an integer in [0, ${C - 1}]; got ${blank}`);
  const given = options.inputLengths;
  const lengths = given === undefined ? new Array<number>(N).fill(T) : Array.from(given instanceof Tensor ? given.data : given);
  if (lengths.length !== N) throw new ShapeError(`${op}: inputLengths must hold ${N} lengths, one per sequence; got ${lengths.length}`);
  lengths.forEach((l, n) => {
    if (!Number.isInteger(l) || l < 0 || l > T) throw new ValueError(`${op}: inputLengths[${n}] must be an integer in [0, ${T}]; got ${l}`);
  });
  const data = logProbs.data;
  return { T, N, C, blank, lengths, at: (t, n, c) => data[(t * N + n) * C + c]! };
}

/**
 * Greedy (best path) CTC decoding: the most probable class at each frame, repeats collapsed, then
 * blanks dropped ("a a – a b" → "a a b"). Returns the labels of each sequence.
 *
 * @example
 * import { ctcGreedyDecode, logSoftmax, randn } from 'recurrent';
 * const logProbs = logSoftmax(randn([20, 2, 11]), 2); // (T, N, C)
 * const [first, second] = ctcGreedyDecode(logProbs, { blank: 0, inputLengths: [20, 15] });
 */
export function ctcGreedyDecode(logProbs: Tensor, options: CTCDecodeOptions = {}): number[][] {
  const f = frames('ctcGreedyDecode', logProbs, options);
  const result: number[][] = [];
  for (let n = 0; n < f.N; n++) {
    const labels: number[] = [];
    let previous = -1;
    for (let t = 0; t < f.lengths[n]!; t++) {
      let best = 0;
      for (let c = 1; c < f.C; c++) if (f.at(t, n, c) > f.at(t, n, best)) best = c;
      if (best !== f.blank && best !== previous) labels.push(best);
      previous = best;
    }
    result.push(labels);
  }
  return result;
}

/** log(e^a + e^b), −∞ when both are −∞. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = a > b ? a : b;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** A prefix in the beam: its labels and the log-probabilities of its alignments ending in a blank and in its last label. */
interface Prefix {
  labels: number[];
  blankEnd: number;
  labelEnd: number;
}

const total = (p: Prefix): number => logAdd(p.blankEnd, p.labelEnd);

/** One sequence's prefix beam search. */
function searchOne(f: Frames, n: number, beamWidth: number): Prefix[] {
  let beam: Prefix[] = [{ labels: [], blankEnd: 0, labelEnd: -Infinity }];
  for (let t = 0; t < f.lengths[n]!; t++) {
    const next = new Map<string, Prefix>();
    const entry = (labels: number[]): Prefix => {
      const key = labels.join(',');
      let p = next.get(key);
      if (p === undefined) {
        p = { labels, blankEnd: -Infinity, labelEnd: -Infinity };
        next.set(key, p);
      }
      return p;
    };
    for (const p of beam) {
      const all = total(p);
      const last = p.labels.length > 0 ? p.labels[p.labels.length - 1]! : -1;
      for (let c = 0; c < f.C; c++) {
        const lp = f.at(t, n, c);
        if (lp === -Infinity) continue;
        if (c === f.blank) {
          const same = entry(p.labels);
          same.blankEnd = logAdd(same.blankEnd, all + lp);
        } else if (c === last) {
          // A repeat extends the prefix only after a blank; without one it merges into the last label.
          const same = entry(p.labels);
          same.labelEnd = logAdd(same.labelEnd, p.labelEnd + lp);
          const longer = entry([...p.labels, c]);
          longer.labelEnd = logAdd(longer.labelEnd, p.blankEnd + lp);
        } else {
          const longer = entry([...p.labels, c]);
          longer.labelEnd = logAdd(longer.labelEnd, all + lp);
        }
      }
    }
    beam = [...next.values()].sort((a, b) => total(b) - total(a)).slice(0, beamWidth);
  }
  return beam;
}

/**
 * CTC prefix beam search (Hannun et al., 2014): keeps the `beamWidth` most probable label prefixes,
 * each with the summed probability of its alignments (split by whether they end in a blank), so
 * that the many alignments of one labelling count together. With a beam wide enough to keep every
 * prefix it returns the most probable labelling exactly. Returns, per sequence, the `topK` best
 * hypotheses, best first.
 *
 * @example
 * import { ctcBeamSearch, logSoftmax, randn } from 'recurrent';
 * const logProbs = logSoftmax(randn([20, 1, 11]), 2); // (T, N, C)
 * const best = ctcBeamSearch(logProbs, { beamWidth: 8 })[0]![0]!;
 * console.log(best.labels, best.logProb);
 */
export function ctcBeamSearch(logProbs: Tensor, options: CTCBeamSearchOptions = {}): CTCHypothesis[][] {
  const op = 'ctcBeamSearch';
  const f = frames(op, logProbs, options);
  const beamWidth = options.beamWidth ?? 10;
  if (!Number.isInteger(beamWidth) || beamWidth < 1) throw new ValueError(`${op}: beamWidth must be a positive integer; got ${beamWidth}`);
  const topK = options.topK ?? 1;
  if (!Number.isInteger(topK) || topK < 1 || topK > beamWidth)
    throw new ValueError(`${op}: topK must be an integer in [1, beamWidth = ${beamWidth}]; got ${topK}`);
  const result: CTCHypothesis[][] = [];
  for (let n = 0; n < f.N; n++) {
    result.push(
      searchOne(f, n, beamWidth)
        .slice(0, topK)
        .map((p) => ({ labels: p.labels, logProb: total(p) })),
    );
  }
  return result;
}
