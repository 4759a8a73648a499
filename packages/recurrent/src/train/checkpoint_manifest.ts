/**
 * A checkpoint's manifest: `manifest.json`, the SHA-256 of every other file of the checkpoint,
 * written last. Loading checks each file against it, so a file edited, truncated or swapped after
 * the save (two vocabulary tokens exchanged in config.json) is an error naming it, not a worse model.
 * It guards against accidents, not against someone who rewrites the manifest too.
 *
 * Node.js only (node:crypto), like checkpoint.ts; reached only through `recurrent/node`.
 */
import { createHash } from 'node:crypto';
import { FormatError } from '../errors.js';
import { JsonTextError, parseJsonText } from '../io/json_text.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'recurrent-checkpoint-manifest';

/** File name → lowercase hex SHA-256 of its bytes. */
export type Manifest = Record<string, string>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of manifest.json for `files` (name → contents). */
export function encodeManifest(files: Readonly<Record<string, Uint8Array>>): Uint8Array {
  const sha256: Manifest = {};
  for (const name of Object.keys(files).sort()) sha256[name] = sha256Hex(files[name]!);
  return new TextEncoder().encode(`${JSON.stringify({ format: MANIFEST_FORMAT, sha256 }, null, 2)}\n`);
}

/** Parses manifest.json (read from `path`), validating it as untrusted input. */
export function decodeManifest(path: string, bytes: Uint8Array): Manifest {
  let json: unknown;
  try {
    // The manifest is a flat object of hashes; the scan locates a syntax error without quoting the file.
    json = parseJsonText(new TextDecoder().decode(bytes), { maxDepth: 2, rejectDuplicateKeys: true });
  } catch (e) {
    if (e instanceof JsonTextError) throw new FormatError(`checkpoint: ${path} is not valid JSON: ${e.message}`);
    throw e;
  }
  const { format, sha256 } = (typeof json === 'object' && json !== null ? json : {}) as { format?: unknown; sha256?: unknown };
  if (format !== MANIFEST_FORMAT) throw new FormatError(`checkpoint: ${path}: format must be '${MANIFEST_FORMAT}'; got ${JSON.stringify(format)}`);
  if (typeof sha256 !== 'object' || sha256 === null || Array.isArray(sha256)) throw new FormatError(`checkpoint: ${path}: sha256 must be an object`);
  const manifest: Manifest = {};
  for (const [name, hash] of Object.entries(sha256)) {
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash))
      throw new FormatError(`checkpoint: ${path}: sha256 of '${name}' must be 64 hex digits; got ${JSON.stringify(hash)}`);
    manifest[name] = hash;
  }
  return manifest;
}

/** Throws a FormatError naming `path` unless `bytes` hash to what the manifest recorded for `name`. */
export function verifyAgainstManifest(manifest: Manifest, name: string, path: string, bytes: Uint8Array): void {
  const recorded = manifest[name];
  if (recorded === undefined) throw new FormatError(`checkpoint: ${path} is not listed in ${MANIFEST_FILE}; the checkpoint was altered after the save`);
  const found = sha256Hex(bytes);
  if (found !== recorded)
    throw new FormatError(
      `checkpoint: ${path} does not match ${MANIFEST_FILE} (SHA-256 ${recorded} recorded, ${found} found); the file changed after the save`,
    );
}
