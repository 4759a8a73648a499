/**
 * Batched beam search over a generic decoder step: every hypothesis of every input goes through
 * one `step` call, so the decoder sees a (B·K)-row batch however it is built.
 *
 * Shape legend: B = inputs (batchSize), K = beams (beamSize), V = vocabulary, S_src = source length.
 * Row r of every step belongs to input ⌊r / K⌋, beam r mod K.
 */
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** What one decoder step returns for the (B·K) rows it was given. */
export interface BeamStepOutput<S> {
  /** Log-probabilities of the next token, (B·K, V); −Infinity forbids a token. */
  readonly logProbs: Tensor;
  /** The decoder state after this step, in the rows' order (beamSearch reorders it). */
  readonly state: S;
  /** Optional attention weights over the source, (B·K, S_src); kept per hypothesis. */
  readonly attention?: Tensor;
}

/** One decoder step: the last token of each row (B·K) int32, the state, and the step index t (0-based). */
export type BeamStep<S> = (tokens: Int32Array, state: S, step: number) => BeamStepOutput<S>;

export interface BeamSearchOptions<S> {
  /** The decoder state before step 0, for the B inputs (one row per input). */
  initialState: S;
  /**
   * Returns the state whose row r is row `indices[r]` of `state` (PyTorch's `index_select(0, indices)`).
   * Called once to expand the B initial rows to B·K (each input's row repeated K times), then after
   * every step with the parent row of each surviving hypothesis.
   */
  reorder: (state: S, indices: Int32Array) => S;
  /** Number of inputs B; default 1. */
  batchSize?: number;
  /** Beams per input K ≥ 1; default 5. 1 is greedy decoding. */
  beamSize?: number;
  /** Most tokens generated per hypothesis, EOS included. */
  maxLength: number;
  /** Token fed at step 0. */
  bosId: number;
  /** Token that ends a hypothesis. */
  eosId: number;
  /** GNMT length penalty α ≥ 0: score = logP / ((5 + |Y|) / 6)^α; default 0 (raw log-probability). */
  lengthPenalty?: number;
  /** Hypotheses returned per input, 1 ≤ nBest ≤ K; default 1. */
  nBest?: number;
  /** EOS is forbidden until this many tokens have been generated; default 0. */
  minLength?: number;
  /**
   * true (default): an input is done once it holds K finished hypotheses. false: only once no alive
   * hypothesis can still beat its nBest-th finished one (slower, finds longer hypotheses when α > 0).
   */
  earlyStopping?: boolean;
}

/** One hypothesis of the n-best list. */
export interface BeamHypothesis {
  /** Generated tokens, without BOS and without the final EOS. */
  tokens: number[];
  /** Sum of the token log-probabilities, the EOS's included when it was emitted. */
  logProb: number;
  /** logProb length-penalised (equal to it when α = 0); the list is sorted by it, best first. */
  score: number;
  /** True when the hypothesis ended with EOS, false when it was cut at maxLength. */
  finished: boolean;
  /** One row of attention weights per generated step (EOS's included), when the step returns attention. */
  attention?: number[][];
}

/** GNMT's length normaliser ((5 + length) / 6)^α. */
export function gnmtLengthPenalty(length: number, alpha: number): number {
  return alpha === 0 ? 1 : Math.pow((5 + length) / 6, alpha);
}

interface Hypothesis {
  tokens: number[];
  logProb: number;
  attention: number[][] | undefined;
}

/**
 * Beam search: for each of B inputs, keeps the K most probable partial hypotheses and extends them
 * one token per step, all B·K rows in one `step(tokens, state, t)` call.
 *
 * At step t each input's K·V candidates (hypothesis + token) are ranked by summed log-probability
 * (ties: lower beam, then lower token id first). Of the 2K best, an EOS candidate ranked among the
 * first K is finished and set aside with score = logP / ((5 + |Y|) / 6)^α, |Y| counting the EOS;
 * the first K candidates that are not EOS stay alive. At step 0 only beam 0 is expanded (the K rows
 * are copies). At the last step (t = maxLength − 1) the K best candidates, EOS or not, are finished.
 *
 * Stopping rule: an input is done at maxLength, when none of its alive hypotheses has a finite
 * log-probability, or — with earlyStopping (the default, fairseq's rule) — when it holds K finished
 * hypotheses. With earlyStopping false it is done instead when its nBest-th finished score is ≥ the
 * best score an alive hypothesis could still reach, logP / ((5 + maxLength) / 6)^α (log-probabilities
 * only fall, so with α ≥ 0 that bound is exact). The search ends when all inputs are done. Each
 * input keeps its K best finished hypotheses by score and returns the first nBest.
 * Rows of a done input still go through `step` (their last tokens repeat), so every call sees B·K
 * rows; their outputs are ignored. An input none of whose candidates has a finite log-probability
 * returns an empty list.
 * With beamSize 1 and earlyStopping this is exactly greedy decoding (arg max each step, stop at EOS).
 *
 * Returns: per input, its n-best list of `{ tokens, logProb, score, finished, attention? }`.
 *
 * Throws: ValueError for a bad option (beamSize < 1, nBest > beamSize, …) or a NaN log-probability;
 * ShapeError when the step's logProbs are not (B·K, V) or its attention is not (B·K, S_src).
 *
 * @example
 * import { beamSearch, Tensor } from 'recurrent';
 * // A bigram model over tokens 0 = BOS/EOS, 1, 2: next-token probabilities per last token.
 * const table = [[0.0, 0.6, 0.4], [0.5, 0.1, 0.4], [0.1, 0.1, 0.8]];
 * const step = (last: Int32Array, state: null) => ({
 *   logProbs: new Tensor(Float64Array.from(Array.from(last).flatMap((t) => table[t]!.map(Math.log))), [last.length, 3]),
 *   state,
 * });
 * const [best] = beamSearch(step, { initialState: null, reorder: (s) => s, beamSize: 4, maxLength: 5, bosId: 0, eosId: 0, nBest: 2 });
 * // The runner-up is cut at maxLength (finished: false): truncated hypotheses compete too.
 * best!.map((h) => h.tokens); // [[1], [2, 2, 2, 2, 2]]
 * Math.exp(best![0]!.logProb); // → 0.3
 */
