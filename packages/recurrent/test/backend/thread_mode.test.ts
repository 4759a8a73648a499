// The choice between worker threads and the calling thread alone, fed synthetic job timings: it
// keeps the faster mode, notices when the machine changes, and compares jobs kind by kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadModeChooser } from '../../src/backend/wasm/thread_mode.js';

/** Runs `jobs` jobs of `work` units through the chooser, each taking `msPerUnit(kind, threaded)` per unit; returns how many ran threaded. */
function drive(chooser: ThreadModeChooser, jobs: number, msPerUnit: (kind: string, threaded: boolean) => number, kinds = ['a'], work = 1000): number {
  let threadedJobs = 0;
  for (let j = 0; j < jobs; j++) {
    const kind = kinds[j % kinds.length]!;
    const threaded = chooser.useThreads();
    if (threaded) threadedJobs++;
    chooser.record(kind, threaded, msPerUnit(kind, threaded) * work, work);
  }
  return threadedJobs;
}

test('threads stay in use while they are faster; the other mode is tried less and less often', () => {
  const chooser = new ThreadModeChooser();
  // 0.3 ms per job threaded, 0.5 ms alone: a quiet machine.
  const threaded = drive(chooser, 100_000, (_, t) => (t ? 0.3e-3 : 0.5e-3));
  assert.equal(chooser.swaps, 0);
  assert.ok(threaded / 100_000 > 0.98, `threaded ${threaded} of 100000 jobs`);
});

test('on a busy machine the caller alone takes over, and threads come back when the machine is quiet again', () => {
  const chooser = new ThreadModeChooser();
  // Busy: threaded jobs take 1.4× the time they take on the caller alone.
  let threaded = drive(chooser, 20_000, (_, t) => (t ? 0.7e-3 : 0.5e-3));
  assert.equal(chooser.swaps, 1);
  assert.equal(chooser.useThreads(), false);
  assert.ok(threaded / 20_000 < 0.05, `threaded ${threaded} of 20000 jobs`);
  // Quiet again: at most 256 windows (about 10,000 of these jobs) pass before the next look.
  threaded = drive(chooser, 100_000, (_, t) => (t ? 0.3e-3 : 0.5e-3));
  assert.equal(chooser.swaps, 2);
  assert.equal(chooser.useThreads(), true);
  assert.ok(threaded / 100_000 > 0.85, `threaded ${threaded} of 100000 jobs`);
});

test('the first milliseconds of an exploration do not count (a woken worker is served first)', () => {
  const chooser = new ThreadModeChooser();
  // Busy: alone is faster. Threads look fast for their first 30 jobs after waking, then slow.
  let sinceWake = 0;
  let wasThreaded = false;
  drive(chooser, 40_000, (_, t) => {
    sinceWake = t && wasThreaded ? sinceWake + 0.5 : 0;
    wasThreaded = t;
    return t ? (sinceWake < 15 ? 0.2e-3 : 0.6e-3) : 0.5e-3;
  });
  assert.equal(chooser.swaps, 1, 'one swap, to the caller alone, and none back');
  assert.equal(chooser.useThreads(), false);
});

test('a difference under the margin changes nothing (noise)', () => {
  const chooser = new ThreadModeChooser();
  drive(chooser, 20_000, (_, t) => (t ? 0.5e-3 : 0.48e-3));
  assert.equal(chooser.swaps, 0);
});

test('jobs are compared kind by kind: a window of slow kinds does not count against its mode', () => {
  const chooser = new ThreadModeChooser();
  // Kind b is 10× slower per unit than kind a in either mode; threads are faster for both.
  // Runs of 200 jobs of one kind, so that windows hold one kind or the other.
  const kinds = [...Array<string>(200).fill('a'), ...Array<string>(200).fill('b')];
  drive(chooser, 40_000, (kind, t) => (kind === 'a' ? 1 : 10) * (t ? 0.3e-4 : 0.5e-4), kinds);
  assert.equal(chooser.swaps, 0);
});

test('jobs that ran otherwise than chosen (workers not started yet) and jobs without work are ignored', () => {
  const chooser = new ThreadModeChooser();
  // Chosen: threads; every job ran alone and slowly — not the choice's fault.
  for (let j = 0; j < 10_000; j++) chooser.record('a', false, 5, 1000);
  for (let j = 0; j < 10_000; j++) chooser.record('a', true, 5, 0);
  assert.equal(chooser.swaps, 0);
  assert.equal(chooser.useThreads(), true);
});
