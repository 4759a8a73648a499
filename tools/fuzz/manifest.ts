// Seeded fuzzer of a checkpoint's manifest.json reader. See harness.ts for the outcome classes.
// Usage: node --conditions=source --import tsx tools/fuzz/manifest.ts --count 1000000 --seed 1
import { main } from './harness.js';
import { manifestFuzzer } from './manifest_inputs.js';

main(manifestFuzzer, process.argv.slice(2));
