// The page of threads.test.ts: how many threads the wasm backend reports before the page has
// returned to its event loop (its workers cannot have started), and after `await ready()`.
import { add, getNumThreads, ready, setNumThreads, tensor } from '../../../packages/recurrent/src/index.js';

export interface ThreadsResult {
  isolated: boolean;
  /** getNumThreads() right after the first op, before the page yields. */
  before: number;
  /** What ready() resolved with. */
  ready: { backend: string; threads: number; threadsNote: string | null };
  after: number;
}

async function main(): Promise<ThreadsResult> {
  setNumThreads(2);
  add(tensor([1, 2]), 1);
  const before = getNumThreads();
  const info = await ready({ timeoutMs: 5000 });
  return { isolated: crossOriginIsolated, before, ready: info, after: getNumThreads() };
}

const scope = globalThis as { __result?: ThreadsResult | { error: string } };
main().then(
  (r) => (scope.__result = r),
  (e: unknown) => (scope.__result = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
);
