/** `recurrent train --task classify`: a recurrent text classifier on text<TAB>label lines (or JSON Lines). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BudgetCosineSchedule,
  type Callback,
  type ClassifyBatch,
  ClassifyTask,
  CheckpointCallback,
  fit,
  type FitContext,
  getRngState,
  type LabelledText,
  manualSeed,
  optim,
  parseVectors,
  readLabelledText,
  RecurrentError,
  resolveCheckpoint,
  saveCheckpoint,
  setRngState,
  TerminateOnNaN,
  ValueError,
} from 'recurrent/node';
import { readFileBytes, readTextFile, sha256Hex } from '../corpus.js';
import { formatDuration } from '../duration.js';
import { ProgressDisplay } from '../progress.js';
import type { TrainCommandOptions } from '../program.js';
import { checkFlagClashes, checkMissingState } from '../resume_flags.js';
import { NON_FINITE_EXIT_CODE } from '../commands/train.js';
import { holdOutTexts } from './held_out_texts.js';
import { CLASSIFY_KIND, type ClassifyHistory, type ClassifyRecord, type ClassifyRunConfig, loadClassify } from './run_config.js';
import { finishClassifyRun } from './finish_run.js';

/** Steps per point of the training curve. */
const CURVE_EVERY = 20;
const HELD_OUT = 0.1;
/** Epochs when no budget is given: early stopping usually ends the run before. */
const DEFAULT_EPOCHS = 20;

export interface TextFile {
  path: string;
  sha256: string;
  data: LabelledText[];
}

/** A labelled-text file (TSV, or JSON Lines by its .jsonl extension), read and checked; errors name the flag, file and line. */
export function readTexts(flag: string, path: string): TextFile {
  const bytes = readFileBytes(flag, path);
  let data: LabelledText[];
  try {
    data = readLabelledText(bytes, path);
  } catch (e) {
    if (e instanceof RecurrentError) throw new ValueError(`${flag}: ${e.message}`);
    throw e;
  }
  if (data.length === 0) throw new ValueError(`${flag}: ${path} holds no text<TAB>label lines`);
  return { path, sha256: sha256Hex(bytes), data };
}

/** The file of a resumed run, checked against the SHA-256 it recorded (the path in the checkpoint is never opened). */
function resumeTexts(flag: string, given: string | undefined, recorded: string, sha: string, configFile: string): TextFile {
  if (given === undefined)
    throw new ValueError(
      `${flag}: this run was trained with ${flag} ${JSON.stringify(recorded)}; pass that file again (the path saved in ${configFile} is not opened)`,
    );
  const file = readTexts(flag, given);
  if (file.sha256 !== sha) {
    throw new ValueError(
      `${flag}: ${given} has SHA-256 ${file.sha256}, but the run was trained on data with SHA-256 ${sha} (${JSON.stringify(recorded)}, ${configFile}); pass the same file, or train into a new --out`,
    );
  }
  return file;
}

interface Run {
  task: ClassifyTask;
  record: ClassifyRecord;
  history: ClassifyHistory;
  rng: number[] | null;
  resumed: ReturnType<typeof loadClassify> | null;
}

