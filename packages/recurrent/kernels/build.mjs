// Compiles the AssemblyScript kernels into WebAssembly — SIMD128, and SIMD128 + relaxed SIMD (FMA),
// each for a shared and an unshared imported memory — and writes them, base64-embedded, with a
// typed interface of their exports, to src/backend/wasm/generated/kernels.ts. Embedding lets Node
// and browsers load the kernels without file access. An unshared binary differs from its shared
// twin in one byte, the memory import's limits flag (checked here): only the shared binaries are
// embedded, with that byte's offset and unshared value, which halves what a page downloads.
//
// Every kernels/*.ts is an entry: its exported functions become members of KernelExports (and
// callable from the worker threads); shared helpers live in kernels/lib/. Kernels take byte
// pointers into the one memory and sizes, outputs first, and allocate nothing (runtime stub).
// Usage: node kernels/build.mjs   (npm run build:kernels; npm test runs it when the output is stale)
import asc from 'assemblyscript/asc';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// Node 20 compiles relaxed SIMD only behind this V8 flag (on by default from V8 11.4 / Node 22).
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kernelDir = join(root, 'kernels');
const outFile = join(root, 'src', 'backend', 'wasm', 'generated', 'kernels.ts');

// 64 KiB pages. The memory is imported and shared (threads); 65536 pages = 4 GiB, the wasm32 limit.
// The runtime may provide a smaller maximum where a 4 GiB reservation fails.
const INITIAL_PAGES = 1;
const MAXIMUM_PAGES = 65536;

// Shared-memory builds serve threads; the unshared ones serve runtimes without SharedArrayBuffer
// (a browser page that is not cross-origin isolated), where an import's shared flag must match.
const VARIANTS = [
  { name: 'simd', features: 'simd,threads', shared: true },
  { name: 'relaxed', features: 'simd,threads,relaxed-simd', shared: true },
  { name: 'simd_unshared', features: 'simd', shared: false },
  { name: 'relaxed_unshared', features: 'simd,relaxed-simd', shared: false },
];

const entries = readdirSync(kernelDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .sort()
  .map((f) => `kernels/${f}`);

async function compile(features, shared) {
  const files = {};
  const stderr = asc.createMemoryStream();
  const stdout = asc.createMemoryStream();
  const { error } = await asc.main([
    ...entries,
    '--baseDir', root,
    '-O3', '--noAssert', '--runtime', 'stub', '--use', 'abort=',
    '--importMemory', ...(shared ? ['--sharedMemory'] : []), '--initialMemory', String(INITIAL_PAGES), '--maximumMemory', String(MAXIMUM_PAGES),
    '--enable', features,
    '--outFile', 'kernels.wasm', '--bindings', 'raw',
  ], {
    stdout, stderr,
    writeFile(name, contents) { files[name] = contents; },
  });
  if (error) throw new Error(`asc failed (${features}):\n${stderr.toString()}`);
  const binary = files['kernels.wasm'];
  const typings = files['kernels.d.ts'];
  if (!(binary instanceof Uint8Array) || typeof typings !== 'string') throw new Error('asc produced no binary or typings');
  // Compiling checks the binary and tells what it imports.
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(binary));
  const foreign = imports.filter((i) => !(i.module === 'env' && i.name === 'memory'));
  if (foreign.length > 0) throw new Error(`kernels import more than env.memory: ${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}`);
  return { binary, typings };
}

/** `export function name(params): ret;` lines of asc's typings → members of an interface. */
function exportsInterface(typings) {
  const members = [];
  const names = [];
  for (const line of typings.split('\n')) {
    const t = line.trim();
    const fn = /^export function (\w+)\((.*)\): (\w+);$/.exec(t);
    if (fn) {
      members.push(`  ${fn[1]}(${fn[2]}): ${fn[3]};`);
      names.push(fn[1]);
    }
  }
  if (names.length === 0) throw new Error('no exported kernels found in the typings');
  return { members, names };
}

const built = [];
for (const v of VARIANTS) built.push({ ...v, ...(await compile(v.features, v.shared)) });
const { members, names } = exportsInterface(built[0].typings);

/** The one byte where `shared` and `unshared` differ (the memory limits flag), or an error. */
function sharedFlag(shared, unshared, name) {
  const at = [];
  for (let i = 0; i < shared.length; i++) if (shared[i] !== unshared[i]) at.push(i);
  // Limits flags: bit 0 = has a maximum, bit 1 = shared.
  if (shared.length !== unshared.length || at.length !== 1 || shared[at[0]] !== 0x03 || unshared[at[0]] !== 0x01) {
    throw new Error(`${name}: the unshared binary differs from the shared one by more than the memory's shared flag`);
  }
  return at[0];
}
const embedded = built
  .filter((b) => b.shared)
  .map((b) => {
    const twin = built.find((u) => !u.shared && u.name === `${b.name}_unshared`);
    return { ...b, flagAt: sharedFlag(b.binary, twin.binary, b.name) };
  });

const source = `// Generated by kernels/build.mjs from kernels/*.ts. Do not edit; run \`npm run build:kernels\`.
/* eslint-disable */

/** Functions every kernel binary exports (pointers are byte addresses into the shared memory). */
export interface KernelExports {
${members.join('\n')}
}

export const KERNEL_NAMES: readonly (keyof KernelExports)[] = ${JSON.stringify(names)};

/** Page counts (64 KiB) the binaries declare for their imported memory \`env.memory\`. */
export const INITIAL_PAGES = ${INITIAL_PAGES};
export const MAXIMUM_PAGES = ${MAXIMUM_PAGES};

${embedded.map((b) => `/** Kernels built with --enable ${b.features}, importing a shared memory. */\nexport const ${b.name.toUpperCase()}_WASM_BASE64: string =\n  '${Buffer.from(b.binary).toString('base64')}';\n/** Offset of the memory import's limits flag in it: 0x03 (shared), 0x01 in the unshared build. */\nexport const ${b.name.toUpperCase()}_SHARED_FLAG_AT = ${b.flagAt};`).join('\n\n')}
`;

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, source);
console.log(`kernels: ${entries.length} sources, ${names.length} exports → ${outFile.slice(root.length + 1)} (${embedded.map((b) => `${b.name} ${b.binary.length} B`).join(', ')}; unshared builds as one-byte patches)`);
