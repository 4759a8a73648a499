/** The classify branches of `eval`, `predict` and `info`. */
import { join } from 'node:path';
import { type LabelledText, readLabelledText, RecurrentError, ValueError } from 'recurrent';
import { readFileBytes } from '../corpus.js';
import type { EvalCommandOptions, PredictCommandOptions } from '../program.js';
import type { LoadedClassify } from './run_config.js';

/** The labelled texts of --data, errors naming the flag, the file and the line. */
function readData(path: string): LabelledText[] {
  try {
    const data = readLabelledText(readFileBytes('--data', path), path);
    if (data.length === 0) throw new ValueError(`${path} holds no text<TAB>label lines`);
    return data;
  } catch (e) {
    if (e instanceof RecurrentError) throw new ValueError(`--data: ${e.message}`);
    throw e;
  }
}

/** Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix (printed, and drawn as PNG and SVG) of the texts of --data. */
export async function evalClassify(o: EvalCommandOptions, { task }: LoadedClassify): Promise<void> {
  if (o.data === undefined) throw new ValueError('eval: a classification checkpoint needs --data FILE of text<TAB>label lines (or .jsonl)');
  if (o.all) throw new ValueError('--all: applies to language models; a classification eval scores every text of --data');
  if (o.beam !== undefined) throw new ValueError('--beam: applies to seq2seq checkpoints; this one holds a text classifier');
  const data = readData(o.data);
  const { metrics, labels, unseenLabels } = task.evaluate(data, { batchSize: o.batch ?? 64 });
  const { writeConfusionPlot } = await import('./confusion_plot.js');
  const [png, svg] = await writeConfusionPlot(o.confusion ?? join(o.checkpoint, 'confusion_matrix'), labels, metrics.confusion, `Confusion matrix: ${o.data}`);
  if (unseenLabels.size > 0) {
    const list = [...unseenLabels].map(([l, c]) => `${JSON.stringify(l)} (${c} text${c === 1 ? '' : 's'})`).join(', ');
    console.warn(`warning: --data: labels the model was not trained on, counted as errors: ${list}`);
  }
  if (o.json) {
    console.log(
      JSON.stringify({
        accuracy: metrics.accuracy,
        macroF1: metrics.macroF1,
        count: metrics.count,
        labels,
        perClass: Object.fromEntries(
          labels.map((l, i) => {
            const s = metrics.perClass[i]!;
            return [l, { precision: s.precision, recall: s.recall, f1: s.f1, support: s.support }];
          }),
        ),
        confusion: metrics.confusion,
        unseenLabels: Object.fromEntries(unseenLabels),
      }),
    );
    console.warn(`confusion matrix: ${png}, ${svg}`);
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  console.log(`data: ${o.data}: ${data.length.toLocaleString('en-US')} texts, ${labels.length} labels`);
  console.log(`accuracy: ${pct(metrics.accuracy)}`);
  console.log(`macro-F1: ${metrics.macroF1.toFixed(4)}`);
  const width = Math.max(5, ...labels.map((l) => l.length));
  console.log(`${'label'.padEnd(width)}  precision  recall  F1      support`);
  labels.forEach((l, i) => {
    const s = metrics.perClass[i]!;
    console.log(
      `${l.padEnd(width)}  ${s.precision.toFixed(4).padStart(9)}  ${s.recall.toFixed(4).padStart(6)}  ${s.f1.toFixed(4)}  ${String(s.support).padStart(7)}`,
    );
  });
  console.log(`confusion matrix (rows: true label; columns: predicted, in the order above):`);
  for (const [i, row] of metrics.confusion.entries()) console.log(`${labels[i]!.padEnd(width)}  ${row.join(' ')}`);
  console.log(`confusion matrix plot: ${png}, ${svg}`);
}

/** One line per input: the label and its probability, separated by a tab. */
export function predictClassify(o: PredictCommandOptions, { task }: LoadedClassify, inputs: readonly string[]): void {
  if (o.attention !== undefined) throw new ValueError('--attention: applies to seq2seq checkpoints; this one holds a text classifier');
  const predictions = task.predict(inputs, { batchSize: o.batch });
  const unknown = [...new Set(predictions.flatMap((p) => p.unknownTokens))];
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).map((t) => JSON.stringify(t));
    console.warn(
      `warning: ${unknown.length} input token(s) outside the model's vocabulary are read as <unk>: ${shown.join(', ')}${unknown.length > 10 ? ', …' : ''}`,
    );
  }
  for (const p of predictions) console.log(`${p.label}\t${p.probability.toFixed(4)}`);
}

export function infoClassify({ task, config }: LoadedClassify): void {
  const m = task.modelOptions;
  const t = config.training;
  console.log(
    `model: text classifier, ${m.bidirectional ? 'bidirectional ' : ''}${m.cell.toUpperCase()} ${m.numLayers} layer(s) × ${m.hiddenSize}, embedding ${m.embeddingDim}, ${m.pooling} pooling, dropout ${m.dropout}`,
  );
  console.log(
    `vocabulary: ${task.vocab.size} ${task.options.tokens} tokens (min count ${task.options.minCount}${task.options.lowercase ? ', lower-cased' : ''}); texts cut to ${task.options.maxTokens} tokens`,
  );
  console.log(`labels (${task.labels.length}): ${task.labels.join(', ')}${task.weights ? ' (balanced class weights)' : ''}`);
  console.log(`trained: ${t.step} steps (epoch ${t.epoch}) on ${t.data}, batch ${t.batch}, lr ${t.lr} (${t.lrSchedule}), seed ${t.seed}`);
  if (t.best) console.log(`best validation loss: ${t.best.loss.toFixed(4)} nats/text at step ${t.best.step}`);
}