export function beamSearch<S>(step: BeamStep<S>, options: BeamSearchOptions<S>): BeamHypothesis[][] {
  const op = 'beamSearch';
  if (typeof step !== 'function') throw new ValueError(`${op}: step must be a function (tokens, state, t) => { logProbs, state }; got ${typeof step}`);
  if (typeof options !== 'object' || options === null)
    throw new ValueError(`${op}: options with initialState, reorder, maxLength, bosId and eosId are required`);
  const { batchSize: B = 1, beamSize: K = 5, maxLength, bosId, eosId, lengthPenalty: alpha = 0, nBest = 1, minLength = 0, earlyStopping = true } = options;
  checkInteger(op, 'batchSize', B, 1);
  checkInteger(op, 'beamSize', K, 1);
  checkInteger(op, 'maxLength', maxLength, 1);
  checkInteger(op, 'bosId', bosId, 0);
  checkInteger(op, 'eosId', eosId, 0);
  checkInteger(op, 'nBest', nBest, 1);
  checkInteger(op, 'minLength', minLength, 0);
  if (nBest > K) throw new ValueError(`${op}: nBest must be ≤ beamSize (${K}); got ${nBest}`);
  if (minLength >= maxLength) throw new ValueError(`${op}: minLength must be < maxLength (${maxLength}); got ${minLength}`);
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new ValueError(`${op}: lengthPenalty must be a finite number ≥ 0; got ${alpha}`);
  if (typeof earlyStopping !== 'boolean') throw new ValueError(`${op}: earlyStopping must be a boolean; got ${String(earlyStopping)}`);
  if (typeof options.reorder !== 'function') throw new ValueError(`${op}: reorder must be a function (state, indices) => state; got ${typeof options.reorder}`);

  const rows = B * K;
  // Alive hypotheses, row-major (input, beam); beams past 0 start at −∞ so step 0 expands one copy.
  let alive: Hypothesis[] = Array.from({ length: rows }, (_, r) => ({ tokens: [], logProb: r % K === 0 ? 0 : -Infinity, attention: undefined }));
  const finished: BeamHypothesis[][] = Array.from({ length: B }, () => []);
  const done = new Array<boolean>(B).fill(false);
  let state = options.reorder(
    options.initialState,
    Int32Array.from({ length: rows }, (_, r) => Math.floor(r / K)),
  );
  const last = new Int32Array(rows).fill(bosId);
  let vocab = -1;
  let sourceLength = -1;

  for (let t = 0; t < maxLength && done.includes(false); t++) {
    const out = step(last, state, t);
    if (typeof out !== 'object' || out === null || !(out.logProbs instanceof Tensor)) {
      throw new ValueError(`${op}: step must return { logProbs: Tensor (B·K, V), state }; got ${out === null ? 'null' : typeof out} at step ${t}`);
    }
    const { logProbs, attention } = out;
    if (logProbs.ndim !== 2 || logProbs.shape[0] !== rows || (vocab !== -1 && logProbs.shape[1] !== vocab)) {
      throw new ShapeError(`${op}: step's logProbs must be (B·K, V) = (${rows}, ${vocab === -1 ? 'V' : vocab}); got ${fmtShape(logProbs.shape)} at step ${t}`);
    }
    vocab = logProbs.shape[1]!;
    if (eosId >= vocab || bosId >= vocab) throw new ValueError(`${op}: bosId (${bosId}) and eosId (${eosId}) must be < V = ${vocab}`);
    if (attention !== undefined) {
      if (
        !(attention instanceof Tensor) ||
        attention.ndim !== 2 ||
        attention.shape[0] !== rows ||
        (sourceLength !== -1 && attention.shape[1] !== sourceLength)
      ) {
        const got = attention instanceof Tensor ? fmtShape(attention.shape) : typeof attention;
        throw new ShapeError(
          `${op}: step's attention must be (B·K, S_src) = (${rows}, ${sourceLength === -1 ? 'S_src' : sourceLength}); got ${got} at step ${t}`,
        );
      }
      sourceLength = attention.shape[1]!;
    }
    const lp = logProbs.data;
    const lastStep = t === maxLength - 1;
    const parents = new Int32Array(rows);
    const next: Hypothesis[] = new Array<Hypothesis>(rows);
    for (let b = 0; b < B; b++) {
      if (done[b]) {
        // Rows of a finished input idle: same parent, same token, never read again.
        for (let k = 0; k < K; k++) ((parents[b * K + k] = b * K + k), (next[b * K + k] = alive[b * K + k]!));
        continue;
      }
      const candidates = rankCandidates(op, lp, alive, b, K, vocab, eosId, t < minLength, t);
      let kept = 0;
      for (let c = 0; c < candidates.length && kept < K; c++) {
        const { row, token, logProb } = candidates[c]!;
        const isEos = token === eosId;
        const extended = (): Hypothesis => ({
          tokens: isEos ? alive[row]!.tokens : [...alive[row]!.tokens, token],
          logProb,
          attention:
            attention === undefined
              ? undefined
              : [...(alive[row]!.attention ?? []), Array.from(attention.data.subarray(row * sourceLength, (row + 1) * sourceLength))],
        });
        if ((isEos || lastStep) && c < K) {
          if (Number.isFinite(logProb)) finish(finished[b]!, extended(), isEos, t + 1, alpha, K);
        } else if (!isEos) {
          parents[b * K + kept] = row;
          next[b * K + kept] = extended();
          kept++;
        }
      }
      for (; kept < K; kept++) ((parents[b * K + kept] = b * K), (next[b * K + kept] = { tokens: [], logProb: -Infinity, attention: undefined }));
      const anyAlive = next.slice(b * K, (b + 1) * K).some((h) => Number.isFinite(h.logProb));
      if (!anyAlive || lastStep) done[b] = true;
      else if (earlyStopping) done[b] = finished[b]!.length >= K;
      else done[b] = finished[b]!.length >= nBest && finished[b]![nBest - 1]!.score >= next[b * K]!.logProb / gnmtLengthPenalty(maxLength, alpha);
    }
    alive = next;
    for (let r = 0; r < rows; r++) last[r] = alive[r]!.tokens.length > 0 ? alive[r]!.tokens[alive[r]!.tokens.length - 1]! : bosId;
    if (!lastStep && done.includes(false)) state = options.reorder(out.state, parents);
  }
  return finished.map((list) => list.slice(0, nBest));
}

