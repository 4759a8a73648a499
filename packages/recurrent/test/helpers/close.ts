import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/**
 * atol = rtol for float32 results against the PyTorch 1.13 fixtures (test/fixtures/rnn, cells,
 * peephole). Measured worst |ours − torch| / (1 + |torch|) over every output, state and gradient of
 * rnn_fixtures and cells, fused and composed: 4.6e-7 on the reference backend and on wasm with
 * relaxed SIMD (1, 2 or all threads), 5.5e-7 on wasm with RECURRENT_WASM_RELAXED=0 (no fused
 * multiply-add), i.e. a few float32 ulps; 2e-6 leaves about 4× headroom for other rounding orders
 * while a 2e-5 error in one gate fails.
 */
export const TORCH_FLOAT32_TOLERANCE = 2e-6;

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
