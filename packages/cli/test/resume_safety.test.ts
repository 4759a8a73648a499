// What --resume, eval and a diverging run do with a checkpoint they cannot trust blindly: a NaN stop
// keeps the last good checkpoint and exits 2; a finished run resumed takes no step; lost state
// files are named; the data is the one the user names, checked against the hash the run recorded;
// a file changed after the save is named by the manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-resume-'));
const cli = join(import.meta.dirname, '..', 'src', 'main.ts');
const data = join(root, 'tiny.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. a stitch in time saves nine. '.repeat(16));
const other = join(root, 'other.txt');
writeFileSync(other, 'pack my box with five dozen liquor jugs. how vexingly quick daft zebras jump! '.repeat(16));
const small = ['--hidden', '16', '--embedding', '8', '--batch', '4', '--seq-len', '16', '--sample-every', '0', '--validate-every', '0', '--plain'];

function recurrent(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): string {
  const r = recurrent(...args);
  assert.equal(r.status, 0, `recurrent ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

function fails(pattern: RegExp, ...args: string[]): string {
  const r = recurrent(...args);
  assert.equal(r.status, 1, `recurrent ${args.join(' ')} should fail:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace reached the user');
  return r.stderr;
}

/** Every file of a checkpoint directory and its bytes. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

/** The parts of config.json the tests edit. */
interface EditableConfig {
  optimizer: { paramGroups: { lr: number }[] };
  training: { data: string | null };
}

/** Edits config.json as someone would by hand, and rewrites the manifest to match (when there is one). */
function editConfig(ckpt: string, edit: (config: EditableConfig) => void): void {
  const path = join(ckpt, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  edit(config);
  writeFileSync(path, JSON.stringify(config, null, 2));
  const manifestPath = join(ckpt, 'manifest.json');
  if (!existsSync(manifestPath)) return;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.sha256['config.json'] = createHash('sha256').update(readFileSync(path)).digest('hex');
  writeFileSync(manifestPath, JSON.stringify(manifest));
}

/** A 10-step run (checkpoint every 5: mid-epoch, so extra.safetensors is written), copied fresh for each use. */
const base = join(root, 'base');
let baseTrained = false;
function trainedRun(name: string): string {
  if (!baseTrained) {
    ok('train', '--data', data, ...small, '--steps', '10', '--checkpoint-every', '5', '--out', base);
    baseTrained = true;
  }
  const out = join(root, name);
  cpSync(base, out, { recursive: true });
  return out;
}

test('a run that stops on a non-finite loss keeps the last good checkpoint, says where it is, and exits 2', () => {
  const out = join(root, 'nan');
  ok('train', '--data', data, ...small, '--steps', '20', '--checkpoint-every', '10', '--out', out);
  const ckpt = join(out, 'checkpoint');
  editConfig(ckpt, (c) => {
    c.optimizer.paramGroups[0]!.lr = 1e38;
  });
  const good = snapshot(ckpt);
  const r = recurrent('train', '--data', data, ...small, '--steps', '40', '--checkpoint-every', '10', '--out', out, '--resume');
  assert.equal(r.status, 2, `expected exit status 2:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /stopped: (the training loss of step 2[12] .* is NaN|step 2[12]'s update made parameter .* non-finite)/);
  assert.doesNotMatch(r.stdout, /at step \d+[^\n]* at step \d+/, 'the step is named once');
  assert.match(r.stdout, /the state at the stop is not saved; the last good checkpoint, step 20, is .*nan\/checkpoint/);
  assert.deepEqual(snapshot(ckpt), good, 'the step-20 checkpoint is untouched');
});

test('resuming a finished run with the same --steps takes no step and leaves the checkpoint byte-identical', () => {
  const out = trainedRun('finished');
  const ckpt = join(out, 'checkpoint');
  const before = snapshot(ckpt);
  const log = ok('train', '--data', data, ...small, '--steps', '10', '--out', out, '--resume');
  assert.match(log, /nothing to train: the run already took 10 steps \(--steps 10\); the checkpoint is unchanged/);
  assert.doesNotMatch(log, /step 11/);
  assert.deepEqual(snapshot(ckpt), before);
});

test('a lost optimizer.safetensors or extra.safetensors is an error naming it, or with --allow-partial-resume a warning', () => {
  const out = trainedRun('lost');
  const ckpt = join(out, 'checkpoint');
  rmSync(join(ckpt, 'optimizer.safetensors'));
  fails(/optimizer\.safetensors is missing/, 'train', '--data', data, ...small, '--steps', '12', '--out', out, '--resume');
  const partial = ok('train', '--data', data, ...small, '--steps', '12', '--out', out, '--resume', '--allow-partial-resume');
  assert.match(partial, /warning: .*optimizer\.safetensors is missing: Adam's moments restart from zero/);
  const out2 = trainedRun('lost-extra');
  rmSync(join(out2, 'checkpoint', 'extra.safetensors'));
  fails(
    /extra\.safetensors is missing: the recurrent state carried into step 11 restarts from zeros/,
    'train',
    '--data',
    data,
    ...small,
    '--steps',
    '12',
    '--out',
    out2,
    '--resume',
  );
});

test('--resume reads only the --data the user names, checked against the hash the run recorded', () => {
  const out = trainedRun('data');
  const ckpt = join(out, 'checkpoint');
  const recorded = JSON.parse(readFileSync(join(ckpt, 'config.json'), 'utf8')).training.dataSha256;
  assert.equal(recorded, createHash('sha256').update(readFileSync(data)).digest('hex'));
  fails(/--resume: this run was trained on .*tiny\.txt.*; pass that file again with --data/, 'train', ...small, '--steps', '12', '--out', out, '--resume');
  const otherHash = createHash('sha256').update(readFileSync(other)).digest('hex');
  fails(
    new RegExp(`--data: .*other\\.txt has SHA-256 ${otherHash}, but the run was trained on data with SHA-256 ${recorded}`),
    'train',
    '--data',
    other,
    ...small,
    '--steps',
    '12',
    '--out',
    out,
    '--resume',
  );
  // A checkpoint naming another file never makes the command line open it.
  editConfig(ckpt, (c) => {
    c.training.data = '/etc/passwd';
  });
  const log = ok('train', '--data', data, ...small, '--steps', '12', '--out', out, '--resume');
  assert.match(log, /data: .*tiny\.txt: 1,184 characters/);
  assert.doesNotMatch(log, /passwd/);
  fails(/eval: the checkpoint was trained on .*; pass --data FILE/, 'eval', '--checkpoint', out);
  assert.match(ok('eval', '--checkpoint', out, '--data', data), /data: .*tiny\.txt/);
});

test('a checkpoint file changed after the save is named; one without a manifest loads with a warning', () => {
  const out = trainedRun('tampered');
  const ckpt = join(out, 'checkpoint');
  const path = join(ckpt, 'config.json');
  const original = readFileSync(path, 'utf8');
  const config = JSON.parse(original);
  const tokens: string[] = config.vocab.tokens;
  const [i, j] = [tokens.indexOf('a'), tokens.indexOf('b')];
  [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
  writeFileSync(path, JSON.stringify(config, null, 2));
  fails(/config\.json does not match manifest\.json/, 'eval', '--checkpoint', out, '--data', data);
  writeFileSync(path, original);
  rmSync(join(ckpt, 'manifest.json'));
  const r = recurrent('eval', '--checkpoint', out, '--data', data);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: .*checkpoint has no manifest\.json/);
});
