/**
 * `npm run bench:curves`: cost curves of this library against PyTorch around lstm-charlm's shape
 * (LSTM, T 100, B 32, input 64, hidden 256, 1 layer), one dimension varied at a time: sequence
 * length T, hidden size H, batch size B. Every point is a fresh child process per framework
 * (bench/recurrent.ts on the built package, bench/torch_bench.py), both on their default thread
 * counts, the frameworks alternating point by point; each child measures training and inference
 * tok/s and reports its peak and baseline RSS. Writes bench/results/curves-DATE.jsonl (every run,
 * every point's medians, the memory slopes), bench/results/curves-DATE.md (tables, ours ÷ torch,
 * the memory per time step, cliffs; also printed) and plots bench/curves/curves-DATE/AXIS-
 * {throughput,memory}.{svg,png}; a quick or subset run adds -quick, the axes and the framework to
 * the names after DATE (quick runs' files are not kept in git).
 *
 *     npm run bench:curves                          # full sweep: 30 processes, about 6–8 minutes on an idle 2-core machine
 *     npm run bench:curves -- --quick               # smoke run: two small points per axis
 *     npm run bench:curves -- --axis T --repeat 3   # one axis, median of 3 alternating repetitions
 *     npm run bench:curves -- --frameworks recurrent --list   # the points and child commands, nothing run
 *     npm run bench:curves -- --budget 5            # seconds of timed calls per figure and point (default 3)
 *
 * PyTorch runs with OMP_WAIT_POLICY=PASSIVE unless the environment sets it (GOMP's spinning
 * workers otherwise fight OpenBLAS's threads on a small machine; see bench/RESULTS.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type BenchConfig,
  type BenchMode as Mode,
  type ChildRecord,
  type Figure,
  type Measurement,
  type MetaRecord,
  LINE_PREFIX,
  errorText,
  fmtS,
  shapeText,
} from './common.js';
import { type LineFit, leastSquares, median, ratioCliffs, trendCliffs } from './curves_analysis.js';
import { type MemoryPoint, type ThroughputPoint, memorySpec, throughputSpec, writePlot } from './curves_plots.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';

type Shape = Omit<BenchConfig, 'name'>;
const BASE: Shape = { cell: 'LSTM', T: 100, B: 32, input: 64, hidden: 256, layers: 1 };

type Axis = 'T' | 'H' | 'B';
const AXIS_NAMES: readonly Axis[] = ['T', 'H', 'B'];

interface AxisSpec {
  field: 'T' | 'hidden' | 'B';
  values: number[];
  quick: number[];
  /** The x axis title. */
  label: string;
  /** The axis in a title. */
  short: string;
  /** What the rest of the shape is, for titles. */
  fixed: string;
}

const AXES: Record<Axis, AxisSpec> = {
  T: {
    field: 'T',
    values: [10, 30, 100, 300, 1000, 2000],
    quick: [10, 30],
    label: 'sequence length T (time steps)',
    short: 'sequence length',
    fixed: 'B 32, input 64, hidden 256',
  },
  H: { field: 'hidden', values: [64, 128, 256, 512, 1024], quick: [64, 128], label: 'hidden size H', short: 'hidden size', fixed: 'T 100, B 32, input 64' },
  B: { field: 'B', values: [1, 4, 16, 64, 256], quick: [1, 4], label: 'batch size B (sequences)', short: 'batch size', fixed: 'T 100, input 64, hidden 256' },
};

const FRAMEWORKS = ['recurrent', 'torch'] as const;
type Framework = (typeof FRAMEWORKS)[number];

/**
 * Per-point time budget. Full: about 3 s of timed calls per figure (at least one call; a call over
 * 3 s gets no separate warm-up, the probes have warmed its code paths), a call predicted over 60 s
 * is skipped, and no child may run over 4 minutes. With about 3 s of start-up per child, a point
 * costs some 10 s per framework on an idle 2-core machine: 15 shapes × 2 frameworks ≈ 5–6 minutes.
 */
