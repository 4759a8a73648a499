// Runs every example (examples/*/main.ts) briefly with --quick, as CI does: each must exit 0 and
// print per-epoch lines `epoch N loss L …` whose last loss is below the first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examplesDir = join(root, 'examples');
const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(examplesDir, d.name, 'main.ts')))
      .map((d) => d.name)
      .sort()
  : [];

/** Runs `node --import tsx <main> --quick` from the repository root; resolves with the exit code and output. */
function runQuick(main: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, '--quick'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The losses of the `epoch N loss L` lines, in order. */
function epochLosses(output: string): number[] {
  return [...output.matchAll(/^epoch \d+ loss ([-+0-9.eE]+|NaN)/gm)].map((m) => Number(m[1]));
}

// One example per core at a time: run all at once, a dozen would share two cores and time out.
describe('examples run with --quick', { concurrency: availableParallelism() }, () => {
  test('there is at least one example', () => {
    assert.ok(examples.length > 0, `no examples/*/main.ts under ${examplesDir}`);
  });
  for (const name of examples) {
    test(name, { timeout: 120_000 }, async () => {
      const { code, stdout, stderr } = await runQuick(join('examples', name, 'main.ts'));
      assert.equal(code, 0, `${name} exited with ${code}:\n${stdout}\n${stderr}`);
      const losses = epochLosses(stdout);
      assert.ok(losses.length >= 2, `${name} printed ${losses.length} 'epoch N loss L' lines; at least 2 are needed:\n${stdout}`);
      assert.ok(losses.every(Number.isFinite), `${name} printed a non-finite loss: ${losses.join(', ')}`);
      assert.ok(losses.at(-1)! < losses[0]!, `${name}: the final loss ${losses.at(-1)} is not below the first ${losses[0]}`);
    });
  }
});
