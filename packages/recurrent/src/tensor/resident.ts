/**
 * Residency: long-lived tensors (parameters) moved into storage that the active backend's kernels
 * read in place, such as the wasm backend's memory, so that no call copies them in and an
 * optimizer's in-place updates are seen with no copy. Where a backend offers no such storage the
 * tensor keeps its ordinary array.
 */
import { backend } from '../backend/select.js';
import type { TypedArray } from './dtype.js';
import type { Tensor } from './tensor.js';

/** Storage already placed in backend memory (a tensor may be registered twice: tied weights). */
const placed = new WeakSet<TypedArray>();

/** Moves a float32 tensor's data into storage the active backend uses in place, where it offers some. */
export function makeResident(t: Tensor): void {
  if (t.dtype !== 'float32' || placed.has(t.data)) return;
  const storage = backend().residentF32?.(t.data.length) ?? null;
  if (storage === null) return;
  t.moveStorage(storage);
  placed.add(storage);
}
