// The library as an application gets it — the package compiled as it ships (dist/), found by name —
// bundled by esbuild and by Vite, and loaded with no bundler from a CDN-style URL by
// <script type="module">. No Node built-in reaches a bundle, neither bundler warns, and each page
// loads the wasm backend, starts its threads (the pages are cross-origin isolated), trains a small
// LSTM whose loss falls, and logs no error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';
import { build as viteBuild, createLogger } from 'vite';
import { launchChromium, type BrowserSession, type ConsoleEntry } from '../../tools/browser/chromium.js';
import { startStaticServer, type StaticServer } from '../../tools/browser/static_server.js';

const root = resolve(import.meta.dirname, '..', '..');
const library = join(root, 'packages', 'recurrent');
const work = mkdtempSync(join(tmpdir(), 'recurrent-bundlers-'));
const pkg = join(work, 'pkg');
const app = join(work, 'app');
const version = (JSON.parse(readFileSync(join(library, 'package.json'), 'utf8')) as { version: string }).version;
const PAGE = (script: string): string => `<!doctype html><meta charset="utf-8"><title>app</title>\n${script}\n`;
let browser: BrowserSession;
let server: StaticServer;

before(async () => {
  // The package as it ships: dist/ compiled from the sources, beside its package.json.
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const compiled = spawnSync(
    process.execPath,
    [tsc, '-p', join(library, 'tsconfig.json'), '--outDir', join(pkg, 'dist'), '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'],
    { encoding: 'utf8' },
  );
  assert.equal(compiled.status, 0, `tsc failed: ${compiled.stdout}${compiled.stderr}`);
  copyFileSync(join(library, 'package.json'), join(pkg, 'package.json'));
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(pkg, join(app, 'node_modules', 'recurrent'), 'dir');
  copyFileSync(join(import.meta.dirname, 'app', 'main.js'), join(app, 'main.js'));
  server = await startStaticServer({ routes: { '/': work, [`/npm/recurrent@${version}/`]: pkg }, isolated: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface AppResult {
  backend: string;
  threads: number;
  first: number;
  last: number;
}

/** Loads `path` and returns what the app left in globalThis.__result, and what the page logged. */
async function runApp(path: string): Promise<{ result: AppResult; log: ConsoleEntry[] }> {
  const log: ConsoleEntry[] = [];
  const page = await browser.open(server.url + path, log);
  const handle = await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result, null, { timeout: 60_000 });
  const result = (await handle.jsonValue()) as AppResult | { error: string };
  await page.close();
  if ('error' in result) assert.fail(`${path}: ${result.error}`);
  return { result, log };
}

function assertApp({ result, log }: { result: AppResult; log: ConsoleEntry[] }): void {
  assert.equal(result.backend, 'wasm');
  assert.equal(result.threads, 2, 'threads on an isolated page');
  assert.ok(result.last < 0.5 * result.first, `loss ${result.first} → ${result.last}`);
  assert.deepEqual(
    log.filter((e) => e.type === 'error' || e.type === 'pageerror'),
    [],
  );
}

/** Imports of Node built-ins in a bundle's code: static, dynamic or require. */
function nodeImports(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](node:[\w/]+|fs|path|os|worker_threads|crypto)["']/g)].map((m) => m[1]!);
}

test('esbuild bundles the package for the browser, and the page trains on two threads', async () => {
  const out = join(work, 'esbuild');
  const result = await esbuild({
    entryPoints: [join(app, 'main.js')],
    outfile: join(out, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
  });
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(nodeImports(readFileSync(join(out, 'main.js'), 'utf8')), []);
  writeFileSync(join(out, 'index.html'), PAGE('<script type="module" src="main.js"></script>'));
  assertApp(await runApp('esbuild/index.html'));
});

test('Vite builds the package into an app, and the page trains on two threads', async () => {
  writeFileSync(join(app, 'index.html'), PAGE('<script type="module" src="./main.js"></script>'));
  const warnings: string[] = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (message) => void warnings.push(message);
  logger.warnOnce = (message) => void warnings.push(message);
  await viteBuild({ root: app, base: './', logLevel: 'warn', customLogger: logger, build: { outDir: join(work, 'vite'), emptyOutDir: true } });
  assert.deepEqual(warnings, []);
  const assets = join(work, 'vite', 'assets');
  const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
  assert.equal(js.length, 1, `one script: ${js.join(', ')}`);
  assert.deepEqual(nodeImports(readFileSync(join(assets, js[0]!), 'utf8')), []);
  assertApp(await runApp('vite/index.html'));
});

test('a page imports the package from a CDN-style URL with <script type="module">, no bundler', async () => {
  const source = readFileSync(join(app, 'main.js'), 'utf8').replace("from 'recurrent'", `from '${server.url}npm/recurrent@${version}/dist/index.js'`);
  assert.ok(source.includes(`/npm/recurrent@${version}/dist/index.js'`));
  writeFileSync(join(work, 'cdn.html'), PAGE(`<script type="module">\n${source}\n</script>`));
  assertApp(await runApp('cdn.html'));
});

type WorkerMessage = { type: 'ready'; backend: string; threads: number } | { type: 'progress'; step: number; loss: number } | { type: 'done' };

/** Opens the built Web Worker example at `path` and checks what its worker posted to the page. */
async function runWorkerExample(path: string): Promise<void> {
  const log: ConsoleEntry[] = [];
  const page = await browser.open(server.url + path, log);
  const handle = await page.waitForFunction(
    () => {
      const m = (globalThis as { __messages?: { type: string }[] }).__messages ?? [];
      return m.at(-1)?.type === 'done' ? m : null;
    },
    null,
    { timeout: 100_000 },
  );
  const messages = (await handle.jsonValue()) as WorkerMessage[];
  assert.deepEqual(messages[0], { type: 'ready', backend: 'wasm', threads: 2 });
  const progress = messages.filter((m): m is Extract<WorkerMessage, { type: 'progress' }> => m.type === 'progress');
  assert.deepEqual(
    progress.map((m) => m.step),
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
  assert.ok(progress.at(-1)!.loss < 0.5 * progress[0]!.loss, `loss ${progress[0]!.loss} → ${progress.at(-1)!.loss}`);
  assert.match((await page.locator('#status').textContent()) ?? '', /^step 60: loss \d\.\d{3} \(done\)$/);
  assert.deepEqual(
    log.filter((e) => e.type === 'error' || e.type === 'pageerror'),
    [],
  );
  await page.close();
}

const example = join(root, 'examples', 'browser_worker');

test('the Web Worker example, bundled by esbuild, trains off the main thread and posts its progress to the page', { timeout: 120_000 }, async () => {
  const out = join(work, 'worker-esbuild');
  for (const f of ['page.js', 'train_worker.js']) copyFileSync(join(example, f), join(app, f));
  await esbuild({
    entryPoints: [join(app, 'page.js'), join(app, 'train_worker.js')],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
  });
  copyFileSync(join(example, 'index.html'), join(out, 'index.html'));
  await runWorkerExample('worker-esbuild/index.html');
});

test('the Web Worker example, built by Vite as it stands, does the same', { timeout: 120_000 }, async () => {
  const source = join(work, 'worker-app');
  mkdirSync(join(source, 'node_modules'), { recursive: true });
  symlinkSync(pkg, join(source, 'node_modules', 'recurrent'), 'dir');
  for (const f of ['index.html', 'page.js', 'train_worker.js']) copyFileSync(join(example, f), join(source, f));
  await viteBuild({ root: source, base: './', logLevel: 'silent', build: { outDir: join(work, 'worker-vite'), emptyOutDir: true } });
  await runWorkerExample('worker-vite/index.html');
});
