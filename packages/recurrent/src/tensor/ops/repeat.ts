/** Repeating a tensor along its axes: repeat (torch.Tensor.repeat) and tile (torch.tile). */
import { ValueError, fmtShape } from '../../errors.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from './common.js';
import { expand, reshape } from './view.js';

/**
 * Repeats `x` `reps[i]` times along each axis, as torch.Tensor.repeat (NumPy's tile): a
 * [2, 3] tensor with reps [2, 1, 2] becomes [2, 2, 6]. `reps` needs at least `x.ndim` entries;
 * extra leading entries add axes. Differentiable (built from reshape and expand).
 */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor('repeat', 'x', x);
  if (reps.length < x.ndim) {
    throw new ValueError(`repeat: reps [${reps.join(', ')}] must have at least as many entries as x has axes (${x.ndim}); use tile to pad them`);
  }
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) throw new ValueError(`repeat: reps must be non-negative integers; got [${reps.join(', ')}]`);
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  // Interleave a size-1 axis before each axis, broadcast it to the count, then merge the pairs.
  const paired = shape.flatMap((d) => [1, d]);
  const expanded = shape.flatMap((d, i) => [reps[i]!, d]);
  return reshape(
    expand(reshape(x, paired), expanded),
    shape.map((d, i) => d * reps[i]!),
  );
}

/**
 * torch.tile: as `repeat`, except that `reps` shorter than `x.ndim` is padded with leading 1s
 * (tile(x of [2, 3], [2]) repeats the last axis, giving [2, 6]).
 */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor('tile', 'x', x);
  if (reps.some((r) => !Number.isInteger(r) || r < 0))
    throw new ValueError(`tile: reps must be non-negative integers; got [${reps.join(', ')}] for ${fmtShape(x.shape)}`);
  return repeat(x, [...new Array<number>(Math.max(x.ndim - reps.length, 0)).fill(1), ...reps]);
}
