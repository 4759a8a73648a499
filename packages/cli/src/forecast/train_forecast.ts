/** `recurrent train --task forecast`: a recurrent forecaster on a CSV time series, its last 10% held out for validation and early stopping. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BudgetCosineSchedule,
  type Callback,
  CheckpointCallback,
  fit,
  type FitContext,
  type ForecastBatch,
  ForecastTask,
  getRngState,
  manualSeed,
  optim,
  resolveCheckpoint,
  saveCheckpoint,
  setRngState,
  TerminateOnNaN,
  ValueError,
} from 'recurrent/node';
import { formatDuration } from '../duration.js';
import { ProgressDisplay } from '../progress.js';
import type { TrainCommandOptions } from '../program.js';
import { checkFlagClashes, checkMissingState } from '../resume_flags.js';
import { NON_FINITE_EXIT_CODE } from '../commands/train.js';
import { FORECAST_KIND, type ForecastHistory, type ForecastRecord, type ForecastRunConfig, loadForecast } from './run_config.js';
import { covariateList, readSeriesFile, type SeriesFile, sliceSeries } from './series_file.js';
import { finishForecastRun } from './finish_forecast.js';

/** Steps per point of the training curve. */
const CURVE_EVERY = 20;
/** The fraction of rows at the end of --data held out for validation. */
export const FORECAST_HELD_OUT = 0.1;
/** Epochs when no budget is given: early stopping usually ends the run before. */
const DEFAULT_EPOCHS = 100;

