// nn.RNN / LSTM / GRU against PyTorch 1.13: outputs, final states and every gradient, for each
// fixture in test/fixtures/rnn (see test/fixtures/README.md), on both implementations.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkRnnFixture } from './rnn_fixture_check.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'rnn');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.safetensors'))
  .sort();

describe('recurrent layers match PyTorch fixtures', () => {
  test('the fixture set is present', () => assert.ok(files.length >= 30, `found ${files.length} fixtures`));
  for (const file of files) {
    test(`${file} (fused)`, () => checkRnnFixture(file, readFileSync(join(dir, file)), 'fused'));
    test(`${file} (composed)`, () => checkRnnFixture(file, readFileSync(join(dir, file)), 'composed'));
  }
});