const MODES: Record<'full' | 'quick', Mode> = {
  full: { name: 'full', budget: { budgetS: 3, capS: 60, warmupSkipS: 3, maxSamples: 100, minSamplesS: 3 }, childTimeoutS: 240 },
  quick: { name: 'quick', budget: { budgetS: 0.3, capS: 5, warmupSkipS: 0.3, maxSamples: 20, minSamplesS: 0.3 }, childTimeoutS: 60 },
};

interface Options {
  mode: Mode;
  axes: Axis[];
  frameworks: Framework[];
  repeat: number;
  /** Print the points and child commands, run nothing. */
  list: boolean;
}

const USAGE = `usage: npm run bench:curves -- [--axis T,H,B] [--frameworks recurrent,torch] [--repeat N] [--budget S] [--quick] [--list]
  --axis        the axes to sweep (default all): T ${AXES.T.values.join(', ')}; H ${AXES.H.values.join(', ')}; B ${AXES.B.values.join(', ')}
  --frameworks  recurrent, torch (default both)
  --repeat      N alternating repetitions of every point, medians reported (default 1)
  --budget      seconds of timed calls per figure and point (default ${MODES.full.budget.budgetS}; --quick ${MODES.quick.budget.budgetS})
  --quick       smoke run: the two smallest values of each axis, short budgets
  --list        print the points and child commands without running them`;

function list(value: string, flag: string, known: readonly string[]): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new Error(`${flag} needs one or more of ${known.join(', ')}; got '${value}'`);
  for (const item of items) if (!known.includes(item)) throw new Error(`${flag} must list some of ${known.join(', ')}; got '${item}'`);
  return items;
}

