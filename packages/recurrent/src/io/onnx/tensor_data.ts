/**
 * ONNX TensorProtos as tensors and back. Reading checks the shape before anything is allocated:
 * every dimension non-negative, at most MAX_ARRAY_ELEMENTS (2^32) elements, and data (raw bytes or
 * the typed fields) of exactly the length the shape needs; so a tensor whose shape claims more
 * than the file holds is a FormatError, not an allocation.
 *
 * Element types read: float (→ float32), double (→ float64), float16 (→ float32), int32, int64,
 * int8, uint8 and bool (→ int32; an int64 outside the int32 range is an error).
 */
import { FormatError } from '../../errors.js';
import { MAX_ARRAY_ELEMENTS, type TypedArray } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { DATA_TYPE, type OnnxTensorProto } from './onnx_proto.js';

const ITEM_BYTES = new Map<number, number>([
  [DATA_TYPE.float, 4],
  [DATA_TYPE.double, 8],
  [DATA_TYPE.float16, 2],
  [DATA_TYPE.int32, 4],
  [DATA_TYPE.int64, 8],
  [DATA_TYPE.int8, 1],
  [DATA_TYPE.uint8, 1],
  [DATA_TYPE.bool, 1],
]);

/** ONNX's names of its element types, for messages. */
export const DATA_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};

/** The element count of `dims`, checked: non-negative integers, at most MAX_ARRAY_ELEMENTS elements. */
export function checkedCount(what: string, dims: readonly number[]): number {
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new FormatError(`ONNX: ${what} has shape [${dims.join(', ')}] with a negative or unrepresentable dimension`);
    count *= d;
  }
  if (count > MAX_ARRAY_ELEMENTS) {
    throw new FormatError(`ONNX: ${what} has shape [${dims.join(', ')}]: ${count} elements, more than the limit of ${MAX_ARRAY_ELEMENTS}`);
  }
  return count;
}

/** A TensorProto's values as a tensor. `what` names it in errors (e.g. `initializer 'W'`). */
export function tensorFromProto(t: OnnxTensorProto, what: string): Tensor {
  const type = DATA_TYPE_NAMES[t.dataType] ?? String(t.dataType);
  const item = ITEM_BYTES.get(t.dataType);
  if (item === undefined) throw new FormatError(`ONNX: ${what} has element type ${type}; supported: FLOAT, DOUBLE, FLOAT16, INT32, INT64, INT8, UINT8, BOOL`);
  if (t.dataLocation === 1)
    throw new FormatError(`ONNX: ${what} keeps its data in an external file, which is not supported; save the model with its data inside`);
  const n = checkedCount(what, t.dims);
  if (t.rawData !== null && (t.rawData.length > 0 || n === 0)) {
    if (t.rawData.length !== n * item) {
      throw new FormatError(`ONNX: ${what} (${type}, shape [${t.dims.join(', ')}]) needs ${n * item} bytes of raw data; it holds ${t.rawData.length}`);
    }
    return new Tensor(fromRaw(t.dataType, t.rawData, n, what), [...t.dims]);
  }
  const typed =
    t.dataType === DATA_TYPE.float ? t.floatData : t.dataType === DATA_TYPE.double ? t.doubleData : t.dataType === DATA_TYPE.int64 ? t.int64Data : t.int32Data;
  if (typed.length !== n) {
    throw new FormatError(`ONNX: ${what} (${type}, shape [${t.dims.join(', ')}]) needs ${n} values; it holds ${typed.length}`);
  }
  let data: TypedArray;
  if (t.dataType === DATA_TYPE.float) data = Float32Array.from(typed);
  else if (t.dataType === DATA_TYPE.double) data = Float64Array.from(typed);
  else if (t.dataType === DATA_TYPE.float16) data = Float32Array.from(typed, halfToFloat);
  else data = Int32Array.from(typed, saturate);
  return new Tensor(data, [...t.dims]);
}

function fromRaw(dataType: number, raw: Uint8Array, n: number, what: string): TypedArray {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dataType) {
    case DATA_TYPE.float: {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case DATA_TYPE.double: {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case DATA_TYPE.float16: {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    case DATA_TYPE.int32: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case DATA_TYPE.int64: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(8 * i, true);
        // INT64_MAX / INT64_MIN mean "to the end" in Slice-like inputs: saturate them.
        out[i] = v > 2147483647n ? 2147483647 : v < -2147483648n ? -2147483648 : Number(v);
      }
      return out;
    }
    case DATA_TYPE.int8: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      return out;
    }
    default: {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = raw[i]!;
      if (dataType === DATA_TYPE.bool && out.some((v) => v > 1)) throw new FormatError(`ONNX: ${what} is BOOL but holds a byte other than 0 or 1`);
      return out;
    }
  }
}

/** int64 values saturate to the int32 range, as in fromRaw. */
function saturate(v: number): number {
  return v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
}

/** IEEE 754 half precision bits → number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A tensor as a TensorProto with raw little-endian data: float32 → FLOAT, float64 → DOUBLE, int32 → INT32 (or INT64 with `asInt64`). */
export function tensorToProto(name: string, x: Tensor, asInt64 = false): OnnxTensorProto {
  const n = x.size;
  let raw: Uint8Array;
  let dataType: number;
  if (x.dtype === 'int32' && asInt64) {
    raw = new Uint8Array(8 * n);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) view.setBigInt64(8 * i, BigInt(x.data[i]!), true);
    dataType = DATA_TYPE.int64;
  } else {
    const data = x.data;
    raw = new Uint8Array(data.byteLength);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) {
      if (x.dtype === 'float32') view.setFloat32(4 * i, data[i]!, true);
      else if (x.dtype === 'float64') view.setFloat64(8 * i, data[i]!, true);
      else view.setInt32(4 * i, data[i]!, true);
    }
    dataType = x.dtype === 'float32' ? DATA_TYPE.float : x.dtype === 'float64' ? DATA_TYPE.double : DATA_TYPE.int32;
  }
  return { name, dims: [...x.shape], dataType, rawData: raw, floatData: [], int32Data: [], int64Data: [], doubleData: [], dataLocation: 0 };
}
