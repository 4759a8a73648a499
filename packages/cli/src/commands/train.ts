/** `recurrent train`: a character-level language model, by default an LSTM on Moby-Dick. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BudgetCosineSchedule,
  type Callback,
  charTokenize,
  CheckpointCallback,
  fit,
  type FitContext,
  generateText,
  getRngState,
  LmTask,
  type LoadedCheckpoint,
  manualSeed,
  nn,
  optim,
  resolveCheckpoint,
  ResumableTbptt,
  saveCheckpoint,
  setRngState,
  TerminateOnNaN,
  toStreams,
  Vocabulary,
  type Window,
} from 'recurrent/node';
import { MODEL_KIND, loadCharModel, type CharModelConfig, type CurveHistory, type TrainingRecord } from '../char_model.js';
import { type Corpus, loadCorpus, splitHeldOut } from '../corpus.js';
import { resumeCorpus } from '../resume_data.js';
import { formatDuration } from '../duration.js';
import { ProgressDisplay } from '../progress.js';
import { describeHeldOut, heldOutStreams } from '../held_out.js';
import { lrScheduleKind } from '../lr_schedule.js';
import type { TrainCommandOptions } from '../program.js';
import { checkFlagClashes, checkMissingState } from '../resume_flags.js';

/** Steps per point of the training curve. */
const CURVE_EVERY = 20;

/** The exit status of a run stopped by a non-finite loss or parameter (1 is an error before training). */
export const NON_FINITE_EXIT_CODE = 2;

interface Run {
  model: nn.LanguageModel;
  vocab: Vocabulary;
  record: TrainingRecord;
  history: CurveHistory;
  /** The checkpoint resumed from, if any. */
  resumed: LoadedCheckpoint | null;
  rng: number[] | null;
}

function newRun(o: TrainCommandOptions, trainChars: readonly string[], corpus: Corpus): Run {
  manualSeed(o.seed);
  const vocab = Vocabulary.build(trainChars, { specials: ['<unk>'], unkToken: '<unk>' });
  const model = new nn.LanguageModel({
    vocabSize: vocab.size,
    cell: nn.parseCellKind(o.cell, '--cell'),
    hiddenSize: o.hidden,
    numLayers: o.layers,
    embeddingDim: o.embedding ?? Math.min(o.hidden, 64),
    dropout: o.dropout,
  });
  const record: TrainingRecord = {
    step: 0,
    epoch: 0,
    window: 0,
    seed: o.seed,
    batch: o.batch,
    seqLen: o.seqLen,
    lr: o.lr,
    lrSchedule: lrScheduleKind(o.lrSchedule),
    lrMin: o.lrMin,
    lrDecayFrom: o.lrDecayFrom,
    clip: o.clip,
    data: o.data ?? null,
    dataSha256: corpus.sha256,
    source: corpus.source,
    heldOut: 0.1,
    seconds: 0,
  };
  return { model, vocab, record, history: { train: [], valid: [] }, resumed: null, rng: null };
}

/** On --resume, a flag given on the command line must agree with the checkpoint (see resume_flags.ts). */
function checkResumeFlags(o: TrainCommandOptions, given: ReadonlySet<string>, run: Run, dir: string): void {
  const m = run.model.options;
  const r = run.record;
  checkFlagClashes(
    given,
    [
      ['cell', 'model.cell', o.cell, m.cell],
      ['hidden', 'model.hiddenSize', o.hidden, m.hiddenSize],
      ['layers', 'model.numLayers', o.layers, m.numLayers],
      ['embedding', 'model.embeddingDim', o.embedding, m.embeddingDim],
      ['dropout', 'model.dropout', o.dropout, m.dropout],
      ['batch', 'training.batch', o.batch, r.batch],
      ['seqLen', 'training.seqLen', o.seqLen, r.seqLen],
      ['lr', 'training.lr', o.lr, r.lr],
      ['lrSchedule', 'training.lrSchedule', o.lrSchedule, r.lrSchedule ?? 'constant'],
      ['lrMin', 'training.lrMin', o.lrMin, r.lrMin ?? 0],
      ['lrDecayFrom', 'training.lrDecayFrom', o.lrDecayFrom, r.lrDecayFrom ?? 0],
      ['clip', 'training.clip', o.clip, r.clip],
      ['seed', 'training.seed', o.seed, r.seed],
    ],
    dir,
  );
}

/** What restarts when a state file of the checkpoint is gone. */
const RESTARTS = {
  'optimizer.safetensors': (step: number) => `Adam's moments restart from zero at step ${step}`,
  'extra.safetensors': (step: number) => `the recurrent state carried into step ${step + 1} restarts from zeros`,
};

/** The run saved in `dir`; a lost state file is an error naming it, or with --allow-partial-resume a warning saying what restarts. */
function resumeRun(dir: string, allowPartial: boolean): Run {
  const { model, vocab, config, checkpoint } = loadCharModel(dir);
  checkMissingState(checkpoint, config.training.step, allowPartial, RESTARTS);
  return { model, vocab, record: { ...config.training }, history: config.history, resumed: checkpoint, rng: config.rng };
}

