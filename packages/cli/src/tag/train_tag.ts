/** `recurrent train --task tag`: a BiLSTM(-CRF) tagger on CoNLL token<TAB>tag sentences. */
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
  optim,
  resolveCheckpoint,
  saveCheckpoint,
  setRngState,
  type TagBatch,
  type TaggedSentence,
  TagTask,
  TerminateOnNaN,
  ValueError,
} from 'recurrent/node';
import { formatDuration } from '../duration.js';
import { ProgressDisplay } from '../progress.js';
import type { TrainCommandOptions } from '../program.js';
import { checkFlagClashes, checkMissingState } from '../resume_flags.js';
import { NON_FINITE_EXIT_CODE } from '../commands/train.js';
import { type ConllFile, holdOutSentences, readConllFile } from './conll_file.js';
import { finishTagRun } from './finish_run.js';
import { loadTag, TAG_KIND, type TagHistory, type TagRecord, type TagRunConfig } from './run_config.js';

/** Steps per point of the training curve. */
const CURVE_EVERY = 20;
const HELD_OUT = 0.1;
/** Epochs when no budget is given: early stopping usually ends the run before. */
const DEFAULT_EPOCHS = 30;

/** The file of a resumed run, checked against the SHA-256 it recorded (the path in the checkpoint is never opened). */
function resumeFile(flag: string, given: string | undefined, recorded: string, sha: string, configFile: string, maxLength: number): ConllFile {
  if (given === undefined)
    throw new ValueError(
      `${flag}: this run was trained with ${flag} ${JSON.stringify(recorded)}; pass that file again (the path saved in ${configFile} is not opened)`,
    );
  const file = readConllFile(flag, given, maxLength);
  if (file.sha256 !== sha) {
    throw new ValueError(
      `${flag}: ${given} has SHA-256 ${file.sha256}, but the run was trained on data with SHA-256 ${sha} (${JSON.stringify(recorded)}, ${configFile}); pass the same file, or train into a new --out`,
    );
  }
  return file;
}

interface Run {
  task: TagTask;
  record: TagRecord;
  history: TagHistory;
  rng: number[] | null;
  resumed: ReturnType<typeof loadTag> | null;
}

function newRun(o: TrainCommandOptions, train: ConllFile, trainSentences: TaggedSentence[], valid: ConllFile | null): Run {
  manualSeed(o.seed);
  const task = TagTask.create(
    trainSentences,
    {
      minCount: o.minCount,
      maxSentenceLength: o.maxLength,
      model: { hiddenSize: o.hidden, wordEmbeddingDim: o.embedding ?? 100, numLayers: o.layers, dropout: o.dropout, crf: o.crf ?? false },
    },
    train.path,
  );
  const record: TagRecord = {
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
    best: null,
    plateau: null,
  };
  return { task, record, history: { train: [], valid: [], accuracy: [] }, rng: null, resumed: null };
}

