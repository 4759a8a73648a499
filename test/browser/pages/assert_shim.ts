// The part of node:assert/strict that the shared fixture checks use, for pages: bundles made by
// test/browser/bundle.ts alias node:assert/strict to this file.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

function fail(message?: string | Error): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? 'failed');
}

function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message ?? `expected a truthy value; got ${String(value)}`);
}

function equal<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T {
  if (!Object.is(actual, expected)) fail(message ?? `expected ${String(expected)}; got ${String(actual)}`);
}

/** Structural equality of plain data: primitives (Object.is), arrays, and plain objects. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(ra[k], rb[k]));
}

function deepEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T {
  if (!same(actual, expected)) fail(message ?? `expected ${JSON.stringify(expected)}; got ${JSON.stringify(actual)}`);
}

function throws(fn: () => unknown, message?: string): void {
  try {
    fn();
  } catch {
    return;
  }
  fail(message ?? 'expected a throw');
}

const assert = Object.assign(ok, { ok, equal, strictEqual: equal, deepEqual, deepStrictEqual: deepEqual, fail, throws, AssertionError });
export default assert;
export { ok, equal, deepEqual, fail, throws };
