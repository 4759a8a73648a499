/** The end of a seq2seq run: what it says, the report with its curves and an attention heatmap, or why nothing was saved. */
import { join } from 'node:path';
import type { FitResult, Seq2SeqTask, TextPair } from 'recurrent';
import { formatDuration } from '../duration.js';
import type { TrainCommandOptions } from '../program.js';
import type { Seq2SeqHistory, Seq2SeqRecord } from './run_config.js';

export interface FinishedSeq2SeqRun {
  o: TrainCommandOptions;
  task: Seq2SeqTask;
  record: Seq2SeqRecord;
  history: Seq2SeqHistory;
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
  validPairs: readonly TextPair[];
  nonFiniteExit: number;
}

export async function finishSeq2SeqRun(f: FinishedSeq2SeqRun): Promise<void> {
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
  if (valid) console.log(`validation: loss ${valid.loss.toFixed(4)} nats/token, token accuracy ${((valid.accuracy ?? NaN) * 100).toFixed(1)}%`);
  const lastMatch = history.exactMatch.at(-1);
  if (lastMatch) console.log(`validation exact match (greedy, up to 500 sources): ${(lastMatch[1] * 100).toFixed(1)}%`);
  if (best) console.log(`best validation loss ${best.loss.toFixed(4)} at step ${best.step}: ${f.bestDir}`);
  const shown = f.validPairs.slice(0, 1);
  const [example] = shown.length > 0 ? task.translate([shown[0]!.source], { beamSize: 5 }) : [];
  const translation = example?.[0];
  if (translation) console.log(`--- a validation example (beam 5) ---\n${shown[0]!.source} → ${translation.text}   (reference: ${shown[0]!.target})\n---`);
  // Loaded only now: vega and resvg take a second or more to import.
  const { writeReport } = await import('../report.js');
  const { attentionSvg } = await import('./attention_plot.js');
  const figures = [];
  if (history.exactMatch.length > 0) {
    const { specToSvg, REPORT_FONT } = await import('../report.js');
    figures.push({
      title: 'Validation exact match',
      svg: await specToSvg({
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 640,
        height: 200,
        data: { values: history.exactMatch.map(([step, value]) => ({ step, value })) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
          y: { field: 'value', type: 'quantitative', title: 'exact match (greedy)', axis: { format: '%' } },
        },
        config: { font: REPORT_FONT, background: 'white' },
      }),
    });
  }
  if (translation && translation.attention.length > 0) {
    figures.push({
      title: 'Attention of a validation example',
      svg: await attentionSvg(translation.sourceTokens, translation.tokens, translation.attention, shown[0]!.source),
    });
  }
  await writeReport(
    o.out,
    [
      ...history.train.map(([step, v]) => ({ step, split: 'train (label-smoothed)', value: v })),
      ...history.valid.map(([step, v]) => ({ step, split: 'validation', value: v })),
    ],
    {
      title: `Sequence to sequence on ${record.data}`,
      measure: 'nats per target token',
      rows: [
        ['steps', String(result.steps)],
        ['stopped', result.stoppedBecause],
        ['training time', formatDuration(record.seconds)],
        ['validation loss', valid ? `${valid.loss.toFixed(4)} nats/token` : 'not measured'],
        ['validation exact match (greedy)', lastMatch ? `${(lastMatch[1] * 100).toFixed(1)}%` : 'not measured'],
        ['best checkpoint', best ? `step ${best.step}, loss ${best.loss.toFixed(4)}` : 'none'],
        ['model', f.describe],
        [
          'training',
          `batch ${record.batch}, Adam lr ${record.lr} (${record.lrSchedule}), clip ${record.clip}, label smoothing ${task.options.labelSmoothing}, seed ${record.seed}`,
        ],
      ],
      samples: f.samples.slice(-5),
      figures,
    },
  );
  console.log(
    `checkpoint: ${f.ckptDir}\nloss curves: ${join(o.out, 'loss_curve.svg')}, ${join(o.out, 'loss_curve.png')}\nreport: ${join(o.out, 'report.html')}`,
  );
}
