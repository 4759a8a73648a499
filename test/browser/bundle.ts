/**
 * Bundles a test page's entry for the browser with esbuild: the library from its TypeScript
 * sources (the `source` export condition), node:assert/strict replaced by a small shim so that
 * the fixture checks shared with the Node tests run in the page.
 */
import { build } from 'esbuild';
import { join } from 'node:path';

const here = import.meta.dirname;

/** Writes `outfile`, an ES module for a page, from `entry`. */
export async function bundlePage(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    alias: { 'node:assert/strict': join(here, 'pages', 'assert_shim.ts') },
    logLevel: 'error',
  });
}
