/**
 * `npm run bench`: runs the standard configurations (DESIGN §10) on this library and, in the same
 * run, on TensorFlow.js (wasm and cpu backends) and on PyTorch on the CPU, each framework ×
 * configuration in its own process so that peak memory does not mix, and prints medians and
 * ratios ours/peer. Writes bench/results/latest.jsonl and bench/results/latest.md (not kept in
 * git); --record also writes the run's section of bench/RESULTS.md and bench/results/KEY.jsonl.
 *
 *     npm run bench                                   # full run, about 10–15 minutes on 2 cores
 *     npm run bench -- --quick                        # smoke run, about 2 minutes
 *     npm run bench -- --config lstm-charlm --framework recurrent,torch
 *     npm run bench -- --backend wasm,reference       # our library on named backends
 *     npm run bench -- --record                       # also write the section in bench/RESULTS.md
 *     npm run bench -- --contended                    # each row beside one busy-looping process
 *     npm run bench -- --repeat 3                     # 3 alternating rounds, medians over rounds
 *
 * A framework that computes with several threads (our wasm backend, PyTorch) also runs on one
 * thread, and each row's ratio compares it with ours at the same thread count. The `browser` rows
 * are this library again, in headless Chromium on a cross-origin isolated page (bench/browser.ts),
 * compared with ours in Node.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, chromiumInstalled } from '../tools/browser/chromium.js';
import {
  type BenchConfig,
  type BenchMode as Mode,
  type ChildRecord,
  type Figure,
  type Measurement,
  type MetaRecord,
  CONFIGS,
  LINE_PREFIX,
  errorText,
  findConfig,
  fmtS,
  median,
} from './common.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';

const FRAMEWORKS = ['recurrent', 'browser', 'tfjs-wasm', 'tfjs-cpu', 'torch'] as const;
type Framework = (typeof FRAMEWORKS)[number];

/** One child process per configuration: a framework, maybe a backend, maybe pinned to one thread. */
interface Runner {
  /** Unique: recurrent, recurrent-1t, recurrent:reference, browser, browser-1t, tfjs-wasm, tfjs-cpu, torch, torch-1t. */
  id: string;
  framework: Framework;
  /** Ours: the backend asked for (default: the library's choice); tfjs: wasm or cpu. */
  backend: string | undefined;
  /** The one-thread companion of a multi-threaded runner (run only when that one used > 1 thread). */
  oneThread: boolean;
  /** Ours on the first backend asked for: the rows that ratios compare with. */
  primary: boolean;
}

function runnersFor(o: Options): Runner[] {
  const out: Runner[] = [];
  for (const fw of o.frameworks) {
    if (fw === 'recurrent') {
      const backends = o.backends.length > 0 ? o.backends : [undefined];
      backends.forEach((b, i) => {
        const id = b === undefined || i === 0 ? 'recurrent' : `recurrent:${b}`;
        out.push({ id, framework: fw, backend: b, oneThread: false, primary: i === 0 });
        out.push({ id: `${id}-1t`, framework: fw, backend: b, oneThread: true, primary: i === 0 });
      });
    } else if (fw === 'torch' || fw === 'browser') {
      out.push({ id: fw, framework: fw, backend: undefined, oneThread: false, primary: false });
      out.push({ id: `${fw}-1t`, framework: fw, backend: undefined, oneThread: true, primary: false });
    } else {
      out.push({ id: fw, framework: fw, backend: fw === 'tfjs-wasm' ? 'wasm' : 'cpu', oneThread: false, primary: false });
    }
  }
  return out;
}

const MODES: Record<'full' | 'quick', Mode> = {
  full: { name: 'full', budget: { budgetS: 3, capS: 120, warmupSkipS: 8, maxSamples: 200, minSamplesS: 10 }, childTimeoutS: 600 },
  quick: { name: 'quick', budget: { budgetS: 0.25, capS: 1.5, warmupSkipS: 0.3, maxSamples: 50, minSamplesS: 0.5 }, childTimeoutS: 30 },
};

