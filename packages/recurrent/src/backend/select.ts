/**
 * Which backend runs the kernels. The fastest registered backend is the default; `setBackend(name)`
 * or the environment variable RECURRENT_BACKEND (read once, at first use) overrides it.
 * The built-in backends are `reference` and, where WebAssembly SIMD is available, `wasm` (faster).
 */
import { EnvironmentError, ValueError, fmtValue } from '../errors.js';
import type { Backend } from './backend.js';
import type { RecurrentKernels } from './recurrent_kernels.js';
import { referenceBackend } from './reference/reference_backend.js';
import { createWasmBackend } from './wasm/wasm_backend.js';

/** Registered backends, fastest last. */
const registry = new Map<string, Backend>([[referenceBackend.name, referenceBackend]]);
let current: Backend | null = null;
let builtinsLoaded = false;

/**
 * Registers the wasm backend after the reference one, before any of the user's (which thus still
 * count as faster). Done at first use rather than at import, since it compiles the kernels and
 * reserves memory; skipped where that fails (no WebAssembly SIMD).
 */
function loadBuiltins(): void {
  if (builtinsLoaded) return;
  builtinsLoaded = true;
  const wasm = createWasmBackend();
  if (wasm !== null) registry.set(wasm.name, wasm);
}

function envChoice(): string | undefined {
  const env = typeof process !== 'undefined' ? process.env?.RECURRENT_BACKEND : undefined;
  return env === undefined || env === '' ? undefined : env;
}

/** The backend ops run on now. */
export function backend(): Backend {
  if (current === null) {
    const wanted = envChoice();
    if (wanted !== referenceBackend.name) loadBuiltins();
    current = wanted !== undefined ? envLookup(wanted) : [...registry.values()].at(-1)!;
  }
  return current;
}

/** RECURRENT_BACKEND's backend; an unknown or unavailable name is an EnvironmentError at first use. */
function envLookup(name: string): Backend {
  const found = registry.get(name);
  if (found !== undefined) return found;
  const why = name === 'wasm' ? 'the wasm backend is unavailable in this runtime (no WebAssembly SIMD)' : `unknown backend '${name}'`;
  throw new EnvironmentError(
    `RECURRENT_BACKEND: ${why}; available: ${[...registry.keys()].join(', ')}. Set it to one of those or unset it`,
    'RECURRENT_BACKEND',
    name,
  );
}

function lookup(name: string, source: string): Backend {
  const found = registry.get(name);
  if (found === undefined) {
    throw new ValueError(`${source}: unknown backend '${name}'; available: ${[...registry.keys()].join(', ')}`);
  }
  return found;
}

/** Switches every later op to the named backend ('reference', or a registered fast backend). */
export function setBackend(name: string): void {
  loadBuiltins();
  current = lookup(name, 'setBackend');
}

/** Name of the active backend. */
export function getBackend(): string {
  return backend().name;
}

export function listBackends(): string[] {
  loadBuiltins();
  return [...registry.keys()];
}

/** The kernels every backend must have (typed so that a kernel added to Backend must be listed). */
const REQUIRED_KERNELS: Record<Exclude<keyof Backend, 'name' | 'residentF32' | keyof RecurrentKernels>, true> = {
  unary: true,
  binary: true,
  where: true,
  clamp: true,
  copy: true,
  reduce: true,
  argReduce: true,
  softmax: true,
  logSumExp: true,
  gemm: true,
  gather: true,
  scatterAdd: true,
  indexSelect: true,
  indexAdd: true,
  convForward: true,
  convBackward: true,
};

/**
 * Adds a backend; a backend registered later counts as faster. Its name must be new (registering
 * the same object twice is harmless) and it must have every required kernel; the fused recurrent
 * kernels are optional (the recurrent layers run composed without them).
 */
export function registerBackend(b: Backend): void {
  loadBuiltins();
  if (typeof b !== 'object' || b === null) throw new ValueError(`registerBackend: expected a backend object; got ${fmtValue(b)}`);
  const name: unknown = b.name;
  if (typeof name !== 'string' || name === '') throw new ValueError(`registerBackend: name must be a non-empty string; got ${fmtValue(name)}`);
  const existing = registry.get(name);
  if (existing === b) return;
  if (existing !== undefined) throw new ValueError(`registerBackend: a backend named '${name}' is already registered; choose another name`);
  const missing = Object.keys(REQUIRED_KERNELS).filter((k) => typeof (b as unknown as Record<string, unknown>)[k] !== 'function');
  if (missing.length > 0) throw new ValueError(`registerBackend: backend '${name}' lacks the kernels ${missing.join(', ')}`);
  registry.set(name, b);
}
