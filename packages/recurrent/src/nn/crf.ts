/**
 * nn.CRF: a linear-chain conditional random field over per-step tag scores — the negative
 * log-likelihood by the forward algorithm, and Viterbi decoding — with pytorch-crf's parameters.
 *
 * Shape legend: B sequences, T longest sequence, K tags.
 */
import { IndexError, ShapeError, ValueError, checkOptions, fmtShape } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { checkFloating, checkInt, checkTensor } from '../tensor/ops/common.js';
import { add, mul, where } from '../tensor/ops/elementwise.js';
import { gather, indexSelect } from '../tensor/ops/indexing.js';
import { sum } from '../tensor/ops/reduce.js';
import { logSumExp } from '../tensor/ops/softmax.js';
import { reshape, select, unsqueeze } from '../tensor/ops/view.js';
import { Tensor } from '../tensor/tensor.js';
import type { TransitionMask } from './crf_constraints.js';
import { uniformInit } from './init.js';
import { Module, paramDType, positiveInt } from './module.js';

/**
 * The score a disallowed transition adds in the likelihood: exp(−10000) is 0 in float32 and
 * float64 alike, so the partition function is the constrained one, while no sum of scores is
 * −∞ − (−∞) = NaN. Decoding uses −∞ itself.
 */
export const DISALLOWED_SCORE = -10000;

export interface CRFOptions {
  /** Allowed transitions (nn.allowedTransitions); default: every transition allowed. */
  constraints?: TransitionMask;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** How nn.CRF.forward reduces the per-sequence negative log-likelihoods. */
export type CRFReduction = 'none' | 'sum' | 'mean' | 'tokenMean';

export interface CRFForwardOptions {
  /** Real steps of each sequence (B), each in [1, T]; default all T. The steps past a length are padding. */
  lengths?: readonly number[] | Int32Array;
  /** 'mean' over sequences (default), 'sum', 'tokenMean' (sum over sequences / total real steps) or 'none' (B). */
  reduction?: CRFReduction;
}

/** A best tag sequence of nn.CRF.decode and its score. */
export interface CRFPath {
  tags: number[];
  score: number;
}

/**
 * A linear-chain CRF (Lafferty et al. 2001) as the output layer of a tagger (Lample et al. 2016):
 *
 *   score(x, y) = start[y₁] + Σₜ emissions[t, yₜ] + Σₜ transitions[yₜ₋₁, yₜ] + end[y_T]
 *   −log p(y | x) = log Z(x) − score(x, y),   log Z = logsumexp over all K^T tag sequences,
 *
 * log Z by the forward algorithm (T steps of a logsumexp over K), the best sequence by Viterbi.
 *
 * Parameters (pytorch-crf's names and layout, initialised U(−0.1, 0.1) as there):
 * `start_transitions` (K), `end_transitions` (K), `transitions` (K, K) — row i, column j scores
 * tag j following tag i. With `constraints`, a disallowed transition scores DISALLOWED_SCORE more
 * in the likelihood and is never decoded; the constraints are options, not parameters.
 *
 * Shapes: emissions (B, T, K) float, batch first; tags (B, T) int32 in [0, K); lengths (B).
 *
 * @example
 * import { nn, randn, tensor } from 'recurrent';
 * const crf = new nn.CRF(3, { constraints: nn.allowedTransitions(['O', 'B-PER', 'I-PER'], 'BIO') });
 * const emissions = randn([2, 4, 3]);
 * const tags = tensor([[1, 2, 0, 0], [0, 1, 0, 0]], { dtype: 'int32' });
 * const loss = crf.forward(emissions, tags, { lengths: [4, 2] }); // mean −log p(tags)
 * loss.backward();
 * crf.decode(emissions, [4, 2]).map((p) => p.tags); // e.g. [[1, 2, 0, 0], [0, 1]]
 */
export class CRF extends Module {
  readonly numTags: number;
  readonly constraints: TransitionMask | null;
  /** Additive penalties of the constraints (0 or DISALLOWED_SCORE), in the parameters' dtype; null without constraints. */
  private readonly penalties: { start: Tensor; end: Tensor; transitions: Tensor } | null;

  constructor(numTags: number, options: CRFOptions = {}) {
    super();
    checkOptions('CRF', options, { constraints: true, dtype: true });
    this.numTags = positiveInt('CRF', 'numTags', numTags);
    const K = this.numTags;
    const dtype = paramDType('CRF', options.dtype);
    this.registerParameter('start_transitions', uniformInit([K], 0.1, dtype, 'CRF: start_transitions'));
    this.registerParameter('end_transitions', uniformInit([K], 0.1, dtype, 'CRF: end_transitions'));
    this.registerParameter('transitions', uniformInit([K, K], 0.1, dtype, 'CRF: transitions'));
    this.constraints = options.constraints === undefined ? null : checkMask(options.constraints, K);
    const c = this.constraints;
    const penalty = (allowed: boolean[], shape: number[]): Tensor =>
      new Tensor(
        floats(dtype, allowed.length, (i) => (allowed[i] ? 0 : DISALLOWED_SCORE)),
        shape,
      );
    this.penalties = c === null ? null : { start: penalty(c.start, [K]), end: penalty(c.end, [K]), transitions: penalty(c.transitions.flat(), [K, K]) };
  }

