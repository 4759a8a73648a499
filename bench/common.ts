/**
 * What every benchmark child shares: the standard configurations (DESIGN §10), the deterministic
 * inputs and weights, the time-boxed measurement protocol and the JSON-line protocol by which a
 * child reports to bench/run.ts. bench/torch_bench.py mirrors the same protocol in Python.
 */

export type Cell = 'LSTM' | 'GRU';

export interface BenchConfig {
  name: string;
  cell: Cell;
  /** Sequence length. */
  T: number;
  /** Batch size. */
  B: number;
  input: number;
  hidden: number;
  layers: number;
}

export const CONFIGS: readonly BenchConfig[] = [
  { name: 'lstm-charlm', cell: 'LSTM', T: 100, B: 32, input: 64, hidden: 256, layers: 1 },
  { name: 'gru-charlm', cell: 'GRU', T: 100, B: 32, input: 64, hidden: 256, layers: 1 },
  { name: 'lstm-2x512', cell: 'LSTM', T: 50, B: 64, input: 128, hidden: 512, layers: 2 },
  { name: 'lstm-online', cell: 'LSTM', T: 20, B: 1, input: 16, hidden: 32, layers: 1 },
];

export function findConfig(name: string): BenchConfig {
  const c = CONFIGS.find((x) => x.name === name);
  if (c === undefined) throw new Error(`unknown config '${name}'; known: ${CONFIGS.map((x) => x.name).join(', ')}`);
  return c;
}

/** The text form of a custom shape, as `--shape` takes it; bench/torch_bench.py parses the same. */
export const SHAPE_FORMAT = 'CELL:T:B:INPUT:HIDDEN:LAYERS';

/** A shape's canonical text, e.g. `LSTM:100:32:64:256:1` (lstm-charlm's): the name of a custom configuration. */
export function shapeText(c: Omit<BenchConfig, 'name'>): string {
  return [c.cell, c.T, c.B, c.input, c.hidden, c.layers].join(':');
}

/**
 * A custom configuration from its text form CELL:T:B:INPUT:HIDDEN:LAYERS, e.g.
 * `LSTM:100:32:64:256:1`: cell LSTM or GRU (any case), then sequence length, batch size, input
 * size, hidden size and layers, each a positive integer. Named by its canonical text (shapeText),
 * so that the records of ours and of PyTorch name it alike. Errors name `flag`.
 */
export function parseShape(text: string, flag = '--shape'): BenchConfig {
  const parts = text.split(':');
  if (parts.length !== 6) {
    throw new Error(
      `${flag} must be ${SHAPE_FORMAT} (6 fields, e.g. LSTM:100:32:64:256:1); got '${text}' (${parts.length} field${parts.length === 1 ? '' : 's'})`,
    );
  }
  const cell = parts[0]!.trim().toUpperCase();
  if (cell !== 'LSTM' && cell !== 'GRU') throw new Error(`${flag}: CELL must be LSTM or GRU; got '${parts[0]}' in '${text}'`);
  const fields = ['T', 'B', 'INPUT', 'HIDDEN', 'LAYERS'] as const;
  const [T, B, input, hidden, layers] = fields.map((field, i) => {
    const raw = parts[i + 1]!.trim();
    const n = Number(raw);
    if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
      throw new Error(`${flag}: ${field} must be a positive integer; got '${parts[i + 1]}' in '${text}'`);
    }
    return n;
  }) as [number, number, number, number, number];
  const shape = { cell, T, B, input, hidden, layers } as const;
  return { name: shapeText(shape), ...shape };
}

/** A standard configuration by name, or a custom one by its canonical shape text (what parseShape names it). */
export function configFromName(name: string): BenchConfig {
  return CONFIGS.some((c) => c.name === name) || !name.includes(':') ? findConfig(name) : parseShape(name, 'config');
}

/** The three timed figures of a configuration. */
export type Figure = 'gen' | 'infer' | 'train';

export const FIGURES: readonly Figure[] = ['gen', 'infer', 'train'];

/** Time-box of one measurement, passed from bench/run.ts to every child. */
export interface Budget {
  /** Target wall time of the timed calls of one measurement, in seconds. */
  budgetS: number;
  /** A measurement whose single call is predicted to take longer than this is skipped. */
  capS: number;
  /** A call predicted to take at least this long gets no separate warm-up call. */
  warmupSkipS: number;
  /** Most timed calls in one measurement. */
  maxSamples: number;
  /** Time allowed for the first 3 timed calls when that is more than budgetS (fewer when a call is longer). */
  minSamplesS: number;
}

