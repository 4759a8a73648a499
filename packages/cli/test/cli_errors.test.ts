// What the command line says when something is wrong, and that it says it before touching disk:
// missing and binary data files, flags that contradict a resumed checkpoint, corrupted checkpoint
// files (named), --version, and held-out counts that train and eval agree on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-errors-'));
const cli = join(import.meta.dirname, '..', 'src', 'main.ts');
const data = join(root, 'tiny.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. a stitch in time saves nine. '.repeat(16));
const small = ['--hidden', '16', '--embedding', '8', '--batch', '4', '--seq-len', '16', '--sample-every', '0', '--validate-every', '0', '--plain'];

function recurrent(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fails(pattern: RegExp, ...args: string[]): string {
  const r = recurrent(...args);
  assert.equal(r.status, 1, `recurrent ${args.join(' ')} should fail:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace reached the user');
  return r.stderr;
}

test('--version names the command line, the library and Node', () => {
  const r = recurrent('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^recurrent-cli \d+\.\d+\.\d+ \(recurrent \d+\.\d+\.\d+\), Node v\d+/);
});

test('a missing --data file is named with its flag, and no run directory is left behind', () => {
  const out = join(root, 'never');
  fails(/--data: no such file: .*missing\.txt/, 'train', '--data', join(root, 'missing.txt'), '--out', out, '--steps', '1');
  assert.equal(existsSync(out), false);
  fails(/--data: .* is not a file/, 'train', '--data', root, '--out', out, '--steps', '1');
});

test('binary and non-UTF-8 files are refused as --data', () => {
  const binary = join(root, 'image.bin');
  writeFileSync(binary, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)));
  fails(/--data: .*image\.bin looks binary \(a NUL byte at offset \d+\)/, 'train', '--data', binary, '--steps', '1', '--out', join(root, 'b'));
  const latin1 = join(root, 'latin1.txt');
  writeFileSync(latin1, Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' au lait. '.repeat(20))]));
  fails(/--data: .*latin1\.txt is not valid UTF-8 text/, 'train', '--data', latin1, '--steps', '1', '--out', join(root, 'l'));
});

test('--resume refuses flags that contradict the checkpoint, naming both values', () => {
  const out = join(root, 'resume');
  assert.equal(recurrent('train', '--data', data, ...small, '--steps', '2', '--out', out).status, 0);
  fails(
    /--hidden 64 contradicts the checkpoint's model\.hiddenSize 16.*config\.json/,
    'train',
    '--data',
    data,
    ...small,
    '--hidden',
    '64',
    '--steps',
    '4',
    '--out',
    out,
    '--resume',
  );
  fails(
    /--cell gru contradicts the checkpoint's model\.cell "lstm"/,
    'train',
    '--data',
    data,
    ...small,
    '--cell',
    'gru',
    '--steps',
    '4',
    '--out',
    out,
    '--resume',
  );
  // Flags equal to the saved values, or left at their defaults, are fine.
  const ok = recurrent('train', '--data', data, ...small, '--steps', '4', '--out', out, '--resume');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /resuming at step 2/);
});

test('a corrupted checkpoint file is named: model.safetensors, config.json', () => {
  const out = join(root, 'corrupt');
  assert.equal(recurrent('train', '--data', data, ...small, '--steps', '1', '--out', out).status, 0);
  const model = join(out, 'checkpoint', 'model.safetensors');
  const good = readFileSync(model);
  writeFileSync(model, good.subarray(0, 20));
  fails(/model\.safetensors does not match manifest\.json/, 'info', '--checkpoint', out);
  // Without the manifest (a checkpoint from an older version), the contents are still checked.
  rmSync(join(out, 'checkpoint', 'manifest.json'));
  fails(/model\.safetensors: safetensors:/, 'info', '--checkpoint', out);
  writeFileSync(model, good);
  const configPath = join(out, 'checkpoint', 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  config.model.hiddenSize = -3;
  writeFileSync(configPath, JSON.stringify(config));
  fails(/config\.json: model: .*hiddenSize/, 'info', '--checkpoint', out);
});

test('train and eval count the held-out characters the same way', () => {
  const out = join(root, 'counts');
  const log = recurrent('train', '--data', data, ...small, '--steps', '1', '--out', out).stdout;
  const trained = /held out \(([\d,]+ characters, [\d,]+ scored in \d+ streams?)\)/.exec(log)?.[1];
  assert.ok(trained, log);
  const evaluation = recurrent('eval', '--checkpoint', out, '--data', data).stdout;
  assert.ok(evaluation.includes(trained!), `train: ${trained}\neval: ${evaluation}`);
});

test('a non-finite loss stops training, naming its step once, with exit status 2', () => {
  const r = recurrent('train', '--data', data, ...small, '--steps', '20', '--lr', '1e38', '--clip', '0', '--out', join(root, 'nan'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stdout, /stopped: the training loss of step \d+ \(epoch 0\) is NaN, computed on the parameters left by step \d+/);
  assert.match(r.stdout, /the state at the stop is not saved; no checkpoint was written before it/);
});
