// Every way a checkpoint directory can be malformed is a typed error naming the file or field:
// config.json (JSON, object, format, version, optimizer fields) and each safetensors file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, loadCheckpoint, saveCheckpoint, tensor, ValueError, writeSafetensors } from '../../src/node.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-checkpoint-errors-'));
let count = 0;

/** A fresh complete checkpoint (model, optimizer with a tensor and a scalar, extra); its directory. */
function saved(): string {
  const dir = join(root, `c${count++}`);
  saveCheckpoint(dir, {
    config: { note: 'x' },
    model: { w: tensor([1, 2]) },
    optimizer: { state: { 0: { step: 3, exp_avg: tensor([0.5, 0.5]) } }, paramGroups: [{ lr: 0.1 }] },
    extra: { h: tensor([4]) },
  });
  return dir;
}

/**
 * Overwrites one file of the checkpoint in `dir`, dropping manifest.json, so that the file is read
 * unverified (as one written before manifests) and its own checks are what fail.
 */
function overwrite(dir: string, file: string, bytes: string | Uint8Array): void {
  rmSync(join(dir, 'manifest.json'), { force: true });
  writeFileSync(join(dir, file), bytes);
}

function editConfig(dir: string, edit: (c: Record<string, unknown>) => unknown): void {
  const path = join(dir, 'config.json');
  rmSync(join(dir, 'manifest.json'), { force: true });
  writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)));
}

const formatError = (message: string | RegExp) => (e: unknown) =>
  e instanceof FormatError && (typeof message === 'string' ? e.message === message : message.test(e.message));

test('a complete checkpoint loads: optimizer tensors and scalars rejoined, extra tensors kept', () => {
  const c = loadCheckpoint(saved());
  assert.deepEqual(c.config, { note: 'x' });
  assert.equal(c.optimizer?.state[0]?.step, 3);
  assert.deepEqual((c.optimizer?.state[0]?.exp_avg as ReturnType<typeof tensor>).toArray(), [0.5, 0.5]);
  assert.deepEqual(c.extra?.h?.toArray(), [4]);
});

test('saveCheckpoint needs a directory path; loadCheckpoint a directory holding one', () => {
  assert.throws(
    () => saveCheckpoint('', { config: {}, model: {} }),
    (e: unknown) => e instanceof ValueError && e.message === 'saveCheckpoint: dir must be a path',
  );
  const missing = join(root, 'nothing-here');
  assert.throws(
    () => loadCheckpoint(missing),
    (e: unknown) => e instanceof ValueError && e.message === `loadCheckpoint: no checkpoint in '${missing}' (expected config.json and model.safetensors)`,
  );
});

test('config.json must be JSON holding an object of this format and version', () => {
  const dir = saved();
  const path = join(dir, 'config.json');
  overwrite(dir, 'config.json', '{ "format": ');
  assert.throws(
    () => loadCheckpoint(dir),
    formatError(new RegExp(`^checkpoint: ${path.replace(/[.\\/]/g, '\\$&')} is not valid JSON: .*at line 1, column 13$`)),
  );
  for (const json of ['[1, 2]', 'null', '3']) {
    overwrite(dir, 'config.json', json);
    assert.throws(() => loadCheckpoint(dir), formatError(`checkpoint: ${path} must hold an object`), json);
  }
  overwrite(dir, 'config.json', '{"format": "keras", "version": 1}');
  assert.throws(() => loadCheckpoint(dir), formatError(`checkpoint: ${path}: format must be 'recurrent-checkpoint'; got "keras"`));
  overwrite(dir, 'config.json', '{"version": 1}');
  assert.throws(() => loadCheckpoint(dir), formatError(`checkpoint: ${path}: format must be 'recurrent-checkpoint'; got undefined`));
  overwrite(dir, 'config.json', '{"format": "recurrent-checkpoint", "version": "1"}');
  assert.throws(() => loadCheckpoint(dir), formatError(`checkpoint: ${path}: unsupported version "1"; this library reads version 1`));
});

test("config.optimizer's fields are checked", () => {
  const cases: [(o: Record<string, unknown>) => unknown, string][] = [
    [() => 'adam', 'checkpoint: config.optimizer must be an object'],
    [() => null, 'checkpoint: config.optimizer must be an object'],
    [(o) => ({ ...o, paramGroups: { lr: 0.1 } }), 'checkpoint: config.optimizer.paramGroups must be an array'],
    [(o) => ({ ...o, scalars: 5 }), 'checkpoint: config.optimizer.scalars must be an object'],
    [(o) => ({ ...o, scalars: null }), 'checkpoint: config.optimizer.scalars must be an object'],
    [(o) => ({ ...o, scalars: { first: { step: 3 } } }), "checkpoint: bad optimizer scalars for 'first'"],
    [(o) => ({ ...o, scalars: { 0: 3 } }), "checkpoint: bad optimizer scalars for '0'"],
    [(o) => ({ ...o, scalars: { 0: { step: '3' } } }), 'checkpoint: optimizer scalar 0.step must be a number'],
  ];
  for (const [edit, message] of cases) {
    const dir = saved();
    editConfig(dir, (c) => ({ ...c, optimizer: edit(c.optimizer as Record<string, unknown>) }));
    assert.throws(() => loadCheckpoint(dir), formatError(message), message);
  }
});

test('optimizer.safetensors may hold only state.<index>.<name> tensors', () => {
  const dir = saved();
  overwrite(dir, 'optimizer.safetensors', writeSafetensors({ 'state.0.exp_avg': tensor([1]), momentum: tensor([1]) }));
  assert.throws(() => loadCheckpoint(dir), formatError("checkpoint: unexpected tensor 'momentum' in optimizer.safetensors"));
});

test('a malformed safetensors file is a FormatError naming it', () => {
  for (const file of ['model.safetensors', 'optimizer.safetensors', 'extra.safetensors']) {
    const dir = saved();
    const path = join(dir, file);
    overwrite(dir, file, readFileSync(path).subarray(0, 12));
    assert.throws(
      () => loadCheckpoint(dir),
      (e: unknown) => e instanceof FormatError && e.message.startsWith(`checkpoint: ${path}: safetensors:`),
      file,
    );
  }
});
