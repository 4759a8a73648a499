// The limits of the safetensors reader: repeated keys at any level, shapes whose elements no
// array could hold, headers with too many tensors, deep nesting, and messages that locate a
// syntax error without quoting the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSafetensors, zeros, FormatError, ResourceError } from '../../src/index.js';

const encoder = new TextEncoder();

/** A file of `header` (JSON text, used verbatim) and `data` bytes. */
function file(header: string, data = new Uint8Array(0)): Uint8Array {
  const json = encoder.encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function refused(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => readSafetensors(bytes),
    (e: unknown) => e instanceof FormatError && pattern.test(e.message),
  );
}

test('a field repeated inside an entry or the metadata is refused, as repeated tensor names are', () => {
  refused(
    file('{"a":{"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)),
    /header names "dtype" more than once \(line 1, column 21\)/,
  );
  refused(file('{"__metadata__":{"k":"1","k":"2"}}'), /header names "k" more than once/);
  refused(
    file('{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', new Uint8Array(4)),
    /names "a" more than once/,
  );
});

test('a zero dimension makes a legal empty tensor, whatever the other dimensions', () => {
  const t = readSafetensors(file(`{"e":{"dtype":"F32","shape":[${2 ** 26},${2 ** 26},0],"data_offsets":[0,0]}}`)).e!;
  assert.deepEqual(t.shape, [2 ** 26, 2 ** 26, 0]);
  assert.equal(t.data.length, 0);
});

test('a dimension beyond what an array holds is refused, even beside a zero', () => {
  refused(file(`{"e":{"dtype":"F32","shape":[0,${2 ** 53 - 1}],"data_offsets":[0,0]}}`), /shape \[0,9007199254740991\] with a dimension over 4294967296/);
  refused(file(`{"e":{"dtype":"F32","shape":[${2 ** 40},${2 ** 40}],"data_offsets":[0,4]}}`, new Uint8Array(4)), /dimension over/);
});

test('an op on an empty tensor whose result no array could hold is a ResourceError', () => {
  const t = readSafetensors(file(`{"e":{"dtype":"F32","shape":[${2 ** 26},${2 ** 26},0],"data_offsets":[0,0]}}`)).e!;
  assert.throws(
    () => t.sum(2),
    (e: unknown) => e instanceof ResourceError && /shape \[67108864, 67108864\] of float32 .* needs \d+ bytes/.test(e.message),
  );
  assert.deepEqual(t.sum(0).shape, [2 ** 26, 0]);
  assert.throws(() => zeros([0, 2 ** 40]).sum(0), ResourceError);
});

test('a header with more than 100,000 tensors is refused before it is parsed', () => {
  const entries = Array.from({ length: 100_001 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
  refused(file(`{${entries.join(',')}}`), /header holds more than 100000 tensors, the limit/);
  const ok = readSafetensors(file(`{${entries.slice(0, 1000).join(',')}}`));
  assert.equal(Object.keys(ok).length, 1000);
});

test('nesting deeper than the format needs is refused', () => {
  refused(file(`{"a":{"shape":${'['.repeat(15)}${']'.repeat(15)}}}`), /nested deeper than 16 levels/);
  refused(file(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), /nested deeper than 16 levels/);
});

test('a syntax error is located without quoting the header', () => {
  refused(file('{"secret-name": root:x:0:0}'), /^safetensors: header is not valid JSON: expected a value at line 1, column 17$/);
});
