// Seeded slices of the fuzzers of the CLI's parsers of outside input (tools/fuzz/): a
// checkpoint's config.json and a --data text file. Each input is refused with a typed error or
// accepted with a usable result; nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Fuzzer, fuzz } from '../../../tools/fuzz/harness.js';
import { configFuzzer } from '../../../tools/fuzz/config_inputs.js';
import { corpusFuzzer } from '../../../tools/fuzz/corpus_inputs.js';

function passes<I>(fuzzer: Fuzzer<I>): void {
  test(`20,000 mutated ${fuzzer.name} inputs: typed errors or usable results only`, () => {
    const tally = fuzz(fuzzer, { seed: 7, count: 20_000 });
    assert.deepEqual(tally.failures, []);
    assert.equal(tally.other, 0);
    assert.ok(tally.typed > 0 && tally.accepted > 0, `typed ${tally.typed}, accepted ${tally.accepted}`);
  });
}

passes(configFuzzer);
passes(corpusFuzzer);