function positive(value: string, flag: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} must be a positive ${integer ? 'integer' : 'number'}; got '${value}'`);
  }
  return n;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        axis: { type: 'string' },
        frameworks: { type: 'string' },
        repeat: { type: 'string' },
        budget: { type: 'string' },
        quick: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const base = v.quick ? MODES.quick : MODES.full;
  const budgetS = v.budget === undefined ? undefined : positive(v.budget, '--budget', false);
  const mode: Mode = budgetS === undefined ? base : { ...base, budget: { ...base.budget, budgetS, minSamplesS: budgetS, warmupSkipS: budgetS } };
  const axes = v.axis === undefined ? [...AXIS_NAMES] : (list(v.axis, '--axis', AXIS_NAMES) as Axis[]);
  const frameworks = v.frameworks === undefined ? [...FRAMEWORKS] : (list(v.frameworks, '--frameworks', FRAMEWORKS) as Framework[]);
  return {
    mode,
    axes: AXIS_NAMES.filter((a) => axes.includes(a)),
    frameworks: FRAMEWORKS.filter((f) => frameworks.includes(f)),
    repeat: v.repeat === undefined ? 1 : positive(v.repeat, '--repeat', true),
    list: v.list,
  };
}

/** A shape to measure and the axis points it stands for (the base shape is on two axes). */
interface SweepShape {
  shape: Shape;
  key: string;
  points: { axis: Axis; value: number }[];
}

function sweepShapes(o: Options): SweepShape[] {
  const out: SweepShape[] = [];
  for (const axis of o.axes) {
    const spec = AXES[axis];
    for (const value of o.mode.name === 'quick' ? spec.quick : spec.values) {
      const shape: Shape = { ...BASE, [spec.field]: value };
      const key = shapeText(shape);
      const known = out.find((s) => s.key === key);
      if (known) known.points.push({ axis, value });
      else out.push({ shape, key, points: [{ axis, value }] });
    }
  }
  return out;
}

function childCommand(fw: Framework, s: SweepShape, o: Options): [string, string[], NodeJS.ProcessEnv] {
  const b = o.mode.budget;
  const common = [
    '--shape',
    s.key,
    '--figures',
    'infer,train',
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
  if (fw === 'recurrent') return [process.execPath, ['--import', 'tsx', 'bench/recurrent.ts', ...common], { ...process.env, NODE_NO_WARNINGS: '1' }];
  return [PYTHON, ['bench/torch_bench.py', ...common], { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' }];
}

/** Everything one child process reported. */
interface ChildOutcome {
  status: 'ok' | 'failed' | 'timeout';
  error?: string;
  meta?: MetaRecord;
  figures: Partial<Record<Figure, Measurement>>;
  checksum?: number;
  peakRssMiB?: number;
  baselineRssMiB?: number;
  wallS: number;
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutS: number): Promise<ChildOutcome> {
  const out: ChildOutcome = { status: 'ok', figures: {}, wallS: 0 };
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
    let rest = '';
    let stderrTail = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    const onRecord = (r: ChildRecord): void => {
      if (r.type === 'meta') out.meta = r;
      else if (r.type === 'measure') out.figures[r.figure] = r;
      else if (r.type === 'check') out.checksum = r.checksum;
      else {
        out.peakRssMiB = r.peakRssMiB;
        out.baselineRssMiB = r.baselineRssMiB;
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith(LINE_PREFIX)) continue;
        try {
          onRecord(JSON.parse(line.slice(LINE_PREFIX.length)) as ChildRecord);
        } catch (e) {
          stderrTail += `\nunreadable line from child: ${errorText(e)}`;
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2000);
    });
    const finish = (code: number | null, spawnError?: Error): void => {
      clearTimeout(timer);
      out.wallS = (performance.now() - started) / 1000;
      if (timedOut) {
        out.status = 'timeout';
        out.error = `killed after ${timeoutS} s`;
      } else if (spawnError !== undefined || code !== 0) {
        out.status = 'failed';
        const tail = stderrTail
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '' && !l.startsWith('at '));
        out.error = spawnError ? errorText(spawnError) : tail.slice(-2).join(' | ') || `exit code ${code}`;
      }
      resolve(out);
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

/** One child process: a framework at a shape in one repetition. */
interface RunRow extends ChildOutcome {
  rep: number;
  framework: Framework;
  shape: SweepShape;
}

function okValue(m: Measurement | undefined): number | undefined {
  return m?.status === 'ok' ? m.value : undefined;
}

/** One framework at one axis point: medians over the repetitions. */
interface PointSummary {
  axis: Axis;
  value: number;
  framework: Framework;
  shape: string;
  trainTokS?: number;
  inferTokS?: number;
  peakRssMiB?: number;
  baselineRssMiB?: number;
  /** Median of peak − baseline over the runs whose training measurement ran. */
  trainAboveBaselineMiB?: number;
  runs: number;
  notes: string[];
}

function summarize(runs: readonly RunRow[], axis: Axis, value: number, fw: Framework, shape: SweepShape): PointSummary {
  const mine = runs.filter((r) => r.framework === fw && r.shape === shape);
  const values = (pick: (r: RunRow) => number | undefined): number[] => mine.map(pick).filter((x): x is number => x !== undefined);
  const notes: string[] = [];
  for (const r of mine) {
    if (r.status !== 'ok') notes.push(`rep ${r.rep + 1}: ${r.status} (${r.error ?? ''})`);
    for (const f of ['train', 'infer'] as const) {
      const m = r.figures[f];
      if (m !== undefined && m.status !== 'ok') notes.push(`rep ${r.rep + 1} ${f}: ${m.status}${m.reason ? ` — ${m.reason}` : ''}`);
      else if (m?.cold) notes.push(`rep ${r.rep + 1} ${f}: no full-length warm-up (one call ≈ ${fmtS(m.predictedS ?? 0)})`);
      else if (m !== undefined && (m.samples ?? 0) < 3) notes.push(`rep ${r.rep + 1} ${f}: ${m.samples} timed call(s)`);
    }
  }
  return {
    axis,
    value,
    framework: fw,
    shape: shape.key,
    trainTokS: median(values((r) => okValue(r.figures.train))),
    inferTokS: median(values((r) => okValue(r.figures.infer))),
    peakRssMiB: median(values((r) => r.peakRssMiB)),
    baselineRssMiB: median(values((r) => r.baselineRssMiB)),
    trainAboveBaselineMiB: median(
      values((r) =>
        r.figures.train?.status === 'ok' && r.peakRssMiB !== undefined && r.baselineRssMiB !== undefined ? r.peakRssMiB - r.baselineRssMiB : undefined,
      ),
    ),
    runs: mine.length,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

function fmtNum(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function fmtRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '—';
  return r >= 10 ? `${r.toFixed(0)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}×`;
}

function ratioOf(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => [...r[j]!].length)));
  const line = (r: string[]): string => `| ${r.map((v, j) => v + ' '.repeat(widths[j]! - [...v].length)).join(' | ')} |`;
  const rule = `|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
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

