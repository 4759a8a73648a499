// Runs `recurrent` command lines one after another in this one process (sparing a Node start-up
// per command), and writes what each printed, or the error it ended with, as JSON.
// Usage: node --conditions=source --import tsx run_commands.ts <commands.json> <results.json>
// where commands.json holds string[][] (argv without "recurrent").
import { readFileSync, writeFileSync } from 'node:fs';
import { CommanderError } from '@commander-js/extra-typings';
import { getBackend, setBackend } from 'recurrent';
import { createProgram } from '../../src/program.js';

export interface CommandResult {
  argv: string[];
  stdout: string;
  /** The backend active when the command finished. */
  backend: string;
  error: { name: string; message: string } | null;
}

const [commandsFile, resultsFile] = process.argv.slice(2);
const commands = JSON.parse(readFileSync(commandsFile!, 'utf8')) as string[][];
const initialBackend = getBackend();
const write = process.stdout.write.bind(process.stdout);
const results: CommandResult[] = [];
for (const argv of commands) {
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  let error: CommandResult['error'] = null;
  const program = createProgram();
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: (s) => void (stdout += s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const err = e as Error;
    error = { name: e instanceof CommanderError ? 'CommanderError' : err.constructor.name, message: err.message };
  } finally {
    process.stdout.write = write;
  }
  results.push({ argv, stdout, backend: getBackend(), error });
  setBackend(initialBackend);
}
writeFileSync(resultsFile!, JSON.stringify(results));
