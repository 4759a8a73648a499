/**
 * Feature detection for the wasm backend, as tfjs does it: validate a tiny module that uses the
 * instruction in question.
 *
 * Relaxed SIMD on Node 20 (V8 11.3) sits behind V8's `--experimental-wasm-relaxed-simd`. Setting
 * it at run time with `v8.setFlagsFromString` before compiling works: `WebAssembly.validate` of a
 * module using f32x4.relaxed_madd turns from false to true, in the main thread and in workers
 * (V8 flags are per process), and the compiled code uses the FMA3 instruction. Node 22+ (V8 11.4+)
 * ships relaxed SIMD enabled. Set RECURRENT_WASM_RELAXED=0 to use the plain SIMD kernels anyway.
 */
import { nodeBuiltin, readEnv } from './platform.js';

export interface WasmFeatures {
  /** 128-bit SIMD: required by every kernel binary. */
  simd: boolean;
  /** Relaxed SIMD (fused multiply-add). */
  relaxedSimd: boolean;
  /** Shared WebAssembly memory, hence worker threads. */
  sharedMemory: boolean;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const VOID_TYPE = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

/** A module with one function `() → ()` whose body is `body` (no locals). */
function probe(body: number[]): Uint8Array<ArrayBuffer> {
  const fn = [0x00, ...body, 0x0b];
  return new Uint8Array([...HEADER, ...VOID_TYPE, 0x0a, fn.length + 2, 0x01, fn.length, ...fn]);
}

/** i32.const 0; i8x16.splat; drop. */
const SIMD_PROBE = probe([0x41, 0x00, 0xfd, 0x0f, 0x1a]);
/** Three v128.const 0; f32x4.relaxed_madd; drop. */
const RELAXED_PROBE = probe([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x1a]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

function relaxedSimd(): boolean {
  if (readEnv('RECURRENT_WASM_RELAXED') === '0') return false;
  if (validates(RELAXED_PROBE)) return true;
  const v8 = nodeBuiltin('node:v8');
  if (v8 === null) return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return validates(RELAXED_PROBE);
}

function sharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return memory.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let detected: WasmFeatures | null = null;

/** What this runtime offers; detected once. */
export function wasmFeatures(): WasmFeatures {
  if (detected === null) {
    const simd = typeof WebAssembly === 'object' && validates(SIMD_PROBE);
    detected = { simd, relaxedSimd: simd && relaxedSimd(), sharedMemory: simd && sharedMemory() };
  }
  return detected;
}
