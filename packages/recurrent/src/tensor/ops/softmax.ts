/** Softmax, log-softmax and log-sum-exp, computed stably. */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import type { FloatArray } from '../dtype.js';
import { normalizeAxes, normalizeAxis, numel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkFloating, checkTensor, zerosOf } from './common.js';
import { reducedShape, reductionBlocks } from './reduce.js';

function softmaxOp(x: Tensor, axis: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  checkTensor(name, 'x', x);
  checkFloating(name, 'x', x);
  const a = normalizeAxis(name, axis, x.ndim);
  const out = zerosOf(x.dtype, x.shape);
  const outer = numel(x.shape.slice(0, a));
  const inner = numel(x.shape.slice(a + 1));
  backend().softmax(out.data as FloatArray, x.data as FloatArray, outer, x.shape[a] ?? 1, inner, log);
  record(name, [x], [out], { axis: a });
  return out;
}

/** exp(x) / Σ exp(x) along `axis` (default −1). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp(x, axis, false);
}

/** x − log Σ exp(x) along `axis` (default −1). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp(x, axis, true);
}

/** log Σ exp(x) over `axes` (all when omitted). */
export function logSumExp(x: Tensor, axes?: number | readonly number[], keepDim = false): Tensor {
  checkTensor('logSumExp', 'x', x);
  checkFloating('logSumExp', 'x', x);
  const list = normalizeAxes('logSumExp', axes, x.ndim);
  const out = zerosOf(x.dtype, reducedShape(x.shape, list, keepDim));
  const b = reductionBlocks(x, list);
  backend().logSumExp(out.data as FloatArray, b.data as FloatArray, b.outer, b.len, b.inner);
  record('logSumExp', [x], [out], { axes: list, keepDim });
  return out;
}