interface Options {
  mode: Mode;
  configs: BenchConfig[];
  frameworks: Framework[];
  /** Our backends, the first one primary; empty: the library's default. */
  backends: string[];
  record: boolean;
  /** Run every row beside one competing CPU-bound process, as on a user's busy machine. */
  contended: boolean;
  /** Rounds over every row × config; figures are the medians over rounds (rows alternate: each round runs them in the opposite order). */
  repeat: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--config NAME[,NAME…]] [--framework NAME[,NAME…]] [--backend NAME[,NAME…]] [--record] [--contended] [--repeat N]
  configs:    ${CONFIGS.map((c) => c.name).join(', ')}
  frameworks: ${FRAMEWORKS.join(', ')} (tfjs: both tfjs backends)
  --backend   our library's backends, the first compared with the others (default: the library's choice)
  --record    also write this run's section into bench/RESULTS.md
  --contended run each row beside one busy-looping process (a competing CPU-bound job)
  --repeat    N rounds of every row (alternating their order); each figure is the median over rounds (default 1)`;

function parseArgs(argv: readonly string[]): Options {
  let mode = MODES.full;
  let configs: BenchConfig[] = [...CONFIGS];
  let frameworks: Framework[] = [...FRAMEWORKS];
  let backends: string[] = [];
  let record = false;
  let contended = false;
  let repeat = 1;
  const list = (v: string | undefined, flag: string): string[] => {
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        mode = MODES.quick;
        break;
      case '--record':
        record = true;
        break;
      case '--contended':
        contended = true;
        break;
      case '--repeat': {
        const v = value();
        repeat = Number(v);
        if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: expected a positive integer; got '${v}'\n${USAGE}`);
        break;
      }
      case '--config':
        configs = list(value(), flag).map(findConfig);
        break;
      case '--framework':
        frameworks = list(value(), flag).flatMap((f): Framework[] => {
          if (f === 'tfjs') return ['tfjs-wasm', 'tfjs-cpu'];
          if ((FRAMEWORKS as readonly string[]).includes(f)) return [f as Framework];
          throw new Error(`unknown framework '${f}'; known: ${FRAMEWORKS.join(', ')}, tfjs`);
        });
        break;
      case '--backend':
        backends = list(value(), flag);
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument '${a}'\n${USAGE}`);
    }
  }
  return { mode, configs, frameworks: FRAMEWORKS.filter((f) => frameworks.includes(f)), backends, record, contended, repeat };
}

/** Everything one runner × configuration produced. */
interface ComboResult {
  config: string;
  runner: Runner;
  status: 'ok' | 'failed' | 'timeout' | 'unavailable';
  error?: string;
  meta?: MetaRecord;
  figures: Partial<Record<Figure, Measurement>>;
  checksum?: number;
  peakRssMiB?: number;
  baselineRssMiB?: number;
  leakedTensors?: number;
  wallS: number;
  /** With --repeat: each round's value of every figure that measured (in round order), and of the peak RSS. */
  rounds?: Partial<Record<Figure | 'peakRssMiB', number[]>>;
}

function childCommand(r: Runner, c: BenchConfig, o: Options): [string, string[], NodeJS.ProcessEnv] {
  const b = o.mode.budget;
  const common = [
    '--config',
    c.name,
    '--budget',
    String(b.budgetS),
    '--cap',
    String(b.capS),
    '--warmup-skip',
    String(b.warmupSkipS),
    '--max-samples',
    String(b.maxSamples),
    '--min-samples-s',
    String(b.minSamplesS),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  const node = (script: string, extra: string[]): [string, string[], NodeJS.ProcessEnv] => [
    process.execPath,
    ['--import', 'tsx', script, ...common, ...extra],
    env,
  ];
  switch (r.framework) {
    case 'recurrent':
      if (r.oneThread) env.RECURRENT_NUM_THREADS = '1';
      return node('bench/recurrent.ts', r.backend !== undefined ? ['--backend', r.backend] : []);
    case 'tfjs-wasm':
    case 'tfjs-cpu':
      return node('bench/tfjs.ts', ['--backend', r.backend!]);
    case 'browser':
      return node('bench/browser.ts', r.oneThread ? ['--threads', '1'] : []);
    case 'torch':
      return [PYTHON, ['bench/torch_bench.py', ...common, ...(r.oneThread ? ['--threads', '1'] : [])], env];
  }
}

const FIGURE_LABEL: Record<Figure, string> = { gen: 'gen', infer: 'infer', train: 'train' };

function describe(m: Measurement): string {
  if (m.status !== 'ok') return `${FIGURE_LABEL[m.figure]} ${m.status}${m.reason ? ` (${m.reason})` : ''}`;
  return `${FIGURE_LABEL[m.figure]} ${fmtValue(m.value!, m.unit)} ${m.unit === 'us' ? 'µs' : m.unit} (n=${m.samples}${m.cold ? ', cold' : ''})`;
}

function runChild(runner: Runner, c: BenchConfig, o: Options, log: (s: string) => void): Promise<ComboResult> {
  const [cmd, args, env] = childCommand(runner, c, o);
  const result: ComboResult = { config: c.name, runner, status: 'ok', figures: {}, wallS: 0 };
  const started = performance.now();
  // The competitor starts first, so that the row's warm-up already shares the cores with it.
  const competitor = o.contended ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdoutRest = '';
    let stderrTail = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.mode.childTimeoutS * 1000);
    const onRecord = (r: ChildRecord): void => {
      switch (r.type) {
        case 'meta':
          result.meta = r;
          break;
        case 'measure':
          result.figures[r.figure] = r;
          log(`    ${describe(r)}`);
          break;
        case 'check':
          result.checksum = r.checksum;
          break;
        case 'memory':
          result.peakRssMiB = r.peakRssMiB;
          result.baselineRssMiB = r.baselineRssMiB;
          if (r.leakedTensors !== undefined) result.leakedTensors = r.leakedTensors;
          break;
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (stdoutRest + chunk).split('\n');
      stdoutRest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith(LINE_PREFIX)) continue;
        try {
          onRecord(JSON.parse(line.slice(LINE_PREFIX.length)) as ChildRecord);
        } catch (e) {
          log(`    unreadable line from child: ${errorText(e)}`);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
    });
    const finish = (code: number | null, spawnError?: Error): void => {
      clearTimeout(timer);
      competitor?.kill('SIGKILL');
      result.wallS = (performance.now() - started) / 1000;
      if (timedOut) {
        result.status = 'timeout';
        result.error = `killed after ${o.mode.childTimeoutS} s`;
      } else if (spawnError !== undefined || code !== 0) {
        result.status = 'failed';
        result.error = spawnError ? errorText(spawnError) : lastLines(stderrTail) || `exit code ${code}`;
      }
      resolve(result);
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

/** The last meaningful stderr lines, without the stack frames and minified sources tfjs prints. */
function lastLines(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at ') && l.length < 400 && !/^\^+$/.test(l));
  return lines.slice(-3).join(' | ');
}

function torchAvailable(): boolean {
  try {
    return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
  } catch {
    return false;
  }
}

/** Whether the multi-threaded row that `r` (a one-thread companion) pairs with ran on more than one thread. */
function multiThreadedSibling(r: ComboResult, results: readonly ComboResult[]): boolean {
  const sibling = results.find((x) => x.config === r.config && x.runner.id === r.runner.id.slice(0, -'-1t'.length));
  return sibling !== undefined && sibling.status !== 'unavailable' && threadsOf(sibling) > 1;
}

/**
 * One result per row × config from several rounds: each figure's median over the rounds in which it
 * measured (its samples summed), the peak RSS likewise; every round's values kept in `rounds`.
 */
function medianOfRounds(rounds: readonly (readonly ComboResult[])[]): ComboResult[] {
  const out: ComboResult[] = [];
  for (const first of rounds[0]!) {
    const same = rounds.map((rs) => rs.find((r) => r.config === first.config && r.runner.id === first.runner.id)).filter((r) => r !== undefined);
    const merged: ComboResult = { ...first, figures: {}, rounds: {}, wallS: same.reduce((s, r) => s + r.wallS, 0) };
    for (const fig of ['train', 'infer', 'gen'] as const) {
      const ok = same.map((r) => r.figures[fig]).filter((m): m is Measurement => m?.status === 'ok' && m.value !== undefined);
      if (ok.length === 0) {
        const any = same.map((r) => r.figures[fig]).find((m) => m !== undefined);
        if (any !== undefined) merged.figures[fig] = any;
        continue;
      }
      const values = ok.map((m) => m.value!);
      merged.rounds![fig] = values;
      merged.figures[fig] = { ...ok[0]!, value: median(values), samples: ok.reduce((s, m) => s + (m.samples ?? 0), 0), cold: ok.some((m) => m.cold === true) };
    }
    const rss = same.map((r) => r.peakRssMiB).filter((v) => v !== undefined);
    if (rss.length > 0) {
      merged.rounds!.peakRssMiB = rss;
      merged.peakRssMiB = median(rss);
    }
    if (same.some((r) => r.status !== 'ok')) {
      const bad = same.find((r) => r.status !== 'ok')!;
      merged.error = `${same.filter((r) => r.status !== 'ok').length} of ${same.length} rounds ${bad.status}: ${bad.error ?? ''}`;
      if (same.every((r) => r.status !== 'ok')) merged.status = bad.status;
    }
    out.push(merged);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function fmtValue(v: number, unit: 'tok/s' | 'us' | 'MiB'): string {
  if (unit === 'us' && v < 100) return v.toFixed(1);
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  if (r >= 10) return `${r.toFixed(0)}×`;
  if (r >= 1) return `${r.toFixed(1)}×`;
  if (r >= 0.1) return `${r.toFixed(2)}×`;
  return `${r.toPrecision(2)}×`;
}

function threadsOf(r: ComboResult): number {
  return r.meta?.threads ?? (r.runner.oneThread ? 1 : 0);
}

function label(r: ComboResult): string {
  const n = threadsOf(r);
  const t = n === 0 ? '' : `${n} thread${n === 1 ? '' : 's'}`;
  switch (r.runner.framework) {
    case 'recurrent':
      return `recurrent (${[r.meta?.backend ?? r.runner.backend ?? '?', t].filter((x) => x !== '').join(', ')})`;
    case 'browser':
      return `recurrent in Chromium (${[r.meta?.backend ?? '?', t].filter((x) => x !== '').join(', ')})`;
    case 'torch':
      return `torch ${r.meta?.version ?? ''} (${t || '?'})`;
    default:
      return `${r.runner.id} (${t || '?'})`;
  }
}

function cellOf(r: ComboResult, fig: Figure, notes: string[]): string {
  const m = r.figures[fig];
  if (m === undefined) return r.status === 'ok' ? 'missing' : r.status;
  if (m.status === 'skipped') {
    notes.push(`${r.runner.id} ${fig}: skipped — ${m.reason ?? ''}`);
    return m.predictedS !== undefined && fig !== 'gen' ? `skipped (≈${fmtS(m.predictedS)}/call)` : 'skipped';
  }
  if (m.status === 'error') {
    notes.push(`${r.runner.id} ${fig}: error — ${m.reason ?? ''}`);
    return 'error';
  }
  const mark = m.cold ? ' ‡' : m.samples !== undefined && m.samples < 3 ? ' †' : '';
  return `${fmtValue(m.value!, m.unit)}${mark}`;
}

/** Ours on the primary backend at the thread count of `r`: the row that `r` is compared with. */
function baselineFor(r: ComboResult, results: readonly ComboResult[]): ComboResult | undefined {
  const primary = results.filter((x) => x.runner.primary && x.status !== 'unavailable');
  const multi = primary.find((x) => !x.runner.oneThread);
  const one = primary.find((x) => x.runner.oneThread);
  return threadsOf(r) > 1 ? multi : (one ?? multi);
}

function ratio(ours: ComboResult | undefined, peer: ComboResult, fig: Figure | 'mem'): string {
  if (ours === undefined || ours === peer) return '';
  const a = fig === 'mem' ? ours.peakRssMiB : ours.figures[fig]?.status === 'ok' ? ours.figures[fig]!.value : undefined;
  const b = fig === 'mem' ? peer.peakRssMiB : peer.figures[fig]?.status === 'ok' ? peer.figures[fig]!.value : undefined;
  return a !== undefined && b !== undefined && b > 0 ? fmtRatio(a / b) : '—';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => [...r[j]!].length)));
  const line = (r: string[]): string => `| ${r.map((v, j) => v + ' '.repeat(widths[j]! - [...v].length)).join(' | ')} |`;
  const rule = `|${widths.map((w, j) => (j === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

function configTitle(c: BenchConfig): string {
  return `${c.name}: ${c.cell}, T=${c.T}, B=${c.B}, input ${c.input}, hidden ${c.hidden}, ${c.layers} layer${c.layers > 1 ? 's' : ''}`;
}

function renderConfig(c: BenchConfig, results: ComboResult[]): string {
  const ours = results.find((r) => r.runner.primary && !r.runner.oneThread);
  const notes: string[] = [];
  const rows: string[][] = [['framework', 'train tok/s', '×', 'infer tok/s', '×', 'gen µs/step', '×', 'peak RSS MiB', '×']];
  for (const r of results) {
    if (r.status === 'unavailable' || (r.status !== 'ok' && Object.keys(r.figures).length === 0)) {
      rows.push([label(r), r.status, '', '', '', '', '', '', '']);
      notes.push(`${r.runner.id}: ${r.status}${r.error ? ` — ${r.error}` : ''}`);
      continue;
    }
    if (r.status !== 'ok') notes.push(`${r.runner.id}: ${r.status}${r.error ? ` — ${r.error}` : ''}`);
    const base = baselineFor(r, results);
    rows.push([
      label(r),
      cellOf(r, 'train', notes),
      ratio(base, r, 'train'),
      cellOf(r, 'infer', notes),
      ratio(base, r, 'infer'),
      cellOf(r, 'gen', notes),
      ratio(base, r, 'gen'),
      r.peakRssMiB !== undefined ? fmtValue(r.peakRssMiB, 'MiB') : '—',
      ratio(base, r, 'mem'),
    ]);
  }
  for (const r of results) {
    const per = r.rounds;
    if (per === undefined) continue;
    const parts = (['train', 'infer', 'gen'] as const)
      .filter((fig) => (per[fig]?.length ?? 0) > 0)
      .map((fig) => `${fig} ${per[fig]!.map((v) => fmtValue(v, r.figures[fig]!.unit)).join(' / ')}`);
    if (parts.length > 0) notes.push(`${r.runner.id}, each round: ${parts.join('; ')}`);
  }
  const sums = results.filter((r) => r.checksum !== undefined);
  if (ours?.checksum !== undefined && sums.length > 1) {
    const agree = sums
      .filter((r) => r !== ours)
      .map((r) => {
        const rel = Math.abs(r.checksum! - ours.checksum!) / Math.max(1, Math.abs(ours.checksum!));
        const gruNote = c.cell === 'GRU' && r.runner.framework.startsWith('tfjs') ? ' (tfjs GRU is the reset-before variant)' : '';
        return `${r.runner.id} ${rel < 1e-3 ? 'same' : `differs (${r.checksum!.toPrecision(6)})`}${gruNote}`;
      });
    notes.push(`outputs (sum of the inference output, ours ${ours.checksum.toPrecision(6)}): ${agree.join('; ')}`);
  }
  const leaks = results.filter((r) => r.leakedTensors !== undefined && r.leakedTensors !== 0);
  for (const r of leaks) notes.push(`${r.runner.id}: ${r.leakedTensors} tensors leaked during training`);
  return [`### ${configTitle(c)}`, '', table(rows), '', ...notes.map((n) => `- ${n}`)].join('\n').trimEnd();
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

interface RunInfo {
  date: string;
  command: string;
  loadStart: number[];
  loadEnd: number[];
  wallS: number;
}

function renderMachine(results: ComboResult[], o: Options, info: RunInfo): string {
  const meta = (id: string): MetaRecord | undefined => results.find((r) => r.runner.id === id && r.meta)?.meta;
  const ours = results.filter((r) => r.runner.framework === 'recurrent' && r.meta).map((r) => r.meta!);
  const torch = meta('torch') ?? meta('torch-1t');
  const browser = meta('browser') ?? meta('browser-1t');
  const wasm = meta('tfjs-wasm');
  const tfjs = wasm ?? meta('tfjs-cpu');
  const lines = [
    `- date: ${info.date}; mode: ${o.mode.name}; command: \`${info.command}\`; wall time ${fmtS(info.wallS)}`,
    `- machine: ${cpuModel()}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}; load average ${info.loadStart.map((l) => l.toFixed(1)).join(' ')} at the start, ${info.loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end`,
    `- Node ${process.version}`,
  ];
  if (o.repeat > 1)
    lines.push(
      `- repetitions: ${o.repeat} rounds over every row, each round in the opposite order of the one before; each figure is the median of its rounds (every round's value is listed under the table)`,
    );
  if (o.contended) lines.push('- contended: every row ran beside one competing process, a Node.js busy loop started just before it and killed after it');
  if (ours.length > 0) {
    const used = [...new Set(ours.map((m) => `**${m.backend}**`))].join(', ');
    const threads = [...new Set(ours.map((m) => m.threads))].sort().join(' and ');
    lines.push(
      `- recurrent ${ours[0]!.version} (the built package, dist/): backend ${used} (registered: ${String(ours[0]!.details.backends)}), ${threads} thread(s)`,
    );
  }
  if (browser) {
    lines.push(
      `- recurrent in Chromium: the same package bundled by esbuild into a cross-origin isolated page on 127.0.0.1, measured on ${String(browser.details.caller)}; ${String(browser.details.browser)}, headless, launched by playwright-core`,
    );
  }
  if (tfjs) {
    const w = wasm
      ? `; wasm: SIMD ${String(wasm.details.simd)}, multithreading ${String(wasm.details.multithread)}, ${String(wasm.details.wasmThreads)} thread`
      : '';
    lines.push(`- TensorFlow.js ${tfjs.version}${w}`);
  }
  if (torch) {
    const d = torch.details;
    lines.push(
      `- PyTorch ${torch.version} (Python ${String(d.python)}), ${String(d.parallel)}, torch.set_num_threads(os.cpu_count()) and, in the 1-thread rows, 1; BLAS_INFO=${String(d.blasInfo)}, CPU capability ${String(d.cpuCapability ?? '?')}, mkldnn ${String(d.mkldnn)}; BLAS in use: ${String(d.blasLibraries)}`,
    );
  } else if (o.frameworks.some((f) => f.startsWith('torch'))) {
    lines.push('- PyTorch: not available');
  }
  const b = o.mode.budget;
  lines.push(
    `- protocol: each row × config in its own process; per figure the median of timed calls after a warm-up, about ${b.budgetS} s of timed calls (at least 3, or as many as fit in ${b.minSamplesS} s, at least 1); a call predicted (from 2-step and T/10-step probes, or for training from the inference time) to take over ${b.capS} s is skipped; a call predicted over ${b.warmupSkipS} s gets no full-length warm-up (‡); † = fewer than 3 timed calls`,
  );
  return lines.join('\n');
}

function renderMarkdown(results: ComboResult[], o: Options, info: RunInfo): string {
  const parts = [
    renderMachine(results, o, info),
    '',
    'train and infer: tokens/s (T·B per call; train = forward + backward + SGD step on the sum of the outputs; infer = forward without gradients); gen: µs for one time step at batch 1 with carried state; peak RSS: the process high-water mark. × = ours ÷ that row, ours on the first backend at the same thread count (the 1-thread rows against ours on one thread): above 1 means ours is faster for tok/s, slower for µs and bigger for MiB.',
  ];
  for (const c of o.configs) {
    const rs = results.filter((r) => r.config === c.name);
    if (rs.length > 0) parts.push('', renderConfig(c, rs));
  }
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// RESULTS.md sections

function sectionKey(results: ComboResult[], o: Options): string {
  const used = [...new Set(results.filter((r) => r.runner.framework === 'recurrent' && r.meta).map((r) => r.meta!.backend))];
  const backend = used.length > 0 ? used.join('+') : o.backends.join('+') || 'default';
  const partial = o.configs.length < CONFIGS.length || o.frameworks.length < FRAMEWORKS.length;
  return `${backend}${o.mode.name === 'quick' ? '-quick' : ''}${partial ? '-partial' : ''}${o.contended ? '-contended' : ''}`;
}

/** Writes the section `key` of bench/RESULTS.md, and its rows as bench/results/KEY.jsonl. */
function record(markdown: string, jsonl: string, key: string, date: string): string {
  writeFileSync(path.join(ROOT, 'bench', 'results', `${key}.jsonl`), jsonl);
  const file = path.join(ROOT, 'bench', 'RESULTS.md');
  const begin = `<!-- bench:begin ${key} -->`;
  const end = `<!-- bench:end ${key} -->`;
  const section = `${begin}\n## Backend \`${key}\`, ${date.slice(0, 10)}\n\n${markdown}\n\nRows as JSON: bench/results/${key}.jsonl.\n${end}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const i = old.indexOf(begin);
  const j = old.indexOf(end);
  const next = i >= 0 && j > i ? old.slice(0, i) + section + old.slice(j + end.length) : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  return file;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (s: string): void => {
    process.stderr.write(`${s}\n`);
  };
  const info: RunInfo = {
    date: new Date().toISOString(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    loadStart: os.loadavg(),
    loadEnd: [],
    wallS: 0,
  };
  const hasTorch = o.frameworks.includes('torch') && torchAvailable();
  const runners = runnersFor(o);
  const started = performance.now();
  const rounds: ComboResult[][] = [];
  for (let round = 0; round < o.repeat; round++) {
    const results: ComboResult[] = [];
    if (o.repeat > 1) log(`round ${round + 1} of ${o.repeat}`);
    for (const c of o.configs) {
      log(`${configTitle(c)}`);
      // Odd rounds run the rows in the opposite order, so that no row always follows the same one.
      const order = round % 2 === 0 ? runners : [...runners].reverse();
      for (const runner of order) {
        if (runner.framework === 'torch' && !hasTorch) {
          results.push({ config: c.name, runner, status: 'unavailable', error: `${PYTHON} -c 'import torch' fails`, figures: {}, wallS: 0 });
          log(`  ${runner.id}: unavailable`);
          continue;
        }
        if (runner.framework === 'browser' && !chromiumInstalled()) {
          results.push({ config: c.name, runner, status: 'unavailable', error: `no Chromium at ${CHROMIUM_PATH}`, figures: {}, wallS: 0 });
          log(`  ${runner.id}: unavailable`);
          continue;
        }
        log(`  ${runner.id}`);
        const r = await runChild(runner, c, o, log);
        if (r.status !== 'ok') log(`    ${r.status}: ${r.error ?? ''}`);
        if (r.peakRssMiB !== undefined) log(`    peak RSS ${r.peakRssMiB.toFixed(0)} MiB; ${fmtS(r.wallS)} in all`);
        results.push(r);
      }
    }
    // A one-thread companion counts only where its multi-threaded sibling used more threads.
    rounds.push(results.filter((r) => !r.runner.oneThread || multiThreadedSibling(r, results)));
  }
  const results = o.repeat === 1 ? rounds[0]! : medianOfRounds(rounds);
  info.wallS = (performance.now() - started) / 1000;
  info.loadEnd = os.loadavg();

  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const shapeOf = (name: string): Omit<BenchConfig, 'name'> => {
    const { cell, T, B, input, hidden, layers } = findConfig(name);
    return { cell, T, B, input, hidden, layers };
  };
  const jsonl = results.map((r) =>
    JSON.stringify({
      date: info.date,
      mode: o.mode.name,
      config: r.config,
      ...shapeOf(r.config),
      id: r.runner.id,
      framework: r.runner.framework,
      label: label(r),
      backend: r.meta?.backend,
      version: r.meta?.version,
      threads: r.meta?.threads,
      status: r.status,
      error: r.error,
      train: r.figures.train,
      infer: r.figures.infer,
      gen: r.figures.gen,
      checksum: r.checksum,
      peakRssMiB: r.peakRssMiB,
      baselineRssMiB: r.baselineRssMiB,
      leakedTensors: r.leakedTensors,
      wallS: r.wallS,
      rounds: r.rounds,
      details: r.meta?.details,
    }),
  );
  const jsonlText = `${jsonl.join('\n')}\n`;
  writeFileSync(path.join(dir, 'latest.jsonl'), jsonlText);
  const markdown = renderMarkdown(results, o, info);
  writeFileSync(path.join(dir, 'latest.md'), `${markdown}\n`);
  process.stdout.write(`\n${markdown}\n\nwrote bench/results/latest.jsonl and bench/results/latest.md\n`);
  if (o.record) {
    const key = sectionKey(results, o);
    const file = record(markdown, jsonlText, key, info.date);
    process.stdout.write(`recorded in ${path.relative(ROOT, file)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
