/** `recurrent train --task seq2seq`: an attention encoder–decoder on source<TAB>target pairs. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BudgetCosineSchedule,
  type Callback,
  CheckpointCallback,
  fit,
  type FitContext,
  getRngState,
  manualSeed,
  nn,
  optim,
  parsePairs,
  resolveCheckpoint,
  saveCheckpoint,
  type Seq2SeqBatch,
  Seq2SeqTask,
  setRngState,
  TerminateOnNaN,
  type TextPair,
  ValueError,
} from 'recurrent/node';
import { readTextFile, sha256Hex } from '../corpus.js';
import { formatDuration } from '../duration.js';
import { ProgressDisplay } from '../progress.js';
import type { TrainCommandOptions } from '../program.js';
import { checkFlagClashes, checkMissingState } from '../resume_flags.js';
import { NON_FINITE_EXIT_CODE } from '../commands/train.js';
import { holdOutBySource } from './held_out_pairs.js';
import { loadSeq2Seq, SEQ2SEQ_KIND, type Seq2SeqHistory, type Seq2SeqRecord, type Seq2SeqRunConfig } from './run_config.js';
import { finishSeq2SeqRun } from './finish_run.js';

/** Steps per point of the training curve. */
const CURVE_EVERY = 20;
/** Validation sources decoded (greedily) for the exact-match curve. */
const EXACT_MATCH_SOURCES = 500;
const HELD_OUT = 0.1;
/** Epochs when no budget is given: early stopping usually ends the run before. */
const DEFAULT_EPOCHS = 30;

interface PairFile {
  path: string;
  sha256: string;
  pairs: TextPair[];
}

function readPairs(flag: string, path: string): PairFile {
  const { text, bytes } = readTextFile(flag, path);
  const pairs = parsePairs(text, path);
  if (pairs.length === 0) throw new ValueError(`${flag}: ${path} holds no source<TAB>target lines`);
  return { path, sha256: sha256Hex(bytes), pairs };
}

/** The file of a resumed run, checked against the SHA-256 it recorded (the path in the checkpoint is never opened). */
function resumePairs(flag: string, given: string | undefined, recorded: string, sha: string, configFile: string): PairFile {
  if (given === undefined)
    throw new ValueError(
      `${flag}: this run was trained with ${flag} ${JSON.stringify(recorded)}; pass that file again (the path saved in ${configFile} is not opened)`,
    );
  const file = readPairs(flag, given);
  if (file.sha256 !== sha) {
    throw new ValueError(
      `${flag}: ${given} has SHA-256 ${file.sha256}, but the run was trained on data with SHA-256 ${sha} (${JSON.stringify(recorded)}, ${configFile}); pass the same file, or train into a new --out`,
    );
  }
  return file;
}

interface Run {
  task: Seq2SeqTask;
  record: Seq2SeqRecord;
  history: Seq2SeqHistory;
  rng: number[] | null;
  resumed: ReturnType<typeof loadSeq2Seq> | null;
}

function newRun(o: TrainCommandOptions, given: ReadonlySet<string>, train: PairFile, trainPairs: TextPair[], valid: PairFile | null): Run {
  manualSeed(o.seed);
  const tokens = o.tokens ?? 'char';
  const task = Seq2SeqTask.create(
    trainPairs,
    {
      sourceTokens: o.sourceTokens ?? tokens,
      targetTokens: o.targetTokens ?? tokens,
      lowercase: o.lowercase ?? false,
      minCount: o.minCount,
      maxLength: o.maxLength,
      labelSmoothing: o.labelSmoothing,
      model: {
        hiddenSize: o.hidden,
        embeddingDim: o.embedding,
        // --layers sets both sides, unless the side's own flag is given.
        encoderLayers: o.encoderLayers ?? (given.has('layers') ? o.layers : undefined),
        decoderLayers: o.decoderLayers ?? (given.has('layers') ? o.layers : undefined),
        cell: o.cell,
        bidirectional: o.bidirectional,
        attention: o.attention,
        style: o.style,
        inputFeeding: o.style === 'luong' && o.attention !== 'none' ? o.inputFeeding : false,
        bridge: o.bridge,
        dropout: o.dropout,
      },
    },
    train.path,
  );
  if (o.teacherForcing !== undefined && o.teacherForcingK === undefined)
    throw new ValueError(`--teacher-forcing ${o.teacherForcing} needs --teacher-forcing-k`);
  const record: Seq2SeqRecord = {
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    seed: o.seed,
    batch: o.batch,
    lr: o.lr,
    lrSchedule: o.lrSchedule,
    lrMin: o.lrMin,
    clip: o.clip,
    patience: o.patience,
    data: train.path,
    dataSha256: train.sha256,
    valid: valid?.path ?? null,
    validSha256: valid?.sha256 ?? null,
    heldOut: valid === null ? HELD_OUT : 0,
    seconds: 0,
    teacherForcing: o.teacherForcing === undefined ? null : { decay: o.teacherForcing, k: o.teacherForcingK!, min: o.teacherForcingMin },
    best: null,
    plateau: null,
  };
  return { task, record, history: { train: [], valid: [], exactMatch: [] }, rng: null, resumed: null };
}

