// Every TypeScript and JavaScript source of the repository is formatted by Prettier with the
// committed configuration (.prettierrc.json, .prettierignore): `npx prettier --write .` fixes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

test('the sources are formatted (npx prettier --check)', () => {
  const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  const r = spawnSync(process.execPath, [prettier, '--check', '**/*.{ts,mjs}'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  const unformatted = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('[warn] ') && !l.includes('Code style issues'));
  assert.equal(r.status, 0, `not formatted; run \`npx prettier --write "**/*.{ts,mjs}"\`:\n${unformatted.join('\n')}\n${r.stderr}`);
});
