// Runs every *.test.ts under packages/*/test/ and test/ with Node's built-in test runner, TypeScript
// loaded through tsx and packages resolved to their sources (the `source` export condition),
// after rebuilding the WebAssembly kernels if their generated module is missing or stale.
// Usage: node scripts/run-tests.mjs [--backends=reference,wasm] [<path filter>...] (npm test runs both backends)
// With --backends, the library's suite runs once per backend (RECURRENT_BACKEND); by default it runs
// once on the default backend (the fastest available: wasm where WebAssembly SIMD is).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

function findFiles(dir, keep) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findFiles(path, keep);
    return keep(name) ? [path] : [];
  });
}

function ensureKernels() {
  const lib = join('packages', 'recurrent');
  const generated = join(lib, 'src', 'backend', 'wasm', 'generated', 'kernels.ts');
  const sources = findFiles(join(lib, 'kernels'), (name) => name.endsWith('.ts') || name.endsWith('.mjs'));
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(generated) && statSync(generated).mtimeMs >= newest) return;
  const built = spawnSync(process.execPath, [join(lib, 'kernels', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const args = process.argv.slice(2);
const backendsArg = args.find((a) => a.startsWith('--backends='));
const backends = backendsArg ? backendsArg.slice('--backends='.length).split(',').filter(Boolean) : [undefined];
const filters = args.filter((a) => !a.startsWith('--backends='));
// The library's tests run once per backend. The command line's tests (files, processes, flags:
// they choose a backend with --backend where it matters) and the repository's own tests (test/:
// the examples, the packed tarballs) do not depend on RECURRENT_BACKEND and run once, on the
// default backend.
const perBackendDirs = [join('packages', 'recurrent', 'test')].filter((d) => existsSync(d));
const onceDirs = [join('packages', 'cli', 'test'), 'test'].filter((d) => existsSync(d));
const select = (dirs) =>
  dirs
    .flatMap((d) => findFiles(d, (name) => name.endsWith('.test.ts')))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
const packageFiles = select(perBackendDirs);
const repositoryFiles = select(onceDirs);
if (packageFiles.length + repositoryFiles.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
ensureKernels();
const concurrency = String(Math.max(availableParallelism(), 2));
const runFiles = (files, env) =>
  spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit', env })
    .status ?? 1;
let status = 0;
if (packageFiles.length > 0) {
  for (const name of backends) {
    const env = name === undefined ? process.env : { ...process.env, RECURRENT_BACKEND: name };
    if (name !== undefined) console.log(`# backend: ${name}`);
    // Every backend runs even after a failure, so that a report shows all of them.
    status = runFiles(packageFiles, env) || status;
  }
}
if (repositoryFiles.length > 0) {
  console.log('# command-line and repository tests');
  status = runFiles(repositoryFiles, process.env) || status;
}
process.exit(status);
