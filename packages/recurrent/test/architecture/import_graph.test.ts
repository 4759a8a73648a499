// The layers of the library and the one direction of their dependencies (README, "How the
// source is laid out"), checked over every import in src/: a new import against the stated
// direction fails here, naming the file, the import and the rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const pkg = resolve(import.meta.dirname, '..', '..');
const src = join(pkg, 'src');

type Area =
  'errors' | 'arrays' | 'backend' | 'tensor' | 'sequence' | 'text' | 'io' | 'nn' | 'interop' | 'optim' | 'decode' | 'train' | 'metrics' | 'tasks' | 'api';

/** Which areas each area may import from (itself always). `api` (index.ts, node.ts) may import anything. */
const ALLOWED: Record<Exclude<Area, 'api'>, readonly Area[]> = {
  errors: [],
  // dtype.ts and shape.ts: the vocabulary of typed arrays and shapes, below the backends.
  arrays: ['errors'],
  backend: ['errors', 'arrays'],
  // tensor/ includes autograd: ops record on the tape and gradients are ops, one layer.
  tensor: ['errors', 'arrays', 'backend'],
  sequence: ['errors', 'arrays', 'tensor'],
  // Vocabulary.fromJSON reads untrusted JSON through io/json_text.ts's located scan.
  text: ['errors', 'arrays', 'tensor', 'io'],
  io: ['errors', 'arrays', 'tensor'],
  nn: ['errors', 'arrays', 'tensor', 'sequence'],
  // io/onnx/ and io/tfjs/: models in other frameworks' formats, made of and into nn's modules.
  interop: ['errors', 'arrays', 'tensor', 'sequence', 'io', 'nn'],
  optim: ['errors', 'arrays', 'tensor'],
  decode: ['errors', 'arrays', 'tensor', 'sequence', 'text', 'nn'],
  train: ['errors', 'arrays', 'tensor', 'sequence', 'text', 'io', 'nn', 'optim', 'decode'],
  // Scores of outputs against references: plain arrays, no tensors.
  metrics: ['errors'],
  // A task bundles everything below it for one job on one file format.
  tasks: ['errors', 'arrays', 'tensor', 'sequence', 'text', 'io', 'nn', 'optim', 'decode', 'train', 'metrics'],
};

/** Inside tensor/, only the ops and residency call a backend; autograd may name its data layouts (types) only. */
const BACKEND_CALLERS = [/^tensor\/ops\//, /^tensor\/resident\.ts$/, /^(index|node)\.ts$/];

function areaOf(file: string): Area {
  if (file === 'errors.ts') return 'errors';
  if (file === 'index.ts' || file === 'node.ts') return 'api';
  if (file === 'tensor/dtype.ts' || file === 'tensor/shape.ts') return 'arrays';
  if (file.startsWith('io/onnx/') || file.startsWith('io/tfjs/')) return 'interop';
  const top = file.split('/')[0]!;
  if (top in ALLOWED) return top as Area;
  throw new Error(`import graph: ${file} is in no known area; add its folder to ALLOWED`);
}

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
  line: number;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of one source file, resolved to paths relative to src/. */
function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  const lineAt = (index: number): number => text.slice(0, index).split('\n').length;
  const add = (spec: string, typeOnly: boolean, index: number): void => {
    if (!spec.startsWith('.')) return;
    const to = relative(src, resolve(src, dirname(file), spec)).replace(/\.js$/, '.ts');
    out.push({ from: file, to, typeOnly, line: lineAt(index) });
  };
  for (const m of text.matchAll(IMPORT)) add(m[3]!, m[2] !== undefined, m.index);
  for (const m of text.matchAll(DYNAMIC)) add(m[1]!, false, m.index);
  return out;
}

/** Every violation of the rules among `imports`, as readable lines. */
function violations(imports: readonly Import[]): string[] {
  const found: string[] = [];
  for (const i of imports) {
    const a = areaOf(i.from);
    const b = areaOf(i.to);
    if (a === 'api' || a === b) continue;
    if (b === 'api') found.push(`${i.from}:${i.line} imports ${i.to}: only applications import the public entry points`);
    else if (!ALLOWED[a].includes(b)) found.push(`${i.from}:${i.line} imports ${i.to}: ${a} may import only ${ALLOWED[a].join(', ') || 'nothing'}`);
    else if (b === 'backend' && !i.typeOnly && !BACKEND_CALLERS.some((r) => r.test(i.from))) {
      found.push(`${i.from}:${i.line} imports ${i.to}: only tensor/ops and tensor/resident.ts call a backend`);
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [relative(src, path)] : [];
  });
}

const all = sourceFiles(src).flatMap((f) => importsOf(f, readFileSync(join(src, f), 'utf8')));

test('the import graph finds the imports of the library (a sanity check of the parser)', () => {
  assert.ok(all.length > 300, `only ${all.length} imports found`);
  assert.ok(all.some((i) => i.from === 'nn/rnn/lstm.ts' && i.to.startsWith('tensor/')));
  assert.ok(all.some((i) => i.typeOnly));
});

test('every import in src/ runs in the stated direction', () => {
  assert.deepEqual(violations(all), []);
});

test('a back-edge is reported: tensor importing nn, nn calling a backend, autograd calling one', () => {
  const planted: Import[] = [
    { from: 'tensor/ops/view.ts', to: 'nn/module.ts', typeOnly: false, line: 3 },
    { from: 'nn/module.ts', to: 'backend/select.ts', typeOnly: false, line: 9 },
    { from: 'tensor/autograd/gradients.ts', to: 'backend/select.ts', typeOnly: false, line: 5 },
    { from: 'backend/backend.ts', to: 'tensor/tensor.ts', typeOnly: true, line: 12 },
    { from: 'train/fit.ts', to: 'index.ts', typeOnly: false, line: 1 },
  ];
  assert.equal(violations(planted).length, planted.length, violations(planted).join('\n'));
  assert.deepEqual(violations([{ from: 'tensor/autograd/gradients.ts', to: 'backend/backend.ts', typeOnly: true, line: 1 }]), []);
});

test('the command line reaches the library only through its public entry points', () => {
  const cli = resolve(pkg, '..', 'cli', 'src');
  const files = (function walk(dir: string): string[] {
    return readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : [],
    );
  })(cli);
  const bad = files.flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(IMPORT)]
      .map((m) => m[3]!)
      .filter((spec) => (spec.startsWith('.') && !resolve(dirname(f), spec).startsWith(cli)) || (spec.startsWith('recurrent/') && spec !== 'recurrent/node'))
      .map((spec) => `${relative(cli, f)} imports ${spec}`),
  );
  assert.ok(files.length > 5);
  assert.deepEqual(bad, []);
});

test('the AssemblyScript kernels import nothing but each other', () => {
  const kernels = join(pkg, 'kernels');
  const files = (function walk(dir: string): string[] {
    return readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : [],
    );
  })(kernels);
  const bad = files.flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(IMPORT)]
      .map((m) => m[3]!)
      .filter((spec) => !spec.startsWith('.') || !resolve(dirname(f), spec).startsWith(kernels))
      .map((spec) => `${relative(kernels, f)} imports ${spec}`),
  );
  assert.deepEqual(bad, []);
});
