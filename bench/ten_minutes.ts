/**
 * `npm run bench:ten-minutes`: what a user gets in ten minutes. The CLI's main job — `recurrent
 * train`, a character-level LSTM on Moby-Dick — and the same model and data pipeline in PyTorch
 * (bench/charlm_torch.py), each for the same wall-clock budget, in the same run, the order
 * alternating between repetitions; then each model's held-out loss, scored the way `recurrent eval`
 * scores it.
 *
 *     npm run bench:ten-minutes                        # 10 minutes per framework, about 22 minutes in all
 *     npm run bench:ten-minutes -- --time 20s          # smoke run
 *     npm run bench:ten-minutes -- --repeat 3          # alternating repetitions, medians
 *     npm run bench:ten-minutes -- --torch-training-only
 *
 * Ours: the built CLI (packages/cli/dist/main.js, as `npm start` runs it) with
 * `train --hidden 512 --embedding 64 --batch 64 --seq-len 100 --time T --out TMP`, everything else
 * at its default (LSTM, 1 layer, dropout 0, Adam lr 2e-3 constant, clip 5, seed 0, validation every
 * 500 steps and at every epoch's end, a checkpoint every 100 steps, a sample every 500), plus
 * `--plain --log-interval 0.001` so that every step prints its own tokens/s; then
 * `recurrent eval --checkpoint TMP --json`.
 *
 * The CLI's --time counts everything `fit` does after it starts: the training steps and the
 * periodic validation passes, checkpoint saves and samples (the run stops at the first step that
 * ends past the budget; the final validation, report and plots come after it). So that both
 * budgets hold the same work, PyTorch is given the same periodic work inside its budget
 * (--validate-every 500, with validation at epoch ends too, --checkpoint-every 100, --sample-every
 * 500), unless --torch-training-only. Either way, tokens/s counts the training steps alone: ours
 * from the per-step rate the CLI prints, PyTorch's from its own per-step timing.
 *
 * PyTorch runs with OMP_WAIT_POLICY=PASSIVE and torch.set_num_threads(--torch-threads), by default
 * the core count, as bench/run.ts does: torch's own default is its count of physical cores, one on
 * this kind of two-vCPU machine. Ours uses the library's default (every core; RECURRENT_NUM_THREADS
 * is passed through).
 *
 * Prints a Markdown table and writes bench/results/ten-minutes-<date>.json (every run's figures,
 * the load average at start and end, both training curves).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mobyDick } from '../packages/cli/src/corpus.js';
import { parseDuration } from '../packages/cli/src/duration.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const CLI = path.join(ROOT, 'packages/cli/dist/main.js');

/** The benchmark's model and data layout; everything else is the CLI's default. */
const SHAPE = { hidden: 512, embedding: 64, batch: 64, seqLen: 100 } as const;
/** The CLI's defaults that the PyTorch side mirrors (packages/cli/src/program.ts). */
const CLI_DEFAULTS = { lr: 2e-3, clip: 5, validateEvery: 500, checkpointEvery: 100, sampleEvery: 500 } as const;
const HELD_OUT = 0.1;

const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '10m' },
    repeat: { type: 'string', default: '1' },
    'torch-threads': { type: 'string', default: String(os.cpus().length) },
    'torch-training-only': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const budget = parseDuration(values.time, '--time');
