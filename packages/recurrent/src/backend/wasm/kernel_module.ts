/**
 * The compiled kernel binaries: pick one (relaxed SIMD or not, shared memory or not), compile it
 * once, and instantiate it over a memory with its exports typed.
 *
 * Compilation is synchronous on first use, which Node and browsers allow for binaries of this size;
 * `compileKernelModule` compiles off the calling thread instead (what `ready()` does), so that a
 * page's main thread never stalls on it, and fills the same cache.
 */
import {
  INITIAL_PAGES,
  KERNEL_NAMES,
  MAXIMUM_PAGES,
  RELAXED_SHARED_FLAG_AT,
  RELAXED_WASM_BASE64,
  SIMD_SHARED_FLAG_AT,
  SIMD_WASM_BASE64,
  type KernelExports,
} from './generated/kernels.js';
import { BackendError } from '../../errors.js';

export { INITIAL_PAGES, KERNEL_NAMES, MAXIMUM_PAGES, type KernelExports };

export interface KernelFlavour {
  /** Fused multiply-add through relaxed SIMD. */
  relaxedSimd: boolean;
  /** Imports a shared memory (threads). */
  shared: boolean;
}

const compiled = new Map<string, WebAssembly.Module>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Limits flag of a memory import with a maximum: unshared (0x01), shared (0x03). */
const UNSHARED_LIMITS = 0x01;

/** The binary of a flavour: the unshared build is the shared one with its memory import's limits flag cleared (kernels/build.mjs checks that this is their only difference). */
function binaryOf(f: KernelFlavour): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64(f.relaxedSimd ? RELAXED_WASM_BASE64 : SIMD_WASM_BASE64);
  if (!f.shared) bytes[f.relaxedSimd ? RELAXED_SHARED_FLAG_AT : SIMD_SHARED_FLAG_AT] = UNSHARED_LIMITS;
  return bytes;
}

const keyOf = (f: KernelFlavour): string => `${f.relaxedSimd}/${f.shared}`;

/** The compiled module of a flavour (compiled synchronously on first request, then cached). */
export function kernelModule(f: KernelFlavour): WebAssembly.Module {
  const key = keyOf(f);
  let module = compiled.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(binaryOf(f));
    compiled.set(key, module);
  }
  return module;
}

/** The compiled module of a flavour, compiled asynchronously (WebAssembly.compile) unless cached. */
export async function compileKernelModule(f: KernelFlavour): Promise<WebAssembly.Module> {
  const key = keyOf(f);
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  const module = await WebAssembly.compile(binaryOf(f));
  // A synchronous compile may have filled the cache meanwhile: keep one module per flavour.
  const first = compiled.get(key) ?? module;
  compiled.set(key, first);
  return first;
}

function hasKernels(exports: WebAssembly.Exports): exports is WebAssembly.Exports & KernelExports {
  return KERNEL_NAMES.every((name) => typeof exports[name] === 'function');
}

/** Instantiates `module` over `memory`; the kernels' functions, typed. */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  if (!hasKernels(exports)) throw new BackendError('wasm backend: the kernel binary lacks expected exports; rebuild with `npm run build:kernels`');
  return exports;
}
