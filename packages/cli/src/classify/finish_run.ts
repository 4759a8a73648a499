/** The end of a classification run: what it says, the report with its curves and the validation confusion matrix, or why nothing was saved. */
import { join } from 'node:path';
import type { ClassifyTask, FitResult, LabelledText } from 'recurrent';
import { formatDuration } from '../duration.js';
import type { TrainCommandOptions } from '../program.js';
import type { ClassifyHistory, ClassifyRecord } from './run_config.js';

export interface FinishedClassifyRun {
  o: TrainCommandOptions;
  task: ClassifyTask;
  record: ClassifyRecord;
  history: ClassifyHistory;
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
  validData: readonly LabelledText[];
  nonFiniteExit: number;
}

export async function finishClassifyRun(f: FinishedClassifyRun): Promise<void> {
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
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  console.log(`\nstopped: ${result.stoppedBecause} at step ${result.steps}, after ${formatDuration(record.seconds - f.startSeconds)} in this run`);
  if (valid) console.log(`validation: loss ${valid.loss.toFixed(4)} nats/text, accuracy ${pct(valid.accuracy ?? NaN)}`);
  if (best) console.log(`best validation loss ${best.loss.toFixed(4)} at step ${best.step}: ${f.bestDir}`);
  // The confusion matrix of the validation texts, with the parameters as they are at the end of this run.
  const { metrics, labels } = task.evaluate(f.validData);
  console.log(`validation (final parameters): accuracy ${pct(metrics.accuracy)}, macro-F1 ${metrics.macroF1.toFixed(4)}`);
  // Loaded only now: vega and resvg take a second or more to import.
  const { writeReport, specToSvg, REPORT_FONT } = await import('../report.js');
  const { confusionSvg } = await import('./confusion_plot.js');
  const figures = [];
  if (history.accuracy.length > 0) {
    figures.push({
      title: 'Validation accuracy',
      svg: await specToSvg({
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 640,
        height: 200,
        data: { values: history.accuracy.map(([step, value]) => ({ step, value })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
          y: { field: 'value', type: 'quantitative', title: 'accuracy', axis: { format: '%' } },
        },
        config: { font: REPORT_FONT, background: 'white' },
      }),
    });
  }
  figures.push({ title: 'Confusion matrix of the validation texts', svg: await confusionSvg(labels, metrics.confusion, 'validation') });
  await writeReport(
    o.out,
    [...history.train.map(([step, v]) => ({ step, split: 'train', value: v })), ...history.valid.map(([step, v]) => ({ step, split: 'validation', value: v }))],
    {
      title: `Text classification on ${record.data}`,
      measure: 'nats per text',
      rows: [
        ['steps', String(result.steps)],
        ['stopped', result.stoppedBecause],
        ['training time', formatDuration(record.seconds)],
        ['validation loss', valid ? `${valid.loss.toFixed(4)} nats/text` : 'not measured'],
        ['validation accuracy', pct(metrics.accuracy)],
        ['validation macro-F1', metrics.macroF1.toFixed(4)],
        ['best checkpoint', best ? `step ${best.step}, loss ${best.loss.toFixed(4)}` : 'none'],
        ['model', f.describe],
        ['labels', task.labels.join(', ')],
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
