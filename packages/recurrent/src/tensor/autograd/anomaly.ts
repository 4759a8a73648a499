/**
 * Anomaly detection, as torch.autograd.detect_anomaly: while it is on, each recorded op keeps the
 * stack where it was created, and the first op whose forward output or backward gradient holds
 * NaN or ±Inf raises AnomalyError naming the op and the first stack frame in the caller's code.
 * Capturing stacks costs time, so it is off by default.
 */
import { AnomalyError, ValueError } from '../../errors.js';
import type { Tensor } from '../tensor.js';

let enabled = false;

/** Turns anomaly detection on or off until the next call (torch.autograd.set_detect_anomaly). */
export function setDetectAnomaly(mode: boolean): void {
  if (typeof mode !== 'boolean') throw new ValueError(`setDetectAnomaly: mode must be a boolean; got ${String(mode)}`);
  enabled = mode;
}

export function isAnomalyEnabled(): boolean {
  return enabled;
}

/**
 * Runs the synchronous `fn` with anomaly detection on (torch.autograd.detect_anomaly) and returns
 * its result; the mode is restored afterwards, whatever it was. Like noGrad, it rejects an `fn`
 * that returns a promise; use setDetectAnomaly for async code.
 */
export function detectAnomaly<T>(fn: () => T): T {
  const saved = enabled;
  enabled = true;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = saved;
  }
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    throw new ValueError('detectAnomaly: fn returned a promise; the mode would only hold until its first await. Use setDetectAnomaly(true) for async code');
  }
  return result;
}

/**
 * The library's source (or build) directory, two levels above this file: frames under it are not
 * the caller's code. Cut from the URL as text: bundlers (Vite) take `new URL('…', import.meta.url)`
 * for an asset to copy into the build.
 */
const LIBRARY_ROOT = import.meta.url.replace(/(?:[^/]*\/){2}[^/]*$/, '');
const LIBRARY_PATH = LIBRARY_ROOT.startsWith('file://') ? decodeURIComponent(new URL(LIBRARY_ROOT).pathname) : LIBRARY_ROOT;

/** The first frame of the current stack outside this library, or null if there is none. */
export function callerFrame(): string | null {
  const stack = new Error().stack ?? '';
  const frames = stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at ') || line.includes('@'));
  const outside = frames.find((f) => !f.includes(LIBRARY_ROOT) && !f.includes(LIBRARY_PATH) && !f.includes('node:internal'));
  return outside ?? null;
}

/** The index of the first NaN or ±Inf of a floating tensor, or −1. */
function firstNonFinite(t: Tensor): number {
  if (t.dtype === 'int32') return -1;
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return i;
  return -1;
}

/** Throws AnomalyError if one of `tensors` holds NaN or Inf. */
export function checkFinite(op: string, phase: 'forward' | 'backward', tensors: readonly (Tensor | null | undefined)[], createdAt: string | null): void {
  tensors.forEach((t, k) => {
    if (t === null || t === undefined) return;
    const at = firstNonFinite(t);
    if (at < 0) return;
    const what = phase === 'forward' ? `output ${k}` : `the gradient of input ${k}`;
    const where = createdAt === null ? '' : `; the op was created ${createdAt}`;
    throw new AnomalyError(`detectAnomaly: ${op} produced ${t.data[at]} in ${what} (element ${at}) during ${phase}${where}`, op, phase, createdAt);
  });
}
