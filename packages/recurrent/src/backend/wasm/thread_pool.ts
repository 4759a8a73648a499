/**
 * A pool of worker threads that run kernels on the shared memory, driven synchronously through
 * the control block of worker_source.ts (no message per job).
 *
 * Workers start lazily and asynchronously and live until terminate() (idle ones sleep in
 * Atomics.wait). A job is offered only to workers that reported ready, and the caller takes
 * chunks too, so a slow or missing worker costs speed, never correctness.
 */
import { spawnThread, type ThreadHandle } from './platform.js';
import {
  ARGC,
  CHUNKS,
  DONE,
  EXIT,
  FAILED,
  FN,
  JOB_HEADER_BYTES,
  MAX_ARGS,
  MAX_CHUNKS,
  NEXT,
  OPEN,
  READY,
  SEQ,
  SLOT_BYTES,
  WORKER_SOURCE,
  WS,
  controlBytes,
  type WorkerInit,
} from './worker_source.js';
import { BackendError } from '../../errors.js';
import { ThreadModeChooser } from './thread_mode.js';

export { MAX_ARGS, MAX_CHUNKS };

/** Microseconds a waiting thread polls before it sleeps. */
const SPIN_MICROS = 50;

interface Slot {
  ctl: Int32Array;
  ws: Float64Array;
  /** Number of the last job offered (0: none yet). */
  task: number;
  handle: ThreadHandle | null;
  failed: boolean;
}

export class ThreadPool {
  private readonly control: SharedArrayBuffer;
  private readonly jobAt: number;
  private readonly job: Int32Array;
  private readonly table: Float64Array;
  private readonly slots: Slot[] = [];
  /** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
  private readonly canBlock: boolean;
  private closed = false;
  private lastTask = 0;
  /** Chunks run by workers so far. */
  chunksOnWorkers = 0;
  /** Why the first worker that failed did (its error's message), or null while none has. */
  failure: string | null = null;
  /** Threads or the caller alone, by measured speed (see ThreadModeChooser); null: always threads. */
  private mode: ThreadModeChooser | null;
  /** When the job begun by the last workersFor started, and whether it got workers. */
  private jobStarted = 0;
  private jobThreaded = false;

