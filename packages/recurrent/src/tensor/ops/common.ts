/** Helpers shared by the op families: allocation, argument checks, scalar promotion. */
import { DTypeError } from '../../errors.js';
import { type DType, allocate, isFloating } from '../dtype.js';
import { numel } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';

/** A new zero-filled tensor (unlike torch.empty, never uninitialised). */
export function zerosOf(dtype: DType, shape: readonly number[], op?: string): Tensor {
  return new Tensor(allocate(dtype, numel(shape), op, shape), shape);
}

/** A 0-d tensor holding `value` in `dtype`. */
export function scalar(value: number, dtype: DType): Tensor {
  const t = zerosOf(dtype, []);
  t.data[0] = value;
  return t;
}

/** Turns a number operand into a 0-d tensor of the other operand's dtype. */
export function asTensor(x: TensorLike, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(x, like.dtype) : x;
}

export function checkTensor(op: string, arg: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new DTypeError(`${op}: ${arg} must be a Tensor; got ${x === null ? 'null' : typeof x}`);
  }
  return x;
}

export function checkSameDType(op: string, a: Tensor, b: Tensor, names: [string, string] = ['a', 'b']): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${op}: dtypes differ: ${names[0]} is ${a.dtype}, ${names[1]} is ${b.dtype}`);
  }
}

export function checkFloating(op: string, arg: string, x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new DTypeError(`${op}: ${arg} must be float32 or float64; got ${x.dtype}`);
  }
}

export function checkInt(op: string, arg: string, x: Tensor): void {
  if (x.dtype !== 'int32') throw new DTypeError(`${op}: ${arg} must be int32; got ${x.dtype}`);
}
