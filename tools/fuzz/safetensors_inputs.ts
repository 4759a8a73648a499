// Inputs for the safetensors parser: valid files, then structured mutations of them — byte flips,
// truncation, header-length lies, shapes (huge, negative, non-integer, zero), offsets (out of
// range, overlapping), dtype names, repeated keys, deep nesting, unicode names, NaN and Infinity.
import { Tensor, readSafetensorsFile, tensor, writeSafetensors, zeros } from 'recurrent';
import { type Fuzzer, type Rng, UnusableResult } from './harness.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function seeds(): Uint8Array[] {
  return [
    writeSafetensors({
      w: tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      b: tensor([0.5, -1]),
    }),
    writeSafetensors({ ids: tensor([1, -2, 3], { dtype: 'int32' }), x: tensor([1.5, 2.5], { dtype: 'float64' }) }, { format: 'pt', note: 'é😀' }),
    writeSafetensors({ empty: zeros([0, 3]), s: tensor(7) }),
    writeSafetensors({}),
    writeSafetensors({ 'rnn.weight_ih_l0': zeros([8, 2]), 'rnn.weight_hh_l0': zeros([8, 2]), 'rnn.bias_ih_l0': zeros([8]) }),
  ];
}
const SEEDS = seeds();

const NUMBERS: unknown[] = [
  0,
  1,
  2,
  -1,
  -0,
  1.5,
  2 ** 26,
  2 ** 31,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 64,
  1e300,
  '3',
  null,
  true,
  [],
  {},
  [1],
  'NaN',
];
const DTYPES: unknown[] = ['F32', 'F64', 'I32', 'I64', 'F16', 'BF16', 'U8', 'BOOL', 'f32', 'F32 ', '', null, 4, ['F32']];
const NAMES = ['__proto__', 'constructor', '__metadata__', '', 'é', '😀', '\ud800', 'a\u0000b', 'x'.repeat(300), 'toString'];
const TEXT_EDITS: ((text: string, rng: Rng) => string)[] = [
  (t, r) => insertAt(t, r, r.pick(['NaN', 'Infinity', '-Infinity', '1e999', '-', '\\u', '"', '{', '}', '[', ']', ',', ':', '\u0000', '\ufeff', '//c', ' '])),
  (t, r) => deleteSpan(t, r),
  (t, r) => t.replace(/"dtype":"[^"]*"/, `"dtype":"F32","dtype":"${r.pick(['I32', 'F64', 'F32'])}"`),
  (t, r) => t.replace(/"shape":/, r.chance(0.5) ? '"shape":[1],"shape":' : '"data_offsets":[0,0],"data_offsets":'),
  (t) => t.replace(/^\{("[^"]*":\{[^}]*\})/, '{$1,$1'),
  (t, r) => t.replace(/\{/, `{"deep":${'['.repeat(r.pick([10, 17, 1000, 100_000]))}${']'.repeat(r.pick([10, 17, 1000, 100_000]))},`),
  (t, r) => t.replace(/"__metadata__":\{/, `"__metadata__":{"k":${r.pick(['1', 'null', '"v","k":"w"', '{}', '"\\ud800"'])},`),
];

function insertAt(text: string, rng: Rng, piece: string): string {
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + piece + text.slice(at);
}
function deleteSpan(text: string, rng: Rng): string {
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + text.slice(at + 1 + rng.int(8));
}

function split(bytes: Uint8Array): { header: string; data: Uint8Array } {
  if (bytes.length < 8) return { header: '', data: new Uint8Array(0) };
  const length = Math.min(Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)), bytes.length - 8);
  return { header: decoder.decode(bytes.subarray(8, 8 + length)), data: bytes.subarray(8 + length) };
}
function join(header: string, data: Uint8Array): Uint8Array {
  const json = encoder.encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Changes one field of one entry of a parsed header. */
function mutateEntry(header: Record<string, unknown>, rng: Rng): void {
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  if (names.length === 0) {
    header[rng.pick(NAMES)] = { dtype: rng.pick(DTYPES), shape: [rng.pick(NUMBERS)], data_offsets: [0, rng.pick(NUMBERS)] };
    return;
  }
  const entry = header[rng.pick(names)] as Record<string, unknown>;
  switch (rng.int(7)) {
    case 0:
      entry.dtype = rng.pick(DTYPES);
      break;
    case 1: {
      const shape = Array.isArray(entry.shape) ? [...(entry.shape as unknown[])] : [];
      if (shape.length === 0 || rng.chance(0.3)) shape.push(rng.pick(NUMBERS));
      else shape[rng.int(shape.length)] = rng.pick(NUMBERS);
      entry.shape = shape;
      break;
    }
    case 2:
      entry.shape = rng.pick([[2 ** 26, 2 ** 26, 0], [0, 2 ** 53 - 1], [0, 2 ** 32], [0, 2 ** 33], Array(64).fill(2), [], [0], 'x', null]);
      if (rng.chance(0.5)) entry.data_offsets = [0, 0];
      break;
    case 3: {
      const offsets = Array.isArray(entry.data_offsets) ? [...(entry.data_offsets as unknown[])] : [0, 0];
      offsets[rng.int(2)] = rng.pick(NUMBERS);
      entry.data_offsets = offsets;
      break;
    }
    case 4:
      entry.data_offsets = rng.pick([[0, 4], [4, 0], [0, 1e9], [-4, 4], [0], [0, 4, 8]]);
      break;
    case 5:
      entry[rng.pick(['extra', 'shape ', 'DTYPE'])] = rng.pick(NUMBERS);
      break;
    default:
      delete entry[rng.pick(['dtype', 'shape', 'data_offsets'])];
  }
}

/** One input: a seed file with one to three mutations. */
export function safetensorsInput(rng: Rng): Uint8Array {
  let bytes = rng.pick(SEEDS);
  const mutations = 1 + rng.int(3);
  for (let m = 0; m < mutations; m++) {
    const kind = rng.int(10);
    if (kind === 0) {
      bytes = bytes.slice();
      for (let k = 1 + rng.int(4); k > 0; k--) bytes[rng.int(bytes.length)] = rng.int(256);
    } else if (kind === 1) bytes = bytes.subarray(0, rng.int(bytes.length + 1));
    else if (kind === 2) {
      bytes = bytes.slice();
      const lie = rng.pick([0n, 1n, 7n, 2n ** 64n - 1n, 2n ** 53n, 100_000_001n, BigInt(bytes.length), BigInt(Math.max(0, bytes.length - 9 - rng.int(16)))]);
      if (bytes.length >= 8) new DataView(bytes.buffer, bytes.byteOffset, 8).setBigUint64(0, lie, true);
    } else if (kind === 3) {
      const extra = new Uint8Array(rng.int(9));
      bytes = rng.chance(0.5)
        ? join(split(bytes).header, new Uint8Array([...split(bytes).data, ...extra]))
        : join(split(bytes).header + ' '.repeat(extra.length), split(bytes).data);
    } else if (bytes.length >= 8) {
      const { header, data } = split(bytes);
      let text = header;
      if (kind <= 6) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(header);
        } catch {
          parsed = null;
        }
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          const obj = parsed as Record<string, unknown>;
          if (kind === 6 && rng.chance(0.5)) obj[rng.pick(NAMES)] = obj[Object.keys(obj)[0] ?? 'x'] ?? { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
          else mutateEntry(obj, rng);
          try {
            text = JSON.stringify(obj);
          } catch {
            text = header; // nested too deeply to re-serialise: keep the text
          }
        }
      } else text = rng.pick(TEXT_EDITS)(header, rng);
      bytes = join(text, data);
    }
  }
  return bytes;
}

/** An accepted file must hold tensors whose data matches their shapes, that ops can use. */
export function checkSafetensors(bytes: Uint8Array): void {
  const { tensors, metadata } = readSafetensorsFile(bytes);
  for (const value of Object.values(metadata)) if (typeof value !== 'string') throw new UnusableResult('a metadata value is not a string');
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new UnusableResult(`${name} is not a Tensor`);
    const n = t.shape.reduce((a, d) => a * d, 1);
    if (t.data.length !== n || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new UnusableResult(`${name}: data of ${t.data.length} for shape [${t.shape}]`);
    t.sum();
    // Reducing an empty tensor over its 0 axis allocates the product of the others: only where that is small.
    const rest = t.shape.slice(1).reduce((a, d) => a * d, 1);
    if (t.shape.length > 0 && rest <= 2 ** 20) t.sum(0);
    void t.reshape([-1]);
  }
  const back = readSafetensorsFile(writeSafetensors(tensors, metadata));
  if (Object.keys(back.tensors).length !== Object.keys(tensors).length) throw new UnusableResult('a round trip lost tensors');
}

export const safetensorsFuzzer: Fuzzer<Uint8Array> = {
  name: 'safetensors',
  generate: (rng) => safetensorsInput(rng),
  run: checkSafetensors,
};
