/**
 * What the wasm backend needs from its host beyond the language: Node built-ins (read
 * synchronously through process.getBuiltinModule, so nothing here imports `node:*` and browser
 * bundles stay clean), environment variables, the core count, and starting a thread from source.
 */
type V8Module = typeof import('node:v8');
type OsModule = typeof import('node:os');
type WorkerThreadsModule = typeof import('node:worker_threads');

interface Builtins {
  'node:v8': V8Module;
  'node:os': OsModule;
  'node:worker_threads': WorkerThreadsModule;
}

function nodeProcess(): NodeJS.Process | null {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' ? process : null;
}

/** A Node built-in module, or null outside Node (or on Node < 20.16, which lacks getBuiltinModule). */
export function nodeBuiltin<K extends keyof Builtins>(id: K): Builtins[K] | null {
  const p = nodeProcess();
  if (p === null || typeof p.getBuiltinModule !== 'function') return null;
  const found: unknown = p.getBuiltinModule(id);
  return found === undefined ? null : (found as Builtins[K]);
}

export function readEnv(name: string): string | undefined {
  const value = nodeProcess()?.env?.[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Logical cores this process may use. */
export function availableCores(): number {
  const os = nodeBuiltin('node:os');
  if (os !== null) return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const nav: { hardwareConcurrency?: number } | undefined = typeof navigator !== 'undefined' ? navigator : undefined;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/**
 * Whether a new thread starts while the thread that created it is busy or blocked: so in Node
 * (worker_threads). A browser starts a Web Worker only when its creator returns to the event loop,
 * so there a worker counts as running once it has said so.
 */
export function threadsStartWhileBusy(): boolean {
  return nodeProcess() !== null;
}

/** Whether this is a browser (a page or a worker in one): no Node process, a global `navigator`. */
export function inBrowser(): boolean {
  return nodeProcess() === null && typeof navigator !== 'undefined';
}

/** A started thread: it can be stopped, and it reports a failure to start or run. */
export interface ThreadHandle {
  terminate(): void;
}

/**
 * Starts a thread running `source` (a classic script) that receives `init`: as workerData in Node
 * (worker_threads, unref'd so it never keeps the process alive), by postMessage in a browser (a
 * Web Worker from a Blob URL). Returns null where neither is available.
 */
export function spawnThread(source: string, init: object, onError: (error: unknown) => void): ThreadHandle | null {
  if (nodeProcess() !== null) {
    const threads = nodeBuiltin('node:worker_threads');
    if (threads === null) return null;
    // No inherited execArgv: the parent's loaders (tsx) or --input-type would apply to this script.
    const worker = new threads.Worker(source, { eval: true, workerData: init, execArgv: [] });
    worker.on('error', onError);
    worker.unref();
    return { terminate: () => void worker.terminate() };
  }
  if (typeof Worker === 'undefined' || typeof Blob === 'undefined' || typeof URL === 'undefined') return null;
  const worker = new Worker(scriptUrl(source));
  worker.addEventListener('error', onError);
  // The init message holds a shared memory: a page that may not share it gets 'messageerror'.
  worker.addEventListener('messageerror', () => onError(new Error('the worker could not receive the shared memory')));
  worker.postMessage(init);
  return { terminate: () => worker.terminate() };
}

// One Blob URL per distinct source, kept: revoking it may race the worker's fetch of the script.
const urls = new Map<string, string>();
function scriptUrl(source: string): string {
  let url = urls.get(source);
  if (url === undefined) {
    url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    urls.set(source, url);
  }
  return url;
}
