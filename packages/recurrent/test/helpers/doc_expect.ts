// The check a doc example's `expression; // [4, 10, 16]` line becomes: the expression's value
// (a tensor's elements, a shape, a number) must be the stated one.

type Nested = number | readonly Nested[];

/** The comparable form of a value: a tensor's nested elements, a shape's numbers, a number. */
function plain(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'toArray' in value && typeof value.toArray === 'function') {
    return (value.toArray as () => unknown).call(value);
  }
  return Array.isArray(value) ? value.map(plain) : value;
}

function matches(actual: unknown, expected: Nested): boolean {
  if (typeof expected === 'number') {
    // The comments print a few digits: 2.5, 0.6931.
    return typeof actual === 'number' && Math.abs(actual - expected) <= 1e-6 + 1e-4 * Math.abs(expected);
  }
  return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
}

/** Throws unless `actual` is `expected`. */
export function expectDocValue(actual: unknown, expected: Nested): void {
  const value = plain(actual);
  if (!matches(value, expected)) throw new Error(`the value is ${JSON.stringify(value)}, not the stated ${JSON.stringify(expected)}`);
}
