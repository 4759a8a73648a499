// The playground (playground/) built as `npm run playground` builds it, served cross-origin
// isolated from 127.0.0.1, in headless Chromium: it trains an LSTM beside a GRU and an RNN in its
// worker until the loss has clearly fallen, and every view shows the model's insides. Its controls
// have names and its tabs work from the keyboard; nothing is logged as an error. Screenshots go to
// a temporary folder, or to $PLAYGROUND_SCREENSHOTS (playground/screenshots holds the committed ones).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildPlayground, type FileWeight } from '../../playground/build.js';
import { launchChromium, type BrowserSession, type ConsoleEntry } from '../../tools/browser/chromium.js';
import { startStaticServer, type StaticServer } from '../../tools/browser/static_server.js';

const work = mkdtempSync(join(tmpdir(), 'recurrent-playground-'));
const shots = process.env.PLAYGROUND_SCREENSHOTS ?? join(work, 'screenshots');
let weights: FileWeight[];
let browser: BrowserSession;
let server: StaticServer;
let page: Page;
const log: ConsoleEntry[] = [];

before(async () => {
  weights = await buildPlayground(join(work, 'dist'));
  mkdirSync(shots, { recursive: true });
  server = await startStaticServer({ routes: { '/': join(work, 'dist') }, isolated: true });
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
  page = await browser.open(`${server.url}?autostart&hidden=64&seqlen=50&lr=0.01`, log);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Snapshot {
  losses: Record<string, [number, number][]>;
  step: number;
  cell: string;
}

const snapshot = (): Promise<Snapshot> =>
  page.evaluate(() => {
    const s = (globalThis as unknown as { playground: { losses: Record<string, [number, number][]>; insides: { step: number; cell: string } | null } })
      .playground;
    return { losses: s.losses, step: s.insides?.step ?? 0, cell: s.insides?.cell ?? '' };
  });

/** Mean of the first and of the last `n` losses of a series. */
function ends(points: [number, number][], n: number): [number, number] {
  const mean = (xs: [number, number][]): number => xs.reduce((s, [, y]) => s + y, 0) / xs.length;
  return [mean(points.slice(0, n)), mean(points.slice(-n))];
}

test('the page is small: its files weigh under 600 KiB, under 200 KiB gzipped', () => {
  const total = weights.reduce((s, w) => s + w.bytes, 0);
  const gzipped = weights.reduce((s, w) => s + w.gzipBytes, 0);
  // The two workers share the library's chunk.
  assert.deepEqual(
    weights.map((w) => w.file).filter((f) => !f.startsWith('chunk-')),
    ['index.html', 'main.js', 'moby_dick_excerpt.txt', 'seq2seq_worker.js', 'style.css', 'worker.js'],
  );
  assert.ok(total < 600 * 1024 && gzipped < 200 * 1024, `${total} bytes, ${gzipped} gzipped`);
  const main = weights.find((w) => w.file === 'main.js')!;
  assert.ok(main.bytes < 40 * 1024, `the page script stays free of the library: ${main.bytes} bytes`);
});

test('the playground trains in its worker and the loss falls, for all three cells', { timeout: 150_000 }, async () => {
  const deadline = Date.now() + 120_000;
  let s = await snapshot();
  const fell = (x: Snapshot): boolean =>
    ['lstm', 'gru', 'rnn'].every((cell) => {
      const points = x.losses[cell] ?? [];
      if (points.length < 12) return false;
      const [first, last] = ends(points, 3);
      return last < first - 0.6;
    });
  while (!(fell(s) && s.step > 0) && Date.now() < deadline) {
    await page.waitForTimeout(1000);
    s = await snapshot();
  }
  const lstm = s.losses.lstm ?? [];
  assert.ok(fell(s), `losses did not fall by 0.6 nats: ${JSON.stringify(Object.fromEntries(Object.entries(s.losses).map(([k, v]) => [k, ends(v, 3)])))}`);
  assert.ok(ends(lstm, 3)[0] > 3.5, 'the first losses are near ln(vocabulary size)');
  assert.equal(s.cell, 'lstm');
  await page.waitForFunction(() => (document.getElementById('sample')?.textContent ?? '').length > 50);
  await page.screenshot({ path: join(shots, 'playground.png'), fullPage: true });
  for (const [id, file] of [
    ['loss-chart', 'loss.png'],
    ['unrolled', 'unrolled.png'],
    ['gradient-chart', 'gradients.png'],
  ] as const) {
    await page.locator(`#${id}`).screenshot({ path: join(shots, file) });
  }
  assert.equal(readFileSync(join(shots, 'playground.png')).subarray(1, 4).toString(), 'PNG');
});

test('every view shows the insides of the model', async () => {
  // No named functions inside: the test's TypeScript loader would wrap them in a helper the page lacks.
  const views = await page.evaluate(() => ({
    steps: document.querySelectorAll('#unrolled g.step').length,
    characters: document.querySelectorAll('#activation-text .ch').length,
    finders: document.querySelectorAll('#unit-finder li').length,
    gates: Array.from(document.querySelectorAll('#gates figcaption')).map((f) => f.textContent?.split(':')[0]),
    gradientLines: document.querySelectorAll('#gradient-chart path').length,
    legend: Array.from(document.querySelectorAll('#gradient-chart .series-label')).map((t) => t.textContent),
    nextRows: document.querySelectorAll('#next-char tbody tr').length,
    sample: document.getElementById('sample')?.textContent?.length ?? 0,
    speed: document.getElementById('speed')?.textContent ?? '',
  }));
  assert.equal(views.steps, 14, 'unrolled steps');
  assert.ok(views.characters >= 400, `coloured characters: ${views.characters}`);
  assert.equal(views.finders, 4, 'unit finder features');
  assert.deepEqual(views.gates, ['input', 'forget', 'output']);
  assert.equal(views.gradientLines, 3);
  assert.deepEqual(views.legend, ['LSTM', 'RNN', 'GRU']);
  assert.equal(views.nextRows, 6, 'five likeliest characters and the actual one');
  assert.ok(views.sample > 50);
  assert.match(views.speed, /step \d+ · [\d,]+ characters\/s/);
});

test('a unit picked by the finder is shown everywhere, and the controls work from the keyboard', async () => {
  await page.locator('#unit-finder button').first().click();
  const unit = await page.locator('#unit').inputValue();
  assert.match((await page.locator('#inside-caption').textContent()) ?? '', new RegExp(`unit ${unit} of 64`));
  const unnamed = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea, button'))
      .filter((e) => {
        const el = e as HTMLInputElement;
        return !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim()));
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, [], 'controls without an accessible name');
  await page.locator('#tab-charlm').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#panel-seq2seq').isVisible(), true);
  assert.equal(await page.locator('#panel-charlm').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-seq2seq');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#panel-charlm').isVisible(), true);
  assert.deepEqual(
    log.filter((e) => e.type === 'error' || e.type === 'pageerror'),
    [],
  );
});

