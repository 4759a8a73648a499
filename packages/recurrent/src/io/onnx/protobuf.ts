/**
 * The protocol-buffers wire format, the subset ONNX files use: varints, 32- and 64-bit fixed
 * values, length-delimited fields (strings, bytes, nested messages, packed repeated numbers).
 *
 * Why here and not `protobufjs`: the library has no runtime dependency (it runs in browsers as
 * it installs), and protobufjs's generated code needs `protobufjs/minimal` at run time. The wire
 * format is small and fixed; the tests check this codec against protobufjs with ONNX's own
 * schema (`onnx-proto`) in both directions.
 *
 * The reader treats its bytes as untrusted: every length is checked against the bytes left, a
 * varint is at most 10 bytes, and every read consumes at least one byte, so a malformed message
 * is a FormatError, never a read past the end or a loop that does not end.
 */
import { FormatError } from '../../errors.js';

/** Wire types. */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const ENCODER = new TextEncoder();

/** Reads fields from one message: `[begin, end)` of `bytes`. `what` names the message in errors. */
export class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    readonly what: string,
    begin = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = begin;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Whether every field has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const at = this.pos;
    const key = this.uint64();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0 || field > 536870911) throw this.error(`field number ${field} at byte ${at} is outside 1..2^29-1`);
    return { field, wire };
  }

  /** An unsigned varint as a number; one beyond 2^53 is a FormatError. */
  uint64(): number {
    const [lo, hi] = this.varint();
    if (hi > 0x1fffff) throw this.error(`an integer beyond 2^53 ending at byte ${this.pos}`);
    return hi * 4294967296 + lo;
  }

  /**
   * A signed (two's complement) 64-bit varint as a number. Magnitudes beyond 2^53 saturate to
   * ±(2^53 − 1): files use INT64_MAX to mean "to the end" (Slice), and any size that large is
   * refused by the size limits anyway.
   */
  int64(): number {
    const [lo, hi] = this.varint();
    if (hi <= 0x1fffff) return hi * 4294967296 + lo;
    if (hi >= 0xffe00000) return -((~hi >>> 0) * 4294967296 + (~lo >>> 0) + 1);
    return hi >= 0x80000000 ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  }

  /** A 32-bit varint (int32, enums): the low 32 bits, signed. */
  int32(): number {
    return this.varint()[0] | 0;
  }

  float32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytesField(): Uint8Array {
    const length = this.uint64();
    this.need(length);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A length-delimited field as UTF-8 text. */
  string(): string {
    const raw = this.bytesField();
    try {
      return UTF8.decode(raw);
    } catch {
      throw this.error(`a string of ${raw.length} bytes that is not valid UTF-8`);
    }
  }

  /** A nested message: a reader over its bytes. */
  message(what: string): ProtoReader {
    const raw = this.bytesField();
    return new ProtoReader(raw, what);
  }

  /** Appends a repeated numeric field to `out`, packed (wire type 2) or one value (its scalar wire type). */
  repeated(wire: number, scalarWire: number, read: (r: ProtoReader) => number, out: number[]): void {
    if (wire === WIRE.bytes) {
      const packed = this.message(this.what);
      while (!packed.done) out.push(read(packed));
    } else if (wire === scalarWire) out.push(read(this));
    else throw this.error(`a repeated number with wire type ${wire}`);
  }

  /** Skips a field of an unknown number. */
  skip(wire: number): void {
    if (wire === WIRE.varint) this.varint();
    else if (wire === WIRE.fixed64) this.advance(8);
    else if (wire === WIRE.bytes) this.bytesField();
    else if (wire === WIRE.fixed32) this.advance(4);
    else throw this.error(`wire type ${wire} (groups and unknown types are not read)`);
  }

  /** Checks that the field has the wire type its schema says. */
  expect(wire: number, expected: number, name: string): void {
    if (wire !== expected) throw this.error(`field '${name}' has wire type ${wire}; expected ${expected}`);
  }

  /** A FormatError about this message. */
  error(problem: string): FormatError {
    return new FormatError(`ONNX: ${this.what}: ${problem}`);
  }

  private varint(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.error('the data ends inside a varint (truncated file?)');
      const b = this.bytes[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw this.error(`a varint longer than 10 bytes at byte ${this.pos - 10}`);
  }

  private need(n: number): void {
    if (n > this.end - this.pos) throw this.error(`a field needs ${n} bytes but ${this.end - this.pos} remain (truncated file?)`);
  }

  private advance(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

/** Writes one message's fields. Nested messages are written by `message`, which prefixes their length. */
export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  /** The bytes written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  /** An unsigned integer field (omitted when 0 unless `always`, as proto3 omits defaults). */
  uint(field: number, value: number, always = false): void {
    if (value === 0 && !always) return;
    this.key(field, WIRE.varint);
    this.varint(value);
  }

  /** A signed 64-bit integer field (negative values take ten bytes, as int64 does). */
  int(field: number, value: number): void {
    this.key(field, WIRE.varint);
    this.signed(value);
  }

  float32(field: number, value: number): void {
    this.key(field, WIRE.fixed32);
    this.reserve(4);
    new DataView(this.buffer.buffer).setFloat32(this.length, value, true);
    this.length += 4;
  }

  string(field: number, value: string): void {
    this.bytes(field, ENCODER.encode(value));
  }

  bytes(field: number, value: Uint8Array): void {
    this.key(field, WIRE.bytes);
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** A nested message, written by `write` into its own writer. */
  message(field: number, write: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.bytes(field, inner.finish());
  }

  /** A packed repeated int64 field (omitted when empty). */
  packedInts(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const inner = new ProtoWriter();
    for (const v of values) inner.signed(v);
    this.bytes(field, inner.finish());
  }

  /** A packed repeated float field (omitted when empty). */
  packedFloats(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const raw = new Uint8Array(4 * values.length);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    this.bytes(field, raw);
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`ProtoWriter: ${value} is not a non-negative safe integer`);
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buffer[this.length++] = v;
  }

  private signed(value: number): void {
    if (value >= 0) return this.varint(value);
    if (!Number.isSafeInteger(value)) throw new RangeError(`ProtoWriter: ${value} is not a safe integer`);
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
