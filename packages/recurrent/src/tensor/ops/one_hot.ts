/** One-hot encoding of class indices. */
import { IndexError, ValueError } from '../../errors.js';
import { Tensor } from '../tensor.js';
import { checkInt, checkTensor } from './common.js';

/**
 * torch.nn.functional.one_hot: an int32 tensor of shape [...x.shape, numClasses] with 1 at each
 * index of `x` (int32, values in [0, numClasses)) and 0 elsewhere. `numClasses` −1 (the default)
 * takes one more than the largest index. Not differentiable.
 */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  checkTensor('oneHot', 'x', x);
  checkInt('oneHot', 'x', x);
  let n = numClasses;
  if (n === -1) {
    if (x.size === 0) throw new ValueError('oneHot: cannot infer numClasses from an empty tensor; pass it');
    let largest = -1;
    for (let i = 0; i < x.size; i++) largest = Math.max(largest, x.data[i]!);
    n = largest + 1;
  }
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`oneHot: numClasses must be a positive integer or −1; got ${numClasses}`);
  const out = new Int32Array(x.size * n);
  x.data.forEach((v, i) => {
    if (v < 0 || v >= n) throw new IndexError(`oneHot: class ${v} at element ${i} is outside [0, ${n})`);
    out[i * n + v] = 1;
  });
  return new Tensor(out, [...x.shape, n]);
}
