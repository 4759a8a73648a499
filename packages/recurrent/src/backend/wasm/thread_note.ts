/**
 * The one-time console note a browser page gets when the wasm backend runs on fewer threads than
 * it asked for, saying why and what turns threads on. Threads need a SharedArrayBuffer, which a
 * browser gives only to a cross-origin isolated page: one served with the COOP and COEP headers.
 */

/** What the note is written from. */
export interface ThreadState {
  /** Threads asked for (setNumThreads, or the core count). */
  requested: number;
  /** Threads that run now, the calling one included. */
  inUse: number;
  /** Whether the wasm memory is shared (threads possible at all). */
  shared: boolean;
  /** Why a worker failed to start, if one did. */
  workerFailure: string | null;
}

/** The headers that make a page cross-origin isolated, as a server sends them. */
export const ISOLATION_HEADERS = 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (or credentialless)';

/** Why fewer threads run than were asked for, as one sentence for a developer; null when all run. */
export function threadsNote(s: ThreadState): string | null {
  if (s.inUse >= s.requested) return null;
  const head = `recurrent: the wasm backend runs on ${s.inUse} of the ${s.requested} threads asked for`;
  if (!s.shared) {
    const isolated: unknown = (globalThis as { crossOriginIsolated?: unknown }).crossOriginIsolated;
    const why =
      isolated === false || typeof SharedArrayBuffer === 'undefined'
        ? 'this page is not cross-origin isolated, so it has no SharedArrayBuffer for threads to share'
        : 'this runtime has no shared WebAssembly memory';
    return `${head}: ${why}. Serve the page with the headers ${ISOLATION_HEADERS} to use threads.`;
  }
  if (s.workerFailure !== null) {
    return `${head}: its Web Workers failed to start (${s.workerFailure}). A Content-Security-Policy must allow worker-src blob:.`;
  }
  return null;
}

let noted = false;

/** Prints `note` with console.info, once per page; later notes are dropped. */
export function printNoteOnce(note: string | null): void {
  if (note === null || noted) return;
  noted = true;
  console.info(note);
}
