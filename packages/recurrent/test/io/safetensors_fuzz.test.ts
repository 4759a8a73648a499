// A seeded slice of the safetensors fuzzer (tools/fuzz/): every mutated file is either refused
// with a typed error or parsed into usable tensors; nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../../../../tools/fuzz/harness.js';
import { safetensorsFuzzer } from '../../../../tools/fuzz/safetensors_inputs.js';

test('20,000 mutated safetensors files: typed errors or usable tensors only', () => {
  const tally = fuzz(safetensorsFuzzer, { seed: 7, count: 20_000 });
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.other, 0);
  assert.ok(tally.typed > 0 && tally.accepted > 0, `typed ${tally.typed}, accepted ${tally.accepted}`);
});
