/**
 * Benchmark child for this library: one configuration, through the public API of the built package
 * (dist/, as users get it) and the default backend (or `--backend NAME`). Run by bench/run.ts,
 * which `npm run bench` runs after building; by hand:
 *
 *     npm run build && node --import tsx bench/recurrent.ts --config lstm-charlm [--backend reference]
 *     npm run build && node --import tsx bench/recurrent.ts --shape LSTM:300:32:64:256:1 --figures infer,train
 */
import { readFileSync } from 'node:fs';
import * as recurrent from 'recurrent';
import { getBackend, setBackend, listBackends } from 'recurrent';
import { emit, parseChildArgs, peakRssMiB, rssMiB, runChild } from './common.js';
import { measureRecurrent } from './recurrent_measures.js';

/** Threads the active backend computes with: the reference backend has one; the wasm backend says. */
function threads(): number {
  const api: Record<string, unknown> = recurrent;
  const get = api.getNumThreads;
  return getBackend() !== 'reference' && typeof get === 'function' ? Number(get()) : 1;
}

async function main(): Promise<void> {
  const { config: c, budget, backend, figures } = parseChildArgs(process.argv.slice(2));
  if (backend !== undefined) setBackend(backend);
  const pkg = JSON.parse(readFileSync(new URL('../packages/recurrent/package.json', import.meta.url), 'utf8')) as { version: string };
  emit({
    type: 'meta',
    framework: 'recurrent',
    backend: getBackend(),
    version: pkg.version,
    threads: threads(),
    details: { node: process.version, backends: listBackends().join(', ') },
  });
  const baselineRssMiB = rssMiB();

  measureRecurrent(c, budget, emit, figures);
  emit({ type: 'memory', config: c.name, peakRssMiB: peakRssMiB(), baselineRssMiB });
}

runChild(main);
