// Sizes beyond what the runtime can hold, and checkpoint files that are too large or not JSON:
// one line naming the problem and the file, exit status 1, no stack trace, no file contents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-limits-'));
const cli = join(import.meta.dirname, '..', 'src', 'main.ts');
const data = join(root, 'tiny.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. a stitch in time saves nine. '.repeat(16));
const small = ['--hidden', '16', '--embedding', '8', '--batch', '4', '--seq-len', '16', '--sample-every', '0', '--validate-every', '0', '--plain'];

function fails(pattern: RegExp, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 1, `recurrent ${args.join(' ')} should fail:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace reached the user');
  assert.equal(r.stderr.trim().split('\n').length, 1, `expected one line:\n${r.stderr}`);
  return r.stderr;
}

const out = join(root, 'run');
const trained = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, 'train', '--data', data, ...small, '--steps', '1', '--out', out], {
  encoding: 'utf8',
  env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
});
const configPath = join(out, 'checkpoint', 'config.json');
const goodConfig = trained.status === 0 ? readFileSync(configPath, 'utf8') : '';
const manifestPath = join(out, 'checkpoint', 'manifest.json');

/** Writes config.json and records its hash in manifest.json, so that the config's own checks are the ones reached. */
function writeConfig(text: string): void {
  writeFileSync(configPath, text);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.sha256['config.json'] = createHash('sha256').update(readFileSync(configPath)).digest('hex');
  writeFileSync(manifestPath, JSON.stringify(manifest));
}

test('--hidden too large to allocate is a one-line error naming the parameter and the bytes', () => {
  assert.equal(trained.status, 0, trained.stderr);
  fails(
    /^recurrent: LSTM: weight_hh_l0: .*needs \d+ bytes; the limit of one array is \d+ bytes/,
    'train',
    '--data',
    data,
    ...small,
    '--hidden',
    '1e6',
    '--steps',
    '1',
    '--out',
    join(root, 'huge'),
  );
});

test('a config.json describing a larger model than its model.safetensors is refused before building it', () => {
  const config = JSON.parse(goodConfig);
  config.model.hiddenSize = 1e6;
  writeConfig(JSON.stringify(config));
  fails(/config\.json: the model options describe at least \d+ parameters; .*model\.safetensors holds \d+/, 'info', '--checkpoint', out);
  config.model.hiddenSize = 16;
  config.model.numLayers = 1e9;
  writeConfig(JSON.stringify(config));
  fails(/config\.json: the model options describe at least \d+ parameters/, 'info', '--checkpoint', out);
  writeConfig(goodConfig);
});

test('a config.json too large to read names the file, its size and the limit', () => {
  writeFileSync(configPath, goodConfig);
  truncateSync(configPath, 600_000_000); // sparse: no disk used
  fails(/config\.json is 600000000 bytes; the limit is \d+ bytes/, 'info', '--checkpoint', out);
  writeFileSync(configPath, goodConfig);
});

test('a config.json that is not JSON is located by line and column, and its bytes are not echoed', () => {
  const secret = join(root, 'passwd');
  const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n';
  writeFileSync(secret, passwd);
  rmSync(configPath);
  symlinkSync(secret, configPath);
  const linked = fails(/config\.json resolves to .*outside the checkpoint directory/, 'info', '--checkpoint', out);
  assert.doesNotMatch(linked, /root:|daemon|nologin/);
  rmSync(configPath);
  writeConfig(passwd);
  const stderr = fails(/config\.json is not valid JSON: .*line 1, column 1/, 'info', '--checkpoint', out);
  assert.doesNotMatch(stderr, /root:|daemon|nologin/);
  writeConfig(`{\n  "format": "recurrent-checkpoint",\n  "version": 1,\n  "x": [1, 2,, "hunter2"]\n}\n`);
  const second = fails(/config\.json is not valid JSON: .*line 4, column 14/, 'info', '--checkpoint', out);
  assert.doesNotMatch(second, /hunter2/);
  writeConfig(goodConfig);
});