  get start_transitions(): Tensor {
    return this.param('start_transitions');
  }
  get end_transitions(): Tensor {
    return this.param('end_transitions');
  }
  get transitions(): Tensor {
    return this.param('transitions');
  }

  /** The three score tables with the constraints' penalties added. */
  private scores(): { start: Tensor; end: Tensor; transitions: Tensor } {
    const p = this.penalties;
    if (p === null) return { start: this.start_transitions, end: this.end_transitions, transitions: this.transitions };
    return { start: add(this.start_transitions, p.start), end: add(this.end_transitions, p.end), transitions: add(this.transitions, p.transitions) };
  }

  /** The negative log-likelihood of `tags` given `emissions`, reduced as `options.reduction` says (default the mean over sequences). */
  forward(emissions: Tensor, tags: Tensor, options: CRFForwardOptions = {}): Tensor {
    const lengths = this.checkInput(emissions, options.lengths);
    const nll = add(this.logPartition(emissions, lengths), mul(this.score(emissions, tags, lengths), -1));
    const reduction = options.reduction ?? 'mean';
    if (reduction === 'none') return nll;
    if (reduction === 'sum') return sum(nll);
    if (reduction === 'mean') return mul(sum(nll), 1 / lengths.length);
    if (reduction === 'tokenMean') return mul(sum(nll), 1 / lengths.reduce((a, b) => a + b, 0));
    throw new ValueError(`CRF: reduction must be 'none', 'sum', 'mean' or 'tokenMean'; got ${String(reduction)}`);
  }

  /** log Z (B): the log of the summed exp-scores of every tag sequence of each length, by the forward algorithm. */
  logPartition(emissions: Tensor, lengths?: readonly number[] | Int32Array): Tensor {
    const lens = this.checkInput(emissions, lengths);
    const [B, T] = [emissions.shape[0]!, emissions.shape[1]!];
    const s = this.scores();
    // alpha[b, j]: log of the summed exp-scores of the prefixes ending in tag j.
    let alpha = add(s.start, select(emissions, 1, 0));
    for (let t = 1; t < T; t++) {
      const next = add(logSumExp(add(unsqueeze(alpha, 2), s.transitions), 1), select(emissions, 1, t));
      const live = new Tensor(
        Int32Array.from(lens, (l) => (t < l ? 1 : 0)),
        [B, 1],
      );
      // A finished sequence keeps its alpha: padding adds nothing.
      alpha = where(live, next, alpha);
    }
    return logSumExp(add(alpha, s.end), 1);
  }

