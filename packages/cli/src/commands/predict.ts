/** `recurrent predict`: a trained model's output for an input — a seq2seq translation (n-best, attention heatmap), a classifier's label with its probability, a language model's continuation, or a forecaster's next steps. */
import { generateText, manualSeed, type Translation, ValueError } from 'recurrent';
import { readTextFile } from '../corpus.js';
import type { PredictCommandOptions } from '../program.js';
import { loadRun } from '../run_kind.js';
import { predictTags } from '../tag/predict_tags.js';
import { predictForecast } from '../forecast/forecast_commands.js';
import { predictClassify } from '../classify/commands.js';

/** The sources of --input or --data (one per non-blank line). */
function inputs(o: PredictCommandOptions): string[] {
  if ((o.input === undefined) === (o.data === undefined))
    throw new ValueError('predict: give --input TEXT or --data FILE (one input per line), not both or neither');
  if (o.input !== undefined) return [o.input];
  const lines = readTextFile('--data', o.data!)
    .text.split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new ValueError(`--data: ${o.data} holds no input lines`);
  return lines;
}

export async function predictCommand(o: PredictCommandOptions): Promise<void> {
  const run = loadRun(o.checkpoint);
  if (run.kind === 'forecast') return predictForecast(o, run.forecast);
  const sources = inputs(o);
  if (run.kind === 'classify') return predictClassify(o, run.classify, sources);
  if (run.kind === 'lm') {
    if (o.attention !== undefined) throw new ValueError('--attention: a language model has no attention; it applies to seq2seq checkpoints');
    const { model, vocab } = run.lm;
    if (o.seed !== undefined) manualSeed(o.seed);
    for (const prime of sources) process.stdout.write(`${prime}${generateText(model, vocab, { prime, length: o.length, temperature: 0.8 })}\n`);
    return;
  }
  if (run.kind === 'tag') return predictTags(o, run.tag.task, sources);
  const { task } = run.seq2seq;
  if (o.nbest > o.beam) throw new ValueError(`--nbest (${o.nbest}) must be at most --beam (${o.beam})`);
  const lists = task.translate(sources, { beamSize: o.beam, nBest: o.nbest, lengthPenalty: o.lengthPenalty, maxLength: o.maxLength, batchSize: o.batch });
  const unknown = [...new Set(lists.flatMap((l) => l[0]?.unknownTokens ?? []))];
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).map((t) => JSON.stringify(t));
    console.warn(
      `warning: ${unknown.length} input token(s) outside the model's vocabulary are read as <unk>: ${shown.join(', ')}${unknown.length > 10 ? ', …' : ''}`,
    );
  }
  sources.forEach((source, i) => {
    const list = lists[i]!;
    if (o.nbest === 1) return void console.log(list[0]?.text ?? '');
    console.log(`${source}`);
    list.forEach((t: Translation, rank) =>
      console.log(`  ${rank + 1}. ${t.text}  (log p ${t.logProb.toFixed(3)}${t.finished ? '' : ', cut at --max-length'})`),
    );
  });
  if (o.attention !== undefined) {
    const best = lists[0]![0];
    if (!best) throw new ValueError('--attention: the first input has no output to plot');
    const { writeAttentionPlot } = await import('../seq2seq/attention_plot.js');
    const [png, svg] = await writeAttentionPlot(o.attention, best.sourceTokens, best.tokens, best.attention, `${sources[0]} → ${best.text}`);
    console.warn(`attention of ${JSON.stringify(sources[0])}: ${png}, ${svg}`);
  }
}