if (!(budget > 0)) throw new Error(`--time: expected a duration longer than 0; got '${values.time}'`);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: expected a positive integer; got '${values.repeat}'`);
const torchThreads = Number(values['torch-threads']);
if (!Number.isInteger(torchThreads) || torchThreads < 1) throw new Error(`--torch-threads: expected a positive integer; got '${values['torch-threads']}'`);
const torchTrainingOnly = values['torch-training-only'];

/** One run's figures, whichever framework. */
interface RunResult {
  framework: 'recurrent' | 'torch';
  order: number;
  threads: number;
  steps: number;
  epochs: number;
  tokens: number;
  /** Seconds in training steps alone. */
  trainSeconds: number;
  /** Seconds from the start of training to the end of the last step, periodic work included (what --time bounds); ours to the whole second. */
  budgetSeconds: number;
  tokensPerSecond: number;
  heldOutLoss: number;
  heldOutBitsPerChar: number;
  heldOutScored: number;
  vocabSize: number;
  parameters: number;
  windowsPerEpoch: number;
  validations: number;
  checkpoints: number;
  /** [step, bits per char] of the training loss, averaged over every 20 steps. */
  curve: [number, number][];
  /** Wall-clock seconds of the whole child process (start-up, training, final validation, eval). */
  wallSeconds: number;
  details: Record<string, unknown>;
}

/** The text both sides train on, written to a file for PyTorch; and the layout it implies. */
const corpus = mobyDick();
const corpusFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'ten-minutes-')), 'moby-dick.txt');
writeFileSync(corpusFile, corpus.text, 'utf8');
const characters = Array.from(corpus.text).length;
const stepsPerStream = Math.floor(Math.floor(characters * (1 - HELD_OUT)) / SHAPE.batch);
const windowsPerEpoch = Math.ceil((stepsPerStream - 1) / SHAPE.seqLen);

/** Tokens of the `step`-th training step (1-based): the last window of an epoch is shorter. */
function tokensOfStep(step: number): number {
  const w = (step - 1) % windowsPerEpoch;
  return Math.min(SHAPE.seqLen, stepsPerStream - 1 - w * SHAPE.seqLen) * SHAPE.batch;
}

const num = (s: string): number => Number(s.replaceAll(',', ''));

/** Runs a child to its end, collecting stdout; `echo` picks the lines worth showing as it goes. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, echo: (line: string) => boolean): Promise<{ stdout: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (echo(line)) console.error(`  ${line}`);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${path.basename(command)} ${args.slice(0, 2).join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`));
      else resolve({ stdout, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The backend and thread count the CLI will compute with (a child, so that this process starts no workers). */
function oursThreads(): { backend: string; threads: number } {
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const r = await import('recurrent/node'); const b = r.getBackend(); console.log(JSON.stringify({ backend: b, threads: b === 'reference' ? 1 : r.getNumThreads() }));",
    ],
    { cwd: path.join(ROOT, 'packages/cli'), encoding: 'utf8', env: process.env },
  );
  if (probe.status !== 0) throw new Error(`could not ask the library for its thread count:\n${probe.stderr}`);
  return JSON.parse(probe.stdout.trim()) as { backend: string; threads: number };
}

async function runOurs(order: number): Promise<RunResult> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'ten-minutes-recurrent-'));
  const { backend, threads } = oursThreads();
  const args = [
    CLI,
    'train',
    ...['--hidden', String(SHAPE.hidden), '--embedding', String(SHAPE.embedding), '--batch', String(SHAPE.batch), '--seq-len', String(SHAPE.seqLen)],
    ...['--time', values.time, '--out', out, '--plain', '--log-interval', '0.001'],
  ];
  let lastEcho = 0;
  const train = await run(process.execPath, args, process.env, (line) => {
    if (!line.startsWith('step ')) return /^(data|model|run|validation|stopped|held-out):/.test(line);
    const now = performance.now();
    if (now - lastEcho < 60_000) return false;
    lastEcho = now;
    return true;
  });
  const lines = train.stdout.split('\n');
  // Every step prints a line (--log-interval 0.001): its tokens/s is that step's alone, timed by fit
  // around zero_grad, forward, backward, clipping and the update — validation, checkpoints and samples excluded.
  let trainSeconds = 0;
  let tokens = 0;
  let previous = 0;
  let stepLines = 0;
  let elapsed = NaN;
  for (const line of lines) {
    const m = /^step (\d+) \| .* \| ([\d,]+) tok\/s \| elapsed ([\d:]+) \|/.exec(line);
    if (!m) continue;
    elapsed = m[3]!.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
    const step = num(m[1]!);
    let t = 0;
    for (let s = previous + 1; s <= step; s++) t += tokensOfStep(s);
    trainSeconds += t / num(m[2]!);
    tokens += t;
    previous = step;
    stepLines++;
  }
  const config = JSON.parse(readFileSync(path.join(out, 'checkpoint', 'config.json'), 'utf8')) as {
    vocab: { tokens: string[] };
    training: { step: number; epoch: number; seconds: number };
    history: { train: [number, number][]; valid: [number, number][] };
  };
  const steps = config.training.step;
  if (previous !== steps) throw new Error(`the CLI's step lines end at step ${previous}, its checkpoint at step ${steps}`);
  const model = /^model: .*?, ([\d,]+) parameters;/m.exec(train.stdout);
  const data = /^data: .*?: ([\d,]+) characters, (\d+) symbols;.*?([\d,]+) scored in (\d+) streams/m.exec(train.stdout);
  const perEpoch = /; ([\d,]+) steps per epoch;/.exec(train.stdout);
  const stopped = /^stopped: .*$/m.exec(train.stdout)?.[0] ?? '';
  // The validation after the budget (the final one) is not part of it.
  const validatedAt = lines.map((l) => /^validation at step (\d+):/.exec(l)?.[1]).filter((s) => s !== undefined);
  const validations = validatedAt.filter((s) => Number(s) < steps).length;
  const evalRun = await run(process.execPath, [CLI, 'eval', '--checkpoint', out, '--json'], process.env, () => false);
  const metrics = JSON.parse(evalRun.stdout.trim().split('\n').at(-1)!) as { loss: number; bitsPerChar: number; count: number };
  if (!values.keep) rmSync(out, { recursive: true, force: true });
  return {
    framework: 'recurrent',
    order,
    threads,
    steps,
    epochs: config.training.epoch,
    tokens,
    trainSeconds,
    // fit's clock at the last step, as its progress line prints it (whole seconds).
    budgetSeconds: elapsed,
    tokensPerSecond: tokens / trainSeconds,
    heldOutLoss: metrics.loss,
    heldOutBitsPerChar: metrics.bitsPerChar,
    heldOutScored: metrics.count,
    vocabSize: data ? num(data[2]!) : NaN,
    parameters: model ? num(model[1]!) : NaN,
    windowsPerEpoch: perEpoch ? num(perEpoch[1]!) : NaN,
    validations,
    checkpoints: Math.floor(steps / CLI_DEFAULTS.checkpointEvery),
    curve: config.history.train,
    wallSeconds: train.seconds + evalRun.seconds,
    details: {
      backend,
      node: process.version,
      stopped,
      stepLines,
      fitSeconds: config.training.seconds,
      vocab: config.vocab.tokens,
      out: values.keep ? out : null,
    },
  };
}

