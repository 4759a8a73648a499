/**
 * Checkpoints: a directory holding `model.safetensors` (the state dict, PyTorch names),
 * `config.json` (model options, vocabulary, step, RNG state, optimizer hyper-parameters and
 * scalars), `optimizer.safetensors` (the optimizer's tensors) and, optionally, `extra.safetensors`
 * (other tensors a resumed run needs).
 *
 * Writing is atomic: everything goes to `DIR.tmp`, each file fsynced; then DIR becomes `DIR.old`,
 * `DIR.tmp` becomes DIR, and `DIR.old` is removed. A run killed at any instant leaves either DIR
 * or `DIR.old` complete, and `loadCheckpoint` reads whichever is (DIR first).
 *
 * Node.js only (it uses node:fs); the library's browser-facing parts never import it.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, ValueError } from '../errors.js';
import { JsonTextError, parseJsonText } from '../io/json_text.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';

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
  writeDurably(join(tmp, 'model.safetensors'), writeSafetensors(checkpoint.model));
  if (checkpoint.optimizer) {
    const { tensors, json } = splitOptimizer(checkpoint.optimizer);
    writeDurably(join(tmp, 'optimizer.safetensors'), writeSafetensors(tensors));
    config.optimizer = json;
  }
  if (checkpoint.extra) writeDurably(join(tmp, 'extra.safetensors'), writeSafetensors(checkpoint.extra));
  writeDurably(join(tmp, 'config.json'), new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));
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
function readTensorsFile(path: string): Record<string, Tensor> {
  try {
    return readSafetensors(readFileSync(path));
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

function readConfigText(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_CONFIG_BYTES) throw new FormatError(`checkpoint: ${path} is ${size} bytes; the limit is ${MAX_CONFIG_BYTES} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (e) {
    if (e instanceof TypeError) throw new FormatError(`checkpoint: ${path} is not valid UTF-8 text`);
    throw e;
  }
}

/**
 * Reads a checkpoint, validating it as untrusted input. A config.json over MAX_CONFIG_BYTES, or
 * nested deeper than MAX_CONFIG_DEPTH, is a FormatError.
 */
export function loadCheckpoint(dir: string): Checkpoint {
  const found = resolveCheckpoint(dir);
  if (found === null) throw new ValueError(`loadCheckpoint: no checkpoint in '${dir}' (expected config.json and model.safetensors)`);
  const c = parseCheckpointConfig(readConfigText(join(found, 'config.json')), join(found, 'config.json'));
  const model = readTensorsFile(join(found, 'model.safetensors'));
  const optimizerPath = join(found, 'optimizer.safetensors');
  const optimizer = c.optimizer !== undefined && existsSync(optimizerPath) ? joinOptimizer(readTensorsFile(optimizerPath), c.optimizer) : null;
  const extraPath = join(found, 'extra.safetensors');
  const extra = existsSync(extraPath) ? readTensorsFile(extraPath) : null;
  const { format: _f, version: _v, optimizer: _o, ...rest } = c;
  return { config: rest, model, optimizer, extra };
}
