import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/** Asserts equal shapes and |actual − expected| ≤ atol + rtol·|expected| everywhere, naming the worst element. */
export function assertClose(actual: Tensor, expected: Tensor, label: string, atol = 1e-4, rtol = 1e-4): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${label}: shape`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.size; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(`${label}: element ${worst} is ${actual.data[worst]}, expected ${expected.data[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}
