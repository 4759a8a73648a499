/** The end of a forecasting run: what it says, the report with its curves and the validation forecast against actual, or why nothing was saved. */
import { join } from 'node:path';
import type { FitResult, ForecastTask, TimeSeries } from 'recurrent';
import { formatDuration } from '../duration.js';
import type { TrainCommandOptions } from '../program.js';
import type { ForecastHistory, ForecastRecord } from './run_config.js';

export interface FinishedForecastRun {
  o: TrainCommandOptions;
  task: ForecastTask;
  record: ForecastRecord;
  history: ForecastHistory;
  result: FitResult;
  startStep: number;
  startSeconds: number;
  ckptDir: string;
  bestDir: string;
  describe: string;
  /** The step of the last checkpoint this run wrote, or null. */
  lastSaved: number | null;
  resumed: boolean;
  trainPart: TimeSeries;
  validPart: TimeSeries;
  nonFiniteExit: number;
}

export async function finishForecastRun(f: FinishedForecastRun): Promise<void> {
  const { o, task, record, history, result } = f;
  if (result.steps === f.startStep) {
    console.log(`\nnothing to train: the run already took ${f.startStep} steps (${result.stoppedBecause}); the checkpoint is unchanged: ${f.ckptDir}`);
    return;
  }
  if (result.stop.kind === 'non-finite') {
    const lastGood = f.lastSaved ?? (f.resumed ? f.startStep : null);
    console.log(`\nstopped: ${result.stoppedBecause}`);
    console.log(
      lastGood === null
        ? 'the state at the stop is not saved; no checkpoint was written before it'
        : `the state at the stop is not saved; the last good checkpoint, step ${lastGood}, is ${f.ckptDir}`,
    );
    process.exitCode = f.nonFiniteExit;
    return;
  }
  const valid = result.lastValidation;
  const best = record.best;
  console.log(`\nstopped: ${result.stoppedBecause} at step ${result.steps}, after ${formatDuration(record.seconds - f.startSeconds)} in this run`);
  // The figures of the report are those of the model as it ends, on the held-out tail.
  const { metrics, rows } = task.evaluate(f.trainPart, f.validPart);
  const cover =
    metrics.coverage === undefined ? '' : `, coverage ${(metrics.coverage * 100).toFixed(1)}% (nominal ${(metrics.nominalCoverage! * 100).toFixed(0)}%)`;
  const scores = `MAPE ${metrics.mape.toFixed(3)}%, MAE ${metrics.mae.toPrecision(5)}, RMSE ${metrics.rmse.toPrecision(5)}${cover}`;
  if (valid) console.log(`validation: loss ${valid.loss.toFixed(4)}; one step ahead: ${scores}`);
  if (best) console.log(`best validation loss ${best.loss.toFixed(4)} at step ${best.step}: ${f.bestDir}`);
  // Loaded only now: vega and resvg take a second or more to import.
  const { writeReport } = await import('../report.js');
  const { forecastSvg } = await import('./forecast_plot.js');
  const target = task.options.target;
  await writeReport(
    o.out,
    [...history.train.map(([step, v]) => ({ step, split: 'train', value: v })), ...history.valid.map(([step, v]) => ({ step, split: 'validation', value: v }))],
    {
      title: `Forecasting '${target}' of ${record.data}`,
      measure: task.options.quantiles.length > 0 ? 'pinball loss (normalised)' : `${task.options.loss} (normalised)`,
      rows: [
        ['steps', String(result.steps)],
        ['stopped', result.stoppedBecause],
        ['training time', formatDuration(record.seconds)],
        ['validation (last checkpoint, one step ahead)', scores],
        ['best checkpoint', best ? `step ${best.step}, loss ${best.loss.toFixed(4)}` : 'none'],
        ['model', f.describe],
        ['training', `batch ${record.batch}, Adam lr ${record.lr} (${record.lrSchedule}), clip ${record.clip}, seed ${record.seed}`],
      ],
      samples: [],
      figures: [{ title: 'Validation: forecast one step ahead against actual', svg: await forecastSvg(rows, `'${target}', held-out tail`, target) }],
    },
  );
  console.log(
    `checkpoint: ${f.ckptDir}\nloss curves: ${join(o.out, 'loss_curve.svg')}, ${join(o.out, 'loss_curve.png')}\nreport: ${join(o.out, 'report.html')}`,
  );
}
