// Runs several `recurrent` command lines one after another in this one process (the program's own
// parser and commands, as `recurrent` runs them), to spare a test the start-up of a process per
// run. Usage: node --conditions=source --import tsx train_in_process.ts <file of a JSON array of argument arrays>
// Before each run it prints `=== run <i> ===`, so that the caller can split the output.
import { readFileSync } from 'node:fs';
import { createProgram } from '../../src/program.js';

const runs = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as string[][];
for (const [i, args] of runs.entries()) {
  console.log(`=== run ${i} ===`);
  await createProgram().parseAsync(args, { from: 'user' });
}
