/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name
 * to {dtype, shape, data_offsets}, then the raw little-endian bytes. Reading treats the bytes as
 * untrusted: every length, offset and size is checked, and a malformed file is a FormatError.
 *
 * Supported: F32, F64, I32; I64 is read into int32 when every value fits.
 */
import { FormatError, ValueError } from '../errors.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

const ITEM_SIZE: Record<string, number> = { F32: 4, F64: 8, I32: 4, I64: 8 };
const TAG: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
/** Headers beyond this are refused (the format's own limit is 100 MB). */
const MAX_HEADER = 100_000_000;

export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  /** The optional `__metadata__` map of strings. */
  metadata: Record<string, string>;
}

/** Parses a safetensors file into named tensors. */
export function readSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  return readSafetensorsFile(bytes).tensors;
}

/** Parses a safetensors file into named tensors and its metadata. */
export function readSafetensorsFile(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('readSafetensors: bytes must be a Uint8Array');
  if (bytes.length < 8) throw new FormatError(`safetensors: file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || headerLength > bytes.length - 8) {
    throw new FormatError(`safetensors: header length ${headerLength} exceeds the file (${bytes.length} bytes) or the 100 MB limit`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new FormatError(`safetensors: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new FormatError('safetensors: header must be a JSON object');
  }
  const body = bytes.subarray(8 + headerLength);
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry);
      continue;
    }
    const { dtype, shape, begin, end } = parseEntry(name, entry, body.length);
    spans.push([begin, end, name]);
    tensors[name] = decode(name, dtype, shape, body.subarray(begin, end));
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) {
      throw new FormatError(`safetensors: tensors '${spans[i - 1]![2]}' and '${spans[i]![2]}' overlap`);
    }
  }
  return { tensors, metadata };
}

function parseMetadata(entry: unknown): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new FormatError('safetensors: __metadata__ must be an object of strings');
  }
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') throw new FormatError(`safetensors: __metadata__.${k} must be a string`);
  }
  return { ...(entry as Record<string, string>) };
}

function parseEntry(name: string, entry: unknown, bodyLength: number): { dtype: string; shape: number[]; begin: number; end: number } {
  if (typeof entry !== 'object' || entry === null) throw new FormatError(`safetensors: entry '${name}' must be an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE)) {
    throw new FormatError(`safetensors: tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}; supported: F32, F64, I32, I64`);
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new FormatError(`safetensors: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
    throw new FormatError(`safetensors: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > bodyLength) {
    throw new FormatError(`safetensors: tensor '${name}' data_offsets [${begin}, ${end}] fall outside the ${bodyLength}-byte data`);
  }
  const count = numel(shape as number[]);
  if (!Number.isSafeInteger(count) || count * ITEM_SIZE[dtype]! !== end - begin) {
    throw new FormatError(`safetensors: tensor '${name}' of shape [${shape.join(', ')}] needs ${count * ITEM_SIZE[dtype]!} bytes of ${dtype}; data_offsets give ${end - begin}`);
  }
  return { dtype, shape: shape as number[], begin, end };
}

function decode(name: string, dtype: string, shape: number[], raw: Uint8Array): Tensor {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = numel(shape);
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
        throw new FormatError(`safetensors: tensor '${name}' (I64) holds ${v}, outside the int32 range`);
      }
      data[i] = Number(v);
    }
  }
  return new Tensor(data, shape);
}

/** Serialises named tensors (and optional string metadata) as a safetensors file. */
export function writeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new ValueError("writeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (!(t instanceof Tensor)) throw new ValueError(`writeSafetensors: '${name}' must be a Tensor`);
    const size = t.data.byteLength;
    header[name] = { dtype: TAG[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the format recommends.
  const encoder = new TextEncoder();
  while (encoder.encode(json).length % 8 !== 0) json += ' ';
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of entries) {
    const v = new DataView(out.buffer, at, t.data.byteLength);
    const step = t.data.BYTES_PER_ELEMENT;
    for (let i = 0; i < t.size; i++) {
      if (t.dtype === 'float32') v.setFloat32(i * step, t.data[i]!, true);
      else if (t.dtype === 'float64') v.setFloat64(i * step, t.data[i]!, true);
      else v.setInt32(i * step, t.data[i]!, true);
    }
    at += t.data.byteLength;
  }
  return out;
}