interface Candidate {
  row: number;
  token: number;
  logProb: number;
}

/**
 * The 2K best extensions of input b's alive hypotheses, by summed log-probability, best first
 * (ties: lower row, then lower token). A short sorted list, so a large V costs one pass, not a sort.
 */
function rankCandidates(
  op: string,
  lp: ArrayLike<number>,
  alive: Hypothesis[],
  b: number,
  K: number,
  V: number,
  eosId: number,
  eosForbidden: boolean,
  t: number,
): Candidate[] {
  const best: Candidate[] = [];
  const size = 2 * K;
  for (let r = b * K; r < (b + 1) * K; r++) {
    const base = alive[r]!.logProb;
    for (let v = 0; v < V; v++) {
      const value = lp[r * V + v]!;
      if (Number.isNaN(value)) throw new ValueError(`${op}: step's logProbs must not be NaN; got NaN at step ${t}, row ${r}, token ${v}`);
      if (base === -Infinity) continue;
      const logProb = eosForbidden && v === eosId ? -Infinity : base + value;
      // Candidates arrive in (row, token) order, so an equal one ranks after those already kept.
      if (best.length === size && !(logProb > best[size - 1]!.logProb)) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.logProb < logProb) at--;
      best.splice(at, 0, { row: r, token: v, logProb });
      if (best.length > size) best.pop();
    }
  }
  return best;
}

/** Adds a finished hypothesis to an input's list, kept sorted by score and at most K long. */
function finish(list: BeamHypothesis[], h: Hypothesis, isEos: boolean, length: number, alpha: number, K: number): void {
  const score = h.logProb / gnmtLengthPenalty(length, alpha);
  const entry: BeamHypothesis = { tokens: h.tokens, logProb: h.logProb, score, finished: isEos };
  if (h.attention !== undefined) entry.attention = h.attention;
  let at = list.length;
  while (at > 0 && list[at - 1]!.score < score) at--;
  list.splice(at, 0, entry);
  if (list.length > K) list.pop();
}

function checkInteger(op: string, name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new ValueError(`${op}: ${name} must be an integer ≥ ${min}; got ${String(value)}`);
}
