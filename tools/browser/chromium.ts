/**
 * Headless Chromium for the browser tests and the browser benchmark: Debian's `chromium` package
 * (/usr/bin/chromium, or RECURRENT_CHROMIUM), driven by playwright-core, which downloads no
 * browser of its own. Each session gets a fresh profile directory, removed at close, and flags that
 * keep the browser from reaching the network on its own.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.RECURRENT_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One message a page printed or threw. */
export interface ConsoleEntry {
  type: string;
  text: string;
}

export interface BrowserSession {
  context: BrowserContext;
  /** Opens `url` in a new page, recording its console messages and uncaught errors into `log`. */
  open(url: string, log?: ConsoleEntry[]): Promise<Page>;
  close(): Promise<void>;
}

/** Whether the Chromium binary is there (the tests say how to install it when it is not). */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  if (!chromiumInstalled()) throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` (or set RECURRENT_CHROMIUM)`);
  const profile = mkdtempSync(join(tmpdir(), 'recurrent-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: FLAGS,
      viewport: options.viewport ?? { width: 1280, height: 900 },
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    async open(url, log) {
      const page = await context.newPage();
      if (log !== undefined) {
        page.on('console', (m) => log.push({ type: m.type(), text: m.text() }));
        page.on('pageerror', (e) => log.push({ type: 'pageerror', text: e.stack ?? e.message }));
      }
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