/** On --resume, flags given must agree with the checkpoint. */
function checkResumeFlags(o: TrainCommandOptions, given: ReadonlySet<string>, run: Run, dir: string): void {
  const m = run.task.modelOptions;
  const r = run.record;
  checkFlagClashes(
    given,
    [
      ['hidden', 'task.model.hiddenSize', o.hidden, m.hiddenSize],
      ['embedding', 'task.model.wordEmbeddingDim', o.embedding, m.wordEmbeddingDim],
      ['layers', 'task.model.numLayers', o.layers, m.numLayers],
      ['dropout', 'task.model.dropout', o.dropout, m.dropout],
      ['crf', 'task.model.crf', o.crf, m.crf],
      ['minCount', 'task.options.minCount', o.minCount, run.task.options.minCount],
      ['maxLength', 'task.options.maxSentenceLength', o.maxLength, run.task.options.maxSentenceLength],
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

/** A sentence with its predicted tags (and the reference where they differ), for samples and the report. */
export function showTagged(tokens: readonly string[], predicted: readonly string[], gold?: readonly string[]): string {
  return tokens.map((w, i) => `${w}/${predicted[i]}${gold && gold[i] !== predicted[i] ? `(${gold[i]})` : ''}`).join(' ');
}

/** `given`: the flags set on the command line (the others hold their defaults). */
export async function trainTagCommand(o: TrainCommandOptions, given: ReadonlySet<string> = new Set()): Promise<void> {
  const ckptDir = join(o.out, 'checkpoint');
  const bestDir = join(o.out, 'best');
  const canResume = o.resume && resolveCheckpoint(ckptDir) !== null;
  if (o.resume && !canResume) console.log(`no checkpoint in ${ckptDir}; starting a new run`);
  let run: Run;
  let train: ConllFile;
  let valid: ConllFile | null;
  if (canResume) {
    const loaded = loadTag(ckptDir);
    const r = loaded.config.training;
    checkMissingState(loaded.checkpoint, r.step, false, { 'optimizer.safetensors': (step) => `Adam's moments would restart from zero at step ${step}` });
    run = { task: loaded.task, record: { ...r }, history: loaded.config.history, rng: loaded.config.rng, resumed: loaded };
    checkResumeFlags(o, given, run, loaded.checkpoint.dir);
    const configFile = join(loaded.checkpoint.dir, 'config.json');
    const max = loaded.task.options.maxSentenceLength;
    train = resumeFile('--data', o.data, r.data, r.dataSha256, configFile, max);
    valid = r.valid === null ? null : resumeFile('--valid', o.valid, r.valid, r.validSha256!, configFile, max);
    if (r.valid === null && o.valid !== undefined)
      throw new ValueError(`--valid: this run held out ${r.heldOut * 100}% of --data for validation; drop --valid to resume it`);
  } else {
    if (o.data === undefined) throw new ValueError('--task tag needs --data FILE: CoNLL lines token<TAB>tag, a blank line between sentences');
    train = readConllFile('--data', o.data, o.maxLength);
    valid = o.valid === undefined ? null : readConllFile('--valid', o.valid, o.maxLength);
    run = newRun(o, train, valid === null ? holdOutSentences(train.sentences, HELD_OUT, o.seed)[0] : train.sentences, valid);
  }
  const { task, record, history } = run;
  const [trainSentences, validSentences] = valid === null ? holdOutSentences(train.sentences, record.heldOut, record.seed) : [train.sentences, valid.sentences];
  const encoded = task.encode(trainSentences);
  const validEncoded = task.encode(validSentences);
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
  const output = m.crf ? `CRF${m.constraints ? ` (constrained by ${task.scheme})` : ''}` : 'softmax';
  const describe = `word embedding ${m.wordEmbeddingDim}${m.chars ? ` + character BiLSTM 2×${m.charHiddenSize}` : ''}, BiLSTM ${m.numLayers}×2×${m.hiddenSize}, ${output} output, dropout ${m.dropout}, ${n(task.model.numParameters())} parameters`;
  const tokens = (s: readonly TaggedSentence[]): number => s.reduce((a, x) => a + x.tokens.length, 0);
  console.log(
    `data: ${train.path}: ${n(train.sentences.length)} sentences, ${n(tokens(train.sentences))} tokens; ${n(task.wordVocab.size)} words, ${n(task.charVocab.size)} characters, ${task.tags.length} tags${task.scheme ? ` (${task.scheme} spans)` : ''}`,
  );
  const unknownTags = [...validEncoded.unknownTags].map(([tag, count]) => `${tag} (${count})`);
  console.log(
    `validation: ${valid === null ? `${Math.round(record.heldOut * 100)}% of the sentences held out` : valid.path}: ${n(validSentences.length)} sentences, ${n(tokens(validSentences))} tokens, ${n(validEncoded.unknownWords)} outside the word vocabulary${unknownTags.length > 0 ? `; tags not in the training data (counted wrong): ${unknownTags.join(', ')}` : ''}`,
  );
  console.log(`model: ${describe}`);
  console.log(`training: batch ${record.batch}, Adam lr ${record.lr} (${record.lrSchedule}), clip ${record.clip}`);
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
  const samples: string[] = [];
  const sample = (step: number): string => {
    const saved = getRngState();
    const shown = validSentences.slice(0, 2);
    const predicted = task.predict(shown.map((s) => s.tokens));
    setRngState(saved);
    const text = shown.map((s, i) => showTagged(s.tokens, predicted[i]!, s.tags)).join('\n');
    samples.push(`step ${step}:\n${text}`);
    return text;
  };

  const startEpoch = record.epoch;
  const skip = record.batchInEpoch;
  let position = { epoch: startEpoch, batch: skip };
  const save = (dir: string, ctx: FitContext): void => {
    Object.assign(record, { step: ctx.step, epoch: ctx.epoch, batchInEpoch: ctx.epoch === position.epoch ? position.batch : 0 });
    record.plateau = plateau && Number.isFinite((plateau.stateDict() as { best?: number }).best) ? plateau.stateDict() : record.plateau;
    const config: TagRunConfig = { kind: TAG_KIND, task: task.toJSON(), training: record, rng: getRngState(), history };
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
      if (o.sampleEvery > 0 && ctx.step % o.sampleEvery === 0) progress.log(`--- sample at step ${ctx.step} ---\n${sample(ctx.step)}\n---`);
    },
    onValidationEnd: (metrics, ctx) => {
      history.valid.push([ctx.step, metrics.loss]);
      const { metrics: scores } = task.evaluate(validSentences, { batchSize: record.batch });
      history.accuracy.push([ctx.step, scores.accuracy]);
      const unseen = scores.unseenAccuracy === null ? '' : `, unseen words ${(scores.unseenAccuracy * 100).toFixed(1)}%`;
      const span = scores.span ? `, span F1 ${(scores.span.f1 * 100).toFixed(1)}` : '';
      progress.log(`  validation token accuracy ${(scores.accuracy * 100).toFixed(2)}%${unseen}${span}`);
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
  const result = fit<TagBatch>({
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
  await finishTagRun({
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
    nonFiniteExit: NON_FINITE_EXIT_CODE,
  });
}
