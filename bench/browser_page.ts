/**
 * The page of the browser benchmark child (bench/browser.ts): the same measurements as the Node
 * child, in Chromium, on its main thread, through the built package bundled by esbuild. The query
 * string names the configuration, the budget and the threads; records collect in
 * globalThis.__records for the child to read as they come.
 */
import { getBackend, getNumThreads, ready, setNumThreads } from 'recurrent';
import { type Budget, type ChildRecord, configFromName, errorText, parseFigures } from './common.js';
import { measureRecurrent } from './recurrent_measures.js';

interface PageState {
  __records: ChildRecord[];
  __done?: { error?: string };
}

const state = globalThis as unknown as PageState;
state.__records = [];

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const num = (name: string): number => Number(q.get(name));
  const config = configFromName(q.get('config') ?? '');
  const budget: Budget = {
    budgetS: num('budget'),
    capS: num('cap'),
    warmupSkipS: num('warmupSkip'),
    maxSamples: num('maxSamples'),
    minSamplesS: num('minSamplesS'),
  };
  const threads = q.get('threads');
  if (threads !== null) setNumThreads(Number(threads));
  const info = await ready();
  state.__records.push({
    type: 'meta',
    framework: 'recurrent-browser',
    backend: getBackend(),
    version: q.get('version') ?? '?',
    threads: getNumThreads(),
    details: { browser: navigator.userAgent, crossOriginIsolated, threadsNote: info.threadsNote ?? 'none', caller: 'the page main thread' },
  });
  measureRecurrent(config, budget, (r) => state.__records.push(r), parseFigures(q.get('figures') ?? undefined, 'figures'));
}

main().then(
  () => (state.__done = {}),
  (e: unknown) => (state.__done = { error: errorText(e) }),
);
