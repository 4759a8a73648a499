/**
 * Checkpoints: a directory holding `model.safetensors` (the state dict, PyTorch names),
 * `config.json` (model options, vocabulary, step, RNG state, optimizer hyper-parameters and
 * scalars, and `files`: which of the tensor files the save wrote), `optimizer.safetensors` (the
 * optimizer's tensors), optionally `extra.safetensors` (other tensors a resumed run needs), and
 * `manifest.json` (the SHA-256 of each of those files; see checkpoint_manifest.ts).
 *
 * Writing is atomic: everything goes to `DIR.tmp`, each file fsynced, the manifest last; then DIR
 * becomes `DIR.old`, `DIR.tmp` becomes DIR, and `DIR.old` is removed. A run killed at any instant
 * leaves either DIR or `DIR.old` complete, and `loadCheckpoint` reads whichever is (DIR first).
 *
 * Loading treats the directory as untrusted: every file is checked against the manifest, a file
 * the save wrote but that is gone is an error naming it, and a file that is a link resolving
 * outside the directory is refused. A checkpoint without manifest.json (written before manifests
 * existed) still loads, with `verified: false`, so its caller can warn.
 *
 * Node.js only (it uses node:fs); the library's browser-facing parts never import it.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, sep } from 'node:path';
import { FormatError, ValueError } from '../errors.js';
import { JsonTextError, parseJsonText } from '../io/json_text.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import { decodeManifest, encodeManifest, MANIFEST_FILE, type Manifest, verifyAgainstManifest } from './checkpoint_manifest.js';

export const CHECKPOINT_FORMAT = 'recurrent-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  /** Everything needed to rebuild and resume (JSON-serialisable). */
  config: Record<string, unknown>;
  /** The model's state dict. */
  model: Record<string, Tensor>;
  /** The optimizer's state (`optimizer.stateDict()`), when training is to resume. */
  optimizer?: OptimizerStateDict | null;
  /** Other tensors a resumed run needs (e.g. the recurrent state carried between windows). */
  extra?: Record<string, Tensor> | null;
}

/** The tensor files a save may write besides model.safetensors, and the field each holds. */
const STATE_FILES = { optimizer: 'optimizer.safetensors', extra: 'extra.safetensors' } as const;
type StateFile = (typeof STATE_FILES)[keyof typeof STATE_FILES];

/** A checkpoint as read back, with what the load found out about it. */
export interface LoadedCheckpoint extends Checkpoint {
  optimizer: OptimizerStateDict | null;
  extra: Record<string, Tensor> | null;
  /** The directory read: `dir`, or `dir.old` when the last save was interrupted. */
  dir: string;
  /** True when manifest.json was present and every file matched it; false for a checkpoint written before manifests. */
  verified: boolean;
  /** State files the save wrote that are absent (non-empty only with `allowMissingState`). */
  missing: StateFile[];
}

export interface LoadCheckpointOptions {
  /**
   * Load even if optimizer.safetensors or extra.safetensors, written by the save, is gone (their
   * field is then null and `missing` names them); default false: a FormatError naming the file.
   * For readers that need only the model (evaluation, sampling).
   */
  allowMissingState?: boolean;
}

function writeDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the renames are still atomic there.
  }
}

/** Splits optimizer state into tensors (for safetensors) and JSON scalars. */
function splitOptimizer(opt: OptimizerStateDict): { tensors: Record<string, Tensor>; json: Record<string, unknown> } {
  const tensors: Record<string, Tensor> = {};
  const scalars: Record<string, Record<string, number>> = {};
  for (const [index, entries] of Object.entries(opt.state)) {
    for (const [name, value] of Object.entries(entries)) {
      if (typeof value === 'number') (scalars[index] ??= {})[name] = value;
      else tensors[`state.${index}.${name}`] = value;
    }
  }
  return { tensors, json: { paramGroups: opt.paramGroups, scalars } };
}

