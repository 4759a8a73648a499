// A seeded slice of the manifest.json fuzzer (tools/fuzz/): every mutated manifest is either
// refused with a typed error or read into names with 64-hex-digit hashes; nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../../../../tools/fuzz/harness.js';
import { manifestFuzzer } from '../../../../tools/fuzz/manifest_inputs.js';

test('20,000 mutated manifest.json files: typed errors or usable manifests only', () => {
  const tally = fuzz(manifestFuzzer, { seed: 7, count: 20_000 });
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.other, 0);
  assert.ok(tally.typed > 0 && tally.accepted > 0, `typed ${tally.typed}, accepted ${tally.accepted}`);
});
