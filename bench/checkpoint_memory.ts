/**
 * Memory against time of gradient checkpointing (`checkpointEvery`) on one long-sequence LSTM
 * training step (forward + backward of loss = sum of the outputs). Each setting runs in its own
 * child process, so that its peak RSS is its own; the parent prints one markdown table:
 * peak RSS above the child's baseline (after loading the library and building the model and the
 * input) and the median seconds of a training step.
 *
 *     node --conditions=source --import tsx bench/checkpoint_memory.ts                # T=2000 B=32 I=64 H=256, k = off,10,50,200
 *     node --conditions=source --import tsx bench/checkpoint_memory.ts --T 200 --steps 2 --ks off,10,50
 *
 * Flags: --T, --B, --input, --hidden, --layers (default 1), --ks (comma list, 'off' = 0),
 * --steps (timed steps per setting, default 3, after one untimed warm-up step), --backend NAME.
 * Without --conditions=source the built package (dist/, `npm run build`) is measured.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nn, tensor, getBackend, setBackend } from 'recurrent';
import { detFill, fmtS, LINE_PREFIX, median, peakRssMiB, rssMiB, runChild } from './common.js';

interface Setting {
  T: number;
  B: number;
  input: number;
  hidden: number;
  layers: number;
  steps: number;
  backend: string | undefined;
}

/** What a child reports: one line, after its last step. */
interface CheckpointRecord {
  type: 'checkpoint';
  k: number;
  backend: string;
  baselineRssMiB: number;
  peakRssMiB: number;
  medianS: number;
  samples: number;
}

function parseArgs(argv: readonly string[]): { setting: Setting; ks: number[]; child: number | null } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (flag: string, fallback: number): number => {
    const v = get(flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer; got '${v}'`);
    return n;
  };
  const k = (v: string): number => {
    const n = v === 'off' ? 0 : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--ks: each entry must be 'off' or a positive integer; got '${v}'`);
    return n;
  };
  const setting = {
    T: int('--T', 2000),
    B: int('--B', 32),
    input: int('--input', 64),
    hidden: int('--hidden', 256),
    layers: int('--layers', 1),
    steps: int('--steps', 3),
    backend: get('--backend'),
  };
  const ks = (get('--ks') ?? 'off,10,50,200').split(',').map(k);
  const child = get('--child');
  return { setting, ks, child: child === undefined ? null : k(child) };
}

/** Collects garbage when the child runs with --expose-gc, so a step's peak is not an earlier step's garbage. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

/** One setting, in this (child) process: build, one warm-up step, then the timed steps. */
function measure(s: Setting, k: number): CheckpointRecord {
  if (s.backend !== undefined) setBackend(s.backend);
  const lstm = new nn.LSTM({ inputSize: s.input, hiddenSize: s.hidden, numLayers: s.layers, checkpointEvery: k });
  const x = tensor(detFill(s.T * s.B * s.input, 1, 1), [s.T, s.B, s.input]);
  const step = (): void => {
    for (const p of lstm.parameters()) p.grad = null;
    lstm.forward(x)[0].sum().backward();
  };
  collect();
  const baselineRssMiB = rssMiB();
  const times: number[] = [];
  for (let i = 0; i <= s.steps; i++) {
    collect();
    const t0 = performance.now();
    step();
    if (i > 0) times.push((performance.now() - t0) / 1000);
  }
  return { type: 'checkpoint', k, backend: getBackend(), baselineRssMiB, peakRssMiB: peakRssMiB(), medianS: median(times), samples: times.length };
}

/** Runs one setting in a child process of this script; its record, or the error it died with. */
function runSetting(argv: readonly string[], k: number): CheckpointRecord | string {
  const script = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, '--expose-gc', script, ...argv, '--child', String(k)];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = child.stdout
    .split('\n')
    .find((l) => l.startsWith(LINE_PREFIX))
    ?.slice(LINE_PREFIX.length);
  if (child.status !== 0 || line === undefined) return (child.stderr.trim().split('\n').pop() ?? '') || `exit ${String(child.status)}`;
  return JSON.parse(line) as CheckpointRecord;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { setting: s, ks, child } = parseArgs(argv);
  if (child !== null) {
    // One line in the bench children's line protocol (common.ts), read by the parent below.
    process.stdout.write(`${LINE_PREFIX}${JSON.stringify(measure(s, child))}\n`);
    return;
  }
  const parentArgs = argv.filter((_, i) => argv[i] !== '--child' && argv[i - 1] !== '--child');
  process.stdout.write(
    `LSTM training step (forward + backward), T=${s.T} B=${s.B} input=${s.input} hidden=${s.hidden} layers=${s.layers}, ` +
      `median of ${s.steps} steps after a warm-up step, one child process per setting\n\n`,
  );
  const rows: string[] = [
    '| checkpointEvery | backend | peak RSS above baseline (MiB) | baseline RSS (MiB) | s / step | vs off |',
    '|---|---|---|---|---|---|',
  ];
  let offS: number | null = null;
  for (const k of ks) {
    const r = runSetting(parentArgs, k);
    const label = k === 0 ? 'off' : String(k);
    if (typeof r === 'string') {
      rows.push(`| ${label} | — | failed: ${r} | — | — | — |`);
      continue;
    }
    if (k === 0) offS = r.medianS;
    const ratio = offS === null ? '—' : `${(r.medianS / offS).toFixed(2)}×`;
    rows.push(`| ${label} | ${r.backend} | ${(r.peakRssMiB - r.baselineRssMiB).toFixed(0)} | ${r.baselineRssMiB.toFixed(0)} | ${fmtS(r.medianS)} | ${ratio} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

runChild(main);