/** On --resume, flags given must agree with the checkpoint. */
function checkResumeFlags(o: TrainCommandOptions, given: ReadonlySet<string>, run: Run, dir: string): void {
  const m = run.task.modelOptions;
  const d = run.task.options;
  const r = run.record;
  checkFlagClashes(
    given,
    [
      ['cell', 'task.model.cell', o.cell, m.cell],
      ['hidden', 'task.model.hiddenSize', o.hidden, m.hiddenSize],
      ['embedding', 'task.model.embeddingDim', o.embedding, m.embeddingDim],
      ['encoderLayers', 'task.model.encoderLayers', o.encoderLayers, m.encoderLayers],
      ['decoderLayers', 'task.model.decoderLayers', o.decoderLayers, m.decoderLayers],
      ['dropout', 'task.model.dropout', o.dropout, m.dropout],
      ['attention', 'task.model.attention', o.attention, m.attention],
      ['style', 'task.model.style', o.style, m.style],
      ['inputFeeding', 'task.model.inputFeeding', o.inputFeeding, m.inputFeeding],
      ['bidirectional', 'task.model.bidirectional', o.bidirectional, m.bidirectional],
      ['bridge', 'task.model.bridge', o.bridge, m.bridge],
      ['sourceTokens', 'task.options.sourceTokens', o.sourceTokens, d.sourceTokens],
      ['targetTokens', 'task.options.targetTokens', o.targetTokens, d.targetTokens],
      ['minCount', 'task.options.minCount', o.minCount, d.minCount],
      ['maxLength', 'task.options.maxLength', o.maxLength, d.maxLength],
      ['labelSmoothing', 'task.options.labelSmoothing', o.labelSmoothing, d.labelSmoothing],
      ['batch', 'training.batch', o.batch, r.batch],
      ['lr', 'training.lr', o.lr, r.lr],
      ['lrSchedule', 'training.lrSchedule', o.lrSchedule, r.lrSchedule],
      ['clip', 'training.clip', o.clip, r.clip],
      ['seed', 'training.seed', o.seed, r.seed],
      ['patience', 'training.patience', o.patience, r.patience],
    ],
    dir,
  );
}