/** A driver's run mode: its per-measurement budget and the wall-clock limit of one child. */
export interface BenchMode {
  name: 'full' | 'quick';
  budget: Budget;
  /** Wall-clock limit of one child process, seconds. */
  childTimeoutS: number;
}

/** One measured figure, as a child reports it. */
export interface Measurement {
  type: 'measure';
  config: string;
  figure: Figure;
  status: 'ok' | 'skipped' | 'error';
  /** tokens/s for train and infer, µs per step for gen. */
  value?: number;
  unit: 'tok/s' | 'us';
  /** Median seconds of one timed call. */
  medianS?: number;
  /** Number of timed calls. */
  samples?: number;
  /** True when no full-length warm-up call preceded the timed calls (only the short probes did). */
  cold?: boolean;
  /** Predicted seconds of one call, from the probes (gen: from the warm-up steps). */
  predictedS?: number;
  /** What predictedS of a skipped measurement rests on. */
  basis?: 'probe' | 'first-probe' | 'inference';
  reason?: string;
}

export interface MetaRecord {
  type: 'meta';
  framework: string;
  /** The backend that ran (ours: getBackend(); tfjs: tf.getBackend()). */
  backend: string;
  version: string;
  threads: number;
  details: Record<string, string | number | boolean>;
}

export interface CheckRecord {
  type: 'check';
  config: string;
  /** Sum of the inference outputs: the same numbers mean the same work. */
  checksum: number;
}

export interface MemoryRecord {
  type: 'memory';
  config: string;
  /** RSS high-water mark of the child process, MiB. */
  peakRssMiB: number;
  /** RSS after loading the framework, before building the model, MiB. */
  baselineRssMiB: number;
  /** tfjs: tensors still alive after the training measurement that were not before it. */
  leakedTensors?: number;
}

export type ChildRecord = MetaRecord | Measurement | CheckRecord | MemoryRecord;

/** Every line a child means for bench/run.ts starts with this. */
export const LINE_PREFIX = 'BENCH ';

export function emit(record: ChildRecord): void {
  process.stdout.write(`${LINE_PREFIX}${JSON.stringify(record)}\n`);
}

/**
 * Child command line: (--config NAME | --shape CELL:T:B:INPUT:HIDDEN:LAYERS) [--figures gen,infer,train]
 * --budget S --cap S --warmup-skip S --max-samples N --min-samples-s S [--backend X].
 */
export interface ChildArgs {
  config: BenchConfig;
  budget: Budget;
  backend: string | undefined;
  /** The figures to measure, in the order gen, infer, train; default all three. */
  figures: Figure[];
}