async function runTorch(order: number): Promise<RunResult> {
  const periodic = torchTrainingOnly
    ? []
    : [
        ...['--validate-every', String(CLI_DEFAULTS.validateEvery)],
        ...['--checkpoint-every', String(CLI_DEFAULTS.checkpointEvery)],
        ...['--sample-every', String(CLI_DEFAULTS.sampleEvery)],
      ];
  const args = [
    'bench/charlm_torch.py',
    ...['--data', corpusFile, '--time', String(budget), '--threads', String(torchThreads)],
    ...['--hidden', String(SHAPE.hidden), '--embedding', String(SHAPE.embedding), '--batch', String(SHAPE.batch), '--seq-len', String(SHAPE.seqLen)],
    ...['--lr', String(CLI_DEFAULTS.lr), '--clip', String(CLI_DEFAULTS.clip)],
    ...periodic,
  ];
  const result = await run(PYTHON, args, { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' }, () => false);
  const r = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> & {
    threads: number;
    steps: number;
    epochs: number;
    tokens: number;
    trainSeconds: number;
    budgetSeconds: number;
    heldOutLoss: number;
    heldOutBitsPerChar: number;
    heldOutScored: number;
    vocabSize: number;
    vocab: string[];
    parameters: number;
    windowsPerEpoch: number;
    validations: number;
    checkpoints: number;
    curve: [number, number][];
  };
  return {
    framework: 'torch',
    order,
    threads: r.threads,
    steps: r.steps,
    epochs: r.epochs,
    tokens: r.tokens,
    trainSeconds: r.trainSeconds,
    budgetSeconds: r.budgetSeconds,
    tokensPerSecond: r.tokens / r.trainSeconds,
    heldOutLoss: r.heldOutLoss,
    heldOutBitsPerChar: r.heldOutBitsPerChar,
    heldOutScored: r.heldOutScored,
    vocabSize: r.vocabSize,
    parameters: r.parameters,
    windowsPerEpoch: r.windowsPerEpoch,
    validations: r.validations,
    checkpoints: r.checkpoints,
    curve: r.curve,
    wallSeconds: result.seconds,
    details: { version: r.version, python: r.python, vocab: r.vocab, trainingOnly: torchTrainingOnly, samples: r.samples },
  };
}

/** The two pipelines must agree on everything the data and the model's size decide. */
function checkSamePipeline(a: RunResult, b: RunResult): string[] {
  const problems: string[] = [];
  for (const key of ['vocabSize', 'parameters', 'windowsPerEpoch', 'heldOutScored'] as const) {
    if (a[key] !== b[key]) problems.push(`${key}: recurrent ${a[key]}, torch ${b[key]}`);
  }
  if (JSON.stringify(a.details.vocab) !== JSON.stringify(b.details.vocab)) problems.push('the vocabularies differ in their tokens or order');
  return problems;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const loadStart = os.loadavg();
  const started = new Date();
  console.error(
    `ten minutes: ${values.time} (${budget} s) per framework, ${repeat} repetition(s); load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}; corpus ${characters.toLocaleString('en-US')} characters (${corpusFile})`,
  );
  const results: RunResult[] = [];
  for (let rep = 0; rep < repeat; rep++) {
    const order: ('recurrent' | 'torch')[] = rep % 2 === 0 ? ['recurrent', 'torch'] : ['torch', 'recurrent'];
    for (const [i, fw] of order.entries()) {
      console.error(`rep ${rep + 1}, ${fw}:`);
      const r = fw === 'recurrent' ? await runOurs(i) : await runTorch(i);
      results.push(r);
      console.error(
        `  ${fw}: ${r.steps} steps, ${Math.round(r.tokensPerSecond)} tok/s over ${r.trainSeconds.toFixed(1)} s of training steps (${r.budgetSeconds.toFixed(1)} s with periodic work), held-out ${r.heldOutLoss.toFixed(4)} nats/char`,
      );
    }
  }
  const loadEnd = os.loadavg();
  const ours = results.filter((r) => r.framework === 'recurrent');
  const torch = results.filter((r) => r.framework === 'torch');
  const problems = checkSamePipeline(ours[0]!, torch[0]!);
  const med = (rs: RunResult[], key: 'steps' | 'tokensPerSecond' | 'heldOutLoss' | 'heldOutBitsPerChar' | 'trainSeconds'): number =>
    median(rs.map((r) => r[key]));

  const lines: string[] = [];
  lines.push(`| framework | threads | steps | tokens/s (training steps) | training steps / budget (s) | held-out nats/char | bits/char | ours ÷ torch |`);
  lines.push(`|---|---|---|---|---|---|---|---|`);
  const row = (name: string, rs: RunResult[], ratio: string): string =>
    `| ${name} | ${rs[0]!.threads} | ${med(rs, 'steps')} | ${Math.round(med(rs, 'tokensPerSecond')).toLocaleString('en-US')} | ${med(rs, 'trainSeconds').toFixed(0)} / ${budget} | ${med(rs, 'heldOutLoss').toFixed(4)} | ${med(rs, 'heldOutBitsPerChar').toFixed(4)} | ${ratio} |`;
  const speed = med(ours, 'tokensPerSecond') / med(torch, 'tokensPerSecond');
  const steps = med(ours, 'steps') / med(torch, 'steps');
  const loss = med(ours, 'heldOutLoss') - med(torch, 'heldOutLoss');
  lines.push(row(`recurrent (${String(ours[0]!.details.backend)})`, ours, `tokens/s ${speed.toFixed(2)}×, steps ${steps.toFixed(2)}×`));
  lines.push(row(`PyTorch ${String(torch[0]!.details.version)}`, torch, `held-out loss ${loss >= 0 ? '+' : ''}${loss.toFixed(4)} nats/char`));
  lines.push('');
  lines.push(
    `Budget ${values.time} per framework${repeat > 1 ? `, ${repeat} alternating repetitions, medians` : ''}. LSTM 1×${SHAPE.hidden}, embedding ${SHAPE.embedding}, batch ${SHAPE.batch}×${SHAPE.seqLen}, Adam lr ${CLI_DEFAULTS.lr}, clip ${CLI_DEFAULTS.clip}, Moby-Dick with the last 10% held out (${ours[0]!.heldOutScored.toLocaleString('en-US')} characters scored).`,
  );
  lines.push(
    `The CLI's --time includes its validation passes (every ${CLI_DEFAULTS.validateEvery} steps and at every epoch's end, ${ours[0]!.windowsPerEpoch} steps), checkpoint saves (every ${CLI_DEFAULTS.checkpointEvery} steps) and samples (every ${CLI_DEFAULTS.sampleEvery} steps); ` +
      (torchTrainingOnly
        ? 'PyTorch was given none of that work (--torch-training-only): its whole budget went to training.'
        : 'PyTorch did the same periodic work inside its budget.') +
      ' tokens/s counts training steps alone on both sides.',
  );
  lines.push(`Load average: ${loadStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${loadEnd.map((x) => x.toFixed(2)).join(' ')} at the end.`);
  if (problems.length > 0) lines.push(`**The pipelines differ:** ${problems.join('; ')}.`);
  console.log(lines.join('\n'));

  const date = started.toISOString().slice(0, 10);
  const file = path.join(ROOT, 'bench/results', `ten-minutes-${date}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  const strip = (r: RunResult): RunResult => ({ ...r, details: { ...r.details, vocab: undefined } });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        started: started.toISOString(),
        time: values.time,
        budgetSeconds: budget,
        repeat,
        torchThreads,
        torchTrainingOnly,
        shape: SHAPE,
        cliDefaults: CLI_DEFAULTS,
        characters,
        windowsPerEpoch,
        loadStart,
        loadEnd,
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        samePipeline: problems.length === 0 ? true : problems,
        vocab: ours[0]!.details.vocab,
        runs: results.map(strip),
        table: lines.join('\n'),
      },
      null,
      2,
    )}\n`,
  );
  rmSync(path.dirname(corpusFile), { recursive: true, force: true });
  console.error(`wrote ${path.relative(ROOT, file)}`);
}

await main();
