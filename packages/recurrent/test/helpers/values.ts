// Assertions for the op tests: tensors against hand-written nested arrays, typed errors.
import assert from 'node:assert/strict';
import { tensor, type NestedArray, type Tensor } from '../../src/index.js';

export function flat(x: NestedArray): number[] {
  return Array.isArray(x) ? x.flatMap((v) => flat(v)) : [x];
}

export function shapeOf(x: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = x;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

/** Same shape (that of `expected` unless given) and every element within tol (relative above 1); NaN and ±∞ must match. */
export function assertValues(actual: Tensor, expected: NestedArray, tol = 1e-6, shape?: number[]): void {
  assert.deepEqual([...actual.shape], shape ?? shapeOf(expected));
  const want = flat(expected);
  const got = Array.from(actual.data);
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `element ${i}: expected NaN, got ${g}`);
    else if (!Number.isFinite(w)) assert.equal(g, w, `element ${i}`);
    else assert.ok(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)), `element ${i}: got ${g}, expected ${w}`);
  });
}

export type ErrorClass = new (message: string) => Error;

/** fn throws an instance of `cls` whose message equals (string) or matches (RegExp) `message`. */
export function assertThrows(fn: () => unknown, cls: ErrorClass, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

/** A float64 leaf that requires grad. */
export function f64(data: NestedArray): Tensor {
  return tensor(data, { dtype: 'float64', requiresGrad: true });
}