/** Rebuilds an optimizer's state from optimizer.safetensors' tensors and config.json's `optimizer` entry, both untrusted. */
export function joinOptimizer(tensors: Record<string, Tensor>, json: unknown): OptimizerStateDict {
  if (typeof json !== 'object' || json === null) throw new FormatError('checkpoint: config.optimizer must be an object');
  const { paramGroups, scalars } = json as { paramGroups?: unknown; scalars?: unknown };
  if (!Array.isArray(paramGroups)) throw new FormatError('checkpoint: config.optimizer.paramGroups must be an array');
  const state: OptimizerStateDict['state'] = {};
  for (const [key, t] of Object.entries(tensors)) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (!m) throw new FormatError(`checkpoint: unexpected tensor '${key}' in optimizer.safetensors`);
    (state[Number(m[1])] ??= {})[m[2]!] = t;
  }
  if (scalars !== undefined) {
    if (typeof scalars !== 'object' || scalars === null) throw new FormatError('checkpoint: config.optimizer.scalars must be an object');
    for (const [index, entries] of Object.entries(scalars as Record<string, unknown>)) {
      if (!/^\d+$/.test(index) || typeof entries !== 'object' || entries === null) throw new FormatError(`checkpoint: bad optimizer scalars for '${index}'`);
      for (const [name, v] of Object.entries(entries as Record<string, unknown>)) {
        if (typeof v !== 'number') throw new FormatError(`checkpoint: optimizer scalar ${index}.${name} must be a number`);
        (state[Number(index)] ??= {})[name] = v;
      }
    }
  }
  return { state, paramGroups: paramGroups as Record<string, unknown>[] };
}

/** Writes a checkpoint into `dir` atomically (see the module comment). */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  if (dir === '') throw new ValueError('saveCheckpoint: dir must be a path');
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const config: Record<string, unknown> = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...checkpoint.config };
  const written: Record<string, Uint8Array> = {};
  const write = (name: string, bytes: Uint8Array): void => {
    writeDurably(join(tmp, name), bytes);
    written[name] = bytes;
  };
  write('model.safetensors', writeSafetensors(checkpoint.model));
  if (checkpoint.optimizer) {
    const { tensors, json } = splitOptimizer(checkpoint.optimizer);
    write(STATE_FILES.optimizer, writeSafetensors(tensors));
    config.optimizer = json;
  }
  if (checkpoint.extra) write(STATE_FILES.extra, writeSafetensors(checkpoint.extra));
  // Recorded so that a load can tell a file the save did not write from one lost since.
  config.files = Object.keys(written);
  write('config.json', new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));
  // Last: a directory holding the manifest is complete.
  writeDurably(join(tmp, MANIFEST_FILE), encodeManifest(written));
  syncDirectory(tmp);
  if (existsSync(dir)) {
    // DIR is complete here, so a stale DIR.old from an earlier interrupted save can go.
    rmSync(old, { recursive: true, force: true });
    renameSync(dir, old);
  }
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
  syncDirectory(join(dir, '..'));
}

/** The directory holding the last complete checkpoint written to `dir`, or null. */
export function resolveCheckpoint(dir: string): string | null {
  for (const candidate of [dir, `${dir}.old`]) {
    if (existsSync(join(candidate, 'config.json')) && existsSync(join(candidate, 'model.safetensors'))) return candidate;
  }
  return null;
}

/** Reads one safetensors file of a checkpoint; a malformed one is a FormatError naming the file. */
function parseTensorsFile(path: string, bytes: Uint8Array): Record<string, Tensor> {
  try {
    return readSafetensors(bytes);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`checkpoint: ${path}: ${e.message}`);
    throw e;
  }
}

/** config.json files larger than this are refused before they are read (they hold options, a vocabulary, a loss history). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
/** Deepest nesting of objects and arrays accepted in a config.json. */
export const MAX_CONFIG_DEPTH = 64;

/**
 * Parses the text of a checkpoint's config.json (`path` names it in messages): valid JSON, nested at
 * most MAX_CONFIG_DEPTH deep, an object of this format and version. A syntax error is located by
 * line and column; the text itself is never quoted.
 */
