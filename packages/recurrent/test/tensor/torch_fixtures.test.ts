// Checks the foundation ops, forward and backward, against PyTorch 1.13 results stored in
// test/fixtures/ops (written by tools/generate_fixtures.py; the format is in test/fixtures/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkOpFixture } from './op_fixture_check.js';

const DIR = fileURLToPath(new URL('../fixtures/ops/', import.meta.url));

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

test('the ops fixtures are present', () => {
  assert.ok(files.length >= 40, `expected the PyTorch fixtures in ${DIR}; found ${files.length}`);
});

for (const file of files) {
  test(`ops fixture ${file.replace(/\.safetensors$/, '')} matches PyTorch`, () => checkOpFixture(readFileSync(DIR + file)));
}
