// Seeded fuzzer of the checkpoint config.json reader. See harness.ts for the outcome classes.
// Usage: node --conditions=source --import tsx tools/fuzz/config.ts --count 1000000 --seed 1
import { main } from './harness.js';
import { configFuzzer } from './config_inputs.js';

main(configFuzzer, process.argv.slice(2));
