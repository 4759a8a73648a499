/** Creating tensors: from data, constants, ranges, identity, random. */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { type DType, type TypedArray, allocate, checkDType, dtypeOfArray } from '../dtype.js';
import { normal, randomInt, uniform } from '../random.js';
import { checkShape, numel } from '../shape.js';
import { type NestedArray, Tensor } from '../tensor.js';
import { zerosOf } from './common.js';

export interface TensorOptions {
  /** Element type; default float32 (int32 for an Int32Array, float64 for a Float64Array). */
  dtype?: DType;
  /** Track gradients of this leaf; default false. */
  requiresGrad?: boolean;
}

function finish(t: Tensor, options: TensorOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

function flattenNested(data: NestedArray, shape: readonly number[], out: TypedArray): void {
  let at = 0;
  const visit = (v: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new ShapeError(`tensor: data is ragged: expected a number at data${path}`);
      out[at++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`tensor: data is ragged: data${path} should be an array of length ${shape[depth]}`);
    }
    v.forEach((item, i) => visit(item, depth + 1, `${path}[${i}]`));
  };
  visit(data, 0, '');
}

/**
 * A tensor from nested arrays, a flat number[] or a typed array (copied).
 *
 * `tensor([[1, 2], [3, 4]])` → float32 [2, 2]; `tensor(new Float64Array(6), [2, 3])`;
 * `tensor([1, 2, 3], {dtype: 'int32'})`. With a flat array, `shape` reshapes it.
 */
export function tensor(data: NestedArray | TypedArray, shapeOrOptions?: readonly number[] | TensorOptions, options?: TensorOptions): Tensor {
  const shapeArg = Array.isArray(shapeOrOptions) ? (shapeOrOptions as readonly number[]) : undefined;
  const opts = Array.isArray(shapeOrOptions) ? options : ((shapeOrOptions as TensorOptions | undefined) ?? options);
  const isTyped = ArrayBuffer.isView(data);
  const dtype = checkDType('tensor', 'dtype', opts?.dtype ?? (isTyped ? dtypeOfArray(data as TypedArray) : 'float32'));
  let values: TypedArray;
  let shape: number[];
  if (isTyped) {
    if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
      throw new DTypeError('tensor: typed-array data must be a Float32Array, Float64Array or Int32Array');
    }
    values = allocate(dtype, data.length, 'tensor');
    values.set(data);
    shape = shapeArg ? checkShape('tensor', shapeArg) : [data.length];
  } else {
    const nested = data as NestedArray;
    const inferred = inferShape(nested);
    values = allocate(dtype, numel(inferred), 'tensor', inferred);
    flattenNested(nested, inferred, values);
    shape = shapeArg ? checkShape('tensor', shapeArg) : inferred;
  }
  if (numel(shape) !== values.length) {
    throw new ShapeError(`tensor: data has ${values.length} elements but shape ${fmtShape(shape)} needs ${numel(shape)}`);
  }
  if (dtype === 'int32' && isTyped && !(data instanceof Int32Array) && (data as TypedArray).some((v) => !Number.isInteger(v))) {
    throw new DTypeError('tensor: int32 data must hold integers');
  }
  if (dtype === 'int32' && !isTyped) {
    const src = data as NestedArray;
    const flat = allocate('float64', values.length);
    flattenNested(src, inferShape(src), flat);
    if (flat.some((v) => !Number.isInteger(v))) throw new DTypeError('tensor: int32 data must hold integers');
  }
  return finish(new Tensor(values, shape), opts);
}

function filled(op: string, shape: readonly number[], value: number, options?: TensorOptions): Tensor {
  const t = zerosOf(checkDType(op, 'dtype', options?.dtype ?? 'float32'), checkShape(op, shape), op);
  if (value !== 0) t.data.fill(value);
  return finish(t, options);
}

export function zeros(shape: readonly number[], options?: TensorOptions): Tensor {
  return filled('zeros', shape, 0, options);
}
export function ones(shape: readonly number[], options?: TensorOptions): Tensor {
  return filled('ones', shape, 1, options);
}
export function full(shape: readonly number[], value: number, options?: TensorOptions): Tensor {
  return filled('full', shape, value, options);
}

/** Like `x` in shape and (unless given) dtype. */
function likeOptions(x: Tensor, options?: TensorOptions): TensorOptions {
  return { dtype: options?.dtype ?? x.dtype, requiresGrad: options?.requiresGrad ?? false };
}
export function zerosLike(x: Tensor, options?: TensorOptions): Tensor {
  return zeros(x.shape, likeOptions(x, options));
}
export function onesLike(x: Tensor, options?: TensorOptions): Tensor {
  return ones(x.shape, likeOptions(x, options));
}
export function fullLike(x: Tensor, value: number, options?: TensorOptions): Tensor {
  return full(x.shape, value, likeOptions(x, options));
}

/** start, start+step, … below end (as torch.arange); `arange(n)` counts 0..n−1. Default dtype int32 for integer arguments. */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be a finite non-zero number; got ${step}`);
  const n = Math.max(Math.ceil((hi - lo) / step), 0);
  const integral = Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(step);
  const t = zerosOf(checkDType('arange', 'dtype', options?.dtype ?? (integral ? 'int32' : 'float32')), [n], 'arange');
  for (let i = 0; i < n; i++) t.data[i] = lo + i * step;
  return finish(t, options);
}

/** n×m identity (m defaults to n). */
export function eye(n: number, m = n, options?: TensorOptions): Tensor {
  const t = zeros([n, m], options);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/** Real-valued draws need a floating dtype (torch raises for rand/randn into integers too). */
function floatOnly(op: string, options?: TensorOptions): TensorOptions | undefined {
  if (options?.dtype === 'int32') throw new DTypeError(`${op}: dtype must be float32 or float64; got int32`);
  return options;
}

function random(op: string, shape: readonly number[], draw: () => number, options?: TensorOptions): Tensor {
  const t = zerosOf(checkDType(op, 'dtype', options?.dtype ?? 'float32'), checkShape(op, shape), op);
  for (let i = 0; i < t.size; i++) t.data[i] = draw();
  return finish(t, options);
}

/** Uniform on [0, 1), from the global generator. */
export function rand(shape: readonly number[], options?: TensorOptions): Tensor {
  return random('rand', shape, uniform, floatOnly('rand', options));
}
/** Standard normal, from the global generator. */
export function randn(shape: readonly number[], options?: TensorOptions): Tensor {
  return random('randn', shape, normal, floatOnly('randn', options));
}
/** Integers uniform on [low, high); dtype int32 unless given. */
export function randint(low: number, high: number, shape: readonly number[], options?: TensorOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ValueError(`randint: needs integers low < high; got low=${low}, high=${high}`);
  }
  return random('randint', shape, () => randomInt(low, high), { ...options, dtype: options?.dtype ?? 'int32' });
}
/** Uniform on [lo, hi) — in place of torch's `uniform_`. */
export function uniformTensor(shape: readonly number[], lo: number, hi: number, options?: TensorOptions): Tensor {
  return random('uniform', shape, () => lo + (hi - lo) * uniform(), options);
}
export function randLike(x: Tensor, options?: TensorOptions): Tensor {
  return rand(x.shape, likeOptions(x, options));
}
export function randnLike(x: Tensor, options?: TensorOptions): Tensor {
  return randn(x.shape, likeOptions(x, options));
}
export function randintLike(x: Tensor, low: number, high: number, options?: TensorOptions): Tensor {
  return randint(low, high, x.shape, { dtype: options?.dtype ?? x.dtype, requiresGrad: options?.requiresGrad ?? false });
}
