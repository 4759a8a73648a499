/**
 * Grad mode: whether ops record themselves for autograd, as torch.no_grad / enable_grad /
 * set_grad_enabled.
 *
 * JavaScript has one thread, and browsers have no async context, so a mode cannot follow one async
 * function across its awaits. `noGrad` and `enableGrad` therefore take synchronous functions only
 * and reject one that returns a promise (after its first await, recording would silently be back
 * on). For async code, `noGradAsync` turns recording off for everything that runs until its promise
 * settles, other tasks included: the mode is per thread, as in PyTorch, and here the thread is the
 * event loop. `setGradEnabled` sets the mode directly.
 */
import { ValueError } from '../../errors.js';

/** The mode set by setGradEnabled, noGrad and enableGrad. */
let enabled = true;
/** Pending noGradAsync calls; they overlap freely, so a count rather than a saved mode. */
let asyncHolds = 0;

export function isGradEnabled(): boolean {
  return enabled && asyncHolds === 0;
}

/** Switches recording on or off until the next call (torch.set_grad_enabled). Default on. */
export function setGradEnabled(mode: boolean): void {
  if (typeof mode !== 'boolean') throw new ValueError(`setGradEnabled: mode must be a boolean; got ${String(mode)}`);
  enabled = mode;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function runSync<T>(name: string, fn: () => T, mode: boolean, holds: number): T {
  const [savedMode, savedHolds] = [enabled, asyncHolds];
  enabled = mode;
  asyncHolds = holds;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = savedMode;
    asyncHolds = savedHolds;
  }
  if (isThenable(result)) {
    // The caller gets this error instead of the promise, so its rejection has no other handler.
    result.then(undefined, () => undefined);
    throw new ValueError(
      `${name}: fn returned a promise; the mode would only hold until its first await. ` +
        `Use \`await noGradAsync(fn)\` or setGradEnabled(false) … setGradEnabled(true) for async code`,
    );
  }
  return result;
}

/**
 * Runs the synchronous `fn` without recording operations for autograd, and returns its result
 * (torch.no_grad). Throws ValueError if `fn` returns a promise: use `noGradAsync` then.
 */
export function noGrad<T>(fn: () => T): T {
  return runSync('noGrad', fn, false, asyncHolds);
}

/**
 * Runs the synchronous `fn` with recording on, even inside `noGrad` or `noGradAsync`
 * (torch.enable_grad). Throws ValueError if `fn` returns a promise.
 */
export function enableGrad<T>(fn: () => T): T {
  return runSync('enableGrad', fn, true, 0);
}

/**
 * Awaits `fn()` with recording off until its promise settles. Every op that runs meanwhile is
 * unrecorded, including other async tasks interleaved with it (grad mode is global to the event
 * loop, as it is per thread in PyTorch). Calls may overlap; recording resumes when the last settles.
 */
export async function noGradAsync<T>(fn: () => Promise<T> | T): Promise<T> {
  asyncHolds++;
  try {
    return await fn();
  } finally {
    asyncHolds--;
  }
}
