// Inputs for a checkpoint's manifest.json reader (decodeManifest, then verifyAgainstManifest): a
// valid manifest of three files, then byte flips, truncation, JSON pieces inserted anywhere
// (repeated keys, nesting, NaN, comments, BOM, lone surrogates), hashes of the wrong length or
// case, and values of the wrong type.
import { FormatError } from '../../packages/recurrent/src/errors.js';
import { decodeManifest, encodeManifest, verifyAgainstManifest } from '../../packages/recurrent/src/train/checkpoint_manifest.js';
import { type Fuzzer, type Rng, UnusableResult } from './harness.js';

const FILES: Record<string, Uint8Array> = {
  'config.json': new TextEncoder().encode('{"format":"recurrent-checkpoint","version":1}'),
  'model.safetensors': new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]),
  'optimizer.safetensors': new Uint8Array(0),
};
const BASE = new TextDecoder().decode(encodeManifest(FILES));
const PIECES = [
  '"config.json": "00",',
  '"sha256": {},',
  '"format": "recurrent-checkpoint-manifest",',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '"',
  'NaN',
  '1e999',
  '/*x*/',
  '\ufeff',
  '\\ud800',
  '"\\u0000"',
  'null',
  '"__proto__": "x",',
  '[[[[[[[[[[[[[[[[[[[[',
  'A'.repeat(64),
  'f'.repeat(63),
  'f'.repeat(65),
];

export function manifestInput(rng: Rng): Uint8Array {
  let text = BASE;
  for (let m = 1 + rng.int(3); m > 0; m--) {
    const at = rng.int(text.length + 1);
    const kind = rng.int(4);
    if (kind === 0) text = text.slice(0, at) + rng.pick(PIECES) + text.slice(at);
    else if (kind === 1) text = text.slice(0, at);
    else if (kind === 2 && text.length > 0) text = text.slice(0, at) + String.fromCharCode(rng.int(128)) + text.slice(at + 1);
    else text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + rng.int(20)));
  }
  const bytes = new TextEncoder().encode(text);
  if (rng.chance(0.1) && bytes.length > 0) bytes[rng.int(bytes.length)] = rng.int(256); // raw bytes, not always UTF-8
  return bytes;
}

/** An accepted manifest maps names to 64 hex digits and verifies (or refuses, typed) every file. */
export function checkManifest(bytes: Uint8Array): void {
  const manifest = decodeManifest('manifest.json', bytes);
  for (const [name, hash] of Object.entries(manifest)) {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new UnusableResult(`the hash of '${name}' is not 64 hex digits`);
  }
  for (const [name, data] of Object.entries(FILES)) {
    try {
      verifyAgainstManifest(manifest, name, name, data);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e; // a hash that does not match is the check's typed refusal
    }
  }
}

export const manifestFuzzer: Fuzzer<Uint8Array> = {
  name: 'manifest.json',
  generate: (rng) => manifestInput(rng),
  run: checkManifest,
};
