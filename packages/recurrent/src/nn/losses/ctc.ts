/**
 * The connectionist temporal classification loss, as torch.nn.functional.ctc_loss (PyTorch 1.13):
 * argument checks, the batch layout of the targets and the reduction. The recursion itself is the
 * tensor op in tensor/ops/ctc.ts.
 */
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { ctcNll } from '../../tensor/ops/ctc.js';
import { mul } from '../../tensor/ops/elementwise.js';
import { reshape } from '../../tensor/ops/view.js';
import { allocate } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { type Reduction, checkFloatTensor, checkReduction, reduce } from './reduction.js';

/** Options of `ctcLoss` and of the module `CTCLoss`. */
export interface CTCLossOptions {
  /** Class index of the blank; default 0. */
  blank?: number;
  /**
   * 'mean' (default): each sequence's loss divided by its target length (at least 1), then the
   * mean over the batch; 'sum': the sum over the batch; 'none': one loss per sequence, (N).
   */
  reduction?: Reduction;
  /**
   * Replace infinite losses (a target that no alignment can produce in the frames given: too long,
   * or too many repeated labels) and their gradients by 0; default false (the loss is +∞).
   */
  zeroInfinity?: boolean;
}

/** Sequence lengths: an int32 tensor (N) (or () unbatched), or plain numbers. */
export type CTCLengths = Tensor | readonly number[] | number;

function lengthsOf(op: string, arg: string, lengths: CTCLengths, count: number): number[] {
  let values: number[];
  if (lengths instanceof Tensor) {
    if (lengths.dtype !== 'int32') throw new DTypeError(`${op}: ${arg} must be an int32 tensor; got ${lengths.dtype}`);
    if (lengths.ndim > 1) throw new ShapeError(`${op}: ${arg} must be 1-D (N) or 0-d; got ${fmtShape(lengths.shape)}`);
    values = Array.from(lengths.data);
  } else if (typeof lengths === 'number') {
    values = [lengths];
  } else if (Array.isArray(lengths)) {
    values = [...(lengths as readonly number[])];
  } else {
    throw new DTypeError(`${op}: ${arg} must be an int32 tensor or an array of numbers; got ${typeof lengths}`);
  }
  if (values.length !== count) throw new ShapeError(`${op}: ${arg} must hold ${count} length(s), one per sequence; got ${values.length}`);
  values.forEach((v, n) => {
    if (!Number.isInteger(v) || v < 0) throw new ValueError(`${op}: ${arg}[${n}] must be a non-negative integer; got ${v}`);
  });
  return values;
}

