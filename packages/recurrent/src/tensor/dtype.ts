/** Element types and the typed arrays that store them. */
import { DTypeError, ResourceError, fmtShape } from '../errors.js';

export type DType = 'float32' | 'float64' | 'int32';
export type TypedArray = Float32Array | Float64Array | Int32Array;
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

/** Most elements one typed array may hold in the JavaScript engines this library runs on (V8: 2^32). */
export const MAX_ARRAY_ELEMENTS = 2 ** 32;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

/**
 * Allocates a zero-filled array of `n` elements of `dtype`. A request beyond MAX_ARRAY_ELEMENTS,
 * or one the host cannot serve (out of memory), is a ResourceError naming `op`, the shape when
 * given, the bytes needed and the limit, instead of the engine's bare RangeError.
 */
export function allocate(dtype: DType, n: number, op = 'allocate', shape?: readonly number[]): TypedArray {
  if (n > MAX_ARRAY_ELEMENTS) checkAllocation(op, dtype, shape ?? [n]);
  try {
    switch (dtype) {
      case 'float32':
        return new Float32Array(n);
      case 'float64':
        return new Float64Array(n);
      case 'int32':
        return new Int32Array(n);
    }
  } catch (e) {
    if (e instanceof RangeError) throw tooLarge(op, dtype, n, shape, `the host could not allocate it (${e.message})`);
    throw e;
  }
}

/** Throws the ResourceError `allocate` would for `shape`, before anything is allocated. */
export function checkAllocation(op: string, dtype: DType, shape: readonly number[]): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n > MAX_ARRAY_ELEMENTS)
    throw tooLarge(op, dtype, n, shape, `the limit of one array is ${MAX_ARRAY_ELEMENTS * BYTES[dtype]} bytes (${MAX_ARRAY_ELEMENTS} elements)`);
}

function tooLarge(op: string, dtype: DType, n: number, shape: readonly number[] | undefined, why: string): ResourceError {
  const what = shape === undefined ? `${n} ${dtype} elements` : `shape ${fmtShape(shape)} of ${dtype} (${n} elements)`;
  return new ResourceError(`${op}: ${what} needs ${n * BYTES[dtype]} bytes; ${why}. Use smaller sizes`);
}

export function dtypeOfArray(array: TypedArray): DType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  return 'int32';
}

export function isFloating(dtype: DType): boolean {
  return dtype !== 'int32';
}

export function checkDType(op: string, arg: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32') return dtype;
  throw new DTypeError(`${op}: ${arg} must be one of float32, float64, int32; got ${String(dtype)}`);
}