test('the sequence-to-sequence tab: a date reader learns in its worker, and the attention of a typed date fills the table', { timeout: 150_000 }, async () => {
  await page.locator('#tab-seq2seq').click();
  await page.locator('#s2s-start').click();
  const deadline = Date.now() + 120_000;
  const read = (): Promise<{ losses: [number, number][]; accuracy: [number, number][] }> =>
    page.evaluate(() => {
      const t = (globalThis as unknown as { seq2seqTab: { losses: [number, number][]; accuracy: [number, number][] } }).seq2seqTab;
      return { losses: t.losses, accuracy: t.accuracy };
    });
  let s = await read();
  const learned = (x: typeof s): boolean => x.losses.length >= 20 && ends(x.losses, 5)[1] < ends(x.losses, 5)[0] / 2 && x.accuracy.length >= 2;
  while (!learned(s) && Date.now() < deadline) {
    await page.waitForTimeout(1000);
    s = await read();
  }
  assert.ok(learned(s), `the loss did not halve: ${JSON.stringify(ends(s.losses, 5))}, ${s.accuracy.length} accuracy points`);
  await page.locator('#s2s-input').fill('the 9th of August 1984');
  await page.waitForFunction(() => (document.getElementById('s2s-output')?.textContent ?? '').startsWith('the 9th of August 1984 →'));
  const table = await page.evaluate(() => ({
    columns: document.querySelectorAll('#s2s-alignment thead th').length,
    rows: document.querySelectorAll('#s2s-alignment tbody tr').length,
    output: document.getElementById('s2s-output')?.textContent ?? '',
  }));
  const output = table.output.split('→ ')[1] ?? '';
  assert.equal(table.columns, 1 + 'the 9th of August 1984'.length, 'a column per input character');
  assert.equal(table.rows, Array.from(output).length + 1, 'a row per output character and the end of sequence');
  await page.locator('#panel-seq2seq').screenshot({ path: join(shots, 'seq2seq-tab.png') });
  assert.deepEqual(
    log.filter((e) => e.type === 'error' || e.type === 'pageerror'),
    [],
  );
});
