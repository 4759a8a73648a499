/**
 * Which backend runs the kernels. The fastest registered backend is the default; `setBackend(name)`
 * or the environment variable RECURRENT_BACKEND (read once, at first use) overrides it.
 * The built-in backends are `reference` and, where WebAssembly SIMD is available, `wasm` (faster).
 */
import { EnvironmentError, ValueError } from '../errors.js';
import type { Backend } from './backend.js';
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

/** Adds a backend; a backend registered later counts as faster. */
export function registerBackend(b: Backend): void {
  loadBuiltins();
  registry.set(b.name, b);
}
