// `recurrent train` is reproducible: two processes with the same seed, one on 1 thread and one on
// 3, write byte-identical checkpoints (on the reference backend, which has no threads, this is two
// runs of the same command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'recurrent-determinism-'));
const data = join(root, 'tiny.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. a stitch in time saves nine. '.repeat(16));
const cli = join(import.meta.dirname, '..', 'src', 'main.ts');

function train(out: string, threads: number): Promise<void> {
  // Batch 16 × 16 steps × hidden 64: the input projection (2^22 multiply-adds) is split across threads.
  const args = ['train', '--data', data, '--hidden', '64', '--embedding', '16', '--dropout', '0.1', '--batch', '16', '--seq-len', '16'];
  args.push('--seed', '11', '--steps', '4', '--sample-every', '0', '--validate-every', '0', '--plain', '--out', out);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    env: { ...process.env, RECURRENT_NUM_THREADS: String(threads) },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`recurrent train (${threads} threads) failed:\n${output}`))));
  });
}

test('two processes with the same seed, on 1 and on 3 threads, write byte-identical checkpoints', async () => {
  try {
    const [a, b] = [join(root, 'one-thread'), join(root, 'three-threads')];
    await Promise.all([train(a, 1), train(b, 3)]);
    for (const file of ['model.safetensors', 'optimizer.safetensors', 'extra.safetensors']) {
      const x = readFileSync(join(a, 'checkpoint', file));
      const y = readFileSync(join(b, 'checkpoint', file));
      assert.ok(x.equals(y), `${file} differs between the runs on 1 and on 3 threads`);
    }
    const [ca, cb] = [a, b].map((dir) => JSON.parse(readFileSync(join(dir, 'checkpoint', 'config.json'), 'utf8')));
    assert.deepEqual(cb.rng, ca.rng);
    assert.deepEqual(cb.history, ca.history);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
