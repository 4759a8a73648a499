// Plants known bugs one at a time in a temporary copy of the repository and runs the tests that
// should catch each: a bug whose tests still pass "survives", and shows a gap in the suite.
// The copy holds the working tree's files (tracked and untracked, not ignored), the built kernels
// and a node_modules of links to this checkout's packages (the workspace packages linked to the
// copy's own), so nothing here changes; the wasm kernels are rebuilt when a kernel file changes.
// Usage: node tools/mutation_check.mjs [--only=id,id] [--without=path,path] [--list] [--write-readme]
// --without leaves test files whose path contains one of the strings out of the copy (to see what
// a test file alone catches); --write-readme puts the run's table under "## Mutation check" in
// tools/README.md.
// Exits 1 when a mutation survives or does not apply.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KERNELS = 'packages/recurrent/kernels/';
const GENERATED = 'packages/recurrent/src/backend/wasm/generated/kernels.ts';

const T = 'packages/recurrent/test/';
/** Tests of the wasm recurrent kernels: the float64 equivalence suite and the PyTorch fixtures. */
const KERNEL_TESTS = [`${T}backend/wasm_recurrent_equivalence`, `${T}nn/rnn_fixtures`, `${T}nn/rnn_equivalence`, `${T}nn/extra_cells`];
/** Tests of the step loops both backends share: PyTorch fixtures, gradient checks, packed and bidirectional runs. */
const SEQUENCE_TESTS = [`${T}nn/rnn_fixtures`, `${T}nn/rnn_gradcheck`, `${T}nn/bidirectional`, `${T}sequence/gradients`];

/**
 * The known bugs: each replaces `search`, which must occur exactly once in `file`, by `replace`,
 * and is caught when one of the test files matching `tests` (run-tests.mjs filters) fails.
 */