export function parseChildArgs(argv: readonly string[]): ChildArgs {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (flag: string, fallback: number): number => {
    const v = get(flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number; got '${v}'`);
    return n;
  };
  const name = get('--config');
  const shape = get('--shape');
  if (name !== undefined && shape !== undefined)
    throw new Error(`give either --config NAME or --shape ${SHAPE_FORMAT}, not both; got --config '${name}' and --shape '${shape}'`);
  if (name === undefined && shape === undefined) throw new Error(`--config NAME or --shape ${SHAPE_FORMAT} is required`);
  return {
    config: shape !== undefined ? parseShape(shape) : findConfig(name!),
    budget: {
      budgetS: num('--budget', 3),
      capS: num('--cap', 60),
      warmupSkipS: num('--warmup-skip', 10),
      maxSamples: Math.round(num('--max-samples', 200)),
      minSamplesS: num('--min-samples-s', 10),
    },
    backend: get('--backend'),
    figures: parseFigures(get('--figures')),
  };
}

/** `--figures` as a list of gen, infer, train (any order, comma-separated); absent: all three. */
export function parseFigures(text: string | undefined, flag = '--figures'): Figure[] {
  if (text === undefined) return [...FIGURES];
  const asked = text.split(',').map((s) => s.trim());
  for (const f of asked) {
    if (!(FIGURES as readonly string[]).includes(f)) throw new Error(`${flag} must list some of ${FIGURES.join(', ')}; got '${f}' in '${text}'`);
  }
  return FIGURES.filter((f) => asked.includes(f));
}

/**
 * Deterministic values in [−scale, scale): element i of the tensor with the given seed. A 32-bit
 * integer hash (lowbias32) of i + seed·0x9E3779B9, so Python computes the same numbers with numpy.
 */
export function detFill(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  const offset = Math.imul(seed, 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    let x = (i + offset) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    x ^= x >>> 16;
    out[i] = scale * (((x >>> 0) / 4294967296) * 2 - 1);
  }
  return out;
}

/** Gate blocks per cell: LSTM (i, f, g, o), GRU (r, z, n), PyTorch's order. */
export function gates(cell: Cell): number {
  return cell === 'LSTM' ? 4 : 3;
}

/**
 * The weights of layer k in PyTorch's layout and names: weight_ih_l{k} (G·H, in_k),
 * weight_hh_l{k} (G·H, H), bias_ih_l{k}, bias_hh_l{k} (G·H); U(−1/√H, 1/√H) like PyTorch's init,
 * seeded by position so that every framework gets the same numbers.
 */
export interface LayerWeights {
  weightIh: Float32Array;
  weightHh: Float32Array;
  biasIh: Float32Array;
  biasHh: Float32Array;
  inSize: number;
}

export function layerWeights(c: BenchConfig, k: number): LayerWeights {
  const G = gates(c.cell);
  const H = c.hidden;
  const inSize = k === 0 ? c.input : H;
  const s = 1 / Math.sqrt(H);
  return {
    weightIh: detFill(G * H * inSize, 100 + 4 * k, s),
    weightHh: detFill(G * H * H, 101 + 4 * k, s),
    biasIh: detFill(G * H, 102 + 4 * k, s),
    biasHh: detFill(G * H, 103 + 4 * k, s),
    inSize,
  };
}

/** The input sequence (T, B, input), time-major, seed 1; the one-step input (1, 1, input), seed 2. */
export function inputSequence(c: BenchConfig): Float32Array {
  return detFill(c.T * c.B * c.input, 1, 1);
}

export function stepInput(c: BenchConfig): Float32Array {
  return detFill(c.input, 2, 1);
}

/**
 * The prefix lengths a measurement probes, shortest first: two steps (tfjs cannot train a stacked
 * RNN on a single step), then a tenth of the sequence when that is longer, to predict the cost of
 * one full call before making it.
 */
export function probeLengths(c: BenchConfig): number[] {
  const first = Math.min(2, c.T);
  const tenth = Math.round(c.T / 10);
  return tenth > first ? [first, tenth] : [first];
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const now = (): number => performance.now() / 1000;

export interface SequenceWork {
  /** One full call (a training step, or a forward pass) over the whole (T, B) sequence. */
  full: () => void;
  /** The same call over each prefix of probeLengths(c), shortest first. */
  probes: ReadonlyArray<() => void>;
}

/**
 * Measures a whole-sequence figure (train or infer). Probes predict the cost of one call: the
 * shortest prefix twice (the first run compiles and allocates; it ends the measurement at once if
 * it took over FIRST_CALL_SLACK_S and predicts over four times the cap), then the longer prefix
 * once; the measurement is
 * skipped as soon as a prediction exceeds the cap, or without probing when `floorS`, a lower bound
 * on one call (training: the inference time), already does. Then a warm-up call, unless a call is
 * predicted to be long, and timed calls until the budget is spent: at least 3, or as many as fit in
 * minSamplesS, at least 1. Returns tokens/s from the median call.
 */
export function measureSequence(c: BenchConfig, figure: 'train' | 'infer', work: SequenceWork, b: Budget, floorS?: number): Measurement {
  const base = { type: 'measure', config: c.name, figure, unit: 'tok/s' } as const;
  const skip = (predictedS: number, basis: 'probe' | 'first-probe' | 'inference', why: string): Measurement => ({
    ...base,
    status: 'skipped',
    predictedS,
    basis,
    reason: `one call ≈ ${fmtS(predictedS)} (${why}) exceeds the ${fmtS(b.capS)} cap`,
  });
  try {
    if (floorS !== undefined && floorS > b.capS) return skip(floorS, 'inference', 'inference alone');
    const lengths = probeLengths(c);
    let predictedS = 0;
    for (let i = 0; i < lengths.length; i++) {
      const scale = c.T / lengths[i]!;
      if (i === 0) {
        const t0 = now();
        work.probes[0]!();
        const raw = now() - t0;
        if (raw > FIRST_CALL_SLACK_S && raw * scale > 4 * b.capS) {
          return skip(raw * scale, 'first-probe', `from the first ${lengths[0]}-step probe`);
        }
      }
      const t0 = now();
      work.probes[i]!();
      predictedS = (now() - t0) * scale;
      if (predictedS > b.capS) return skip(predictedS, 'probe', `from a ${lengths[i]}-step probe`);
    }
    const cold = predictedS >= b.warmupSkipS;
    if (!cold) work.full();
    const minSamples = Math.min(3, Math.max(1, Math.floor(Math.max(b.budgetS, b.minSamplesS) / predictedS)));
    const times: number[] = [];
    const start = now();
    while (times.length < minSamples || (now() - start < b.budgetS && times.length < b.maxSamples)) {
      const t0 = now();
      work.full();
      times.push(now() - t0);
    }
    const medianS = median(times);
    return { ...base, status: 'ok', value: (c.T * c.B) / medianS, medianS, samples: times.length, cold, predictedS };
  } catch (e) {
    return { ...base, status: 'error', reason: errorText(e) };
  }
}

/** Seconds of one first call that first-call costs (compiling, allocating) alone do not reach. */
const FIRST_CALL_SLACK_S = 0.5;

/**
 * Seconds of one call of this figure, as a lower bound for a later one (training costs at least
 * inference). A skip on the first, unwarmed probe alone counts a quarter of its prediction, the
 * first-call allowance of measureSequence.
 */
export function callSeconds(m: Measurement): number | undefined {
  if (m.status === 'ok') return m.medianS;
  if (m.status !== 'skipped' || m.predictedS === undefined) return undefined;
  return m.basis === 'first-probe' ? m.predictedS / 4 : m.predictedS;
}

/**
 * Emits the checksum record, one more forward pass, only when the inference measurement ran and
 * its call took at most minSamplesS; a failure is reported on stderr and does not end the child.
 */
export function emitChecksum(config: BenchConfig, infer: Measurement, b: Budget, sum: () => number, send: (r: ChildRecord) => void = emit): void {
  if (infer.status !== 'ok' || infer.medianS === undefined || infer.medianS > b.minSamplesS) return;
  try {
    send({ type: 'check', config: config.name, checksum: sum() });
  } catch (e) {
    console.error(`checksum failed: ${errorText(e)}`);
  }
}

/**
 * Measures one-step generation latency: `step` advances a carried state by one time step. Steps
 * run in groups of about 20 ms; the figure is the median over groups of the time per step, in µs.
 */
export function measureStep(c: BenchConfig, step: () => void, b: Budget): Measurement {
  const base = { type: 'measure', config: c.name, figure: 'gen', unit: 'us' } as const;
  try {
    let t0 = now();
    step();
    const first = now() - t0;
    if (first > b.capS) {
      return { ...base, status: 'skipped', predictedS: first, reason: `one step took ${fmtS(first)}, over the ${fmtS(b.capS)} cap` };
    }
    // Warm up for a tenth of the budget, at least 3 steps, and size the groups from it.
    let n = 0;
    t0 = now();
    while (n < 3 || now() - t0 < b.budgetS / 10) {
      step();
      n++;
    }
    const perStep = (now() - t0) / n;
    const group = Math.max(1, Math.round(0.02 / perStep));
    const times: number[] = [];
    const start = now();
    while (times.length < 3 || (now() - start < b.budgetS && times.length < b.maxSamples * 20)) {
      t0 = now();
      for (let i = 0; i < group; i++) step();
      times.push((now() - t0) / group);
    }
    const medianS = median(times);
    return { ...base, status: 'ok', value: medianS * 1e6, medianS, samples: times.length * group, cold: false, predictedS: perStep };
  } catch (e) {
    return { ...base, status: 'error', reason: errorText(e) };
  }
}

export function fmtS(s: number): string {
  return s >= 10 ? `${s.toFixed(0)} s` : s >= 1 ? `${s.toFixed(1)} s` : `${(s * 1000).toFixed(0)} ms`;
}

export function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** process.resourceUsage().maxRSS is in KiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function rssMiB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

/**
 * Runs a child's main function and exits: 0 when it finished, 1 with the error on stderr when it
 * threw, so that bench/run.ts marks the row failed and keeps the figures already reported.
 */
export function runChild(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench child failed: ${errorText(e)}\n`);
      process.exit(1);
    },
  );
}
