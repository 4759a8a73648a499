/**
 * Benchmark child for this library in a browser: one configuration measured by bench/browser_page.ts
 * in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on a cross-origin
 * isolated page served from 127.0.0.1, so that the wasm backend may use threads. The page bundles
 * the built package (dist/) with esbuild, as an application would. Run by bench/run.ts (the
 * `browser` framework); by hand:
 *
 *     npm run build && node --import tsx bench/browser.ts --config lstm-charlm [--threads 1]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { launchChromium } from '../tools/browser/chromium.js';
import { startStaticServer } from '../tools/browser/static_server.js';
import { type ChildRecord, emit, parseChildArgs, runChild } from './common.js';

interface PageState {
  __records?: ChildRecord[];
  __done?: { error?: string };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { config, budget, figures } = parseChildArgs(argv);
  const at = argv.indexOf('--threads');
  const threads = at >= 0 ? argv[at + 1] : undefined;
  const version = (JSON.parse(readFileSync(new URL('../packages/recurrent/package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const work = mkdtempSync(join(tmpdir(), 'recurrent-bench-browser-'));
  const browser = await launchChromium();
  const server = await startStaticServer({ routes: { '/': work }, isolated: true });
  try {
    await build({
      entryPoints: [join(import.meta.dirname, 'browser_page.ts')],
      outfile: join(work, 'page.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'error',
    });
    writeFileSync(join(work, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="page.js"></script>\n');
    const query = new URLSearchParams({
      config: config.name,
      budget: String(budget.budgetS),
      cap: String(budget.capS),
      warmupSkip: String(budget.warmupSkipS),
      maxSamples: String(budget.maxSamples),
      minSamplesS: String(budget.minSamplesS),
      figures: figures.join(','),
      version,
      ...(threads !== undefined ? { threads } : {}),
    });
    const page = await browser.open(`${server.url}index.html?${query}`);
    page.setDefaultTimeout(0);
    // Forward records as they come, so that a run cut short keeps the figures already measured.
    let sent = 0;
    for (;;) {
      const { records, done } = await page.evaluate(() => {
        const s = globalThis as PageState;
        return { records: s.__records ?? [], done: s.__done ?? null };
      });
      for (const r of records.slice(sent)) emit(r);
      sent = records.length;
      if (done !== null) {
        if (done.error !== undefined) throw new Error(`the page failed: ${done.error}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

runChild(main);
