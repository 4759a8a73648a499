// The op and recurrent-layer equivalence checks against the PyTorch fixtures, run in headless
// Chromium on the wasm backend: on a cross-origin isolated page (two threads, whose results must
// equal one thread's bit for bit) and on a plain page (one thread, and a console note naming the
// headers that enable threads). Neither page may log an error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium, type BrowserSession, type ConsoleEntry } from '../../tools/browser/chromium.js';
import { startStaticServer } from '../../tools/browser/static_server.js';
import { bundlePage } from './bundle.js';
import type { EquivalenceResult } from './pages/equivalence_page.js';

const root = resolve(import.meta.dirname, '..', '..');
const fixtures = join(root, 'packages', 'recurrent', 'test', 'fixtures');
const work = mkdtempSync(join(tmpdir(), 'recurrent-browser-eq-'));
const list = (dir: string): string[] =>
  readdirSync(join(fixtures, dir))
    .filter((f) => f.endsWith('.safetensors'))
    .sort();
const ops = list('ops');
const rnn = list('rnn');
let browser: BrowserSession;

before(async () => {
  await bundlePage(join(import.meta.dirname, 'pages', 'equivalence_page.ts'), join(work, 'page.js'));
  writeFileSync(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><title>equivalence</title><script type="module" src="page.js"></script>\n');
  writeFileSync(join(work, 'fixtures.json'), JSON.stringify({ ops, rnn }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

async function runPage(isolated: boolean): Promise<{ result: EquivalenceResult; log: ConsoleEntry[] }> {
  const server = await startStaticServer({ routes: { '/': work, '/fixtures/': fixtures }, isolated });
  try {
    const log: ConsoleEntry[] = [];
    const page = await browser.open(server.url, log);
    const handle = await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result, null, { timeout: 90_000 });
    const result = (await handle.jsonValue()) as EquivalenceResult | { error: string };
    await page.close();
    if ('error' in result) assert.fail(`the page failed: ${result.error}`);
    return { result, log };
  } finally {
    await server.close();
  }
}

function assertAllPassed(result: EquivalenceResult): void {
  assert.deepEqual(result.failures, []);
  assert.equal(result.backend, 'wasm');
  assert.ok(ops.length >= 40 && rnn.length >= 30, `fixtures found: ${ops.length} ops, ${rnn.length} rnn`);
  assert.equal(result.passed.ops, ops.length);
  assert.equal(result.passed['rnn fused'], rnn.length);
  assert.equal(result.passed['rnn composed'], rnn.length);
}

const errorsIn = (log: ConsoleEntry[]): ConsoleEntry[] => log.filter((e) => e.type === 'error' || e.type === 'pageerror');

test('a cross-origin isolated page passes the fixture checks on two threads, equal to one thread bit for bit', { timeout: 120_000 }, async () => {
  const { result, log } = await runPage(true);
  assert.equal(result.isolated, true);
  assertAllPassed(result);
  assert.equal(result.threads, 2, 'getNumThreads() after ready()');
  assert.equal(result.threadsNote, null);
  assert.equal(result.passed.threaded, 2, 'LSTM and GRU compared');
  assert.ok((result.workerChunks ?? 0) > 0, 'the workers ran chunks');
  assert.deepEqual(errorsIn(log), []);
  assert.deepEqual(
    log.filter((e) => e.text.includes('Cross-Origin')),
    [],
    'no note about threads',
  );
});

test('a page that is not isolated passes them on one thread and says once which headers enable threads', { timeout: 120_000 }, async () => {
  const { result, log } = await runPage(false);
  assert.equal(result.isolated, false);
  assertAllPassed(result);
  assert.equal(result.threads, 1, 'getNumThreads() without shared memory');
  assert.match(result.threadsNote ?? '', /not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
  const notes = log.filter((e) => e.text.includes('Cross-Origin-Opener-Policy'));
  assert.deepEqual(
    notes.map((e) => e.type),
    ['info'],
    'one note, on console.info',
  );
  assert.deepEqual(errorsIn(log), []);
});
