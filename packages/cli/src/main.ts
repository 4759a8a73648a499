#!/usr/bin/env node
/** The `recurrent` command line: train, generate, eval, info (declared in program.ts). */
import { RecurrentError } from 'recurrent';
import { createProgram } from './program.js';

createProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    if (e instanceof RecurrentError || (e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ENOENT'))) {
      console.error(`recurrent: ${(e as Error).message}`);
      process.exit(1);
    }
    throw e;
  });