function frameworkLabel(runs: readonly RunRow[], fw: Framework): string {
  const meta = runs.find((r) => r.framework === fw && r.meta)?.meta;
  if (meta === undefined) return fw;
  const threads = [...new Set(runs.filter((r) => r.framework === fw && r.meta).map((r) => r.meta!.threads))].join('/');
  if (fw === 'recurrent') return `recurrent ${meta.version} (${meta.backend}, ${threads} thread${threads === '1' ? '' : 's'})`;
  const d = meta.details;
  return `torch ${meta.version} (${threads} thread${threads === '1' ? '' : 's'}, OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? 'PASSIVE'}; BLAS_INFO=${String(d.blasInfo)}, ${String(d.parallel)})`;
}

interface AxisReport {
  markdown: string;
  points: PointSummary[];
  /** The slopes of the T axis, MiB per time step. */
  slopes?: Partial<Record<Framework, LineFit>>;
}

function renderAxis(axis: Axis, shapes: readonly SweepShape[], runs: readonly RunRow[], o: Options): AxisReport {
  const spec = AXES[axis];
  const onAxis = shapes.flatMap((s) => s.points.filter((p) => p.axis === axis).map((p) => ({ value: p.value, shape: s })));
  onAxis.sort((a, b) => a.value - b.value);
  const points = onAxis.flatMap(({ value, shape }) => o.frameworks.map((fw) => summarize(runs, axis, value, fw, shape)));
  const at = (value: number, fw: Framework): PointSummary | undefined => points.find((p) => p.value === value && p.framework === fw);
  const both = o.frameworks.length === 2;
  const header = ['value'];
  for (const f of ['train tok/s', 'infer tok/s', 'train MiB above baseline']) {
    for (const fw of o.frameworks) header.push(`${f}, ${fw === 'recurrent' ? 'ours' : fw}`);
    if (both) header.push('ours ÷ torch');
  }
  for (const fw of o.frameworks) header.push(`peak / baseline MiB, ${fw === 'recurrent' ? 'ours' : fw}`);
  const rows: string[][] = [header.map((h, j) => (j === 0 ? axis : h))];
  for (const { value } of onAxis) {
    const row = [String(value)];
    for (const pick of [(p?: PointSummary) => p?.trainTokS, (p?: PointSummary) => p?.inferTokS, (p?: PointSummary) => p?.trainAboveBaselineMiB]) {
      for (const fw of o.frameworks) row.push(fmtNum(pick(at(value, fw))));
      if (both) row.push(fmtRatio(ratioOf(pick(at(value, 'recurrent')), pick(at(value, 'torch')))));
    }
    for (const fw of o.frameworks) {
      const p = at(value, fw);
      row.push(`${fmtNum(p?.peakRssMiB)} / ${fmtNum(p?.baselineRssMiB)}`);
    }
    rows.push(row);
  }
  const lines = [`## ${axis}: ${spec.label}; fixed: ${BASE.cell}, ${spec.fixed}, ${BASE.layers} layer`, '', table(rows), ''];

  // Memory per time step: least squares of training peak − baseline against T.
  let slopes: AxisReport['slopes'];
  if (axis === 'T') {
    slopes = {};
    const parts: string[] = [];
    for (const fw of o.frameworks) {
      const pts = onAxis
        .map(({ value }) => [value, at(value, fw)?.trainAboveBaselineMiB] as const)
        .filter((p): p is readonly [number, number] => p[1] !== undefined);
      const fit = leastSquares(
        pts.map((p) => p[0]),
        pts.map((p) => p[1]),
      );
      if (fit === undefined) {
        parts.push(`${fw}: too few points to fit`);
        continue;
      }
      slopes[fw] = fit;
      parts.push(
        `${fw === 'recurrent' ? 'ours' : fw} ${fit.slope.toFixed(3)} MiB per time step (${((fit.slope * 1024) / BASE.B).toFixed(1)} KiB per step and sequence; intercept ${fit.intercept.toFixed(1)} MiB, R² ${fit.r2.toFixed(3)}, ${fit.n} points)`,
      );
    }
    const ratio = ratioOf(slopes.recurrent?.slope, slopes.torch?.slope);
    lines.push(
      `Memory per time step (least squares of training peak RSS − baseline against T): ${parts.join('; ')}${ratio !== undefined ? `; ours ÷ torch ${fmtRatio(ratio)}` : ''}.`,
      '',
    );
  }

  // Cliffs: a throughput drop against the neighbours' trend, or a ratio far below the axis's median.
  const cliffs: string[] = [];
  const values = onAxis.map((p) => p.value);
  for (const fw of o.frameworks) {
    for (const figure of ['train', 'infer'] as const) {
      const ys = values.map((v) => (figure === 'train' ? at(v, fw)?.trainTokS : at(v, fw)?.inferTokS) ?? NaN);
      for (const c of trendCliffs(values, ys)) {
        cliffs.push(
          `${fw === 'recurrent' ? 'ours' : fw} ${figure} at ${axis}=${values[c.index]}: ${fmtNum(ys[c.index])} tok/s, ${c.drop.toFixed(1)}× below its neighbours' log-log trend (${fmtNum(c.expected)})`,
        );
      }
    }
  }
  if (both) {
    for (const figure of ['train', 'infer'] as const) {
      const pick = (p?: PointSummary): number | undefined => (figure === 'train' ? p?.trainTokS : p?.inferTokS);
      const ratios = values.map((v) => ratioOf(pick(at(v, 'recurrent')), pick(at(v, 'torch'))));
      for (const c of ratioCliffs(ratios)) {
        cliffs.push(`ours ÷ torch ${figure} at ${axis}=${values[c.index]}: ${fmtRatio(c.ratio)}, under half the axis's median ${fmtRatio(c.medianRatio)}`);
      }
    }
  }
  lines.push(cliffs.length === 0 ? 'Cliffs: none.' : ['Cliffs:', ...cliffs.map((c) => `- ${c}`)].join('\n'));

  const notes: string[] = [];
  for (const p of points) for (const n of p.notes) notes.push(`${p.framework} at ${axis}=${p.value}: ${n}`);
  for (const { value, shape } of onAxis) {
    const sums = o.frameworks.map((fw) => runs.find((r) => r.framework === fw && r.shape === shape && r.checksum !== undefined)?.checksum);
    if (both && sums[0] !== undefined && sums[1] !== undefined) {
      const rel = Math.abs(sums[0] - sums[1]) / Math.max(1, Math.abs(sums[0]));
      if (rel >= 1e-3) notes.push(`${axis}=${value}: inference outputs differ (sum ours ${sums[0].toPrecision(6)}, torch ${sums[1].toPrecision(6)})`);
    }
  }
  if (notes.length > 0) lines.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  return { markdown: lines.join('\n'), points, slopes };
}