const MUTATIONS = [
  {
    id: 'gru-before-reset-state-gradient',
    what: 'reset-before GRU backward (wasm) drops the state gradient through the reset gate',
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'st(dhr, k, add(ld(dhr, k, w), mul(q, rr)), w);',
    replace: 'st(dhr, k, ld(dhr, k, w), w);',
    tests: KERNEL_TESTS,
  },
  {
    id: 'lstm-output-peephole-old-cell',
    what: "peephole LSTM backward (wasm): the output peephole's gradient uses the old cell state",
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'st(dpeep, j + 2 * H, add(ld(dpeep, j + 2 * H, w), mul(dGo, cn)), w);',
    replace: 'st(dpeep, j + 2 * H, add(ld(dpeep, j + 2 * H, w), mul(dGo, c0)), w);',
    tests: KERNEL_TESTS,
  },
  {
    id: 'gru-candidate-2e-5',
    what: 'reset-after GRU forward (wasm): candidate gate n off by a systematic 2e-5',
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'const n = tanhv(add(ld(x, k + 2 * H, w), mul(rr, hnv)));',
    replace: 'const n = add(tanhv(add(ld(x, k + 2 * H, w), mul(rr, hnv))), f32x4.splat(2e-5));',
    tests: KERNEL_TESTS,
  },
  {
    id: 'rnn-relu-backward-at-zero',
    what: 'ReLU RNN backward (wasm) passes the gradient where the output is 0 (≥ for >)',
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'v128.and(d, f32x4.gt(y, f32x4.splat(0)))',
    replace: 'v128.and(d, f32x4.ge(y, f32x4.splat(0)))',
    tests: KERNEL_TESTS,
  },
  {
    id: 'lstm-forget-gate-bias-index',
    what: "LSTM forward (wasm): the forget gate reads the input gate's recurrent bias",
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'let pf = add(add(ld(g, j + H, w), ld(x, j + H, w)), ldOr0(bhh, j + H, w));',
    replace: 'let pf = add(add(ld(g, j + H, w), ld(x, j + H, w)), ldOr0(bhh, j, w));',
    tests: KERNEL_TESTS,
  },
  {
    id: 'lstm-cell-gradient-gate',
    what: 'LSTM backward (wasm): the cell gradient flows back through the input gate instead of the forget gate',
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'let dcp = mul(dcn, f);',
    replace: 'let dcp = mul(dcn, i);',
    tests: KERNEL_TESTS,
  },
  {
    id: 'gru-after-recurrent-n-gradient',
    what: "reset-after GRU backward (wasm): the n block's recurrent gradient misses the factor r",
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'st(b, k + 2 * H, mul(dnp, rr), w);',
    replace: 'st(b, k + 2 * H, dnp, w);',
    tests: KERNEL_TESTS,
  },
  {
    id: 'lstm-forward-scalar-tail',
    what: 'LSTM forward (wasm) skips the last unit of the scalar tail when H is not a multiple of 4',
    file: `${KERNELS}recurrent_gates.ts`,
    search: 'for (; j < H; j++) lstmForwardAt(g, x, bhh, peep, cr, cl, mr, hr, H, j, 1);',
    replace: 'for (; j < H - 1; j++) lstmForwardAt(g, x, bhh, peep, cr, cl, mr, hr, H, j, 1);',
    tests: KERNEL_TESTS,
  },
  {
    id: 'lstm-projection-gradient',
    what: "LSTM with projection: dW_hr from the outputs' direct gradient only, not the recurrent one",
    file: 'packages/recurrent/src/backend/cells/lstm.ts',
    search: 'transposedProduct(k, dWHR, dHAll, m, P, plan.rows, H);',
    replace: 'transposedProduct(k, dWHR, a.dOut, m, P, plan.rows, H);',
    tests: KERNEL_TESTS,
  },
  {
    id: 'reverse-packed-previous-row',
    what: 'packed sequences, reverse: a sequence starting at step t reads the next step’s row one past its batch size',
    file: 'packages/recurrent/src/backend/reference/sequence_steps.ts',
    search: 'b < layout.batchSizes[next]! ? plan.offsets[next]! + b : -1;',
    replace: 'b <= layout.batchSizes[next]! ? plan.offsets[next]! + b : -1;',
    tests: SEQUENCE_TESTS,
  },
  {
    id: 'packed-previous-block-rows',
    what: "packed sequences: the previous step's block holds one row fewer (batchSizes off by one)",
    file: 'packages/recurrent/src/backend/reference/sequence_steps.ts',
    search: 'return { at: plan.offsets[prev]!, rows: Math.min(layout.batchSizes[prev]!, layout.batchSizes[t]!) };',
    replace: 'return { at: plan.offsets[prev]!, rows: Math.min(layout.batchSizes[prev]!, layout.batchSizes[t]!) - 1 };',
    tests: SEQUENCE_TESTS,
  },
  {
    id: 'adam-bias-correction',
    what: "Adam: the second moment's bias correction without its square root",
    file: 'packages/recurrent/src/optim/adam.ts',
    search: 'const bc2Sqrt = Math.sqrt(1 - beta2 ** step);',
    replace: 'const bc2Sqrt = 1 - beta2 ** step;',
    tests: [`${T}optim/optimizers`],
  },
  {
    id: 'cross-entropy-class-range',
    what: 'cross-entropy: class index C accepted (off-by-one range check)',
    file: 'packages/recurrent/src/nn/losses/nll_loss.ts',
    search: 'if (c < 0 || c >= C) {',
    replace: 'if (c < 0 || c > C) {',
    tests: [`${T}nn/losses`],
  },
];

