import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readSafetensors, readSafetensorsFile, writeSafetensors, tensor, Tensor, FormatError, ValueError } from '../../src/index.js';
import type { SafetensorsFile } from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Helpers: build files byte by byte, exactly as the format specifies.

const encoder = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An 8-byte little-endian u64. */
function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

/** A file from header bytes and data bytes, the length prefix computed. */
function fileOf(header: Uint8Array, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(u64(BigInt(header.length)), header, data);
}

/** A file whose header is `header` serialised as JSON (or taken verbatim if a string). */
function craft(header: unknown, data: Uint8Array | number = 0): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  return fileOf(encoder.encode(text), typeof data === 'number' ? new Uint8Array(data) : data);
}

function f32(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

function i64(...values: bigint[]): Uint8Array {
  const out = new Uint8Array(8 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return out;
}

/** The JSON header of a file, and where its data starts. */
function headerOf(bytes: Uint8Array): { json: Record<string, unknown>; length: number } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  return { json: JSON.parse(text) as Record<string, unknown>, length };
}

/** Asserts that `fn` throws a FormatError whose message matches every pattern. */
function throwsFormat(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected a FormatError, got ${String(e)}`);
    assert.match(e.message, /^safetensors: /);
    assert.ok(e.message.length < 400, `message too long (${e.message.length} chars)`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

/** Element-wise identity, NaN and -0 included. */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function assertSameTensor(actual: Tensor | undefined, expected: Tensor, name: string): void {
  assert.ok(actual instanceof Tensor, `${name}: missing`);
  assert.equal(actual.dtype, expected.dtype, `${name}: dtype`);
  assert.deepEqual(actual.shape, expected.shape, `${name}: shape`);
  assert.ok(sameValues(actual.data, expected.data), `${name}: values ${String(actual.data)} vs ${String(expected.data)}`);
}

// ---------------------------------------------------------------------------------------------
// Round trips

test('F32, F64 and I32 tensors of many shapes round-trip with metadata', () => {
  const tensors: Record<string, Tensor> = {
    matrix: tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    vector64: tensor([0.1, -2.5e300, 5e-324, Math.PI], { dtype: 'float64' }),
    cube: tensor(
      [
        [
          [1, -2],
          [3, -4],
        ],
        [
          [2147483647, -2147483648],
          [0, 7],
        ],
      ],
      { dtype: 'int32' },
    ),
    scalar: tensor(3.5),
    scalar64: tensor(-0.125, { dtype: 'float64' }),
    scalarInt: tensor(-9, { dtype: 'int32' }),
    empty: tensor(new Float32Array(0), [0]),
    emptyMiddle: tensor(new Float64Array(0), [3, 0, 2]),
    emptyInt: tensor(new Int32Array(0), [0, 5]),
    special: tensor(new Float32Array([NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38])),
    specialF64: tensor(new Float64Array([NaN, -Infinity, -0, Number.MIN_VALUE, Number.MAX_VALUE])),
    column: tensor(new Float32Array([1, 2, 3, 4, 5]), [5, 1, 1]),
  };
  const metadata = { format: 'pt', note: 'line\nbreak "quoted" \\ ünïcødé 🧠', empty: '' };
  const bytes = writeSafetensors(tensors, metadata);
  const file = readSafetensorsFile(bytes);
  assert.deepEqual(Object.keys(file.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) assertSameTensor(file.tensors[name], t, name);
  assert.deepEqual(file.metadata, metadata);
  assert.deepEqual(Object.keys(readSafetensors(bytes)).sort(), Object.keys(tensors).sort());
});

test('names with unicode, spaces, dots and JavaScript-special words round-trip', () => {
  const names = [
    '',
    'layer.0.weight',
    'poids_é',
    '重み',
    'emoji 🧠🔥',
    'tab\tand\nnewline',
    '"quoted"\\',
    '\u{10FFFF}',
    'constructor',
    'toString',
    'hasOwnProperty',
    '__proto__',
    '0',
    '10',
    '2',
  ];
  const tensors: Record<string, Tensor> = {};
  names.forEach((name, i) => {
    Object.defineProperty(tensors, name, { value: tensor([i, i + 0.5]), enumerable: true });
  });
  const read = readSafetensors(writeSafetensors(tensors, { __proto__: 'meta', clé: 'valeur' }));
  assert.deepEqual(Object.keys(read).sort(), [...names].sort());
  names.forEach((name, i) => {
    assert.ok(Object.hasOwn(read, name), name);
    assertSameTensor(read[name], tensor([i, i + 0.5]), name);
  });
  assert.equal(Object.getPrototypeOf(read), Object.prototype);
  const file = readSafetensorsFile(writeSafetensors({ a: tensor([1]) }, JSON.parse('{"__proto__":"x","clé":"v"}') as Record<string, string>));
  assert.ok(Object.hasOwn(file.metadata, '__proto__'));
  assert.equal(file.metadata['__proto__'], 'x');
  assert.equal(file.metadata['clé'], 'v');
});

test("the writer's header is 8-byte aligned, space-padded, and describes the data exactly", () => {
  for (let extra = 0; extra < 12; extra++) {
    const name = 'n'.repeat(extra) + 'é';
    const bytes = writeSafetensors({ [name]: tensor([1, 2, 3]), b: tensor([7], { dtype: 'int32' }) }, { k: 'v'.repeat(extra) });
    const { json, length } = headerOf(bytes);
    assert.equal(length % 8, 0, `header length ${length}`);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
    assert.equal(text, text.trimEnd() + ' '.repeat(text.length - text.trimEnd().length));
    assert.equal(text.trimEnd().at(-1), '}');
    assert.deepEqual(json[name], { dtype: 'F32', shape: [3], data_offsets: [0, 12] });
    assert.deepEqual(json['b'], { dtype: 'I32', shape: [1], data_offsets: [12, 16] });
    assert.deepEqual(json['__metadata__'], { k: 'v'.repeat(extra) });
    assert.equal(bytes.length, 8 + length + 16);
    assert.deepEqual(bytes.subarray(8 + length, 8 + length + 12), f32(1, 2, 3));
    assert.deepEqual(Array.from(bytes.subarray(8 + length + 12)), [7, 0, 0, 0]);
  }
});

test('an empty dictionary writes and reads back as an empty file', () => {
  const bytes = writeSafetensors({});
  assert.equal(bytes.length % 8, 0);
  assert.deepEqual(readSafetensorsFile(bytes), { tensors: {}, metadata: {} });
});

test('the reader accepts a Buffer and a Uint8Array view at an odd offset', () => {
  const bytes = writeSafetensors({ w: tensor([[1.5, -2]]), n: tensor([3, 4], { dtype: 'float64' }) });
  const big = new Uint8Array(bytes.length + 11);
  big.set(bytes, 3);
  const view = big.subarray(3, 3 + bytes.length);
  for (const input of [view, Buffer.from(bytes)]) {
    const read = readSafetensors(input);
    assertSameTensor(read['w'], tensor([[1.5, -2]]), 'w');
    assertSameTensor(read['n'], tensor([3, 4], { dtype: 'float64' }), 'n');
  }
});

test('the writer refuses bad arguments with a ValueError', () => {
  assert.throws(() => writeSafetensors({ __metadata__: tensor([1]) }), ValueError);
  assert.throws(() => writeSafetensors({ a: [1, 2] as unknown as Tensor }), /"a" must be a Tensor/);
  assert.throws(
    () => writeSafetensors({ a: tensor([1]) }, { k: 1 as unknown as string }),
    (e: unknown) => e instanceof ValueError && /metadata/.test(e.message) && /"k"/.test(e.message),
  );
  assert.throws(() => writeSafetensors({ a: tensor([1]) }, [] as unknown as Record<string, string>), ValueError);
  assert.throws(() => writeSafetensors(null as unknown as Record<string, Tensor>), ValueError);
});

// ---------------------------------------------------------------------------------------------
// A file as PyTorch's safetensors writes it

/**
 * Hand-crafted like `safetensors.torch.save_file`: the data sorted by alignment (the I64 tensor
 * first), the header keys in another order, the header padded with spaces to 8 bytes.
 */
function pytorchFile(steps: bigint[] = [0n, -5n, 2147483647n, -2147483648n]): Uint8Array {
  const n = 8 * steps.length;
  const header = {
    __metadata__: { format: 'pt' },
    'encoder.bias': { dtype: 'F32', shape: [2], data_offsets: [n + 24, n + 32] },
    'encoder.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [n, n + 24] },
    steps: { dtype: 'I64', shape: [steps.length], data_offsets: [0, n] },
  };
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (encoder.encode(text).length % 8)) % 8);
  return fileOf(encoder.encode(text), concat(i64(...steps), f32(1, 2, 3, 4, 5, 6), f32(0.5, -0.25)));
}

test('reads a file laid out as PyTorch writes it, I64 read into int32, header order unlike data order', () => {
  const file = readSafetensorsFile(pytorchFile());
  assert.deepEqual(file.metadata, { format: 'pt' });
  assertSameTensor(file.tensors['steps'], tensor([0, -5, 2147483647, -2147483648], { dtype: 'int32' }), 'steps');
  assertSameTensor(
    file.tensors['encoder.weight'],
    tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    'encoder.weight',
  );
  assertSameTensor(file.tensors['encoder.bias'], tensor([0.5, -0.25]), 'encoder.bias');
  // Writing it back stores the I64 tensor as I32.
  const written = writeSafetensors(file.tensors);
  assert.deepEqual((headerOf(written).json['steps'] as { dtype: string }).dtype, 'I32');
  const again = readSafetensors(written);
  assertSameTensor(again['steps'], file.tensors['steps']!, 'steps');
});

test('an I64 value outside the int32 range is a FormatError naming the tensor and the value', () => {
  throwsFormat(() => readSafetensors(pytorchFile([1n, 2147483648n])), /"steps"/, /2147483648/, /int32/);
  throwsFormat(() => readSafetensors(pytorchFile([-2147483649n])), /"steps"/, /-2147483649/);
  throwsFormat(() => readSafetensors(pytorchFile([9223372036854775807n])), /"steps"/);
  throwsFormat(() => readSafetensors(pytorchFile([-9223372036854775808n])), /"steps"/);
});

test('0-d and empty tensors in a hand-crafted file, including zero-size entries at shared offsets', () => {
  const header = {
    a: { dtype: 'F32', shape: [], data_offsets: [0, 4] },
    e1: { dtype: 'F64', shape: [0], data_offsets: [4, 4] },
    e2: { dtype: 'I64', shape: [2, 0], data_offsets: [4, 4] },
    b: { dtype: 'I32', shape: [1, 1], data_offsets: [4, 8] },
    e3: { dtype: 'I32', shape: [0], data_offsets: [8, 8] },
  };
  const read = readSafetensors(craft(header, concat(f32(2.5), new Uint8Array([0xff, 0xff, 0xff, 0xff]))));
  assertSameTensor(read['a'], tensor(2.5), 'a');
  assertSameTensor(read['b'], tensor([[-1]], { dtype: 'int32' }), 'b');
  assertSameTensor(read['e1'], tensor(new Float64Array(0), [0]), 'e1');
  assertSameTensor(read['e2'], tensor(new Int32Array(0), [2, 0]), 'e2');
  assertSameTensor(read['e3'], tensor(new Int32Array(0), [0]), 'e3');
  // A header with only metadata, and a header with leading whitespace, are valid too.
  assert.deepEqual(readSafetensorsFile(craft({ __metadata__: { a: 'b' } })), { tensors: {}, metadata: { a: 'b' } });
  assert.deepEqual(readSafetensorsFile(craft(' \n{}')), { tensors: {}, metadata: {} });
});

// ---------------------------------------------------------------------------------------------
// Untrusted input: every malformed file is a FormatError with a clear message

const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

test('a non-Uint8Array argument is a ValueError', () => {
  const bad: unknown[] = [undefined, null, 'abc', 42, [1, 2, 3], new ArrayBuffer(16), new Float32Array(4), new DataView(new ArrayBuffer(8))];
  for (const value of bad) {
    assert.throws(
      () => readSafetensors(value as Uint8Array),
      (e: unknown) => e instanceof ValueError && /Uint8Array/.test(e.message),
      String(value),
    );
  }
});

test('truncated length prefix and bad header lengths', () => {
  throwsFormat(() => readSafetensors(new Uint8Array(0)), /0 bytes/, /8-byte/);
  throwsFormat(() => readSafetensors(new Uint8Array(7)), /7 bytes/);
  throwsFormat(() => readSafetensors(concat(u64(100n), encoder.encode('{}'))), /header length 100/, /2 bytes/);
  throwsFormat(() => readSafetensors(concat(u64(1n << 63n), encoder.encode('{}'))), /9223372036854775808/);
  throwsFormat(() => readSafetensors(concat(u64((1n << 64n) - 1n), encoder.encode('{}'))), /18446744073709551615/);
  throwsFormat(() => readSafetensors(concat(u64(1n), encoder.encode('{}'))), /not valid JSON/);
  throwsFormat(() => readSafetensors(u64(0n)), /not valid JSON/);
});

test('the header length limit is enforced before anything is decoded', () => {
  const big = new Uint8Array(8 + 100_000_001);
  new DataView(big.buffer).setBigUint64(0, 100_000_001n, true);
  throwsFormat(() => readSafetensors(big), /100000001/, /limit/);
});

test('a header that is not UTF-8, not JSON, or not a JSON object', () => {
  throwsFormat(() => readSafetensors(fileOf(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))), /UTF-8/);
  throwsFormat(() => readSafetensors(fileOf(new Uint8Array([0x7b, 0x22, 0xc3, 0x22, 0x3a, 0x31, 0x7d]))), /UTF-8/);
  throwsFormat(() => readSafetensors(craft('{"a": ')), /not valid JSON/);
  throwsFormat(() => readSafetensors(craft("{'a': 1}")), /not valid JSON/);
  throwsFormat(() => readSafetensors(craft('{} {}')), /not valid JSON/);
  throwsFormat(() => readSafetensors(craft([])), /JSON object/, /array/);
  throwsFormat(() => readSafetensors(craft([{ a: ok }], 8)), /JSON object/);
  throwsFormat(() => readSafetensors(craft('"hello"')), /JSON object/, /string/);
  throwsFormat(() => readSafetensors(craft('null')), /JSON object/, /null/);
  throwsFormat(() => readSafetensors(craft('12')), /JSON object/, /number/);
});

test('an entry that is not an object', () => {
  for (const entry of [5, 'F32', null, true, [1, 2], [ok]]) {
    throwsFormat(() => readSafetensors(craft({ w: entry }, 8)), /tensor "w"/, /object/);
  }
});

test('unknown or missing dtypes', () => {
  for (const dtype of ['BF16', 'F16', 'U8', 'f32', '', 'toString', 'constructor', '__proto__', 42, null, ['F32'], undefined]) {
    throwsFormat(() => readSafetensors(craft({ w: { ...ok, dtype } }, 8)), /tensor "w"/, /dtype/, /supported: F32, F64, I32, I64/);
  }
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, dtype: 'BF16' } }, 8)), /"BF16"/);
});

test('shapes that are not arrays of non-negative integers, or too large', () => {
  const bad: unknown[] = ['2', 2, null, { 0: 2 }, [-1], [2, -3], [1.5], ['2'], [null], [[2]], [true], [2 ** 53], [1e300]];
  for (const shape of bad) {
    throwsFormat(() => readSafetensors(craft({ w: { ...ok, shape } }, 8)), /tensor "w"/, /shape/);
  }
  // A shape nested too deeply to print is still a short, clear message.
  const nested = '['.repeat(100_000) + ']'.repeat(100_000);
  throwsFormat(
    () => readSafetensors(craft(`{"w":{"dtype":"F32","shape":${nested},"data_offsets":[0,8]}}`, 8)),
    /header is not valid JSON: nested deeper than 16 levels/,
  );
  throwsFormat(() => readSafetensors(craft({ w: { ...ok }, v: { dtype: 'F32', data_offsets: [8, 8] } }, 8)), /tensor "v"/, /shape undefined/);
  // Dimensions that are fine on their own but whose product overflows.
  for (const shape of [[2 ** 31, 2 ** 31], [2 ** 30, 4, 2], Array<number>(64).fill(2 ** 20)]) {
    throwsFormat(() => readSafetensors(craft({ w: { dtype: 'F64', shape, data_offsets: [0, 0] } })), /tensor "w"/, /too many elements/);
  }
  for (const shape of [
    [2 ** 40, 2 ** 40],
    [2 ** 52, 4],
    [0, 2 ** 33],
  ]) {
    throwsFormat(() => readSafetensors(craft({ w: { dtype: 'F64', shape, data_offsets: [0, 0] } })), /tensor "w"/, /a dimension over 4294967296/);
  }
  // A shape of 200 000 dimensions gives a short message.
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, shape: Array<number>(200_000).fill(-1) } }, 8)), /tensor "w"/);
});

test('data_offsets missing, malformed, reversed or beyond the data', () => {
  const bad: unknown[] = [undefined, null, 8, '0,8', [], [0], [0, 8, 16], [-4, 4], [0, -8], [0.5, 8.5], ['0', '8'], [0, 2 ** 64], [[0], [8]]];
  for (const data_offsets of bad) {
    throwsFormat(() => readSafetensors(craft({ w: { ...ok, data_offsets } }, 8)), /tensor "w"/, /data_offsets/);
  }
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, data_offsets: [8, 0] } }, 8)), /tensor "w"/, /\[8, 0\]/, /begin/);
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, data_offsets: [0, 8] } }, 4)), /tensor "w"/, /4-byte data/);
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, data_offsets: [8, 16] } }, 8)), /tensor "w"/, /8-byte data/);
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, shape: [0], data_offsets: [9, 9] } }, 8)), /tensor "w"/, /8-byte data/);
});

test('a byte size that does not match shape times item size', () => {
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, shape: [3] } }, 8)), /tensor "w"/, /12 bytes/, /span 8/);
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, dtype: 'F64' } }, 8)), /tensor "w"/, /16 bytes/);
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, dtype: 'I64', shape: [1], data_offsets: [0, 4] } }, 4)), /8 bytes/);
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, shape: [], data_offsets: [0, 8] } }, 8)), /4 bytes/);
  throwsFormat(() => readSafetensors(craft({ w: { ...ok, shape: [0] } }, 8)), /0 bytes/);
});

test('overlapping tensors, gaps, and trailing bytes', () => {
  const f = (begin: number, end: number): unknown => ({ dtype: 'F32', shape: [(end - begin) / 4], data_offsets: [begin, end] });
  throwsFormat(() => readSafetensors(craft({ a: f(0, 8), b: f(4, 12) }, 12)), /"a"/, /"b"/, /overlap/);
  throwsFormat(() => readSafetensors(craft({ b: f(4, 12), a: f(0, 8) }, 12)), /"a"/, /"b"/, /overlap/);
  throwsFormat(() => readSafetensors(craft({ a: f(0, 8), b: f(0, 8) }, 8)), /overlap/);
  throwsFormat(() => readSafetensors(craft({ a: f(0, 8), b: f(4, 4) }, 8)), /overlap/);
  throwsFormat(() => readSafetensors(craft({ a: f(0, 16), b: f(4, 8) }, 16)), /overlap/);
  throwsFormat(() => readSafetensors(craft({ a: f(0, 4), b: f(8, 12) }, 12)), /gap/, /4/, /"b"/);
  throwsFormat(() => readSafetensors(craft({ a: f(4, 8) }, 8)), /gap/, /"a"/);
  throwsFormat(() => readSafetensors(craft({ a: f(0, 4) }, 8)), /8 bytes/, /4/);
  throwsFormat(() => readSafetensors(craft({}, 8)), /8 bytes/);
  throwsFormat(() => readSafetensors(craft({ __metadata__: {} }, 1)), /1 bytes/);
});

test('a key repeated in the header is refused, however it is spelled', () => {
  const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
  throwsFormat(() => readSafetensors(craft(`{"a":${entry},"a":${entry}}`, 4)), /"a"/, /more than once/);
  throwsFormat(() => readSafetensors(craft(`{"a":${entry},"\\u0061" : ${entry}}`, 4)), /"a"/, /more than once/);
  throwsFormat(() => readSafetensors(craft(`{"__metadata__":{},"a":${entry},"__metadata__":{"x":"y"}}`, 4)), /"__metadata__"/, /more than once/);
  // The same name nested inside values is not a repeat.
  const nested = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"a":1,"x":{"a":[{"a":"a"}]}},"__metadata__":{"a":"a:\\"a\\""}}';
  assert.deepEqual(Object.keys(readSafetensors(craft(nested, 4))), ['a']);
});

test('__metadata__ that is not an object of strings', () => {
  for (const metadata of [null, 'pt', 1, ['a'], { format: 1 }, { format: null }, { a: 'b', nested: { c: 'd' } }, { list: ['x'] }, { t: true }]) {
    throwsFormat(() => readSafetensors(craft({ __metadata__: metadata, w: ok }, 8)), /__metadata__/);
  }
  throwsFormat(() => readSafetensors(craft({ __metadata__: { format: 1 } })), /"format"/, /string/);
});

// ---------------------------------------------------------------------------------------------
// Fuzzing: any bytes either parse into consistent tensors or throw a FormatError

/** Reads `bytes`; a success must describe itself consistently, and a failure must be a FormatError. */
function readOrFormatError(bytes: Uint8Array): boolean {
  let file: SafetensorsFile;
  try {
    file = readSafetensorsFile(bytes);
  } catch (e) {
    if (e instanceof FormatError) return false;
    throw e;
  }
  for (const [name, t] of Object.entries(file.tensors)) {
    assert.ok(t instanceof Tensor, name);
    assert.equal(
      t.data.length,
      t.shape.reduce((n, d) => n * d, 1),
      name,
    );
  }
  for (const v of Object.values(file.metadata)) assert.equal(typeof v, 'string');
  const again = readSafetensorsFile(writeSafetensors(file.tensors, file.metadata));
  assert.deepEqual(again.metadata, file.metadata);
  assert.deepEqual(Object.keys(again.tensors).sort(), Object.keys(file.tensors).sort());
  for (const [name, t] of Object.entries(file.tensors)) assertSameTensor(again.tensors[name], t, name);
  return true;
}

const seeds = [
  writeSafetensors(
    {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      d: tensor([0.5, -1], { dtype: 'float64' }),
      i: tensor([7, -8, 9], { dtype: 'int32' }),
      s: tensor(1.25),
      e: tensor(new Float32Array(0), [2, 0]),
    },
    { format: 'pt', v: '1' },
  ),
  pytorchFile(),
];

test('fuzz: random byte mutations, insertions and truncations of valid files', () => {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat({ max: 7 }), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.constantFrom(0x20, 0x2c, 0x22, 0x5b, 0x7b, 0x30, 0x2d) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), byte: fc.constant(0) }),
    // A change to one of the last 16 bytes (float data) leaves a valid file.
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tail' as const), at: fc.nat({ max: 15 }), byte: fc.integer({ min: 0, max: 255 }) }) },
  );
  let parsed = 0;
  fc.assert(
    fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.option(fc.nat()), (which, edits, cut) => {
      let bytes = Array.from(seeds[which]!);
      for (const { kind, at, byte } of edits) {
        const i = at % (bytes.length + 1);
        if (kind === 'tail') bytes[bytes.length - 1 - at] = byte;
        else if (kind === 'set') bytes[Math.min(i, bytes.length - 1)] = byte;
        else if (kind === 'insert') bytes.splice(i, 0, byte);
        else bytes.splice(i, 1);
      }
      if (cut !== null) bytes = bytes.slice(0, cut % (bytes.length + 1));
      if (readOrFormatError(Uint8Array.from(bytes))) parsed++;
    }),
    { numRuns: 2000 },
  );
  assert.ok(parsed > 0);
});

test('fuzz: random JSON headers, arbitrary and nearly valid', () => {
  const dim = fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constantFrom(0.5, -0, 2 ** 53, 1e300, 2 ** 31));
  const offset = fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom(2 ** 53, 1.5, -0));
  const entry = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          dtype: fc.oneof(fc.constantFrom('F32', 'F64', 'I32', 'I64', 'BF16', 'toString'), fc.jsonValue({ maxDepth: 1 })),
          shape: fc.oneof({ weight: 4, arbitrary: fc.array(dim, { maxLength: 3 }) }, fc.jsonValue({ maxDepth: 2 })),
          data_offsets: fc.oneof({ weight: 4, arbitrary: fc.tuple(offset, offset) }, fc.array(offset, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const metadata = fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 }));
  const header = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor'), entry, { maxKeys: 3 }), fc.option(metadata))
        .map(([entries, meta]) => (meta === null ? entries : { ...entries, __metadata__: meta })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
  const headerBytes = fc.oneof(
    { weight: 8, arbitrary: header.map((h) => encoder.encode(JSON.stringify(h) ?? '')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 30 }) },
  );
  fc.assert(
    fc.property(headerBytes, fc.uint8Array({ maxLength: 48 }), fc.integer({ min: -3, max: 3 }), (head, data, skew) => {
      readOrFormatError(concat(u64(BigInt(Math.max(0, head.length + skew))), head, data));
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: generated files read back the values written; a perturbed field parses or is a FormatError', () => {
  const spec = fc.uniqueArray(
    fc.record({
      name: fc.constantFrom('a', 'b', 'layer.0', 'é', '__proto__', 'toString', '7'),
      dtype: fc.constantFrom('F32', 'F64', 'I32', 'I64'),
      shape: fc.array(fc.nat({ max: 3 }), { maxLength: 3 }),
    }),
    { selector: (t) => t.name, maxLength: 4 },
  );
  const perturbation = fc.option(
    fc.record({
      index: fc.nat(),
      field: fc.constantFrom('dtype', 'shape', 'data_offsets'),
      value: fc.jsonValue({ maxDepth: 1 }),
    }),
    { freq: 2 },
  );
  let parsed = 0;
  fc.assert(
    fc.property(spec, fc.boolean(), fc.integer(), perturbation, (tensors, reversed, seed, change) => {
      const header: [string, { dtype: string; shape: number[]; data_offsets: unknown }][] = [];
      const expected = new Map<string, number[]>();
      const chunks: Uint8Array[] = [];
      let offset = 0;
      let state = seed;
      const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) | 0) >> 16;
      for (const { name, dtype, shape } of tensors) {
        const n = shape.reduce((p, d) => p * d, 1);
        const values = Array.from({ length: n }, next);
        const bytes = new Uint8Array(n * (dtype === 'F32' || dtype === 'I32' ? 4 : 8));
        const view = new DataView(bytes.buffer);
        values.forEach((v, i) => {
          if (dtype === 'F32') view.setFloat32(4 * i, v / 8, true);
          else if (dtype === 'F64') view.setFloat64(8 * i, v / 3, true);
          else if (dtype === 'I32') view.setInt32(4 * i, v * 65536 + 7, true);
          else view.setBigInt64(8 * i, BigInt(v), true);
        });
        expected.set(
          name,
          values.map((v) => (dtype === 'F32' ? v / 8 : dtype === 'F64' ? v / 3 : dtype === 'I32' ? (v * 65536 + 7) | 0 : v)),
        );
        header.push([name, { dtype, shape, data_offsets: [offset, offset + bytes.length] }]);
        chunks.push(bytes);
        offset += bytes.length;
      }
      if (reversed) header.reverse();
      if (change !== null && header.length > 0) {
        const entry: Record<string, unknown> = header[change.index % header.length]![1];
        entry[change.field] = change.value;
      }
      const file = craft(JSON.stringify(Object.fromEntries(header)), concat(...chunks));
      if (change === null) {
        const read = readSafetensors(file);
        assert.deepEqual(Object.keys(read).sort(), tensors.map((t) => t.name).sort());
        for (const { name, shape } of tensors) {
          assert.deepEqual(read[name]!.shape, shape);
          assert.deepEqual(Array.from(read[name]!.data), expected.get(name));
        }
      }
      if (readOrFormatError(file)) parsed++;
    }),
    { numRuns: 1500 },
  );
  assert.ok(parsed > 300);
});

test('fuzz: random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.option(fc.nat({ max: 80 })), (tail, length) => {
      const bytes = length === null ? tail : concat(u64(BigInt(length)), tail);
      readOrFormatError(bytes);
    }),
    { numRuns: 1000 },
  );
});
