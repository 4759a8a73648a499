/** Conversion between dtypes. */
import { record } from '../autograd/tape.js';
import { type DType, allocate, checkDType } from '../dtype.js';
import { Tensor } from '../tensor.js';

/** A copy in `dtype`. Float → int32 truncates toward zero, as PyTorch does. */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkDType('to', 'dtype', dtype);
  if (x.dtype === dtype) return x;
  const data = allocate(dtype, x.size);
  if (dtype === 'int32') for (let i = 0; i < x.size; i++) data[i] = Math.trunc(x.data[i]!);
  else data.set(x.data);
  const out = new Tensor(data, x.shape);
  if (dtype !== 'int32') record('cast', [x], [out]);
  return out;
}
