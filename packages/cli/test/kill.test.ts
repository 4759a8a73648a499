// `recurrent train` killed with SIGKILL at any instant leaves a checkpoint that loads in full
// (config, model, optimizer, extra), and resuming from it ends bit-identical to an uninterrupted
// run: killed (a) at seeded random instants of a run, and (b) just before each file-system call
// (fsync, rename, rm, unlink) of one checkpoint save, injected by helpers/kill_at_fs_call.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, resolveCheckpoint } from 'recurrent/node';

const root = mkdtempSync(join(tmpdir(), 'recurrent-kill-'));
const data = join(root, 'tiny.txt');
writeFileSync(data, 'the quick brown fox jumps over the lazy dog. a stitch in time saves nine. '.repeat(16));
const cli = join(import.meta.dirname, '..', 'src', 'main.ts');
const killer = join(import.meta.dirname, 'helpers', 'kill_at_fs_call.ts');
const inProcess = join(import.meta.dirname, 'helpers', 'train_in_process.ts');
const env = { ...process.env, RECURRENT_NUM_THREADS: '1' };
after(() => rmSync(root, { recursive: true, force: true }));

const STEPS = 12;
const EVERY = 2;
const flags = (out: string): string[] => [
  'train',
  '--data',
  data,
  '--hidden',
  '8',
  '--batch',
  '2',
  '--seq-len',
  '8',
  '--seed',
  '5',
  '--steps',
  String(STEPS),
  '--checkpoint-every',
  String(EVERY),
  '--sample-every',
  '0',
  '--validate-every',
  '0',
  '--plain',
  '--out',
  out,
];

interface Outcome {
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Date.now() when the `run:` line (training starts) came; NaN if it did not. */
  runAt: number;
}

/**
 * Runs `recurrent train` in a child process. `killAfterMs`: SIGKILL it that long after it prints
 * its `run:` line. `fsEnv`: the variables of kill_at_fs_call.ts (preloaded when given).
 */
function train(out: string, options: { killAfterMs?: number; fsEnv?: Record<string, string> } = {}): Promise<Outcome> {
  const preload = options.fsEnv ? ['--import', killer] : [];
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', ...preload, cli, ...flags(out)], {
    env: { ...env, ...options.fsEnv },
  });
  let stdout = '';
  let stderr = '';
  let runAt = NaN;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (Number.isNaN(runAt) && /^run: /m.test(stdout)) {
      runAt = Date.now();
      if (options.killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, runAt }));
  });
}