async function plotAxis(axis: Axis, report: AxisReport, stem: string, frameworks: string): Promise<string[]> {
  const spec = AXES[axis];
  // One directory per run (bench/curves/curves-DATE…/), named like the run's results.
  const dir = path.join(ROOT, 'bench', 'curves', stem);
  mkdirSync(dir, { recursive: true });
  const tput: ThroughputPoint[] = report.points.flatMap((p) =>
    (['train', 'infer'] as const).flatMap((figure) => {
      const v = figure === 'train' ? p.trainTokS : p.inferTokS;
      return v === undefined ? [] : [{ x: p.value, framework: p.framework, figure, tokensPerSecond: v }];
    }),
  );
  const mem: MemoryPoint[] = report.points.flatMap((p) =>
    p.trainAboveBaselineMiB === undefined ? [] : [{ x: p.value, framework: p.framework, aboveBaselineMiB: p.trainAboveBaselineMiB }],
  );
  const subtitle = [`${BASE.cell}, ${spec.fixed}, ${BASE.layers} layer`, frameworks];
  const files = [
    ...(await writePlot(
      path.join(dir, `${axis}-throughput`),
      throughputSpec(tput, { x: spec.label, title: `Tokens per second against ${spec.short}`, subtitle }),
    )),
    ...(await writePlot(path.join(dir, `${axis}-memory`), memorySpec(mem, { x: spec.label, title: `Training memory against ${spec.short}`, subtitle }))),
  ];
  return files.map((f) => path.relative(ROOT, f));
}