interface Run {
  task: ForecastTask;
  record: ForecastRecord;
  history: ForecastHistory;
  rng: number[] | null;
  resumed: ReturnType<typeof loadForecast> | null;
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
      ['layers', 'task.model.numLayers', o.layers, m.numLayers],
      ['dropout', 'task.model.dropout', o.dropout, m.dropout],
      ['target', 'task.options.target', o.target, d.target],
      ['covariates', 'task.options.covariates', o.covariates, d.covariates.join(',')],
      ['date', 'task.options.date', o.date, d.date],
      ['holidays', 'task.options.holidays', o.holidays, d.holidays],
      ['window', 'task.options.window', o.window, d.window],
      ['horizon', 'task.options.horizon', o.horizon, d.horizon],
      ['quantiles', 'task.options.quantiles', o.quantiles?.join(','), d.quantiles.join(',')],
      ['loss', 'task.options.loss', o.loss, d.loss],
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

function newRun(o: TrainCommandOptions, file: SeriesFile): Run {
  manualSeed(o.seed);
  const rows = file.series.target.length;
  const trainRows = rows - Math.max(1, Math.round(rows * FORECAST_HELD_OUT));
  const task = ForecastTask.create(sliceSeries(file.series, 0, trainRows), {
    target: o.target!,
    covariates: covariateList(o.covariates),
    date: o.date ?? null,
    holidays: o.holidays ?? 'none',
    window: o.window,
    horizon: o.horizon,
    quantiles: o.quantiles ?? [],
    loss: o.loss,
    model: { cell: o.cell === 'gru' ? 'gru' : 'lstm', hiddenSize: o.hidden, numLayers: o.layers, dropout: o.dropout },
  });
  const record: ForecastRecord = {
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
    data: file.path,
    dataSha256: file.sha256,
    rows,
    trainRows,
    seconds: 0,
    best: null,
    plateau: null,
  };
  return { task, record, history: { train: [], valid: [], mape: [] }, rng: null, resumed: null };
}

/** `given`: the flags set on the command line (the others hold their defaults). */
export async function trainForecastCommand(o: TrainCommandOptions, given: ReadonlySet<string> = new Set()): Promise<void> {
  const ckptDir = join(o.out, 'checkpoint');
  const bestDir = join(o.out, 'best');
  const canResume = o.resume && resolveCheckpoint(ckptDir) !== null;
  if (o.resume && !canResume) console.log(`no checkpoint in ${ckptDir}; starting a new run`);
  if (o.cell === 'rnn') throw new ValueError("--cell rnn: a forecaster's cell is lstm or gru");
  let run: Run;
  let file: SeriesFile;
  if (canResume) {
    const loaded = loadForecast(ckptDir);
    const r = loaded.config.training;
    checkMissingState(loaded.checkpoint, r.step, false, { 'optimizer.safetensors': (step) => `Adam's moments would restart from zero at step ${step}` });
    run = { task: loaded.task, record: { ...r }, history: loaded.config.history, rng: loaded.config.rng, resumed: loaded };
    checkResumeFlags(o, given, run, loaded.checkpoint.dir);
    const configFile = join(loaded.checkpoint.dir, 'config.json');
    if (o.data === undefined)
      throw new ValueError(
        `--data: this run was trained with --data ${JSON.stringify(r.data)}; pass that file again (the path saved in ${configFile} is not opened)`,
      );
    file = readSeriesFile('--data', o.data, loaded.task.columns);
    if (file.sha256 !== r.dataSha256)
      throw new ValueError(
        `--data: ${o.data} has SHA-256 ${file.sha256}, but the run was trained on data with SHA-256 ${r.dataSha256} (${JSON.stringify(r.data)}, ${configFile}); pass the same file, or train into a new --out`,
      );
  } else {
    if (o.data === undefined) throw new ValueError('--task forecast needs --data FILE: a CSV file with a header, one row per time step');
    if (o.target === undefined) throw new ValueError('--task forecast needs --target COLUMN: the column of --data to forecast');
    file = readSeriesFile('--data', o.data, { target: o.target, covariates: covariateList(o.covariates), date: o.date ?? null });
    run = newRun(o, file);
  }
  const { task, record, history } = run;
  const trainPart = sliceSeries(file.series, 0, record.trainRows);
  const validPart = sliceSeries(file.series, record.trainRows, record.rows);
  const trainEncoded = task.encode(trainPart);
  const fullEncoded = task.encode(file.series);
  const trainEnds = task.windowEnds(trainEncoded);
  const validEnds = task.windowEnds(fullEncoded, record.trainRows);
  if (validEnds.length === 0)
    throw new ValueError(`--data: the held-out tail (${validPart.target.length} rows) is shorter than the horizon (${task.options.horizon}); give more rows`);
  const optimizer = new optim.Adam(task.model.parameters(), { lr: record.lr });
  if (run.resumed?.checkpoint.optimizer) optimizer.loadStateDict(run.resumed.checkpoint.optimizer);
  if (run.rng) setRngState(run.rng);

  const perEpoch = Math.ceil(trainEnds.length / record.batch);
  const maxTime = o.time;
  const epochs = o.epochs ?? (maxTime === undefined && o.steps === undefined ? DEFAULT_EPOCHS : undefined);
  const totalSteps = o.steps ?? (epochs !== undefined ? epochs * perEpoch : undefined);
  const plateau = record.lrSchedule === 'plateau' ? new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 1, minLr: record.lrMin }) : null;
  if (plateau && record.plateau) plateau.loadStateDict(record.plateau as optim.ScheduleStateDict);
  const cosine = record.lrSchedule === 'cosine' ? new BudgetCosineSchedule(optimizer, { lr: record.lr, etaMin: record.lrMin, totalSteps, maxTime }) : null;

  const n = (x: number): string => x.toLocaleString('en-US');
  const t = task.options;
  const m = task.modelOptions;
  const describe = `${m.cell.toUpperCase()} ${m.numLayers}×${m.hiddenSize} over a window of ${t.window}, horizon ${t.horizon}${t.quantiles.length > 0 ? `, quantiles ${t.quantiles.join(', ')}` : ''}, loss ${t.quantiles.length > 0 ? 'pinball' : t.loss}, ${n(task.model.numParameters())} parameters`;
  const features = [
    t.covariates.length > 0 ? `covariates ${t.covariates.join(', ')}` : null,
    t.date !== null ? `calendar features of '${t.date}'${t.holidays === 'us' ? ' with US federal holidays' : ''}` : null,
  ].filter(Boolean);
  console.log(`data: ${file.path}: ${n(record.rows)} rows of '${t.target}'${features.length > 0 ? `; ${features.join('; ')}` : ''}`);
  for (const c of [task.normalization.target, ...task.normalization.covariates]) {
    if (c.constant) console.warn(`warning: ${file.path}: column '${c.name}' is constant (${c.mean}) over the training rows; it is centred, not scaled`);
  }
  console.log(
    `validation: the last ${n(record.rows - record.trainRows)} rows (${Math.round(FORECAST_HELD_OUT * 100)}%) held out, from line ${validPart.lines[0]}; ${n(validEnds.length)} windows`,
  );
  console.log(`model: ${describe}`);
  console.log(`training: ${n(trainEnds.length)} windows, batch ${record.batch}, Adam lr ${record.lr} (${record.lrSchedule}), clip ${record.clip}`);
  const bounds = [
    maxTime !== undefined ? formatDuration(maxTime) : null,
    epochs !== undefined ? `${epochs} epoch(s)` : null,
    o.steps !== undefined ? `${o.steps} steps` : null,
  ];
  console.log(
    `run: ${run.resumed ? `resuming at step ${record.step}` : 'new'}, until ${bounds.filter(Boolean).join(' or ')}${record.patience > 0 ? ` or ${record.patience} validations without improvement` : ''}; ${n(perEpoch)} steps per epoch; output in ${o.out}`,
  );

  mkdirSync(o.out, { recursive: true });
  const progress = new ProgressDisplay({ totalSteps, maxTime, interval: o.logInterval, plain: o.plain, startStep: record.step, unit: 'window' });
  const startEpoch = record.epoch;
  const skip = record.batchInEpoch;
  let position = { epoch: startEpoch, batch: skip };
  const save = (dir: string, ctx: FitContext): void => {
    Object.assign(record, { step: ctx.step, epoch: ctx.epoch, batchInEpoch: ctx.epoch === position.epoch ? position.batch : 0 });
    record.plateau = plateau && Number.isFinite((plateau.stateDict() as { best?: number }).best) ? plateau.stateDict() : record.plateau;
    const config: ForecastRunConfig = { kind: FORECAST_KIND, task: task.toJSON(), training: record, rng: getRngState(), history };
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
    },
    onValidationEnd: (metrics, ctx) => {
      history.valid.push([ctx.step, metrics.loss]);
      const { metrics: scores } = task.evaluate(trainPart, validPart);
      history.mape.push([ctx.step, scores.mape]);
      progress.log(`  validation MAPE ${scores.mape.toFixed(3)}%, MAE ${scores.mae.toPrecision(4)} (one step ahead, ${n(scores.count)} rows)`);
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
  const result = fit<ForecastBatch>({
    model: task.model,
    optimizer,
    trainData: (epoch) => {
      const batches = task.batches(trainEncoded, trainEnds, { batchSize: record.batch, shuffle: true, seed: record.seed, epoch });
      return epoch === startEpoch ? batches.slice(skip) : batches;
    },
    validData: () => task.batches(fullEncoded, validEnds, { batchSize: 256 }),
    step: (batch, training) => task.step(batch, training),
    epochs,
    maxSteps: o.steps,
    maxTime,
    startStep: record.step,
    startEpoch,
    clipGradNorm: record.clip > 0 ? (p) => void optim.clipGradNorm(p, record.clip) : undefined,
    validateEvery: o.validateEvery > 0 ? o.validateEvery : undefined,
    callbacks: [new TerminateOnNaN(), ...(cosine ? [cosine] : []), progress, tracking, checkpoints],
  });
  await finishForecastRun({
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
    lastSaved: checkpoints.lastSaved?.step ?? null,
    resumed: run.resumed !== null,
    trainPart,
    validPart,
    nonFiniteExit: NON_FINITE_EXIT_CODE,
  });
}