/** Runs `count` jobs, two at a time (the children are CPU-bound). */
async function inPairs<T>(count: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

/** Resumes each run directory to STEPS, all in one process; returns each run's output. */
function resumeAll(outs: readonly string[]): string[] {
  const list = join(root, `resume-${outs.length}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(list, JSON.stringify(outs.map((out) => [...flags(out), '--resume'])));
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', inProcess, list], { encoding: 'utf8', env });
  assert.equal(r.status, 0, `resuming failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout.split(/^=== run \d+ ===$/m).slice(1);
}

/** The step of the last complete checkpoint in `out`, after checking that all of it loads; null if none. */
function survivingStep(out: string, label: string): number | null {
  const dir = join(out, 'checkpoint');
  if (resolveCheckpoint(dir) === null) return null;
  const c = loadCheckpoint(dir);
  assert.ok(Object.keys(c.model).includes('rnn.weight_hh_l0'), `${label}: model.safetensors lacks rnn.weight_hh_l0`);
  assert.ok(c.optimizer && Object.keys(c.optimizer.state).length > 0, `${label}: no optimizer state`);
  assert.ok(c.extra && Object.keys(c.extra).length > 0, `${label}: no extra.safetensors (the carried state)`);
  const step = (c.config.training as { step?: unknown } | undefined)?.step;
  assert.ok(typeof step === 'number' && step % EVERY === 0 && step > 0 && step <= STEPS, `${label}: checkpoint step ${String(step)}`);
  return step;
}

/** 32-bit generator (mulberry32) for the kill instants: the same instants every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const straightOut = join(root, 'straight');
const trace = join(root, 'trace.txt');
const straight = train(straightOut, { fsEnv: { KILL_FS_CHECKPOINT: join(straightOut, 'checkpoint'), KILL_FS_TRACE: trace } });
const reference = straight.then((o) => {
  assert.equal(o.code, 0, `the uninterrupted run failed:\n${o.stdout}\n${o.stderr}`);
  return readFileSync(join(straightOut, 'checkpoint', 'model.safetensors'));
});

/** Asserts that every resumed run ended with the uninterrupted run's parameters. */
async function assertResumedIdentical(outs: readonly string[], steps: readonly (number | null)[], labels: readonly string[]): Promise<void> {
  const expected = await reference;
  const logs = resumeAll(outs);
  outs.forEach((out, i) => {
    const log = logs[i]!;
    const step = steps[i];
    if (step === null) assert.match(log, /starting a new run/, labels[i]);
    else assert.match(log, new RegExp(`resuming at step ${step}\\b`), labels[i]);
    // A run that had already reached STEPS takes no step on resume; any other trains up to STEPS.
    const ends = step === STEPS ? `nothing to train: the run already took ${STEPS} steps` : `stopped: reached ${STEPS} steps at step ${STEPS}\\b`;
    assert.match(log, new RegExp(ends), `${labels[i]}:\n${log}`);
    const got = readFileSync(join(out, 'checkpoint', 'model.safetensors'));
    assert.ok(got.equals(expected), `${labels[i]}: the parameters after resuming to step ${STEPS} differ from the uninterrupted run's`);
  });
}

test('killed at random instants, a run resumes from its last checkpoint bit-identical to an uninterrupted one', async () => {
  const { runAt } = await straight;
  // Instants over the training, from its first step to the start of the save at step STEPS
  // (when the uninterrupted run reached it), not over the start-up and the report. A kill after
  // that save leaves a finished run, which the last test covers.
  const saveStarts = readFileSync(trace, 'utf8')
    .trim()
    .split('\n')
    .filter((line) => /^\d+ rmSync \S+checkpoint\.tmp \d+$/.test(line));
  const lastSave = Number(saveStarts[STEPS / EVERY - 1]?.split(' ').at(-1));
  const trainingMs = lastSave - runAt;
  assert.ok(trainingMs > 0, `no training time measured (run: at ${runAt}, save at step ${STEPS} at ${lastSave})`);
  const random = seeded(20261202);
  const delays = Array.from({ length: 8 }, () => random() * trainingMs);
  const outs = delays.map((_, i) => join(root, `random-${i}`));
  const labels = delays.map((ms, i) => `killed ${ms.toFixed(0)} ms into training (run ${i})`);
  const outcomes = await inPairs(outs.length, (i) => train(outs[i]!, { killAfterMs: delays[i] }));
  const steps = outcomes.map((o, i) => {
    // A kill that came after the process ended leaves a finished run; that is a valid instant too.
    assert.ok(o.signal === 'SIGKILL' || o.code === 0, `${labels[i]}: ended with ${o.code ?? o.signal}\n${o.stderr}`);
    return survivingStep(outs[i]!, labels[i]!);
  });
  await assertResumedIdentical(outs, steps, labels);
});

test('killed before each fsync, rename and removal of a checkpoint save, the run resumes bit-identical', async () => {
  await straight;
  // The counted calls of the uninterrupted run; every save starts by removing DIR.tmp. The second
  // save is the first to replace an existing checkpoint, so it makes every call of the protocol.
  const calls = readFileSync(trace, 'utf8').trim().split('\n');
  const starts = calls.flatMap((line, i) => (/^\d+ rmSync \S+checkpoint\.tmp \d+$/.test(line) ? [i] : []));
  assert.ok(starts.length >= STEPS / EVERY, `one save every ${EVERY} steps:\n${calls.join('\n')}`);
  const save = calls.slice(starts[1], starts[2]);
  const swap = save.findIndex((line) => /renameSync \S+checkpoint\.tmp \d+$/.test(line));
  assert.ok(save.length >= 10 && swap > 0, `the second save's calls:\n${save.join('\n')}`);
  const outs = save.map((_, i) => join(root, `call-${i}`));
  const labels = save.map((line) => `killed before call ${line.replace(/ \d+$/, '')} (of the save at step ${2 * EVERY})`);
  const outcomes = await inPairs(save.length, (i) =>
    train(outs[i]!, { fsEnv: { KILL_FS_CHECKPOINT: join(outs[i]!, 'checkpoint'), KILL_FS_AT_CALL: String(starts[1]! + i + 1) } }),
  );
  const steps = outcomes.map((o, i) => {
    assert.equal(o.signal, 'SIGKILL', `${labels[i]}: ended with ${o.code}\n${o.stderr}`);
    const step = survivingStep(outs[i]!, labels[i]!);
    // Until DIR.tmp becomes DIR the previous checkpoint stands; from then on the new one.
    assert.equal(step, i <= swap ? EVERY : 2 * EVERY, labels[i]);
    return step;
  });
  await assertResumedIdentical(outs, steps, labels);
});

// Depends on resuming stopping at exactly --steps: a run killed after its final save (here: a
// copy of the finished run) resumed with the same --steps must take no further step.
test('killed after its final save, a run resumed with the same --steps stays at that step', async () => {
  await straight;
  const out = join(root, 'finished');
  cpSync(straightOut, out, { recursive: true });
  assert.equal(survivingStep(out, 'finished run'), STEPS);
  await assertResumedIdentical([out], [STEPS], ['killed after the final save']);
});