function run(cmd, args, cwd, log) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (log) writeFileSync(log, `${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r;
}

/** The working tree's files, tracked and untracked, not ignored. */
function workingFiles() {
  const r = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
}

/** A copy of the working tree in a new temporary directory, with node_modules linked, less the files matching `without`. */
function makeCopy(without) {
  const dir = mkdtempSync(join(tmpdir(), 'recurrent-mutation-'));
  for (const f of [...workingFiles(), GENERATED]) {
    if (without.some((w) => f.endsWith('.test.ts') && f.includes(w))) continue;
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f), { preserveTimestamps: true });
  }
  // Links to the installed packages; the workspace packages point into the copy.
  const modules = join(root, 'node_modules');
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(modules)) {
    const from = join(modules, name);
    let target = from;
    if (lstatSync(from).isSymbolicLink()) {
      const resolved = resolve(modules, readlinkSync(from));
      const inside = relative(root, resolved);
      if (!inside.startsWith('..')) target = join(dir, inside);
    }
    symlinkSync(target, join(dir, 'node_modules', name));
  }
  return dir;
}

function buildKernels(dir) {
  const r = run(process.execPath, ['packages/recurrent/kernels/build.mjs'], dir);
  if (r.status !== 0) throw new Error(`kernel build failed:\n${r.stdout}${r.stderr}`);
}

function countOf(text, search) {
  let n = 0;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + 1)) n++;
  return n;
}

function checkMutation(dir, m) {
  const path = join(dir, m.file);
  const original = readFileSync(path, 'utf8');
  const matches = countOf(original, m.search);
  if (matches !== 1) return { result: `not applied: the search text occurs ${matches} times`, seconds: 0 };
  const start = Date.now();
  const kernel = m.file.startsWith(KERNELS);
  const generated = kernel ? readFileSync(join(dir, GENERATED)) : null;
  writeFileSync(path, original.replace(m.search, m.replace));
  try {
    if (kernel) buildKernels(dir);
    const log = join(dir, `mutation-${m.id}.log`);
    const r = run(process.execPath, ['scripts/run-tests.mjs', '--backends=wasm,reference', ...m.tests], dir, log);
    const output = readFileSync(log, 'utf8');
    const failed = /^# fail (\d+)/gm;
    let failures = 0;
    for (const match of output.matchAll(failed)) failures += Number(match[1]);
    const result = r.status === 0 ? 'survived' : failures > 0 ? `killed (${failures} failing)` : `killed (exit ${r.status})`;
    const firstError = /^\s*error: (.*)$/m.exec(output)?.[1] ?? '';
    return { result, seconds: (Date.now() - start) / 1000, firstError };
  } finally {
    // The source first, then its build, so the build stays newer than its sources.
    writeFileSync(path, original);
    if (generated) writeFileSync(join(dir, GENERATED), generated);
  }
}

function table(rows) {
  const lines = ['| mutation | file | tests run | result | time |', '| --- | --- | --- | --- | --- |'];
  for (const { m, result, seconds } of rows) {
    const tests = m.tests.map((t) => `\`${t.replace('packages/recurrent/test/', '')}\``).join(' ');
    lines.push(`| \`${m.id}\`: ${m.what} | \`${m.file.replace('packages/recurrent/', '')}\` | ${tests} | ${result} | ${seconds.toFixed(0)} s |`);
  }
  return lines.join('\n');
}

function writeReadme(text) {
  const path = join(root, 'tools', 'README.md');
  const heading = '## Mutation check';
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# tools\n';
  const start = current.indexOf(heading);
  const section = `${heading}\n\n${text}\n`;
  if (start < 0) {
    writeFileSync(path, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + heading.length);
  const rest = next < 0 ? '' : `\n${current.slice(next + 1)}`;
  writeFileSync(path, `${current.slice(0, start)}${section}${rest}`);
}

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
if (args.includes('--list')) {
  for (const m of MUTATIONS) console.log(`${m.id}: ${m.what} (${m.file})`);
  process.exit(0);
}
const without =
  args
    .find((a) => a.startsWith('--without='))
    ?.slice('--without='.length)
    .split(',') ?? [];
const selected = only ? MUTATIONS.filter((m) => only.includes(m.id)) : MUTATIONS;
if (only && selected.length !== only.length) {
  console.error(`unknown mutation in --only: ${only.filter((id) => !MUTATIONS.some((m) => m.id === id)).join(', ')}`);
  process.exit(2);
}

const dir = makeCopy(without);
const rows = [];
try {
  buildKernels(dir);
  for (const m of selected) {
    const row = { m, ...checkMutation(dir, m) };
    console.log(`${m.id}: ${row.result} (${row.seconds.toFixed(1)} s)${row.firstError ? `\n  first failure: ${row.firstError}` : ''}`);
    rows.push(row);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const killed = rows.filter((r) => r.result.startsWith('killed')).length;
const command = ['node tools/mutation_check.mjs', ...args.filter((a) => a !== '--write-readme')].join(' ');
const summary = `${killed} of ${rows.length} mutations killed (\`${command}\`, ${new Date().toISOString().slice(0, 10)}).`;
const report = `${summary}\n\n${table(rows)}`;
console.log(`\n${report}`);
if (args.includes('--write-readme'))
  writeReadme(
    `Plants each known bug in a temporary copy of the repository and runs the tests that should catch it (tools/mutation_check.mjs). Last run: ${report}`,
  );
process.exit(killed === rows.length ? 0 : 1);
