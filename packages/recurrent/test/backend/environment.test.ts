// Environment variables are validated like arguments: a bad value is an EnvironmentError at first
// use, naming the variable and the value. They are read once per process, so each case runs in a child.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs one op in a child with `env` set; returns what it printed: 'ok <threads>' or the error's name and message. */
function firstUse(env: Record<string, string>, prelude = ''): string {
  const script = `
    ${prelude}
    const { tensor, add, getNumThreads } = await import('./src/index.ts');
    try {
      add(tensor([1]), tensor([2]));
      console.log('ok ' + getNumThreads());
    } catch (e) {
      console.log(e.name + ' ' + e.variable + '=' + e.value + ': ' + e.message);
    }`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, RECURRENT_BACKEND: '', RECURRENT_NUM_THREADS: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, `child exited with ${child.status}: ${child.stderr}`);
  return child.stdout.trim();
}

test('RECURRENT_NUM_THREADS that is not a positive integer is an EnvironmentError naming it', () => {
  for (const value of ['abc', '0', '-1', '1.5']) {
    const out = firstUse({ RECURRENT_NUM_THREADS: value });
    assert.ok(out.startsWith(`EnvironmentError RECURRENT_NUM_THREADS=${value}: RECURRENT_NUM_THREADS: expected a positive integer`), out);
    assert.ok(out.includes(`'${value}'`), out);
  }
  assert.equal(firstUse({ RECURRENT_NUM_THREADS: '2', RECURRENT_BACKEND: 'wasm' }), 'ok 2');
  assert.equal(firstUse({ RECURRENT_NUM_THREADS: '1' }), 'ok 1');
});

test('an unknown RECURRENT_BACKEND is an EnvironmentError naming it and the choices', () => {
  const out = firstUse({ RECURRENT_BACKEND: 'cuda' });
  assert.ok(out.startsWith("EnvironmentError RECURRENT_BACKEND=cuda: RECURRENT_BACKEND: unknown backend 'cuda'; available: reference"), out);
  assert.equal(firstUse({ RECURRENT_BACKEND: 'reference' }), `ok ${firstUse({}).slice(3)}`);
});

test('getNumThreads reports 1 where there is no SharedArrayBuffer, whatever was asked for', () => {
  assert.equal(firstUse({ RECURRENT_NUM_THREADS: '4' }, 'delete globalThis.SharedArrayBuffer;'), 'ok 1');
});
