/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name
 * to {dtype, shape, data_offsets}, then the raw little-endian bytes. Reading treats the bytes as
 * untrusted: every length, offset and size is checked, and a malformed file is a FormatError.
 * As in the reference implementation, the tensors must cover the data section exactly, with no
 * overlap, gap or trailing byte, and no name may appear twice.
 *
 * Supported: F32, F64, I32; I64 is read into int32 when every value fits.
 *
 * Limits, checked before the header is parsed: a header of at most MAX_HEADER_BYTES (100 MB, the
 * format's own limit) and at most MAX_TENSORS entries, nested at most 16 deep, no
 * key repeated at any level; every dimension, and the product of the non-zero dimensions, at most
 * MAX_ARRAY_ELEMENTS (2^32), so that any tensor read can be operated on (reduced, reshaped).
 */
import { FormatError, ValueError } from '../errors.js';
import { type DType, type TypedArray, MAX_ARRAY_ELEMENTS } from '../tensor/dtype.js';
import { JsonTextError, parseJsonText } from './json_text.js';
import { Tensor } from '../tensor/tensor.js';

const ITEM_SIZE = new Map<string, number>([
  ['F32', 4],
  ['F64', 8],
  ['I32', 4],
  ['I64', 8],
]);
const TAG: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
/** Headers beyond this are refused (the format's own limit). */
export const MAX_HEADER_BYTES = 100_000_000;
/** Most tensors one file may hold: bounds the time and memory a header can cost (at the limit, about 2 s and 120 MB). */
export const MAX_TENSORS = 100_000;
/** A header needs three levels (entries in an object, shapes in them); deeper ones are only allowed so that the entry checks can say what is wrong. */
const MAX_DEPTH = 16;

export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  /** The optional `__metadata__` map of strings. */
  metadata: Record<string, string>;
}

/** One header entry, checked. */
interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file into named tensors. Throws FormatError on a malformed file, including
 * one beyond the limits: a header over 100 MB, more than 100,000 tensors, a key repeated at any
 * level, or a dimension or element count over 2^32.
 */
export function readSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  return readSafetensorsFile(bytes).tensors;
}

/** Parses a safetensors file into named tensors and its metadata (limits as `readSafetensors`). */
export function readSafetensorsFile(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) {
    throw new ValueError(`readSafetensors: bytes must be a Uint8Array; got ${kindOf(bytes)}`);
  }
  if (bytes.length < 8) {
    throw new FormatError(`safetensors: the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(bytes.length - 8)) {
    throw new FormatError(`safetensors: header length ${length} is larger than the ${bytes.length - 8} bytes that follow it`);
  }
  if (length > MAX_HEADER_BYTES) {
    throw new FormatError(`safetensors: header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const headerEnd = 8 + Number(length);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, headerEnd));
  } catch {
    throw new FormatError('safetensors: header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = parseJsonText(text, { maxDepth: MAX_DEPTH, rejectDuplicateKeys: true, maxTopLevelKeys: MAX_TENSORS + 1 });
  } catch (e) {
    if (!(e instanceof JsonTextError)) throw e;
    if (e.reason.startsWith('more than')) throw new FormatError(`safetensors: header holds more than ${MAX_TENSORS} tensors, the limit`);
    if (e.key !== null) throw new FormatError(`safetensors: header names ${show(e.key)} more than once (line ${e.line}, column ${e.column})`);
    throw new FormatError(`safetensors: header is not valid JSON: ${e.message}`);
  }
  if (!isObject(header)) throw new FormatError(`safetensors: header must be a JSON object; got ${kindOf(header)}`);
  const count = Object.keys(header).filter((k) => k !== '__metadata__').length;
  if (count > MAX_TENSORS) throw new FormatError(`safetensors: header holds more than ${MAX_TENSORS} tensors, the limit`);

  const data = bytes.subarray(headerEnd);
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') metadata = parseMetadata(value);
    else entries.push(parseEntry(name, value, data.length));
  }
  checkLayout(entries, data.length);
  // Object.fromEntries defines own properties, so even a tensor named '__proto__' is kept.
  const tensors = Object.fromEntries(entries.map((e) => [e.name, decode(e, data.subarray(e.begin, e.end))]));
  return { tensors, metadata };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isObject(value)) throw new FormatError(`safetensors: __metadata__ must be an object of strings; got ${kindOf(value)}`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new FormatError(`safetensors: __metadata__ value ${show(key)} must be a string; got ${show(v)}`);
    }
  }
  return { ...(value as Record<string, string>) };
}