  /** score(x, y) (B): the score of the tag sequence `tags` over each sequence's real steps. */
  score(emissions: Tensor, tags: Tensor, lengths?: readonly number[] | Int32Array): Tensor {
    const lens = this.checkInput(emissions, lengths);
    const [B, T, K] = [emissions.shape[0]!, emissions.shape[1]!, this.numTags];
    checkTensor('CRF', 'tags', tags);
    checkInt('CRF', 'tags', tags);
    if (tags.ndim !== 2 || tags.shape[0] !== B || tags.shape[1] !== T)
      throw new ShapeError(`CRF: tags must be (B, T) = (${B}, ${T}) like emissions; got ${fmtShape(tags.shape)}`);
    const y = tags.data as Int32Array;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < lens[b]!; t++) {
        const tag = y[b * T + t]!;
        if (tag < 0 || tag >= K) throw new IndexError(`CRF: tags[${b}][${t}] is ${tag}; tags must be in [0, ${K}) within each length`);
      }
    }
    const s = this.scores();
    const fdtype = emissions.dtype;
    const real = new Tensor(
      floats(fdtype, B * T, (i) => (i % T < lens[Math.floor(i / T)]! ? 1 : 0)),
      [B, T],
    );
    // Padded steps may hold any id: read them as tag 0 and weigh them 0.
    const safe = new Tensor(
      Int32Array.from({ length: B * T }, (_, i) => (i % T < lens[Math.floor(i / T)]! ? y[i]! : 0)),
      [B, T],
    );
    const emitted = sum(mul(reshape(gather(emissions, 2, reshape(safe, [B, T, 1])), [B, T]), real), 1);
    const first = indexSelect(
      s.start,
      0,
      Array.from({ length: B }, (_, b) => y[b * T]!),
    );
    const last = indexSelect(
      s.end,
      0,
      Array.from(lens, (l, b) => y[b * T + l - 1]!),
    );
    let total = add(add(emitted, first), last);
    if (T > 1) {
      const pairs = Int32Array.from({ length: B * (T - 1) }, (_, i) => {
        const [b, t] = [Math.floor(i / (T - 1)), (i % (T - 1)) + 1];
        return t < lens[b]! ? y[b * T + t - 1]! * K + y[b * T + t]! : 0;
      });
      const moved = new Tensor(
        floats(fdtype, B * (T - 1), (i) => ((i % (T - 1)) + 1 < lens[Math.floor(i / (T - 1))]! ? 1 : 0)),
        [B, T - 1],
      );
      const stepped = reshape(indexSelect(reshape(s.transitions, [K * K]), 0, new Tensor(pairs, [B * (T - 1)])), [B, T - 1]);
      total = add(total, sum(mul(stepped, moved), 1));
    }
    return total;
  }

  /** The best tag sequence of each sequence by Viterbi (ties to the lower tag id), its length long; disallowed transitions never appear. Not differentiable. */
  decode(emissions: Tensor, lengths?: readonly number[] | Int32Array): CRFPath[] {
    const lens = this.checkInput(emissions, lengths);
    const [B, T, K] = [emissions.shape[0]!, emissions.shape[1]!, this.numTags];
    const e = emissions.data;
    const c = this.constraints;
    const allowed = (table: boolean[] | undefined, i: number, v: number): number => (table === undefined || table[i] ? v : -Infinity);
    const start = Array.from(this.start_transitions.data, (v, j) => allowed(c?.start, j, v));
    const end = Array.from(this.end_transitions.data, (v, j) => allowed(c?.end, j, v));
    const trans = Array.from(this.transitions.data, (v, ij) => (c === null || c.transitions[Math.floor(ij / K)]![ij % K] ? v : -Infinity));
    const paths: CRFPath[] = [];
    for (let b = 0; b < B; b++) {
      const L = lens[b]!;
      let alpha = start.map((v, j) => v + e[b * T * K + j]!);
      const back: Int32Array[] = [];
      for (let t = 1; t < L; t++) {
        const from = new Int32Array(K);
        const next = new Array<number>(K);
        for (let j = 0; j < K; j++) {
          let [best, arg] = [-Infinity, 0];
          for (let i = 0; i < K; i++) {
            const v = alpha[i]! + trans[i * K + j]!;
            if (v > best) [best, arg] = [v, i];
          }
          next[j] = best + e[(b * T + t) * K + j]!;
          from[j] = arg;
        }
        back.push(from);
        alpha = next;
      }
      let [score, tag] = [-Infinity, 0];
      alpha.forEach((v, j) => {
        if (v + end[j]! > score) [score, tag] = [v + end[j]!, j];
      });
      const tags = [tag];
      for (let t = back.length - 1; t >= 0; t--) tags.push((tag = back[t]![tag]!));
      paths.push({ tags: tags.reverse(), score });
    }
    return paths;
  }

  /** The lengths, checked against `emissions` (B, T, K). */
  private checkInput(emissions: Tensor, lengths: readonly number[] | Int32Array | undefined): Int32Array {
    checkTensor('CRF', 'emissions', emissions);
    checkFloating('CRF', 'emissions', emissions);
    if (emissions.ndim !== 3 || emissions.shape[2] !== this.numTags)
      throw new ShapeError(`CRF: emissions must be (B, T, numTags = ${this.numTags}); got ${fmtShape(emissions.shape)}`);
    const [B, T] = [emissions.shape[0]!, emissions.shape[1]!];
    if (B === 0 || T === 0) throw new ShapeError(`CRF: emissions must hold at least one sequence of at least one step; got ${fmtShape(emissions.shape)}`);
    const given: readonly number[] | Int32Array = lengths ?? new Int32Array(B).fill(T);
    if (given.length !== B) throw new ShapeError(`CRF: lengths must have one entry per sequence (B = ${B}); got ${given.length}`);
    given.forEach((l: number, i: number) => {
      if (!Number.isInteger(l) || l < 1 || l > T) throw new ValueError(`CRF: lengths[${i}] must be an integer in [1, ${T}]; got ${l}`);
    });
    return Int32Array.from(given);
  }

  override extraRepr(): string {
    return `numTags=${this.numTags}${this.constraints ? ', constrained' : ''}`;
  }
}

/** n values of `value(i)` in a typed array of `dtype`. */
function floats(dtype: DType, n: number, value: (i: number) => number): Float32Array | Float64Array {
  const out = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = value(i);
  return out;
}

/** `mask` checked against K tags. */
function checkMask(mask: TransitionMask, K: number): TransitionMask {
  const isBools = (v: unknown, n: number): v is boolean[] => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'boolean');
  if (typeof mask !== 'object' || mask === null) throw new ValueError('CRF: constraints must be { start, end, transitions } (nn.allowedTransitions)');
  if (!isBools(mask.start, K)) throw new ValueError(`CRF: constraints.start must be ${K} booleans (one per tag)`);
  if (!isBools(mask.end, K)) throw new ValueError(`CRF: constraints.end must be ${K} booleans (one per tag)`);
  if (!Array.isArray(mask.transitions) || mask.transitions.length !== K || !mask.transitions.every((row) => isBools(row, K)))
    throw new ValueError(`CRF: constraints.transitions must be ${K} rows of ${K} booleans`);
  if (!mask.start.some(Boolean) || !mask.end.some(Boolean)) throw new ValueError('CRF: constraints allow no tag to start or no tag to end a sequence');
  return { start: [...mask.start], end: [...mask.end], transitions: mask.transitions.map((row) => [...row]) };
}
