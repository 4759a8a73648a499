// A checkpoint vouches for itself: manifest.json holds the SHA-256 of every file, checked on load;
// a state file the save wrote but that is gone is an error naming it; links out of the directory
// are refused; a checkpoint from before manifests loads, marked unverified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, tensor } from '../../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';

const temp = (): string => mkdtempSync(join(tmpdir(), 'recurrent-ckpt-integrity-'));
const optimizer = { state: { 0: { step: 2, exp_avg: tensor([1, 2]) } }, paramGroups: [{ lr: 0.1, params: [0] }] };

function saved(extra = true): string {
  const dir = join(temp(), 'ckpt');
  saveCheckpoint(dir, {
    config: { kind: 'test', vocab: ['a', 'b', 'c'] },
    model: { w: tensor([1, 2, 3]) },
    optimizer,
    extra: extra ? { h: tensor([4]) } : null,
  });
  return dir;
}

test('manifest.json holds the SHA-256 of every file of the checkpoint, and a load verifies it', () => {
  const dir = saved();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const files = ['config.json', 'extra.safetensors', 'model.safetensors', 'optimizer.safetensors'];
  assert.deepEqual(Object.keys(manifest.sha256).sort(), files);
  for (const f of files)
    assert.equal(
      manifest.sha256[f],
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
      f,
    );
  const back = loadCheckpoint(dir);
  assert.equal(back.verified, true);
  assert.deepEqual(back.missing, []);
  assert.deepEqual(back.config, { kind: 'test', vocab: ['a', 'b', 'c'] });
});

test('a file changed after the save is named: two swapped vocabulary tokens, one flipped byte', () => {
  const dir = saved();
  const configPath = join(dir, 'config.json');
  const original = readFileSync(configPath, 'utf8');
  writeFileSync(configPath, original.replace('"a"', '"@"').replace('"b"', '"a"').replace('"@"', '"b"'));
  assert.throws(
    () => loadCheckpoint(dir),
    (e: Error) => e instanceof FormatError && /config\.json does not match manifest\.json/.test(e.message),
  );
  writeFileSync(configPath, original);
  const modelPath = join(dir, 'model.safetensors');
  const bytes = readFileSync(modelPath);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
  writeFileSync(modelPath, bytes);
  assert.throws(() => loadCheckpoint(dir), /model\.safetensors does not match manifest\.json \(SHA-256 [0-9a-f]{64} recorded, [0-9a-f]{64} found\)/);
});

test('a state file the save wrote is required; allowMissingState lists what is gone instead', () => {
  const dir = saved();
  unlinkSync(join(dir, 'optimizer.safetensors'));
  assert.throws(
    () => loadCheckpoint(dir),
    (e: Error) => e instanceof FormatError && /optimizer\.safetensors is missing/.test(e.message),
  );
  unlinkSync(join(dir, 'extra.safetensors'));
  const partial = loadCheckpoint(dir, { allowMissingState: true });
  assert.deepEqual(partial.missing, ['optimizer.safetensors', 'extra.safetensors']);
  assert.equal(partial.optimizer, null);
  assert.equal(partial.extra, null);
  // model.safetensors is never optional.
  unlinkSync(join(dir, 'model.safetensors'));
  assert.throws(() => loadCheckpoint(dir, { allowMissingState: true }), /model\.safetensors/);
});

test('a checkpoint saved without extra tensors records so, and loads without them', () => {
  const dir = saved(false);
  assert.equal(existsSync(join(dir, 'extra.safetensors')), false);
  const back = loadCheckpoint(dir);
  assert.equal(back.extra, null);
  assert.deepEqual(back.missing, []);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).files, ['model.safetensors', 'optimizer.safetensors']);
});

test('a checkpoint file that links out of its directory is refused; a link inside is read', () => {
  const dir = saved();
  const outside = join(temp(), 'elsewhere.safetensors');
  copyFileSync(join(dir, 'model.safetensors'), outside);
  rmSync(join(dir, 'model.safetensors'));
  symlinkSync(outside, join(dir, 'model.safetensors'));
  assert.throws(
    () => loadCheckpoint(dir),
    (e: Error) => e instanceof FormatError && /model\.safetensors resolves to .*elsewhere\.safetensors, outside/.test(e.message),
  );
  rmSync(join(dir, 'model.safetensors'));
  copyFileSync(outside, join(dir, 'weights.bin'));
  symlinkSync('weights.bin', join(dir, 'model.safetensors'));
  assert.equal(loadCheckpoint(dir).verified, true);
  rmSync(join(dir, 'config.json'));
  symlinkSync('/etc/hostname', join(dir, 'config.json'));
  assert.throws(() => loadCheckpoint(dir), /config\.json resolves to .*, outside/);
});

test('a checkpoint without manifest.json (written before manifests) loads, marked unverified', () => {
  const dir = saved();
  unlinkSync(join(dir, 'manifest.json'));
  const back = loadCheckpoint(dir);
  assert.equal(back.verified, false);
  assert.deepEqual(back.model.w!.toArray(), [1, 2, 3]);
});
