// Every `@example` in the library's doc comments type-checks and runs, as a user who copies it
// would run it: a strict TypeScript module importing the package `recurrent` by name. A line
// `expression; // [4, 10, 16]` (or `// → 2.5`) also checks that the expression's value — a
// shape, a tensor's elements, a number — is the stated one. The examples run many to a process,
// while this process type-checks them, to keep the test quick.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { exampleModule, exampleTitle, extractExamples, type DocExample } from '../helpers/doc_examples.js';
import type { ExampleResult } from '../helpers/doc_example_runner.js';
import { typeErrors } from '../helpers/doc_example_types.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', '..');
const root = join(pkg, '..', '..');
const src = join(pkg, 'src');
const PROCESSES = 2;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const path = join(dir, d.name);
      if (d.isDirectory()) return d.name === 'generated' ? [] : sourceFiles(path);
      return d.name.endsWith('.ts') ? [path] : [];
    })
    .sort();
}

interface Prepared {
  readonly example: DocExample;
  readonly module: string;
}

/** Runs `node --conditions=source --import tsx runner results modules…`; resolves with its exit code and stderr. */
function runBatch(results: string, modules: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const runner = join(here, '..', 'helpers', 'doc_example_runner.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', runner, results, ...modules], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Runs the modules in batches, one process each; resolves with each module's error (absent: it ran). */
async function runModules(dir: string, modules: readonly string[]): Promise<Map<string, string>> {
  const size = Math.ceil(modules.length / PROCESSES);
  const batches = Array.from({ length: PROCESSES }, (_, b) => modules.slice(b * size, (b + 1) * size)).filter((b) => b.length > 0);
  const errors = new Map<string, string>();
  await Promise.all(
    batches.map(async (batch, b) => {
      const results = join(dir, `results_${b}.jsonl`);
      const { code, stderr } = await runBatch(results, batch);
      const done = new Set<string>();
      for (const line of existsSync(results) ? readFileSync(results, 'utf8').split('\n').filter(Boolean) : []) {
        const result = JSON.parse(line) as ExampleResult;
        done.add(result.module);
        if (result.error !== undefined) errors.set(result.module, result.error);
      }
      const notRun = batch.filter((m) => !done.has(m));
      notRun.forEach((m, i) =>
        errors.set(
          m,
          i === 0 ? `the process running the examples exited (code ${code}) during this one:\n${stderr}` : 'not run: an earlier example stopped the process',
        ),
      );
    }),
  );
  return errors;
}

/**
 * Writes each example as a module of a scratch package whose node_modules/recurrent is this
 * package, type-checks and runs them; resolves with each module's type errors and run error.
 */
async function checkExamples(examples: readonly DocExample[]) {
  const dir = mkdtempSync(join(tmpdir(), 'recurrent-doc-examples-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(pkg, join(dir, 'node_modules', 'recurrent'), 'dir');
    const expect = join(here, '..', 'helpers', 'doc_expect.ts');
    const prepared: Prepared[] = examples.map((example, i) => {
      const module = join(dir, `${String(i).padStart(2, '0')}_${example.file.replace(/[/\\.]/g, '_')}_L${example.sourceLines[0] ?? 0}.ts`);
      writeFileSync(module, exampleModule(example, expect).source);
      return { example, module };
    });
    const modules = prepared.map((p) => p.module);
    const running = runModules(dir, modules);
    const types = typeErrors(modules, root);
    return { prepared, types, errors: await running };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `packages/recurrent/src/….ts:<line>` and the example's code at `line` of its module. */
function locate(p: Prepared, line: number): string {
  const sourceLine = p.example.sourceLines[line - 1] ?? p.example.sourceLines[0];
  return `${relative(root, join(src, p.example.file))}:${sourceLine}\n  | ${(p.example.lines[line - 1] ?? '').trim()}`;
}

/** A run error at the example line its stack names, with the frames inside the library (the runner's and Node's say nothing). */
function describeError(p: Prepared, error: string): string {
  const at = new RegExp(`${p.module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`).exec(error);
  const lines = error.split('\n').filter((l) => !/^\s+at /.test(l) || l.includes(src));
  return `${locate(p, at ? Number(at[1]) : 1)}\n${lines.join('\n')}`;
}

describe('doc example extraction', () => {
  const source = [
    '/**',
    ' * Text.',
    ' *',
    ' * @example',
    ' * ```ts',
    ' * const a = 1;',
    ' *   a; // 1',
    ' * ```',
    ' * @param x not code',
    ' */',
    '/** @example',
    ' * f(); // [2, 3]: the shape',
    ' */',
  ].join('\n');
  const [fenced, bare] = extractExamples('x.ts', source);

  test('a block ends at the next tag, keeps its indentation, and only its fenced code', () => {
    assert.deepEqual(fenced?.lines, ['const a = 1;', '  a; // 1']);
    assert.deepEqual(fenced?.sourceLines, [6, 7]);
    assert.deepEqual(bare?.lines, ['f(); // [2, 3]: the shape']);
    assert.deepEqual(bare?.sourceLines, [12]);
  });

  test('a statement whose comment starts with a literal becomes a check on the same line', () => {
    const { source: module, checks } = exampleModule(bare!, '/expect.ts');
    assert.equal(checks, 1);
    assert.deepEqual(module.split('\n').slice(0, 2), ['expectDocValue(f(), [2,3]);', 'import { expectDocValue } from "/expect.ts";']);
    assert.equal(exampleModule(fenced!, '/expect.ts').checks, 1);
    assert.equal(exampleModule({ file: 'x.ts', lines: ['const x = f(); // [1]', 'g(a, // [2]'], sourceLines: [1, 2] }, '/e.ts').checks, 0);
  });
});

const examples = sourceFiles(src).flatMap((f) => extractExamples(relative(src, f), readFileSync(f, 'utf8')));
const { prepared, types, errors } = await checkExamples(examples);

describe('doc examples type-check and run', () => {
  test('the library documents its API with examples', () => {
    assert.ok(examples.length > 0, `no @example blocks found under ${src}`);
  });
  for (const p of prepared) {
    test(`${p.example.file}: ${exampleTitle(p.example)}`, () => {
      const problems = (types.get(p.module) ?? []).map((e) => `${locate(p, e.line)}\ntype error: ${e.message}`);
      const error = errors.get(p.module);
      if (error !== undefined) problems.push(describeError(p, error));
      if (problems.length > 0) assert.fail(problems.join('\n\n'));
    });
  }
});