// ---------------------------------------------------------------------------------------------

function torchAvailable(): boolean {
  try {
    return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
  } catch {
    return false;
  }
}

function describe(r: RunRow): string {
  const f = (m: Measurement | undefined, name: string): string =>
    m === undefined ? `${name} —` : m.status === 'ok' ? `${name} ${fmtNum(m.value)} tok/s (n=${m.samples}${m.cold ? ', cold' : ''})` : `${name} ${m.status}`;
  const mem =
    r.peakRssMiB !== undefined && r.baselineRssMiB !== undefined ? `, peak ${fmtNum(r.peakRssMiB)} MiB (+${fmtNum(r.peakRssMiB - r.baselineRssMiB)})` : '';
  const status = r.status === 'ok' ? '' : `; ${r.status}: ${r.error ?? ''}`;
  return `${f(r.figures.train, 'train')}, ${f(r.figures.infer, 'infer')}${mem}; ${fmtS(r.wallS)}${status}`;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const shapes = sweepShapes(o);
  const pointName = (s: SweepShape): string => s.points.map((p) => `${p.axis}=${p.value}`).join(' = ');
  if (o.list) {
    for (const s of shapes) {
      for (const fw of o.frameworks) {
        const [cmd, args] = childCommand(fw, s, o);
        process.stdout.write(`${pointName(s)} ${fw}: ${[cmd === process.execPath ? 'node' : cmd, ...args].join(' ')}\n`);
      }
    }
    process.stdout.write(
      `${shapes.length} shapes × ${o.frameworks.length} frameworks × ${o.repeat} repetition(s) = ${shapes.length * o.frameworks.length * o.repeat} child processes\n`,
    );
    return;
  }
  if (o.frameworks.includes('torch') && !torchAvailable()) {
    throw new Error(`PyTorch is not available (${PYTHON} -c 'import torch' fails); run with --frameworks recurrent`);
  }
  const log = (s: string): void => {
    process.stderr.write(`${s}\n`);
  };
  const date = new Date().toISOString();
  const loadStart = os.loadavg();
  const started = performance.now();
  const runs: RunRow[] = [];
  const total = shapes.length * o.frameworks.length * o.repeat;
  let pair = 0;
  for (let rep = 0; rep < o.repeat; rep++) {
    for (const s of shapes) {
      // Alternate which framework goes first, so that a drift in the machine's load falls on both.
      const order = pair++ % 2 === 0 ? o.frameworks : [...o.frameworks].reverse();
      for (const fw of order) {
        const [cmd, args, env] = childCommand(fw, s, o);
        const outcome = await runChild(cmd, args, env, o.mode.childTimeoutS);
        const row: RunRow = { ...outcome, rep, framework: fw, shape: s };
        runs.push(row);
        const elapsed = (performance.now() - started) / 1000;
        log(`[${runs.length}/${total}, ${fmtS(elapsed)}] ${pointName(s)} ${fw}${o.repeat > 1 ? ` (rep ${rep + 1})` : ''}: ${describe(row)}`);
      }
    }
  }
  const wallS = (performance.now() - started) / 1000;
  const loadEnd = os.loadavg();

  // A subset run names what it covers, so that runs of different axes on one day keep their files.
  const axesPart = o.axes.length < AXIS_NAMES.length ? `-${o.axes.join('')}` : '';
  const frameworksPart = o.frameworks.length < FRAMEWORKS.length ? `-${o.frameworks.join('-')}` : '';
  const stem = `curves-${date.slice(0, 10)}${o.mode.name === 'quick' ? '-quick' : ''}${axesPart}${frameworksPart}`;
  const labels = o.frameworks.map((fw) => frameworkLabel(runs, fw));
  const subtitle = `${o.frameworks.map((fw) => frameworkLabel(runs, fw).replace(/;.*\)$/, ')')).join(' vs ')}; ${o.repeat > 1 ? `median of ${o.repeat} runs` : 'one run'} per point; ${date.slice(0, 10)}`;
  const reports = o.axes.map((axis) => [axis, renderAxis(axis, shapes, runs, o)] as const);
  const plots: string[] = [];
  for (const [axis, report] of reports) plots.push(...(await plotAxis(axis, report, stem, subtitle)));

  const b = o.mode.budget;
  const command = ['npm run bench:curves', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const head = [
    `# Cost curves around lstm-charlm's shape, ${date.slice(0, 10)}${o.mode.name === 'quick' ? ' (quick)' : ''}`,
    '',
    `- date ${date}; command \`${command}\`; wall time ${fmtS(wallS)}`,
    `- machine: ${cpuModel()}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${loadStart.map((l) => l.toFixed(1)).join(' ')} at the start, ${loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end; Node ${process.version}`,
    ...labels.map((l) => `- ${l}`),
    `- base shape ${shapeText(BASE)} (CELL:T:B:INPUT:HIDDEN:LAYERS), one of T, H, B varied at a time; every point a fresh process per framework, the frameworks alternating point by point; ${o.repeat > 1 ? `medians of ${o.repeat} alternating repetitions` : 'one repetition'}`,
    `- per figure about ${b.budgetS} s of timed calls, at least one (calls predicted over ${b.warmupSkipS} s get no separate warm-up); a call predicted over ${b.capS} s is skipped; ${o.mode.childTimeoutS} s per process at most`,
    '- train: forward + backward + SGD step on the sum of the outputs, tokens (T·B) per second; infer: forward without gradients; MiB above baseline: the process peak RSS minus its RSS after loading the framework, in runs where training ran (training is measured last and needs the most memory). ours ÷ torch: above 1 means ours is faster (tok/s) or bigger (MiB).',
    '- cliffs: a point more than 2× below the log-log line through its two neighbours (an end point: its neighbour carried along the median log-log slope between adjacent points of its axis), or an ours ÷ torch tok/s ratio under half the median ratio of its axis',
    `- plots: ${plots.filter((p) => p.endsWith('.png')).join(', ')} (and .svg)`,
  ].join('\n');
  const markdown = [head, ...reports.map(([, r]) => r.markdown)].join('\n\n');

  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const runLines = runs.map((r) =>
    JSON.stringify({
      type: 'run',
      date,
      mode: o.mode.name,
      rep: r.rep,
      framework: r.framework,
      shape: r.shape.key,
      ...r.shape.shape,
      points: r.shape.points,
      status: r.status,
      error: r.error,
      version: r.meta?.version,
      backend: r.meta?.backend,
      threads: r.meta?.threads,
      train: r.figures.train,
      infer: r.figures.infer,
      checksum: r.checksum,
      peakRssMiB: r.peakRssMiB,
      baselineRssMiB: r.baselineRssMiB,
      wallS: r.wallS,
      details: r.meta?.details,
    }),
  );
  const pointLines = reports.flatMap(([, r]) => r.points.map((p) => JSON.stringify({ type: 'point', date, mode: o.mode.name, ...p })));
  const slopeLines = reports.flatMap(([, r]) =>
    Object.entries(r.slopes ?? {}).map(([framework, fit]) => JSON.stringify({ type: 'slope', date, axis: 'T', framework, unit: 'MiB per time step', ...fit })),
  );
  writeFileSync(path.join(dir, `${stem}.jsonl`), `${[...runLines, ...pointLines, ...slopeLines].join('\n')}\n`);
  writeFileSync(path.join(dir, `${stem}.md`), `${markdown}\n`);
  process.stdout.write(`\n${markdown}\n\nwrote bench/results/${stem}.jsonl, bench/results/${stem}.md and ${plots.length} plots in bench/curves/${stem}/\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:curves: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
