import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/**
 * atol = rtol for float32 results against the PyTorch 1.13 fixtures (test/fixtures/rnn, cells,
 * peephole). Measured worst |ours − torch| / (1 + |torch|) over every output, state and gradient of
 * rnn_fixtures, cells and peephole_fixtures, fused and composed: 4.3e-7 on the reference backend,
 * 4.6e-7 on wasm with relaxed SIMD (1, 2 or all threads), 5.5e-7 on wasm with
 * RECURRENT_WASM_RELAXED=0 (no fused multiply-add) — a few float32 ulps. 2e-6 leaves about 4×
 * headroom for other rounding orders; a 2e-5 error in one GRU gate fails it.
 */
export const TORCH_FLOAT32_TOLERANCE = 2e-6;

/**
 * Asserts equal shapes and |actual − expected| ≤ atol + rtol·|expected| everywhere, naming the worst element.
 * No default tolerance: each caller states the bound its comparison holds (0, 0 for values that must be equal).
 */
export function assertClose(actual: Tensor, expected: Tensor, label: string, atol: number, rtol: number): void {
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
