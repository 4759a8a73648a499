/**
 * `ready()`: everything the default backend needs before the first op, done without blocking —
 * what a browser page awaits once at start-up.
 */
import { getBackend } from './select.js';
import { compileRuntimeKernels, existingWasmRuntime, getNumThreads, requestedThreadCount } from './wasm/runtime.js';
import { inBrowser } from './wasm/platform.js';
import { printNoteOnce } from './wasm/thread_note.js';

/** What `ready()` found. */
export interface ReadyInfo {
  /** The backend ops run on: `'wasm'` where WebAssembly SIMD is available, else `'reference'`. */
  backend: string;
  /** Threads the backend computes with, the calling one included (as `getNumThreads()`). */
  threads: number;
  /** Why fewer threads run than were asked for (in a page: the missing isolation headers), or null. */
  threadsNote: string | null;
}

export interface ReadyOptions {
  /** Longest wait for the worker threads to start, in milliseconds (default 10,000). */
  timeoutMs?: number;
}

/**
 * Prepares the default backend without blocking the calling thread: compiles the WebAssembly
 * kernels asynchronously (browsers refuse or discourage compiling large modules synchronously on a
 * page's main thread), creates the backend and starts its worker threads, resolving when they run.
 * A browser starts a Web Worker only while the page returns to its event loop, so a page that
 * trains in a synchronous loop should await this first, or its threads would start only at the
 * loop's end. Calling it is optional and harmless in Node, where it resolves at once after the
 * same work; calling it again costs nothing.
 *
 * Where the page is not cross-origin isolated, threads cannot run: `threads` is 1, `threadsNote`
 * says why and which headers enable them, and the same note appears once on the console.
 *
 * @example
 * ```ts
 * import { ready, nn, randn } from 'recurrent';
 * const { backend, threads, threadsNote } = await ready();
 * console.log(`${backend} on ${threads} thread(s)`, threadsNote ?? '');
 * const lstm = new nn.LSTM({ inputSize: 8, hiddenSize: 16 });
 * lstm.forward(randn([5, 2, 8]))[0].shape; // [5, 2, 16]
 * ```
 */
export async function ready(options: ReadyOptions = {}): Promise<ReadyInfo> {
  await compileRuntimeKernels();
  const backend = getBackend();
  const rt = backend === 'wasm' ? existingWasmRuntime() : null;
  if (rt !== null) await rt.startThreadsAsync(options.timeoutMs ?? 10_000);
  const threadsNote = rt?.threadsNote(requestedThreadCount()) ?? null;
  if (inBrowser()) printNoteOnce(threadsNote);
  return { backend, threads: backend === 'wasm' ? getNumThreads() : 1, threadsNote };
}
