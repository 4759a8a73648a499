// Seeded fuzzer of the safetensors parser (readSafetensorsFile). See harness.ts for the outcome classes.
// Usage: node --conditions=source --import tsx tools/fuzz/safetensors.ts --count 1000000 --seed 1
import { main } from './harness.js';
import { safetensorsFuzzer } from './safetensors_inputs.js';

main(safetensorsFuzzer, process.argv.slice(2));
