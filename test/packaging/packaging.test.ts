// The two packages as users get them: `npm pack` of each, installed from the tarballs into an
// empty project. The library has no runtime dependency and loads from ESM, from CommonJS and
// from TypeScript; the command line runs from `npx`, its default corpus included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'recurrent-pack-'));
const project = join(work, 'project');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(cmd: string, args: string[], cwd: string, input?: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', input, env: { ...process.env, RECURRENT_NUM_THREADS: '1' }, timeout: 300_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

test('the packed library and command line install into an empty project and run', { timeout: 600_000 }, async (t) => {
  // dist/ from the current sources (the kernels module is kept fresh by the test runner).
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const p of ['recurrent', 'cli']) rmSync(join(root, 'packages', p, 'dist'), { recursive: true, force: true });
  run(process.execPath, [tsc, '-p', 'packages/recurrent/tsconfig.json'], root);
  run(process.execPath, [tsc, '-p', 'packages/cli/tsconfig.json'], root);
  run(npm, ['pack', '--ignore-scripts', '--silent', '-w', 'recurrent', '-w', 'recurrent-cli', '--pack-destination', work], root);
  const tarballs = readdirSync(work)
    .filter((f) => f.endsWith('.tgz'))
    .sort();
  assert.deepEqual(tarballs, ['recurrent-0.1.0.tgz', 'recurrent-cli-0.1.0.tgz']);

  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', ...tarballs.map((f) => join(work, f))], project);

  await t.test('the library declares no runtime dependency', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'recurrent', 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) assert.equal(manifest[field], undefined, field);
    const installed = readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.'));
    assert.ok(installed.includes('commander'), 'the command line brings its own dependencies');
  });

  await t.test('every source map points to a source the package ships', () => {
    for (const pkg of ['recurrent', 'recurrent-cli']) {
      const dist = join(project, 'node_modules', pkg, 'dist');
      const maps = (function walk(dir: string): string[] {
        return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.map') ? [join(dir, e.name)] : [],
        );
      })(dist);
      assert.ok(maps.length > 5, `${pkg}: no source maps`);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
        for (const source of sources) assert.ok(existsSync(resolve(dirname(map), source)), `${map} points to ${source}, which is not in the package`);
      }
    }
  });

  await t.test('ESM import', () => {
    const script =
      "import { nn, randn, manualSeed } from 'recurrent'; import { saveCheckpoint } from 'recurrent/node';\n" +
      'manualSeed(1); const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4 }); const [out] = lstm.forward(randn([5, 2, 3]));\n' +
      'console.log(JSON.stringify(out.shape), typeof saveCheckpoint);';
    assert.equal(run(process.execPath, ['--input-type=module', '-e', script], project).stdout.trim(), '[5,2,4] function');
  });

  await t.test('CommonJS require', () => {
    writeFileSync(
      join(project, 'main.cjs'),
      "const { tensor, nn } = require('recurrent');\nconst { loadCheckpoint } = require('recurrent/node');\n" +
        'console.log(tensor([1, 2, 3]).sum().item(), typeof nn.GRU, typeof loadCheckpoint);\n',
    );
    assert.equal(run(process.execPath, ['main.cjs'], project).stdout.trim(), '6 function function');
  });

  await t.test('TypeScript sees the declarations', () => {
    writeFileSync(
      join(project, 'main.ts'),
      "import { nn, type Tensor } from 'recurrent';\nconst gru = new nn.GRU({ inputSize: 2, hiddenSize: 3 });\n" +
        'export const n: number = gru.numParameters();\nexport type T = Tensor;\n',
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['main.ts'],
      }),
    );
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  });

  await t.test('npx recurrent trains on its bundled default corpus, and on a file', () => {
    assert.match(run(npx, ['--no-install', 'recurrent', '--help'], project).stdout, /train[\s\S]*generate[\s\S]*eval/);
    const common = [
      '--steps',
      '2',
      '--hidden',
      '8',
      '--embedding',
      '4',
      '--batch',
      '2',
      '--seq-len',
      '8',
      '--sample-every',
      '0',
      '--validate-every',
      '0',
      '--plain',
    ];
    const moby = run(npx, ['--no-install', 'recurrent', 'train', ...common, '--out', join(work, 'moby')], project).stdout;
    assert.match(moby, /data: Moby-Dick/i);
    writeFileSync(join(work, 'tiny.txt'), 'a small text to train on, again and again. '.repeat(20));
    const tiny = run(npx, ['--no-install', 'recurrent', 'train', '--data', join(work, 'tiny.txt'), ...common, '--out', join(work, 'tiny')], project).stdout;
    assert.match(tiny, /stopped: reached 2 steps/);
    assert.match(run(npx, ['--no-install', 'recurrent', 'info', '--checkpoint', join(work, 'tiny')], project).stdout, /trained: 2 steps/);
  });
});