export function parseCheckpointConfig(text: string, path: string): Record<string, unknown> {
  let config: unknown;
  try {
    config = parseJsonText(text, { maxDepth: MAX_CONFIG_DEPTH });
  } catch (e) {
    if (e instanceof JsonTextError) throw new FormatError(`checkpoint: ${path} is not valid JSON: ${e.message}`);
    throw e;
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new FormatError(`checkpoint: ${path} must hold an object`);
  const c = config as Record<string, unknown>;
  if (c.format !== CHECKPOINT_FORMAT) throw new FormatError(`checkpoint: ${path}: format must be '${CHECKPOINT_FORMAT}'; got ${describe(c.format)}`);
  if (c.version !== CHECKPOINT_VERSION)
    throw new FormatError(`checkpoint: ${path}: unsupported version ${describe(c.version)}; this library reads version ${CHECKPOINT_VERSION}`);
  return c;
}

/** A short form of a parsed value for messages: numbers and short strings, else the kind. */
function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * The files of one checkpoint directory, read only where they resolve inside it: a file that is
 * a link to elsewhere (another user's file, /etc/passwd) is refused rather than followed.
 */
class CheckpointFiles {
  private readonly real: string;

  constructor(readonly dir: string) {
    this.real = realpathSync(dir);
  }

  /** Whether `name` exists (a dangling link counts: reading it then fails with its name). */
  has(name: string): boolean {
    try {
      lstatSync(join(this.dir, name));
      return true;
    } catch {
      return false;
    }
  }

  /** The bytes of `name`; over `maxBytes` (when given) is a FormatError checked before reading. */
  read(name: string, maxBytes?: number): Uint8Array {
    const path = join(this.dir, name);
    let real: string;
    try {
      real = realpathSync(path);
    } catch (e) {
      throw new FormatError(`checkpoint: cannot read ${path} (${(e as { code?: string }).code ?? (e as Error).message})`);
    }
    if (!real.startsWith(this.real + sep)) {
      throw new FormatError(`checkpoint: ${path} resolves to ${real}, outside the checkpoint directory ${this.real}; refusing to follow the link`);
    }
    const size = statSync(real).size;
    if (maxBytes !== undefined && size > maxBytes) throw new FormatError(`checkpoint: ${path} is ${size} bytes; the limit is ${maxBytes} bytes`);
    return readFileSync(real);
  }
}

/** config.json's bytes as text: UTF-8, or a FormatError naming `path`. */
function decodeConfigText(path: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof TypeError) throw new FormatError(`checkpoint: ${path} is not valid UTF-8 text`);
    throw e;
  }
}

/**
 * Whether the save wrote state file `name`: config.files says; before it existed, config.optimizer
 * still told whether optimizer.safetensors was written, and for extra.safetensors nothing can (null).
 */
function stateFileWritten(path: string, c: Record<string, unknown>, name: StateFile): boolean | null {
  if (c.files === undefined) return name === STATE_FILES.optimizer ? c.optimizer !== undefined : null;
  if (!Array.isArray(c.files) || !c.files.every((f) => typeof f === 'string'))
    throw new FormatError(`checkpoint: ${path}: files must be an array of file names`);
  return c.files.includes(name);
}

/**
 * Reads a checkpoint, validating it as untrusted input (see the module comment): each file is
 * checked against manifest.json, a state file the save wrote but that is missing is a FormatError
 * naming it (unless `allowMissingState`), and links out of the directory are refused. A config.json
 * over MAX_CONFIG_BYTES, or nested deeper than MAX_CONFIG_DEPTH, is a FormatError.
 */
export function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): LoadedCheckpoint {
  const found = resolveCheckpoint(dir);
  if (found === null) throw new ValueError(`loadCheckpoint: no checkpoint in '${dir}' (expected config.json and model.safetensors)`);
  const files = new CheckpointFiles(found);
  const manifest: Manifest | null = files.has(MANIFEST_FILE) ? decodeManifest(join(found, MANIFEST_FILE), files.read(MANIFEST_FILE)) : null;
  const read = (name: string, maxBytes?: number): Uint8Array => {
    const bytes = files.read(name, maxBytes);
    if (manifest) verifyAgainstManifest(manifest, name, join(found, name), bytes);
    return bytes;
  };
  const configPath = join(found, 'config.json');
  const c = parseCheckpointConfig(decodeConfigText(configPath, read('config.json', MAX_CONFIG_BYTES)), configPath);
  const model = parseTensorsFile(join(found, 'model.safetensors'), read('model.safetensors'));
  const missing: StateFile[] = [];
  /** The bytes of a state file, or null when the save did not write it (or, allowed, it is gone). */
  const readState = (name: StateFile): Uint8Array | null => {
    const present = files.has(name);
    const written = stateFileWritten(configPath, c, name);
    if (written === null) return present ? read(name) : null;
    if (!written) return null;
    if (present) return read(name);
    if (!options.allowMissingState) throw new FormatError(`checkpoint: ${join(found, name)} is missing, though ${configPath} records that the save wrote it`);
    missing.push(name);
    return null;
  };
  const optimizerBytes = readState(STATE_FILES.optimizer);
  const optimizer = optimizerBytes ? joinOptimizer(parseTensorsFile(join(found, STATE_FILES.optimizer), optimizerBytes), c.optimizer) : null;
  const extraBytes = readState(STATE_FILES.extra);
  const extra = extraBytes ? parseTensorsFile(join(found, STATE_FILES.extra), extraBytes) : null;
  const { format: _f, version: _v, optimizer: _o, files: _files, ...rest } = c;
  return { config: rest, model, optimizer, extra, dir: found, verified: manifest !== null, missing };
}