/** `given`: the flags set on the command line (the others hold their defaults). */
export async function trainSeq2SeqCommand(o: TrainCommandOptions, given: ReadonlySet<string> = new Set()): Promise<void> {
  const ckptDir = join(o.out, 'checkpoint');
  const bestDir = join(o.out, 'best');
  const canResume = o.resume && resolveCheckpoint(ckptDir) !== null;
  if (o.resume && !canResume) console.log(`no checkpoint in ${ckptDir}; starting a new run`);
  let run: Run;
  let train: PairFile;
  let valid: PairFile | null;
  if (canResume) {
    const loaded = loadSeq2Seq(ckptDir);
    const r = loaded.config.training;
    checkMissingState(loaded.checkpoint, r.step, false, { 'optimizer.safetensors': (step) => `Adam's moments would restart from zero at step ${step}` });
    run = { task: loaded.task, record: { ...r }, history: loaded.config.history, rng: loaded.config.rng, resumed: loaded };
    checkResumeFlags(o, given, run, loaded.checkpoint.dir);
    const configFile = join(loaded.checkpoint.dir, 'config.json');
    train = resumePairs('--data', o.data, r.data, r.dataSha256, configFile);
    valid = r.valid === null ? null : resumePairs('--valid', o.valid, r.valid, r.validSha256!, configFile);
    if (r.valid === null && o.valid !== undefined)
      throw new ValueError(`--valid: this run held out ${r.heldOut * 100}% of --data for validation; drop --valid to resume it`);
  } else {
    if (o.data === undefined) throw new ValueError('--task seq2seq needs --data FILE: UTF-8 lines source<TAB>target');
    train = readPairs('--data', o.data);
    valid = o.valid === undefined ? null : readPairs('--valid', o.valid);
    run = newRun(o, given, train, valid === null ? holdOutBySource(train.pairs, HELD_OUT, o.seed)[0] : train.pairs, valid);
  }
  const { task, record, history } = run;
  const [trainPairs, validPairs] = valid === null ? holdOutBySource(train.pairs, record.heldOut, record.seed) : [train.pairs, valid.pairs];
  const encoded = task.encode(trainPairs, train.path);
  const validEncoded = task.encode(validPairs, valid?.path ?? `${train.path} (held out)`);
  const optimizer = new optim.Adam(task.model.parameters(), { lr: record.lr });
  if (run.resumed?.checkpoint.optimizer) optimizer.loadStateDict(run.resumed.checkpoint.optimizer);
  if (run.rng) setRngState(run.rng);

  const perEpoch = Math.ceil(encoded.examples.length / record.batch);
  const maxTime = o.time;
  const epochs = o.epochs ?? (maxTime === undefined && o.steps === undefined ? DEFAULT_EPOCHS : undefined);
  const totalSteps = o.steps ?? (epochs !== undefined ? epochs * perEpoch : undefined);
  const plateau = record.lrSchedule === 'plateau' ? new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 1, minLr: record.lrMin }) : null;
  if (plateau && record.plateau) plateau.loadStateDict(record.plateau as optim.ScheduleStateDict);
  const cosine = record.lrSchedule === 'cosine' ? new BudgetCosineSchedule(optimizer, { lr: record.lr, etaMin: record.lrMin, totalSteps, maxTime }) : null;
  const teacher = record.teacherForcing === null ? null : nn.teacherForcingSchedule(record.teacherForcing);

  const n = (x: number): string => x.toLocaleString('en-US');
  const m = task.modelOptions;
  const describe = `${m.bidirectional ? 'bidirectional ' : ''}${m.cell.toUpperCase()} ${m.encoderLayers}×${m.hiddenSize} encoder, ${m.cell.toUpperCase()} ${m.decoderLayers}×${m.hiddenSize} decoder, ${m.style} attention '${m.attention}'${m.inputFeeding ? ' with input feeding' : ''}, embedding ${m.embeddingDim}, dropout ${m.dropout}, ${n(task.model.numParameters())} parameters`;
  const unknownNote =
    validEncoded.unknown.size > 0
      ? `; ${n([...validEncoded.unknown.values()].reduce((a, b) => a + b, 0))} validation tokens outside the vocabulary read as <unk>`
      : '';
  console.log(
    `data: ${train.path}: ${n(train.pairs.length)} pairs; vocabularies ${task.sourceVocab.size} source and ${task.targetVocab.size} target ${task.options.sourceTokens === task.options.targetTokens ? `${task.options.sourceTokens} tokens` : `tokens (${task.options.sourceTokens} → ${task.options.targetTokens})`}`,
  );
  console.log(
    `validation: ${valid === null ? `${Math.round(record.heldOut * 100)}% of the sources held out` : valid.path}: ${n(validPairs.length)} pairs${unknownNote}`,
  );
  console.log(`model: ${describe}`);
  console.log(
    `training: batch ${record.batch}, Adam lr ${record.lr} (${record.lrSchedule}), clip ${record.clip}, label smoothing ${task.options.labelSmoothing}${teacher ? `, scheduled sampling (${record.teacherForcing!.decay}, k ${record.teacherForcing!.k})` : ''}`,
  );
  const bounds = [
    maxTime !== undefined ? formatDuration(maxTime) : null,
    epochs !== undefined ? `${epochs} epoch(s)` : null,
    o.steps !== undefined ? `${o.steps} steps` : null,
  ];
  console.log(
    `run: ${run.resumed ? `resuming at step ${record.step}` : 'new'}, until ${bounds.filter(Boolean).join(' or ')}${record.patience > 0 ? ` or ${record.patience} validations without improvement` : ''}; ${n(perEpoch)} steps per epoch; output in ${o.out}`,
  );

  mkdirSync(o.out, { recursive: true });
  const progress = new ProgressDisplay({ totalSteps, maxTime, interval: o.logInterval, plain: o.plain, startStep: record.step, unit: 'token' });
  const validSources = new Set([...new Set(validPairs.map((p) => p.source))].slice(0, EXACT_MATCH_SOURCES));
  const exactMatchPairs = validPairs.filter((p) => validSources.has(p.source));
  const samples: string[] = [];
  const sample = (step: number): string => {
    const saved = getRngState();
    const shown = validPairs.slice(0, 3);
    const outputs = task.translate(
      shown.map((p) => p.source),
      { beamSize: 1 },
    );
    setRngState(saved);
    const text = shown.map((p, i) => `${p.source} → ${outputs[i]![0]!.text}   (reference: ${p.target})`).join('\n');
    samples.push(`step ${step}:\n${text}`);
    return text;
  };

  const startEpoch = record.epoch;
  const skip = record.batchInEpoch;
  // Where training stands in its epoch: a resumed run skips the batches already trained on.
  let position = { epoch: startEpoch, batch: skip };
  const save = (dir: string, ctx: FitContext): void => {
    Object.assign(record, { step: ctx.step, epoch: ctx.epoch, batchInEpoch: ctx.epoch === position.epoch ? position.batch : 0 });
    record.plateau = plateau && Number.isFinite((plateau.stateDict() as { best?: number }).best) ? plateau.stateDict() : record.plateau;
    const config: Seq2SeqRunConfig = { kind: SEQ2SEQ_KIND, task: task.toJSON(), training: record, rng: getRngState(), history };
    saveCheckpoint(dir, { config: { ...config }, model: task.model.stateDict(), optimizer: optimizer.stateDict() });
  };
  const startSeconds = record.seconds;
  const startStep = record.step;
  let curveLoss = 0;
  let curveItems = 0;
  const tracking: Callback = {
    onEpochBegin: (epoch) => {
      if (epoch !== position.epoch) position = { epoch, batch: 0 };
    },
    onBatchEnd: (logs, ctx) => {
      position.batch++;
      record.seconds = startSeconds + ctx.elapsed;
      if (teacher) task.teacherForcing = teacher(ctx.step);
      curveLoss += logs.loss * logs.count;
      curveItems += logs.count;
      if (ctx.step % CURVE_EVERY === 0) {
        history.train.push([ctx.step, curveLoss / curveItems]);
        curveLoss = 0;
        curveItems = 0;
      }
      if (o.sampleEvery > 0 && ctx.step % o.sampleEvery === 0) progress.log(`--- sample at step ${ctx.step} ---\n${sample(ctx.step)}\n---`);
    },
    onValidationEnd: (metrics, ctx) => {
      history.valid.push([ctx.step, metrics.loss]);
      const { metrics: scores } = task.evaluate(exactMatchPairs, { beamSize: 1 });
      history.exactMatch.push([ctx.step, scores.exactMatch]);
      progress.log(`  exact match ${(scores.exactMatch * 100).toFixed(1)}% (greedy, ${validSources.size} validation sources)`);
      plateau?.step(metrics.loss);
      const best = record.best;
      if (best === null || metrics.loss < best.loss) {
        record.best = { loss: metrics.loss, step: ctx.step, bad: 0 };
        save(bestDir, ctx);
      } else {
        best.bad++;
        if (record.patience > 0 && best.bad >= record.patience)
          ctx.stop(`no improvement of the validation loss in ${best.bad} validations (best ${best.loss.toFixed(4)} at step ${best.step})`);
      }
    },
  };
  if (teacher) task.teacherForcing = teacher(record.step);
  const checkpoints = new CheckpointCallback((ctx) => save(ckptDir, ctx), { every: o.checkpointEvery });
  const result = fit<Seq2SeqBatch>({
    model: task.model,
    optimizer,
    trainData: (epoch) => {
      const batches = task.batches(encoded.examples, { batchSize: record.batch, shuffle: true, seed: record.seed, epoch });
      return epoch === startEpoch ? batches.slice(skip) : batches;
    },
    validData: () => task.batches(validEncoded.examples, { batchSize: record.batch }),
    step: (batch, training) => task.step(batch, training),
    epochs,
    maxSteps: o.steps,
    maxTime,
    startStep: record.step,
    startEpoch,
    clipGradNorm: record.clip > 0 ? (p) => void optim.clipGradNorm(p, record.clip) : undefined,
    validateEvery: o.validateEvery > 0 ? o.validateEvery : undefined,
    callbacks: [new TerminateOnNaN(), ...(cosine ? [cosine] : []), tracking, progress, checkpoints],
  });
  await finishSeq2SeqRun({
    o,
    task,
    record,
    history,
    result,
    startStep,
    startSeconds,
    ckptDir,
    bestDir,
    describe,
    samples,
    lastSaved: checkpoints.lastSaved?.step ?? null,
    resumed: run.resumed !== null,
    validPairs,
    nonFiniteExit: NON_FINITE_EXIT_CODE,
  });
}
