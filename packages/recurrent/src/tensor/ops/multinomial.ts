/** Drawing category indices from rows of weights (torch.multinomial), with the library's generator. */
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { uniform } from '../random.js';
import { Tensor } from '../tensor.js';
import { checkFloating, checkTensor } from './common.js';

/** One index drawn from weights w (total > 0): the first i whose running sum exceeds u·total. */
function draw(w: Float64Array, total: number): number {
  const target = uniform() * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i]! <= 0) continue;
    acc += w[i]!;
    last = i;
    if (target < acc) return i;
  }
  return last; // rounding left the target at the total: the last positive category
}

/**
 * Draws `numSamples` category indices per row of `probs` (1-D [C] or 2-D [B, C]; non-negative,
 * finite weights, not necessarily normalised, each row with a positive sum), as torch.multinomial.
 * Without `replacement` (the default, as in PyTorch) a category is drawn at most once per row, so
 * `numSamples` may not exceed a row's count of positive weights. Returns int32 [numSamples] or
 * [B, numSamples]. Draws come from the global generator, so `manualSeed` makes them reproducible;
 * they do not reproduce torch's own random stream.
 */
export function multinomial(probs: Tensor, numSamples: number, replacement = false): Tensor {
  checkTensor('multinomial', 'probs', probs);
  checkFloating('multinomial', 'probs', probs);
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new ShapeError(`multinomial: probs must be 1-D or 2-D; got ${fmtShape(probs.shape)}`);
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new ValueError(`multinomial: numSamples must be a positive integer; got ${numSamples}`);
  const [rows, cats] = probs.ndim === 1 ? [1, probs.shape[0]!] : [probs.shape[0]!, probs.shape[1]!];
  const out = new Int32Array(rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const w = Float64Array.from(probs.data.subarray(r * cats, (r + 1) * cats));
    let total = 0;
    let positive = 0;
    for (let i = 0; i < cats; i++) {
      const v = w[i]!;
      if (!Number.isFinite(v) || v < 0) throw new ValueError(`multinomial: probs must be finite and non-negative; row ${r} has ${v} at ${i}`);
      total += v;
      if (v > 0) positive++;
    }
    if (total <= 0) throw new ValueError(`multinomial: row ${r} of probs sums to 0`);
    if (!replacement && numSamples > positive) {
      throw new ValueError(`multinomial: cannot draw ${numSamples} samples without replacement from row ${r}, which has ${positive} positive weights`);
    }
    for (let s = 0; s < numSamples; s++) {
      const i = draw(w, total);
      out[r * numSamples + s] = i;
      if (!replacement) {
        total -= w[i]!;
        w[i] = 0;
        // Recompute after removing to keep rounding from drifting the remaining total.
        if (s + 1 < numSamples) total = w.reduce((a, v) => a + v, 0);
      }
    }
  }
  return new Tensor(out, probs.ndim === 1 ? [numSamples] : [rows, numSamples]);
}
