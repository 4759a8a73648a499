// Seeded fuzzer of the CLI's text corpus reader (UTF-8 validation). See harness.ts for the outcome classes.
// Usage: node --conditions=source --import tsx tools/fuzz/corpus.ts --count 1000000 --seed 1
import { main } from './harness.js';
import { corpusFuzzer } from './corpus_inputs.js';

main(corpusFuzzer, process.argv.slice(2));
