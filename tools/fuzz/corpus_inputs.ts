// Inputs for the CLI's text corpus reader (decodeText: NUL bytes and UTF-8 validation): valid
// text in several scripts, then byte flips, truncation inside a multi-byte character, overlong
// encodings, surrogates encoded in UTF-8, bytes past U+10FFFF, NUL, and a byte-order mark.
import { decodeText } from '../../packages/cli/src/corpus.js';
import { type Fuzzer, type Rng, UnusableResult } from './harness.js';

const SEEDS = ['Call me Ishmael. Some years ago—never mind how long precisely.', 'naïve café, Ελληνικά, русский, 日本語, 😀🐋', '', 'a\r\nb\tc'].map((t) => [
  ...Buffer.from(t),
]);
const PIECES = [
  [0xc0, 0x80],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xff],
  [0x80],
  [0xc3],
  [0],
  [0xef, 0xbb, 0xbf],
  [0xf0, 0x9f, 0x98],
];

export function corpusInput(rng: Rng): Uint8Array {
  const bytes = [...rng.pick(SEEDS)];
  for (let m = 1 + rng.int(3); m > 0; m--) {
    const kind = rng.int(4);
    if (kind === 0 && bytes.length > 0) bytes[rng.int(bytes.length)] = rng.int(256);
    else if (kind === 1) bytes.length = rng.int(bytes.length + 1);
    else if (kind === 2) bytes.splice(rng.int(bytes.length + 1), 0, ...rng.pick(PIECES));
    else bytes.splice(rng.int(bytes.length + 1), 0, ...Buffer.from(rng.pick(['x', 'é', '€', '😀', '\u2028'])));
  }
  return new Uint8Array(bytes);
}

/** An accepted file must decode to text that encodes back to the same bytes (no replacement characters). */
export function checkCorpus(bytes: Uint8Array): void {
  const text = decodeText('--data', 'fuzz.txt', bytes);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // TextDecoder drops a leading BOM
  if (!Buffer.from(text, 'utf8').equals(Buffer.from(bytes.subarray(bom)))) throw new UnusableResult('the decoded text does not encode back to the file');
}

export const corpusFuzzer: Fuzzer<Uint8Array> = {
  name: 'corpus',
  generate: (rng) => corpusInput(rng),
  run: checkCorpus,
};
