// getNumThreads() in a page counts only threads that run: none of the workers before the page has
// returned to its event loop, both after `await ready()`; and where a Content-Security-Policy
// forbids the workers, one thread, with a console note saying why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, type BrowserSession, type ConsoleEntry } from '../../tools/browser/chromium.js';
import { startStaticServer } from '../../tools/browser/static_server.js';
import { bundlePage } from './bundle.js';
import type { ThreadsResult } from './pages/threads_page.js';

const work = mkdtempSync(join(tmpdir(), 'recurrent-browser-threads-'));
let browser: BrowserSession;

before(async () => {
  await bundlePage(join(import.meta.dirname, 'pages', 'threads_page.ts'), join(work, 'page.js'));
  writeFileSync(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><title>threads</title><script type="module" src="page.js"></script>\n');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

async function runPage(headers: Record<string, string>): Promise<{ result: ThreadsResult; log: ConsoleEntry[] }> {
  const server = await startStaticServer({ routes: { '/': work }, isolated: true, headers });
  try {
    const log: ConsoleEntry[] = [];
    const page = await browser.open(server.url, log);
    const handle = await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result, null, { timeout: 60_000 });
    const result = (await handle.jsonValue()) as ThreadsResult | { error: string };
    await page.close();
    if ('error' in result) assert.fail(`the page failed: ${result.error}`);
    return { result, log };
  } finally {
    await server.close();
  }
}

test('workers count once they run: 1 thread before the page yields, 2 after ready()', { timeout: 90_000 }, async () => {
  const { result, log } = await runPage({});
  assert.equal(result.isolated, true);
  assert.equal(result.before, 1);
  assert.deepEqual(result.ready, { backend: 'wasm', threads: 2, threadsNote: null });
  assert.equal(result.after, 2);
  assert.deepEqual(
    log.filter((e) => e.type === 'error' || e.type === 'pageerror' || e.text.startsWith('recurrent:')),
    [],
  );
});

test('workers forbidden by a Content-Security-Policy: 1 thread, and a note saying why', { timeout: 90_000 }, async () => {
  const { result, log } = await runPage({ 'Content-Security-Policy': "worker-src 'none'" });
  assert.equal(result.isolated, true);
  assert.equal(result.ready.threads, 1);
  assert.equal(result.after, 1);
  assert.match(result.ready.threadsNote ?? '', /runs on 1 of the 2 threads asked for: its Web Workers failed to start .*worker-src blob:/);
  const notes = log.filter((e) => e.text.startsWith('recurrent:'));
  assert.deepEqual(
    notes.map((e) => e.type),
    ['info'],
    'one note',
  );
  // The browser reports the refused workers itself; nothing else may be an error.
  assert.deepEqual(
    log.filter((e) => (e.type === 'error' || e.type === 'pageerror') && !/Content Security Policy/.test(e.text)),
    [],
  );
});