/**
 * The CTC loss: the negative log-likelihood of each target sequence under all of its alignments to
 * the input frames, as torch.nn.functional.ctc_loss (PyTorch 1.13).
 *
 * An alignment is a label per frame (blank included) that reads as the target once repeats are
 * collapsed and blanks dropped; loss_n = −log Σ_alignments Π_t exp(logProbs[t, n, a_t]) over the
 * first inputLengths[n] frames. A target that no alignment can produce in the frames given gives
 * +∞ (0, with a zero gradient, when `zeroInfinity`). Reduction 'mean' divides each loss by its
 * target length (clamped to at least 1) and averages over the batch, as PyTorch.
 *
 * Shapes: T = frames, N = batch, C = classes (blank included), S = longest target.
 *   logProbs       (T, N, C), or (T, C) unbatched: log-probabilities, usually logSoftmax(…, 2)
 *   targets        int32 (N, S) padded (the values past each length are not read), or 1-D: all
 *                  targets concatenated (length Σ targetLengths); (S) unbatched. Labels in
 *                  [0, C) and never the blank.
 *   inputLengths   (N) int32 tensor or numbers, each ≤ T; a number unbatched
 *   targetLengths  (N) int32 tensor or numbers, each ≤ S for padded targets
 *   output         () or, for 'none', (N) (() unbatched)
 *
 * The gradient with respect to logProbs is the exact partial derivative (minus the occupation of
 * each class at each frame); PyTorch's adds exp(logProbs), which assumes a logSoftmax input and
 * which logSoftmax's backward cancels, so the gradients of the logits are the same.
 *
 * @throws ShapeError for mismatched shapes or lengths; IndexError for a label out of range or equal
 *   to the blank; ValueError for a length beyond T or S, or a bad option.
 *
 * @example
 * import { ctcLoss, logSoftmax, randn, tensor } from 'recurrent';
 * const logits = randn([50, 2, 20], { requiresGrad: true }); // (T, N, C)
 * const targets = tensor([[1, 2, 2, 3], [4, 5, 0, 0]], { dtype: 'int32' }); // (N, S), padded
 * const loss = ctcLoss(logSoftmax(logits, 2), targets, [50, 40], [4, 2]);
 * loss.backward();
 */
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: CTCLengths, targetLengths: CTCLengths, options: CTCLossOptions = {}): Tensor {
  const op = 'ctcLoss';
  checkFloatTensor(op, 'logProbs', logProbs);
  if (!(targets instanceof Tensor)) throw new DTypeError(`${op}: targets must be a Tensor`);
  if (targets.dtype !== 'int32') throw new DTypeError(`${op}: targets must be int32; got ${targets.dtype}`);
  const reduction = checkReduction(op, options.reduction);
  const zeroInfinity = options.zeroInfinity ?? false;
  if (typeof zeroInfinity !== 'boolean') throw new ValueError(`${op}: zeroInfinity must be a boolean; got ${String(zeroInfinity)}`);
  if (logProbs.ndim !== 3 && logProbs.ndim !== 2) {
    throw new ShapeError(`${op}: logProbs must be (T, N, C) or unbatched (T, C); got ${fmtShape(logProbs.shape)}`);
  }
  const unbatched = logProbs.ndim === 2;
  const input = unbatched ? reshape(logProbs, [logProbs.shape[0]!, 1, logProbs.shape[1]!]) : logProbs;
  const [T, N, C] = input.shape as [number, number, number];
  const blank = options.blank ?? 0;
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new ValueError(`${op}: blank must be an integer in [0, ${C - 1}]; got ${blank}`);

  const inLens = lengthsOf(op, 'inputLengths', inputLengths, N);
  const tgtLens = lengthsOf(op, 'targetLengths', targetLengths, N);
  inLens.forEach((l, n) => {
    if (l > T) throw new ValueError(`${op}: inputLengths[${n}] = ${l} exceeds the ${T} frames of logProbs ${fmtShape(logProbs.shape)}`);
  });
  const padded = unbatched ? targets.ndim === 1 : targets.ndim === 2;
  const offsets: number[] = [];
  if (padded) {
    const S = unbatched ? targets.shape[0]! : targets.shape[1]!;
    if (!unbatched && targets.shape[0] !== N) {
      throw new ShapeError(`${op}: padded targets ${fmtShape(targets.shape)} must have N = ${N} rows (the batch of logProbs ${fmtShape(logProbs.shape)})`);
    }
    tgtLens.forEach((l, n) => {
      if (l > S) throw new ValueError(`${op}: targetLengths[${n}] = ${l} exceeds the ${S} columns of targets ${fmtShape(targets.shape)}`);
      offsets.push(n * S);
    });
  } else {
    if (unbatched || targets.ndim !== 1) {
      throw new ShapeError(`${op}: targets must be (N, S) padded or 1-D concatenated${unbatched ? ', (S) unbatched' : ''}; got ${fmtShape(targets.shape)}`);
    }
    const total = tgtLens.reduce((a, b) => a + b, 0);
    if (total !== targets.size) {
      throw new ShapeError(`${op}: concatenated targets ${fmtShape(targets.shape)} must hold Σ targetLengths = ${total} labels`);
    }
    let at = 0;
    for (const l of tgtLens) {
      offsets.push(at);
      at += l;
    }
  }
  const labels = targets.data as Int32Array;
  tgtLens.forEach((l, n) => {
    for (let s = 0; s < l; s++) {
      const c = labels[offsets[n]! + s]!;
      if (c < 0 || c >= C || c === blank) {
        throw new IndexError(`${op}: target ${s} of sequence ${n} is ${c}; labels must be in [0, ${C - 1}] and not the blank ${blank}`);
      }
    }
  });

  let losses = ctcNll(input, { targets: labels, targetOffsets: offsets, targetLengths: tgtLens, inputLengths: inLens, blank, zeroInfinity });
  if (reduction === 'mean') {
    const scale = allocate(input.dtype, N);
    tgtLens.forEach((l, n) => (scale[n] = 1 / Math.max(l, 1)));
    return reduce(mul(losses, new Tensor(scale, [N])), 'mean', N);
  }
  if (unbatched) losses = reshape(losses, []);
  return reduce(losses, reduction, N);
}
