// Child process of test/api/doc_examples.test.ts: imports (runs) each example module in turn and
// appends one JSON line per example to the results file, so that one process serves many examples.
// Usage: node --conditions=source --import tsx doc_example_runner.ts <results.jsonl> <module.ts>...
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** One line of the results file. */
export interface ExampleResult {
  readonly module: string;
  readonly error?: string;
}

const [results, ...modules] = process.argv.slice(2);
if (results === undefined) throw new Error('usage: doc_example_runner.ts <results.jsonl> <module.ts>...');
for (const module of modules) {
  let result: ExampleResult = { module };
  try {
    await import(pathToFileURL(module).href);
  } catch (e) {
    result = { module, error: e instanceof Error ? (e.stack ?? String(e)) : String(e) };
  }
  appendFileSync(results, `${JSON.stringify(result)}\n`);
}
