/**
 * The control block between the calling thread and its workers, and the workers' source.
 *
 * Layout (a SharedArrayBuffer): one 64-byte slot per worker (its own cache line) with int32 SEQ,
 * DONE, READY, OPEN, FAILED and the float64 WS (the worker's workspace pointer); then the job: int32
 * FN, ARGC, CHUNKS, NEXT, and a float64 table of CHUNKS argument lists of ARGC values each.
 *
 * A job is one kernel (FN, an index into KERNEL_NAMES) over CHUNKS independent argument lists; the
 * running thread appends its workspace pointer to each list. To run job t (t > 0, increasing) the
 * caller writes the job, then for each worker stores t into OPEN (the offer) and SEQ (the
 * doorbell) and notifies. A worker woken by the doorbell accepts with OPEN t → 0, then takes
 * chunks by incrementing NEXT until none is left, stores t into DONE and notifies. The caller takes
 * chunks the same way, then withdraws every offer not yet accepted (OPEN t → 0) and waits only for
 * workers that accepted, which hold at most one chunk each: a worker slow to wake (a busy machine)
 * costs parallelism, never a stall. Both sides spin briefly before Atomics.wait, so back-to-back
 * jobs (one per time step) skip the sleep/wake cost. SEQ = −1 asks the worker to exit.
 *
 * The source is a plain string, so it runs unchanged as a Node worker (eval) and a Web Worker
 * (Blob URL), without a bundler or a file on disk.
 */
export const SLOT_BYTES = 64;
// int32 indices in a slot
export const SEQ = 0;
export const DONE = 1;
export const READY = 2;
export const OPEN = 3;
export const FAILED = 4;
/** float64 index of WS in a slot. */
export const WS = 4;
// int32 indices in the job header
export const FN = 0;
export const ARGC = 1;
export const CHUNKS = 2;
export const NEXT = 3;
export const JOB_HEADER_BYTES = 64;
export const MAX_ARGS = 24;
export const MAX_CHUNKS = 256;
export const EXIT = -1;

/** Bytes of a control block for `workers` workers. */
export function controlBytes(workers: number): number {
  return workers * SLOT_BYTES + JOB_HEADER_BYTES + MAX_CHUNKS * MAX_ARGS * 8;
}

/** What a worker receives at start. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  slot: number;
  /** Byte offset of the job header in `control`. */
  jobAt: number;
  names: readonly string[];
  /** Microseconds an idle worker polls before it sleeps. */
  spinMicros: number;
}

export const WORKER_SOURCE = `'use strict';
function start(init) {
  const exports = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports;
  const fns = init.names.map((name) => exports[name]);
  const at = init.slot * ${SLOT_BYTES};
  const ctl = new Int32Array(init.control, at, ${SLOT_BYTES / 4});
  const wsCell = new Float64Array(init.control, at, ${SLOT_BYTES / 8});
  const job = new Int32Array(init.control, init.jobAt, ${JOB_HEADER_BYTES / 4});
  const table = new Float64Array(init.control, init.jobAt + ${JOB_HEADER_BYTES}, ${MAX_CHUNKS * MAX_ARGS});
  const spin = init.spinMicros;
  // Read the doorbell before announcing readiness: a job may be offered the moment READY is seen.
  let seen = Atomics.load(ctl, ${SEQ});
  Atomics.store(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  for (;;) {
    let seq = Atomics.load(ctl, ${SEQ});
    if (seq === seen) {
      const until = performance.now() + spin;
      for (let i = 1; seq === seen; i++) {
        if ((i & 1023) === 0 && performance.now() > until) Atomics.wait(ctl, ${SEQ}, seen);
        seq = Atomics.load(ctl, ${SEQ});
      }
    }
    seen = seq;
    if (seq === ${EXIT}) return;
    const task = Atomics.load(ctl, ${OPEN});
    if (task === 0 || Atomics.compareExchange(ctl, ${OPEN}, task, 0) !== task) continue;
    let failed = 0;
    try {
      const fn = fns[job[${FN}]];
      const argc = job[${ARGC}];
      const chunks = job[${CHUNKS}];
      const ws = wsCell[${WS}];
      const a = new Array(argc + 1);
      a[argc] = ws;
      for (let c = Atomics.add(job, ${NEXT}, 1); c < chunks; c = Atomics.add(job, ${NEXT}, 1)) {
        for (let i = 0; i < argc; i++) a[i] = table[c * ${MAX_ARGS} + i];
        fn(...a);
      }
    } catch (e) {
      failed = 1;
    }
    Atomics.store(ctl, ${FAILED}, failed);
    Atomics.store(ctl, ${DONE}, task);
    Atomics.notify(ctl, ${DONE});
  }
}
// Node (>= 20.16) reads worker_threads through process; a Web Worker gets its init by message.
const threads = typeof process === 'object' && typeof process.getBuiltinModule === 'function'
  ? process.getBuiltinModule('node:worker_threads')
  : null;
if (threads !== null && threads !== undefined) start(threads.workerData);
else self.onmessage = (event) => start(event.data);
`;
