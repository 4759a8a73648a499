/**
 * The `wasm` backend: WebAssembly SIMD kernels (relaxed-SIMD FMA where available), products
 * threaded over shared memory. It implements natively the float32 gemm, unary ops, contiguous or
 * scalar add/sub/mul/div, sums, softmax, log-softmax and log-sum-exp along a last axis, row gathers
 * and scatter-adds (embeddings); every other case and every other kernel is the reference backend's.
 */
import type { Backend } from '../backend.js';
import type { RecurrentKernels } from '../recurrent_kernels.js';
import { referenceBackend } from '../reference/reference_backend.js';
import { wasmBinary, wasmUnary } from './elementwise.js';
import { wasmGemm } from './gemm.js';
import { wasmIndexAdd, wasmIndexSelect } from './indexing.js';
import { wasmLogSumExp, wasmReduce, wasmSoftmax } from './reduce.js';
import { wasmRecurrentKernels } from './recurrent.js';
import { tryWasmRuntime, type WasmRuntime } from './runtime.js';

/** A wasm backend over `rt`. */
export function makeWasmBackend(rt: WasmRuntime): Backend & RecurrentKernels {
  return {
    ...referenceBackend,
    name: 'wasm',
    unary: wasmUnary(rt),
    binary: wasmBinary(rt),
    reduce: wasmReduce(rt),
    softmax: wasmSoftmax(rt),
    logSumExp: wasmLogSumExp(rt),
    gemm: wasmGemm(rt),
    indexSelect: wasmIndexSelect(rt),
    indexAdd: wasmIndexAdd(rt),
    ...wasmRecurrentKernels(rt),
    residentF32: (n) => rt.resident.f32(n),
  };
}

/** The wasm backend over the process-wide runtime, or null where WebAssembly SIMD is unavailable. */
export function createWasmBackend(): Backend | null {
  const rt = tryWasmRuntime();
  return rt === null ? null : makeWasmBackend(rt);
}