  /** Up to `capacity` workers over `memory`, each instantiating `module`; `onFailure` hears of each worker that fails. */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly names: readonly string[],
    readonly capacity: number,
    private readonly onFailure: (() => void) | null = null,
    adaptive = true,
  ) {
    this.mode = adaptive ? new ThreadModeChooser() : null;
    this.control = new SharedArrayBuffer(controlBytes(capacity));
    this.jobAt = capacity * SLOT_BYTES;
    this.job = new Int32Array(this.control, this.jobAt, JOB_HEADER_BYTES / 4);
    this.table = new Float64Array(this.control, this.jobAt + JOB_HEADER_BYTES, MAX_CHUNKS * MAX_ARGS);
    this.canBlock = probeBlocking();
  }

  /** Starts workers until `count` exist (at most the capacity). */
  grow(count: number): void {
    while (!this.closed && this.slots.length < Math.min(count, this.capacity)) {
      const index = this.slots.length;
      const slot: Slot = {
        ctl: new Int32Array(this.control, index * SLOT_BYTES, SLOT_BYTES / 4),
        ws: new Float64Array(this.control, index * SLOT_BYTES, SLOT_BYTES / 8),
        task: 0,
        handle: null,
        failed: false,
      };
      const init: WorkerInit = {
        module: this.module,
        memory: this.memory,
        control: this.control,
        slot: index,
        jobAt: this.jobAt,
        names: this.names,
        spinMicros: SPIN_MICROS,
      };
      this.slots.push(slot);
      const fail = (error: unknown): void => {
        slot.failed = true;
        this.failure ??= errorMessage(error);
        this.onFailure?.();
      };
      try {
        slot.handle = spawnThread(WORKER_SOURCE, init, fail);
        if (slot.handle === null) fail('this runtime cannot start threads');
      } catch (e) {
        slot.handle = null;
        fail(e);
      }
    }
  }

  /** How many of the first `count` workers failed to start or died (workers not yet started count as fine). */
  failedAmong(count: number): number {
    return this.slots.slice(0, count).filter((s) => s.failed).length;
  }

  /** Workers that have started and may take jobs now, up to `limit`. */
  ready(limit: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots.length && out.length < limit; i++) {
      const s = this.slots[i]!;
      if (!s.failed && Atomics.load(s.ctl, READY) === 1) out.push(i);
    }
    return out;
  }

  /**
   * Begins a job: the workers to offer it to, ready ones up to `limit`, or none while running on
   * the caller alone is the faster mode (a busy machine). End it with jobDone.
   */
  workersFor(limit: number): number[] {
    const workers = this.mode === null || this.mode.useThreads() ? this.ready(limit) : [];
    this.jobThreaded = workers.length > 0;
    this.jobStarted = performance.now();
    return workers;
  }

  /** Ends the job begun by the last workersFor: `kind` (its kernel, or a product's shape) and `work` (multiply-adds) let its time inform the choice of mode. */
  jobDone(kind: string, work: number): void {
    this.mode?.record(kind, this.jobThreaded, performance.now() - this.jobStarted, work);
  }

  /** Turns the choice of mode on (from scratch) or off (every job offered to the workers). */
  set adaptive(on: boolean) {
    if (on !== (this.mode !== null)) this.mode = on ? new ThreadModeChooser() : null;
  }

  /** How many times the choice between threads and the caller alone has changed. */
  get modeSwaps(): number {
    return this.mode?.swaps ?? 0;
  }

  /**
   * Resolves when each of the first `count` workers is ready or failed, or after `timeoutMs`, with
   * how many are ready. It waits without blocking: a browser starts a worker only while the thread
   * that created it returns to its event loop.
   */
  async whenReady(count: number, timeoutMs: number): Promise<number> {
    const until = Date.now() + timeoutMs;
    const pending = (): boolean => this.slots.slice(0, count).some((s) => !s.failed && Atomics.load(s.ctl, READY) !== 1);
    while (pending() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    return this.ready(count).length;
  }

  /** Blocks (up to `timeoutMs`) until the first `count` workers are ready; returns how many are. */
  waitReady(count: number, timeoutMs: number): number {
    const until = Date.now() + timeoutMs;
    for (const s of this.slots.slice(0, count)) {
      while (!s.failed && Atomics.load(s.ctl, READY) !== 1 && Date.now() < until) {
        if (this.canBlock) Atomics.wait(s.ctl, READY, 0, Math.max(1, until - Date.now()));
      }
    }
    return this.ready(count).length;
  }

  /**
   * Runs kernel `fn` once per argument list in `chunks`, each completed with the running thread's
   * workspace: on `workers` (ready ones, each with its workspace in `workerWs`) and, unless
   * `onCaller` is null, on the calling thread through `onCaller`. Returns when every chunk is done;
   * throws the first failure after all threads have stopped.
   */
  run(
    fn: number,
    chunks: readonly (readonly number[])[],
    workers: readonly number[],
    workerWs: readonly number[],
    onCaller: ((args: readonly number[]) => void) | null,
  ): void {
    const argc = chunks[0]?.length ?? 0;
    if (chunks.length > MAX_CHUNKS || argc + 1 > MAX_ARGS) throw new BackendError(`thread pool: at most ${MAX_CHUNKS} chunks of ${MAX_ARGS - 1} arguments`);
    const { job, table } = this;
    job[FN] = fn;
    job[ARGC] = argc;
    job[CHUNKS] = chunks.length;
    chunks.forEach((args, c) => {
      for (let i = 0; i < argc; i++) table[c * MAX_ARGS + i] = args[i]!;
    });
    Atomics.store(job, NEXT, 0);
    this.lastTask = this.lastTask >= 0x3fffffff ? 1 : this.lastTask + 1;
    const task = this.lastTask;
    workers.forEach((w, i) => {
      const s = this.slots[w]!;
      s.ws[WS] = workerWs[i]!;
      s.task = task;
      Atomics.store(s.ctl, OPEN, task);
      Atomics.store(s.ctl, SEQ, task);
      Atomics.notify(s.ctl, SEQ);
    });
    let onThisThread = 0;
    let failure: unknown = null;
    if (onCaller !== null) {
      try {
        for (let c = Atomics.add(job, NEXT, 1); c < chunks.length; c = Atomics.add(job, NEXT, 1)) {
          onCaller(chunks[c]!);
          onThisThread++;
        }
      } catch (e) {
        failure = e;
        Atomics.store(job, NEXT, chunks.length); // stop the others early
      }
    }
    for (const w of workers) {
      const s = this.slots[w]!;
      // With a caller that works, withdraw offers not yet accepted; else wait for every worker.
      if (onCaller !== null && Atomics.compareExchange(s.ctl, OPEN, task, 0) === task) continue;
      this.join(s);
      if (Atomics.load(s.ctl, FAILED) !== 0) failure ??= new BackendError(`wasm backend: a kernel failed on worker ${w}`);
    }
    this.chunksOnWorkers += chunks.length - onThisThread;
    if (failure !== null) throw failure;
  }

  private join(s: Slot): void {
    const until = performance.now() + SPIN_MICROS * 4;
    let done = Atomics.load(s.ctl, DONE);
    for (let i = 1; done !== s.task; i++) {
      if (this.canBlock && (i & 1023) === 0 && performance.now() > until) Atomics.wait(s.ctl, DONE, done, 1000);
      done = Atomics.load(s.ctl, DONE);
    }
  }

  /** Stops every worker; the pool is unusable afterwards. */
  terminate(): void {
    this.closed = true;
    for (const s of this.slots) {
      Atomics.store(s.ctl, SEQ, EXIT);
      Atomics.notify(s.ctl, SEQ);
      s.handle?.terminate();
    }
    this.slots.length = 0;
  }
}

/** Milliseconds between looks at the workers' READY flags while awaiting them. */
const READY_POLL_MS = 2;

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  // A browser's worker 'error' event is an ErrorEvent with a message (empty when the script failed to load).
  const message: unknown = typeof error === 'object' && error !== null && 'message' in error ? error.message : undefined;
  return typeof message === 'string' && message !== '' ? message : typeof error === 'string' ? error : 'the worker failed to start';
}

function probeBlocking(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
