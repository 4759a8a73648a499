// The command line end to end: train a few dozen steps on a tiny file, then generate, eval and
// info on its checkpoint; a run stopped and resumed ends bit-identical to an uninterrupted one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-'));
const data = join(root, 'tiny.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. a stitch in time saves nine. '.repeat(16));
const cli = join(import.meta.dirname, '..', 'src', 'main.ts');

function run(...args: string[]): string {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 0, `recurrent ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const common = [
  '--data',
  data,
  '--hidden',
  '16',
  '--embedding',
  '8',
  '--batch',
  '4',
  '--seq-len',
  '16',
  '--dropout',
  '0.1',
  '--seed',
  '3',
  '--sample-every',
  '10',
  '--sample-length',
  '20',
  '--validate-every',
  '12',
  '--checkpoint-every',
  '5',
  '--plain',
];

test('train, then generate, eval and info on the checkpoint', () => {
  const out = join(root, 'a');
  const log = run('train', ...common, '--steps', '24', '--out', out);
  assert.match(log, /data: .*tiny\.txt: 1,184 characters/);
  assert.match(log, /--- sample at step 10 ---/);
  assert.match(log, /validation at step 12: loss \d+\.\d+ nats\/char/);
  assert.match(log, /stopped: reached 24 steps at step 24/);
  for (const f of [
    'checkpoint/model.safetensors',
    'checkpoint/config.json',
    'checkpoint/optimizer.safetensors',
    'loss_curve.svg',
    'loss_curve.png',
    'report.html',
  ]) {
    assert.ok(existsSync(join(out, f)), `${f} is missing`);
  }
  assert.match(readFileSync(join(out, 'loss_curve.svg'), 'utf8'), /<svg[\s\S]*bits per character/);
  assert.deepEqual([...readFileSync(join(out, 'loss_curve.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"

  const text = run('generate', '--checkpoint', out, '--prime', 'the ', '--length', '40', '--seed', '1');
  assert.ok(text.startsWith('the ') && text.trimEnd().length >= 44, text);
  assert.equal(run('generate', '--checkpoint', out, '--prime', 'the ', '--length', '40', '--seed', '1'), text, 'seeded generation repeats');

  const evaluation = run('eval', '--checkpoint', out, '--data', data);
  assert.match(evaluation, /bits per character: \d+\.\d+/);
  const info = run('info', '--checkpoint', out);
  for (const name of ['embedding.weight', 'rnn.weight_ih_l0', 'rnn.bias_hh_l0', 'decoder.weight']) assert.match(info, new RegExp(name.replace('.', '\\.')));
  assert.match(info, /trained: 24 steps/);
});

test('a resumed run continues exactly as an uninterrupted one', () => {
  const straight = join(root, 'straight');
  const resumed = join(root, 'resumed');
  run('train', ...common, '--steps', '24', '--out', straight);
  run('train', ...common, '--steps', '10', '--out', resumed);
  const log = run('train', ...common, '--steps', '24', '--out', resumed, '--resume');
  assert.match(log, /resuming at step 10/);
  const a = readFileSync(join(straight, 'checkpoint', 'model.safetensors'));
  const b = readFileSync(join(resumed, 'checkpoint', 'model.safetensors'));
  assert.ok(a.equals(b), 'the parameters after 24 steps differ between the straight and the resumed run');
  const ca = JSON.parse(readFileSync(join(straight, 'checkpoint', 'config.json'), 'utf8'));
  const cb = JSON.parse(readFileSync(join(resumed, 'checkpoint', 'config.json'), 'utf8'));
  assert.deepEqual(cb.rng, ca.rng);
  assert.deepEqual([cb.training.step, cb.training.epoch, cb.training.window], [ca.training.step, ca.training.epoch, ca.training.window]);
});

test('--lr-schedule cosine anneals to --lr-min at the end of the step budget', () => {
  const out = join(root, 'cosine');
  const log = run('train', ...common, '--steps', '12', '--out', out, '--lr-schedule', 'cosine', '--lr', '0.01', '--lr-min', '0.001');
  assert.match(log, /Adam lr 0\.01 \(cosine to 0\.001 over the budget\)/);
  const config = JSON.parse(readFileSync(join(out, 'checkpoint', 'config.json'), 'utf8'));
  assert.equal(config.training.lrSchedule, 'cosine');
  assert.ok(Math.abs(config.optimizer.paramGroups[0].lr - 0.001) < 1e-12, `final lr ${config.optimizer.paramGroups[0].lr}`);
});

test('bad arguments are clear errors', () => {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, 'train', '--data', data, '--time', 'soon'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--time: expected a duration such as 90s, 5m or 1h30m; got 'soon'/);
  const g = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, 'generate', '--checkpoint', join(root, 'nowhere')], {
    encoding: 'utf8',
  });
  assert.notEqual(g.status, 0);
  assert.match(g.stderr, /no checkpoint in/);
});
