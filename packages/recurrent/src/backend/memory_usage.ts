/**
 * The memory the kernel backends hold, for watching a long run (torch.cuda.memory_allocated and
 * memory_reserved play this part in PyTorch). Tensors on the reference backend are ordinary
 * JavaScript arrays: process.memoryUsage() (heapUsed, arrayBuffers) already counts them.
 */
import { existingWasmRuntime } from './wasm/runtime.js';

export interface MemoryUsage {
  /**
   * Bytes of the wasm backend's WebAssembly memory: what the process holds for it. A WebAssembly
   * memory grows and never shrinks, so this is also its peak. 0 until the wasm backend first runs.
   */
  wasmBytes: number;
  /** Bytes of it held by live resident arrays (module parameters and optimizer state kept in wasm memory). */
  wasmResidentBytes: number;
  /** Bytes of it taken by temporary blocks of the op running now: 0 between ops. */
  wasmArenaBytes: number;
  /** Largest size the WebAssembly memory may grow to, in bytes; 0 until the wasm backend first runs. */
  wasmMaximumBytes: number;
}

/**
 * The memory the kernel backends hold now. Reading it costs nothing and never starts the wasm
 * backend: before its first use, or where WebAssembly SIMD is unavailable, every field is 0.
 *
 * A run that does not leak keeps `wasmBytes` flat after its first steps and `wasmArenaBytes` at 0
 * between steps; `wasmResidentBytes` follows the parameters and optimizer state alive.
 *
 * @example
 * ```ts
 * import { matmul, memoryUsage, randn } from 'recurrent';
 * matmul(randn([64, 64]), randn([64, 64]));
 * const usage = memoryUsage();
 * usage.wasmArenaBytes; // 0
 * const wasmMiB = usage.wasmBytes / 2 ** 20; // 4 or more on the wasm backend; 0 if it never ran
 * ```
 */
export function memoryUsage(): MemoryUsage {
  const rt = existingWasmRuntime();
  if (rt === null) return { wasmBytes: 0, wasmResidentBytes: 0, wasmArenaBytes: 0, wasmMaximumBytes: 0 };
  return {
    wasmBytes: rt.memory.byteLength,
    wasmResidentBytes: rt.resident.bytesInUse,
    wasmArenaBytes: rt.arena.used,
    wasmMaximumBytes: rt.memory.maximumBytes,
  };
}
