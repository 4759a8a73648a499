/**
 * The connectionist temporal classification (CTC) negative log-likelihood of each sequence of a
 * batch, by the forward–backward recursion of Graves et al. (2006) in log space.
 *
 * Shapes: T = input frames, N = batch, C = classes (blank included), S = longest target,
 * L = 2·S + 1 = the length of the extended target (blank, l1, blank, l2, …, blank).
 *   logProbs (T, N, C)  float32 or float64 log-probabilities
 *   targets  flat int32 labels, sequence n at targetOffsets[n] … + targetLengths[n]
 *   out      (N)  −log p(target_n | logProbs[:inputLengths[n], n])
 *
 * The gradient is the exact partial derivative of each loss with respect to its log-probabilities,
 *   ∂loss_n / ∂logProbs[t, n, c] = −Σ_{s : l'_s = c} α_t(s)·β_t(s) / (p · y_t(c))   (t < T_n; 0 after),
 * the occupation of class c at frame t. (PyTorch's ctc_loss backward adds exp(logProbs) to this,
 * a term that assumes the input came out of logSoftmax and that logSoftmax's backward then
 * cancels: through logSoftmax both give the same gradient.) It is computed in the forward pass,
 * only when the op is recorded, and scaled by the upstream gradient in backward.
 */
import { record, willRecord } from '../autograd/tape.js';
import { allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';

/** Where the targets of each sequence are, and the lengths of each sequence (all checked by the caller). */
export interface CtcLayout {
  /** Flat target labels. */
  targets: Int32Array;
  /** Start of sequence n's labels in `targets`. */
  targetOffsets: readonly number[];
  targetLengths: readonly number[];
  inputLengths: readonly number[];
  blank: number;
  /** Whether an infinite loss (an impossible alignment) is replaced by 0, with a zero gradient. */
  zeroInfinity: boolean;
}

/** log(e^a + e^b) without overflow; −∞ when both are −∞. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = a > b ? a : b;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** One sequence's extended target l' (blanks around and between the labels). */
function extendedTarget(layout: CtcLayout, n: number): Int32Array {
  const S = layout.targetLengths[n]!;
  const ext = new Int32Array(2 * S + 1).fill(layout.blank);
  for (let s = 0; s < S; s++) ext[2 * s + 1] = layout.targets[layout.targetOffsets[n]! + s]!;
  return ext;
}

/** Whether the recursion may skip from s − 2 to s (a label that differs from the label before it). */
function canSkip(ext: Int32Array, s: number, blank: number): boolean {
  return s >= 2 && ext[s] !== blank && ext[s] !== ext[s - 2];
}

/**
 * Forward variables α (Tn, L) of one sequence, in log space: α_t(s) = log of the summed
 * probability of the prefixes of frames 0…t that end in l'_s. `lp(t, c)` reads logProbs[t, n, c].
 */
function ctcAlpha(lp: (t: number, c: number) => number, ext: Int32Array, Tn: number, blank: number): Float64Array {
  const L = ext.length;
  const alpha = new Float64Array(Tn * L).fill(-Infinity);
  if (Tn === 0) return alpha;
  alpha[0] = lp(0, ext[0]!);
  if (L > 1) alpha[1] = lp(0, ext[1]!);
  for (let t = 1; t < Tn; t++) {
    const prev = (t - 1) * L;
    for (let s = 0; s < L; s++) {
      let a = alpha[prev + s]!;
      if (s >= 1) a = logAdd(a, alpha[prev + s - 1]!);
      if (canSkip(ext, s, blank)) a = logAdd(a, alpha[prev + s - 2]!);
      alpha[t * L + s] = a === -Infinity ? a : a + lp(t, ext[s]!);
    }
  }
  return alpha;
}

/** Backward variables β (Tn, L), in log space, each including frame t's own emission (as PyTorch's). */
function ctcBeta(lp: (t: number, c: number) => number, ext: Int32Array, Tn: number, blank: number): Float64Array {
  const L = ext.length;
  const beta = new Float64Array(Tn * L).fill(-Infinity);
  if (Tn === 0) return beta;
  const last = (Tn - 1) * L;
  beta[last + L - 1] = lp(Tn - 1, ext[L - 1]!);
  if (L > 1) beta[last + L - 2] = lp(Tn - 1, ext[L - 2]!);
  for (let t = Tn - 2; t >= 0; t--) {
    const next = (t + 1) * L;
    for (let s = 0; s < L; s++) {
      let b = beta[next + s]!;
      if (s + 1 < L) b = logAdd(b, beta[next + s + 1]!);
      if (s + 2 < L && canSkip(ext, s + 2, blank)) b = logAdd(b, beta[next + s + 2]!);
      beta[t * L + s] = b === -Infinity ? b : b + lp(t, ext[s]!);
    }
  }
  return beta;
}

/**
 * Per-sequence CTC losses (N) of `logProbs` (T, N, C), and, when recorded, their gradient. An
 * impossible alignment (no path: too few frames for the target) gives +∞ (and a NaN gradient, as
 * PyTorch), or 0 and a zero gradient with `zeroInfinity`. Arguments are trusted: see nn/losses/ctc.ts.
 */
export function ctcNll(logProbs: Tensor, layout: CtcLayout): Tensor {
  const [T, N, C] = logProbs.shape as [number, number, number];
  const x = logProbs.data;
  const out = allocate(logProbs.dtype, N);
  const withGrad = willRecord([logProbs]);
  const grad = withGrad ? allocate(logProbs.dtype, T * N * C) : null;
  for (let n = 0; n < N; n++) {
    const Tn = layout.inputLengths[n]!;
    const ext = extendedTarget(layout, n);
    const L = ext.length;
    const lp = (t: number, c: number): number => x[(t * N + n) * C + c]!;
    const alpha = ctcAlpha(lp, ext, Tn, layout.blank);
    const end = (Tn - 1) * L;
    const logP = Tn === 0 ? (L === 1 ? 0 : -Infinity) : logAdd(alpha[end + L - 1]!, L > 1 ? alpha[end + L - 2]! : -Infinity);
    const nll = -logP;
    const impossible = nll === Infinity;
    out[n] = impossible && layout.zeroInfinity ? 0 : nll;
    if (grad === null || (impossible && layout.zeroInfinity)) continue;
    const beta = ctcBeta(lp, ext, Tn, layout.blank);
    const occupation = new Float64Array(C);
    for (let t = 0; t < Tn; t++) {
      occupation.fill(-Infinity);
      for (let s = 0; s < L; s++) {
        const c = ext[s]!;
        occupation[c] = logAdd(occupation[c]!, alpha[t * L + s]! + beta[t * L + s]!);
      }
      // α·β counts frame t's emission twice: divide by it once, and by p.
      for (let c = 0; c < C; c++) {
        const o = occupation[c]!;
        grad[(t * N + n) * C + c] = o === -Infinity && !impossible ? 0 : -Math.exp(o + nll - lp(t, c));
      }
    }
  }
  const result = new Tensor(out, [N]);
  if (grad !== null) record('ctcLoss', [logProbs], [result], { grad: new Tensor(grad, [T, N, C]) });
  return result;
}