function parseEntry(name: string, value: unknown, dataLength: number): Entry {
  const what = `safetensors: tensor ${show(name)}`;
  if (!isObject(value)) {
    throw new FormatError(`${what} must be an object {dtype, shape, data_offsets}; got ${show(value)}`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  const itemSize = typeof dtype === 'string' ? ITEM_SIZE.get(dtype) : undefined;
  if (typeof dtype !== 'string' || itemSize === undefined) {
    throw new FormatError(`${what} has unsupported dtype ${show(dtype)}; supported: F32, F64, I32, I64`);
  }
  if (!isIndexArray(shape)) {
    throw new FormatError(`${what} has shape ${show(shape)}; expected an array of non-negative integers`);
  }
  if (!isIndexArray(offsets) || offsets.length !== 2) {
    throw new FormatError(`${what} has data_offsets ${show(offsets)}; expected [begin, end] of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new FormatError(`${what} has data_offsets [${begin}, ${end}] whose begin is after its end`);
  if (end > dataLength) {
    throw new FormatError(`${what} has data_offsets [${begin}, ${end}] beyond the end of the ${dataLength}-byte data`);
  }
  // Each dimension is bounded, so that an op's result from an empty tensor (sum over its 0 axis) is a
  // size the allocator can name in a ResourceError; with no 0, the element count is bounded too.
  let count = 1;
  for (const d of shape) {
    if (d > MAX_ARRAY_ELEMENTS) throw new FormatError(`${what} has shape ${show(shape)} with a dimension over ${MAX_ARRAY_ELEMENTS}`);
    count *= d;
  }
  if (!shape.includes(0) && count > MAX_ARRAY_ELEMENTS) {
    throw new FormatError(`${what} has shape ${show(shape)} with too many elements (more than ${MAX_ARRAY_ELEMENTS})`);
  }
  if (shape.includes(0)) count = 0;
  if (count * itemSize !== end - begin) {
    throw new FormatError(
      `${what} of dtype ${dtype} and shape ${show(shape)} needs ${count * itemSize} bytes; its data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  // `d + 0` turns a JSON -0 into 0.
  return { name, dtype, shape: shape.map((d) => d + 0), begin, end };
}

/** The tensors must tile the data section: sorted by offset, each begins where the last ended. */
function checkLayout(entries: Entry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < at) {
      throw new FormatError(`safetensors: tensors ${show(previous!.name)} and ${show(e.name)} overlap in the data`);
    }
    if (e.begin > at) {
      throw new FormatError(`safetensors: a gap of unused bytes [${at}, ${e.begin}) lies before tensor ${show(e.name)}`);
    }
    at = e.end;
    previous = e;
  }
  if (at !== dataLength) {
    throw new FormatError(`safetensors: the data section has ${dataLength} bytes but the tensors cover only the first ${at}`);
  }
}

function decode({ name, dtype, shape }: Entry, raw: Uint8Array): Tensor {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = raw.byteLength / ITEM_SIZE.get(dtype)!;
  let data: TypedArray;
  if (dtype === 'F32') {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true);
  } else if (dtype === 'F64') {
    data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, true);
  } else if (dtype === 'I32') {
    data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getInt32(4 * i, true);
  } else {
    data = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = view.getBigInt64(8 * i, true);
      if (v < -2147483648n || v > 2147483647n) {
        throw new FormatError(`safetensors: tensor ${show(name)} (I64) holds ${v} at index ${i}, outside the int32 range`);
      }
      data[i] = Number(v);
    }
  }
  return new Tensor(data, shape);
}

/** Serialises named tensors (and optional string metadata) as a safetensors file. */
export function writeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  if (!isObject(tensors)) throw new ValueError(`writeSafetensors: tensors must be an object of Tensors; got ${kindOf(tensors)}`);
  const header: [string, unknown][] = [];
  if (metadata !== undefined) {
    if (!isObject(metadata)) throw new ValueError(`writeSafetensors: metadata must be an object of strings; got ${kindOf(metadata)}`);
    for (const [key, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new ValueError(`writeSafetensors: metadata value ${show(key)} must be a string; got ${kindOf(v)}`);
    }
    header.push(['__metadata__', { ...metadata }]);
  }
  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new ValueError("writeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (!(t instanceof Tensor)) throw new ValueError(`writeSafetensors: ${show(name)} must be a Tensor; got ${kindOf(t)}`);
    const size = t.data.byteLength;
    header.push([name, { dtype: TAG[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + size] }]);
    offset += size;
  }
  const encoder = new TextEncoder();
  const json = encoder.encode(JSON.stringify(Object.fromEntries(header)));
  // Pad the header with spaces so the data starts 8-byte aligned, as the format recommends.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of entries) {
    const step = t.data.BYTES_PER_ELEMENT;
    for (let i = 0; i < t.size; i++) {
      if (t.dtype === 'float32') view.setFloat32(at + i * step, t.data[i]!, true);
      else if (t.dtype === 'float64') view.setFloat64(at + i * step, t.data[i]!, true);
      else view.setInt32(at + i * step, t.data[i]!, true);
    }
    at += t.data.byteLength;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIndexArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);
}

/** What kind of value this is, for messages: `null`, `an array`, `a string`, `Float32Array`. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

/** A short printable form of an untrusted value for messages (never throws, never huge). */
function show(value: unknown): string {
  let text = '(unprintable: nested too deeply)';
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    /* keep the placeholder */
  }
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
