/**
 * The Backend's gemm on the wasm kernels: float32 operands are multiplied in wasm memory (threaded
 * when large). Operands already there (resident parameters) are used in place; others are copied
 * in, and the result copied back. Single-row products read B in place with a matrix–vector kernel
 * instead of packing it. A bias is added in wasm memory before the copy back. Float64 (gradient
 * checks) and tiny products run the reference kernel.
 */
import type { Gemm } from '../backend.js';
import { addBiasRows, gemm as referenceGemm } from '../reference/gemm.js';
import type { WasmRuntime } from './runtime.js';

/** Products with at most this many multiply-adds run the reference kernel. */
const MIN_FMAS = 512;

/**
 * A rows×cols block with row stride ld (from offset) as a pointer and stride in wasm memory: in
 * place when the array lives there, else copied into the arena.
 */
function placeBlock(rt: WasmRuntime, src: Float32Array, offset: number, rows: number, cols: number, ld: number): { ptr: number; ld: number } {
  if (rt.owns(src)) return { ptr: src.byteOffset + 4 * offset, ld };
  const span = (rows - 1) * ld + cols;
  // One copy of the whole span unless the gaps between rows would dominate it.
  if (ld === cols || rows === 1 || span <= 2 * rows * cols) {
    return { ptr: rt.copyIn(src.subarray(offset, offset + span)), ld };
  }
  const ptr = rt.allocF32(rows * cols);
  const heap = rt.memory.f32();
  for (let r = 0; r < rows; r++) heap.set(src.subarray(offset + r * ld, offset + r * ld + cols), (ptr >>> 2) + r * cols);
  return { ptr, ld: cols };
}

export function wasmGemm(rt: WasmRuntime): (g: Gemm) => void {
  return (g) => {
    const { c, a, b, m, k, n, bias } = g;
    if (
      !(c instanceof Float32Array) ||
      !(a instanceof Float32Array) ||
      !(b instanceof Float32Array) ||
      m * n * k <= MIN_FMAS ||
      (bias && !(bias instanceof Float32Array))
    ) {
      referenceGemm(g);
      return;
    }
    if (m === 0 || n === 0) return;
    rt.scope(() => {
      const A = placeBlock(rt, a, g.aOffset, g.transA ? k : m, g.transA ? m : k, g.lda);
      const B = placeBlock(rt, b, g.bOffset, g.transB ? n : k, g.transB ? k : n, g.ldb);
      const cInPlace = rt.owns(c);
      const C = cInPlace
        ? { ptr: c.byteOffset + 4 * g.cOffset, ld: g.ldc }
        : g.accumulate
          ? placeBlock(rt, c, g.cOffset, m, n, g.ldc)
          : { ptr: rt.allocF32(m * n), ld: n };
      if (m === 1 && (!g.transA || A.ld === 1)) {
        // A is one contiguous row.
        rt.gemv(C.ptr, A.ptr, B.ptr, B.ld, g.transB, k, n, g.accumulate);
      } else {
        rt.gemm({
          c: C.ptr,
          ldc: C.ld,
          a: A.ptr,
          lda: A.ld,
          transA: g.transA,
          b: B.ptr,
          ldb: B.ld,
          transB: g.transB,
          m,
          k,
          n,
          accumulate: g.accumulate,
        });
      }
      if (bias) {
        if (C.ld === n) rt.kernels.add_bias_rows(C.ptr, rt.owns(bias) ? bias.byteOffset : rt.copyIn(bias), m, n);
        else addBiasRows(rt.memory.f32(), C.ptr >>> 2, C.ld, bias, m, n);
      }
      if (cInPlace) return;
      const heap = rt.memory.f32();
      const at = C.ptr >>> 2;
      if (C.ld === n && g.ldc === n) {
        c.set(heap.subarray(at, at + m * n), g.cOffset);
      } else {
        for (let r = 0; r < m; r++) c.set(heap.subarray(at + r * C.ld, at + r * C.ld + n), g.cOffset + r * g.ldc);
      }
    });
  };
}