/** `given`: the flags set on the command line (the others hold their defaults). */
export async function trainCommand(o: TrainCommandOptions, given: ReadonlySet<string> = new Set()): Promise<void> {
  const ckptDir = join(o.out, 'checkpoint');
  const canResume = o.resume && resolveCheckpoint(ckptDir) !== null;
  if (o.resume && !canResume) console.log(`no checkpoint in ${ckptDir}; starting a new run`);
  const resumedRecord = canResume ? resumeRun(ckptDir, o.allowPartialResume) : null;
  if (resumedRecord) checkResumeFlags(o, given, resumedRecord, ckptDir);
  // On resume, the data is the --data given (checked against the recorded hash), never a path read from the checkpoint.
  const corpus = resumedRecord ? resumeCorpus(o.data, resumedRecord.record, join(resumedRecord.resumed!.dir, 'config.json')) : loadCorpus(o.data);
  if (resumedRecord) Object.assign(resumedRecord.record, { data: o.data ?? null, source: corpus.source });
  const chars = charTokenize(corpus.text);
  const heldOut = resumedRecord?.record.heldOut ?? 0.1;
  const [trainChars, validChars] = splitHeldOut(chars, heldOut);
  const run = resumedRecord ?? newRun(o, trainChars, corpus);
  const { model, vocab, record, history } = run;

  const { streams: trainStreams, steps: trainSteps } = toStreams(vocab.encode(trainChars), record.batch);
  const heldOutText = heldOutStreams(validChars, vocab, record.batch);

  const optimizer = new optim.Adam(model.parameters(), { lr: record.lr });
  if (run.resumed?.optimizer) optimizer.loadStateDict(run.resumed.optimizer);
  const trainTask = new LmTask(model, vocab);
  const validTask = new LmTask(model, vocab);
  // Where training stands (epoch, windows done in it, carried state, generator): the resume point.
  const tbptt = new ResumableTbptt({
    task: trainTask,
    streams: trainStreams,
    steps: trainSteps,
    batchSize: record.batch,
    seqLen: record.seqLen,
    resume: run.resumed ? { position: record, state: run.resumed.extra, rng: run.rng } : null,
  });
  const perEpoch = tbptt.windowsPerEpoch;

  const maxTime = o.time;
  const epochs = o.epochs ?? (maxTime === undefined && o.steps === undefined ? 1 : undefined);
  const maxSteps = o.steps;
  const totalSteps = maxSteps ?? (epochs !== undefined ? epochs * perEpoch : undefined);
  const lrSchedule = record.lrSchedule ?? 'constant';
  const decayFrom = record.lrDecayFrom ?? 0;
  const over = decayFrom > 0 ? `the last ${Math.round((1 - decayFrom) * 100)}% of the budget` : 'the budget';
  const lrText = lrSchedule === 'cosine' ? `Adam lr ${record.lr} (cosine to ${record.lrMin ?? 0} over ${over})` : `Adam lr ${record.lr}`;
  const schedule =
    lrSchedule === 'cosine' ? [new BudgetCosineSchedule(optimizer, { lr: record.lr, etaMin: record.lrMin ?? 0, decayFrom, totalSteps, maxTime })] : [];
  const params = model.numParameters();
  const n = (x: number): string => x.toLocaleString('en-US');
  const describe = `${model.options.cell.toUpperCase()} ${model.options.numLayers}×${model.options.hiddenSize}, embedding ${model.options.embeddingDim}, ${n(params)} parameters`;
  console.log(
    `data: ${record.source}: ${n(chars.length)} characters, ${vocab.size} symbols; the last ${Math.round(heldOut * 100)}% held out (${describeHeldOut(validChars.length, heldOutText)})`,
  );
  console.log(`model: ${describe}; batch ${record.batch}×${record.seqLen}, ${lrText}, clip ${record.clip}`);
  const bounds = [
    maxTime !== undefined ? formatDuration(maxTime) : null,
    epochs !== undefined ? `${epochs} epoch(s)` : null,
    maxSteps !== undefined ? `${maxSteps} steps` : null,
  ];
  console.log(
    `run: ${run.resumed ? `resuming at step ${record.step}` : 'new'}, until ${bounds.filter(Boolean).join(' or ')}; ${n(perEpoch)} steps per epoch; output in ${o.out}`,
  );

  // Only now, with every option and file checked, does the run directory come to exist.
  mkdirSync(o.out, { recursive: true });
  const progress = new ProgressDisplay({ totalSteps, maxTime, interval: o.logInterval, plain: o.plain, startStep: record.step });
  const samples: string[] = [];
  const sample = (step: number): string => {
    // Sampling draws from the generator; restoring its state keeps training reproducible.
    const saved = getRngState();
    const text = generateText(model, vocab, { prime: '\n', length: o.sampleLength, temperature: 0.8 });
    setRngState(saved);
    samples.push(`step ${step}:\n${text}`);
    return text;
  };

  const startSeconds = record.seconds;
  const startStep = record.step;
  let curveLoss = 0;
  let curveItems = 0;
  const save = (ctx: FitContext): void => {
    const { position, state, rng } = tbptt.snapshot(ctx);
    Object.assign(record, position);
    const config: CharModelConfig = { kind: MODEL_KIND, model: { ...model.options }, vocab: vocab.toJSON(), training: record, rng, history };
    saveCheckpoint(ckptDir, { config: { ...config }, model: model.stateDict(), optimizer: optimizer.stateDict(), extra: state });
  };
  const curves: Callback = {
    onBatchEnd: (logs, ctx) => {
      curveLoss += logs.loss * logs.count;
      curveItems += logs.count;
      if (ctx.step % CURVE_EVERY === 0) {
        history.train.push([ctx.step, curveLoss / curveItems / Math.LN2]);
        curveLoss = 0;
        curveItems = 0;
      }
      if (o.sampleEvery > 0 && ctx.step % o.sampleEvery === 0) progress.log(`--- sample at step ${ctx.step} ---\n${sample(ctx.step)}\n---`);
    },
    onValidationEnd: (metrics, ctx) => {
      history.valid.push([ctx.step, metrics.bitsPerChar]);
    },
  };
  const checkpoints = new CheckpointCallback(save, { every: o.checkpointEvery });
  const result = fit<Window>({
    model,
    optimizer,
    ...tbptt.fitOptions(),
    validData: () => heldOutText.windows(),
    step: (w, training) => (training ? trainTask : validTask).step(w, training),
    onSequenceStart: (phase) => {
      if (phase === 'valid') validTask.reset();
    },
    epochs,
    maxSteps,
    maxTime,
    clipGradNorm:
      record.clip > 0
        ? (p) => {
            optim.clipGradNorm(p, record.clip);
          }
        : undefined,
    validateEvery: o.validateEvery > 0 ? o.validateEvery : undefined,
    callbacks: [new TerminateOnNaN(), ...schedule, curves, progress, checkpoints],
  });

  if (result.steps === startStep) {
    const budget = maxSteps !== undefined && startStep >= maxSteps ? `--steps ${maxSteps}` : `--epochs ${epochs}`;
    console.log(`\nnothing to train: the run already took ${startStep} steps (${budget}); the checkpoint is unchanged: ${ckptDir}`);
    return;
  }
  if (result.stop.kind === 'non-finite') {
    // The state at the stop is broken: it was not saved, and sampling from it would be noise.
    const lastGood = checkpoints.lastSaved?.step ?? (run.resumed ? startStep : null);
    console.log(`\nstopped: ${result.stoppedBecause}`);
    console.log(
      lastGood === null
        ? `the state at the stop is not saved; no checkpoint was written before it`
        : `the state at the stop is not saved; the last good checkpoint, step ${lastGood}, is ${ckptDir}`,
    );
    process.exitCode = NON_FINITE_EXIT_CODE;
    return;
  }
  const valid = result.lastValidation;
  const final = sample(result.steps);
  console.log(`\nstopped: ${result.stoppedBecause} at step ${result.steps}, after ${formatDuration(record.seconds - startSeconds)} in this run`);
  if (valid) console.log(`held-out: ${valid.loss.toFixed(4)} nats/char, ${valid.bitsPerChar.toFixed(4)} bits/char`);
  console.log(`--- final sample ---\n${final}\n---`);
  // Loaded here, not at start-up: vega and resvg take a second or more to import, which every
  // other command (and a run that stops early) would otherwise pay.
  const { writeReport } = await import('../report.js');
  await writeReport(
    o.out,
    [
      ...history.train.map(([step, bpc]) => ({ step, split: 'train', value: bpc })),
      ...history.valid.map(([step, bpc]) => ({ step, split: 'validation', value: bpc })),
    ],
    {
      title: `Character-level ${model.options.cell.toUpperCase()} on ${record.source}`,
      rows: [
        ['steps', String(result.steps)],
        ['stopped', result.stoppedBecause],
        ['training time', formatDuration(record.seconds)],
        ['held-out loss', valid ? `${valid.loss.toFixed(4)} nats/char (${valid.bitsPerChar.toFixed(4)} bits/char)` : 'not measured'],
        ['model', describe],
        ['training', `batch ${record.batch}×${record.seqLen}, ${lrText}, clip ${record.clip}, seed ${record.seed}`],
      ],
      samples: samples.slice(-5),
    },
  );
  console.log(`checkpoint: ${ckptDir}\nloss curves: ${join(o.out, 'loss_curve.svg')}, ${join(o.out, 'loss_curve.png')}\nreport: ${join(o.out, 'report.html')}`);
}
