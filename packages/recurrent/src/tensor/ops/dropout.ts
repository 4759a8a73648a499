/** Functional dropout. */
import { ValueError } from '../../errors.js';
import { nextUint32 } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkFloating, zerosOf } from './common.js';
import { mul } from './elementwise.js';

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1−p) (inverted dropout), only
 * when `training` (default true). The mask comes from the global generator, one 32-bit draw per
 * element.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: p must be in [0, 1]; got ${p}`);
  checkFloating('dropout', 'x', x);
  if (!training || p === 0) return x;
  const mask = zerosOf(x.dtype, x.shape);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  // One 32-bit draw per element (p resolved to 2⁻³²): a uniform double would take two.
  const threshold = p * 4294967296;
  const data = mask.data;
  for (let i = 0; i < data.length; i++) data[i] = nextUint32() < threshold ? 0 : scale;
  return mul(x, mask);
}