function newRun(o: TrainCommandOptions, train: TextFile, trainData: LabelledText[], valid: TextFile | null): Run {
  manualSeed(o.seed);
  let vectors;
  if (o.vectors !== undefined) {
    try {
      vectors = parseVectors(readTextFile('--vectors', o.vectors).text, o.vectors);
    } catch (e) {
      if (e instanceof RecurrentError && !(e instanceof ValueError)) throw new ValueError(`--vectors: ${e.message}`);
      throw e;
    }
  }
  const task = ClassifyTask.create(
    trainData,
    {
      tokens: o.tokens ?? 'word',
      lowercase: o.lowercase,
      minCount: o.minCount,
      maxTokens: o.maxTokens,
      classWeights: o.classWeights,
      model: {
        hiddenSize: o.hidden,
        embeddingDim: o.embedding,
        numLayers: o.layers,
        cell: o.cell,
        bidirectional: o.bidirectional,
        pooling: o.pooling,
        dropout: o.dropout,
      },
    },
    train.path,
    vectors,
  );
  const record: ClassifyRecord = {
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
    vectors: o.vectors ?? null,
    seconds: 0,
    best: null,
    plateau: null,
  };
  return { task, record, history: { train: [], valid: [], accuracy: [] }, rng: null, resumed: null };
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
      ['layers', 'task.model.numLayers', o.layers, m.numLayers],
      ['dropout', 'task.model.dropout', o.dropout, m.dropout],
      ['bidirectional', 'task.model.bidirectional', o.bidirectional, m.bidirectional],
      ['pooling', 'task.model.pooling', o.pooling, m.pooling],
      ['tokens', 'task.options.tokens', o.tokens, d.tokens],
      ['lowercase', 'task.options.lowercase', o.lowercase, d.lowercase],
      ['minCount', 'task.options.minCount', o.minCount, d.minCount],
      ['maxTokens', 'task.options.maxTokens', o.maxTokens, d.maxTokens],
      ['classWeights', 'task.options.classWeights', o.classWeights, d.classWeights],
      ['vectors', 'training.vectors', o.vectors, r.vectors],
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
export async function trainClassifyCommand(o: TrainCommandOptions, given: ReadonlySet<string> = new Set()): Promise<void> {
  const ckptDir = join(o.out, 'checkpoint');
  const bestDir = join(o.out, 'best');
  const canResume = o.resume && resolveCheckpoint(ckptDir) !== null;
  if (o.resume && !canResume) console.log(`no checkpoint in ${ckptDir}; starting a new run`);
  let run: Run;
  let train: TextFile;
  let valid: TextFile | null;
  if (canResume) {
    const loaded = loadClassify(ckptDir);
    const r = loaded.config.training;
    checkMissingState(loaded.checkpoint, r.step, false, { 'optimizer.safetensors': (step) => `Adam's moments would restart from zero at step ${step}` });
    run = { task: loaded.task, record: { ...r }, history: loaded.config.history, rng: loaded.config.rng, resumed: loaded };
    checkResumeFlags(o, given, run, loaded.checkpoint.dir);
    const configFile = join(loaded.checkpoint.dir, 'config.json');
    train = resumeTexts('--data', o.data, r.data, r.dataSha256, configFile);
    valid = r.valid === null ? null : resumeTexts('--valid', o.valid, r.valid, r.validSha256!, configFile);
    if (r.valid === null && o.valid !== undefined)
      throw new ValueError(`--valid: this run held out ${r.heldOut * 100}% of --data for validation; drop --valid to resume it`);
  } else {
    if (o.data === undefined) throw new ValueError('--task classify needs --data FILE: UTF-8 lines text<TAB>label (or a .jsonl file of {"text", "label"})');
    train = readTexts('--data', o.data);
    valid = o.valid === undefined ? null : readTexts('--valid', o.valid);
    run = newRun(o, train, valid === null ? holdOutTexts(train.data, HELD_OUT, o.seed)[0] : train.data, valid);
  }
  const { task, record, history } = run;
  const [trainData, validData] = valid === null ? holdOutTexts(train.data, record.heldOut, record.seed) : [train.data, valid.data];
  const encoded = task.encode(trainData, train.path);
  const validEncoded = task.encode(validData, valid?.path ?? `${train.path} (held out)`);
  if (validEncoded.examples.length === 0)
    throw new ValueError(`--valid: no validation text has a label seen in training (${[...validEncoded.unseenLabels.keys()].join(', ')})`);
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

  const n = (x: number): string => x.toLocaleString('en-US');
  const m = task.modelOptions;
  const describe = `${m.bidirectional ? 'bidirectional ' : ''}${m.cell.toUpperCase()} ${m.numLayers}×${m.hiddenSize}, embedding ${m.embeddingDim}${record.vectors ? ` (from ${record.vectors})` : ''}, ${m.pooling} pooling, dropout ${m.dropout}, ${n(task.model.numParameters())} parameters`;
  const labelCounts = task.labels.map((l) => `${l} ${n(trainData.filter((d) => d.label === l).length)}`).join(', ');
  console.log(
    `data: ${train.path}: ${n(train.data.length)} texts; ${task.labels.length} labels (training: ${labelCounts}); vocabulary ${n(task.vocab.size)} ${task.options.tokens} tokens (min count ${task.options.minCount}${task.options.lowercase ? ', lower-cased' : ''}); texts cut to their first ${task.options.maxTokens} tokens`,
  );
  const unseen = [...validEncoded.unseenLabels].map(([l, c]) => `${JSON.stringify(l)} (${c})`);
  console.log(
    `validation: ${valid === null ? `${Math.round(record.heldOut * 100)}% of the texts held out` : valid.path}: ${n(validData.length)} texts; ${n(validEncoded.unknownTokens)} tokens outside the vocabulary read as <unk>${unseen.length > 0 ? `; labels not in training, left out of the validation loss: ${unseen.join(', ')}` : ''}`,
  );
  console.log(`model: ${describe}`);
  console.log(
    `training: batch ${record.batch}, Adam lr ${record.lr} (${record.lrSchedule}), clip ${record.clip}${task.weights ? `, class weights ${task.labels.map((l, i) => `${l} ${task.weights![i]!.toFixed(3)}`).join(', ')}` : ''}`,
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
  const progress = new ProgressDisplay({ totalSteps, maxTime, interval: o.logInterval, plain: o.plain, startStep: record.step, unit: 'text' });
  const samples: string[] = [];
  const sample = (step: number): string => {
    const shown = validData.slice(0, 3);
    const out = task.predict(shown.map((d) => d.text));
    const text = shown.map((d, i) => `${out[i]!.label} (${out[i]!.probability.toFixed(3)}; true ${d.label}): ${d.text.slice(0, 80)}`).join('\n');
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
    const config: ClassifyRunConfig = { kind: CLASSIFY_KIND, task: task.toJSON(), training: record, rng: getRngState(), history };
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
      curveLoss += logs.loss * logs.count;
      curveItems += logs.count;
      if (ctx.step % CURVE_EVERY === 0) {
        history.train.push([ctx.step, curveLoss / curveItems]);
        curveLoss = 0;
        curveItems = 0;
      }
      if (o.sampleEvery > 0 && ctx.step % o.sampleEvery === 0) progress.log(`--- predictions at step ${ctx.step} ---\n${sample(ctx.step)}\n---`);
    },
    onValidationEnd: (metrics, ctx) => {
      history.valid.push([ctx.step, metrics.loss]);
      history.accuracy.push([ctx.step, metrics.accuracy ?? NaN]);
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
  const checkpoints = new CheckpointCallback((ctx) => save(ckptDir, ctx), { every: o.checkpointEvery });
  const result = fit<ClassifyBatch>({
    model: task.model,
    optimizer,
    trainData: (epoch) => {
      const batches = task.batches(encoded.examples, { batchSize: record.batch, shuffle: true, seed: record.seed, epoch });
      return epoch === startEpoch ? batches.slice(skip) : batches;
    },
    validData: () => task.batches(validEncoded.examples, { batchSize: 128 }),
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
  await finishClassifyRun({
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
    validData,
    nonFiniteExit: NON_FINITE_EXIT_CODE,
  });
}
