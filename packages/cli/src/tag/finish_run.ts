/** The end of a tagging run: what it says, the report with its loss and accuracy curves, or why nothing was saved. */
import { join } from 'node:path';
import type { FitResult, TagTask } from 'recurrent';
import { formatDuration } from '../duration.js';
import type { TrainCommandOptions } from '../program.js';
import type { TagHistory, TagRecord } from './run_config.js';

export interface FinishedTagRun {
  o: TrainCommandOptions;
  task: TagTask;
  record: TagRecord;
  history: TagHistory;
  result: FitResult;
  startStep: number;
  startSeconds: number;
  ckptDir: string;
  bestDir: string;
  describe: string;
  samples: string[];
  /** The step of the last checkpoint this run wrote, or null. */
  lastSaved: number | null;
  resumed: boolean;
  nonFiniteExit: number;
}

export async function finishTagRun(f: FinishedTagRun): Promise<void> {
  const { o, record, history, result } = f;
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
  const accuracy = history.accuracy.at(-1);
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  console.log(`\nstopped: ${result.stoppedBecause} at step ${result.steps}, after ${formatDuration(record.seconds - f.startSeconds)} in this run`);
  if (valid) console.log(`validation: loss ${valid.loss.toFixed(4)} nats/token${accuracy ? `, token accuracy ${pct(accuracy[1])}` : ''}`);
  if (best) console.log(`best validation loss ${best.loss.toFixed(4)} at step ${best.step}: ${f.bestDir}`);
  // Loaded only now: vega and resvg take a second or more to import.
  const { writeReport, specToSvg, REPORT_FONT } = await import('../report.js');
  const figures = [];
  if (history.accuracy.length > 0) {
    figures.push({
      title: 'Validation token accuracy',
      svg: await specToSvg({
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 640,
        height: 200,
        data: { values: history.accuracy.map(([step, value]) => ({ step, value })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
          y: { field: 'value', type: 'quantitative', title: 'token accuracy', axis: { format: '%' }, scale: { zero: false } },
        },
        config: { font: REPORT_FONT, background: 'white' },
      }),
    });
  }
  await writeReport(
    o.out,
    [...history.train.map(([step, v]) => ({ step, split: 'train', value: v })), ...history.valid.map(([step, v]) => ({ step, split: 'validation', value: v }))],
    {
      title: `Sequence tagging on ${record.data}`,
      measure: 'nats per token',
      rows: [
        ['steps', String(result.steps)],
        ['stopped', result.stoppedBecause],
        ['training time', formatDuration(record.seconds)],
        ['validation loss', valid ? `${valid.loss.toFixed(4)} nats/token` : 'not measured'],
        ['validation token accuracy', accuracy ? pct(accuracy[1]) : 'not measured'],
        ['best checkpoint', best ? `step ${best.step}, loss ${best.loss.toFixed(4)}` : 'none'],
        ['tags', `${f.task.tags.length}${f.task.scheme ? ` (${f.task.scheme})` : ''}: ${f.task.tags.slice(0, 30).join(' ')}`],
        ['model', f.describe],
        ['training', `batch ${record.batch}, Adam lr ${record.lr} (${record.lrSchedule}), clip ${record.clip}, seed ${record.seed}`],
      ],
      samples: f.samples.slice(-5),
      figures,
    },
  );
  console.log(
    `checkpoint: ${f.ckptDir}\nloss curves: ${join(o.out, 'loss_curve.svg')}, ${join(o.out, 'loss_curve.png')}\nreport: ${join(o.out, 'report.html')}`,
  );
}
