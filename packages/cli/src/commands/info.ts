/** `recurrent info`: what a checkpoint holds. */
import type { nn } from 'recurrent';
import type { InfoCommandOptions } from '../program.js';
import { loadRun } from '../run_kind.js';
import { infoForecast } from '../forecast/forecast_commands.js';
import { infoClassify } from '../classify/commands.js';

const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

export function infoCommand(o: InfoCommandOptions): void {
  const run = loadRun(o.checkpoint);
  if (run.kind === 'tag') {
    const { task, config } = run.tag;
    const m = task.modelOptions;
    const t = config.training;
    console.log(
      `model: sequence tagger, word embedding ${m.wordEmbeddingDim}${m.chars ? `, character BiLSTM 2×${m.charHiddenSize} over embeddings of ${m.charEmbeddingDim}` : ''}, BiLSTM ${m.numLayers} layer(s) × 2×${m.hiddenSize}, ${m.crf ? `CRF output${m.constraints ? ` constrained by ${task.scheme}` : ''}` : 'softmax output'}, dropout ${m.dropout}`,
    );
    console.log(`vocabularies: ${task.wordVocab.size} words${task.options.lowercase ? ' (lower-cased)' : ''}, ${task.charVocab.size} characters`);
    console.log(`tags (${task.tags.length}${task.scheme ? `, ${task.scheme}` : ''}): ${task.tags.join(' ')}`);
    console.log(`trained: ${t.step} steps (epoch ${t.epoch}) on ${t.data}, batch ${t.batch}, lr ${t.lr} (${t.lrSchedule}), seed ${t.seed}`);
    if (t.best) console.log(`best validation loss: ${t.best.loss.toFixed(4)} nats/token at step ${t.best.step}`);
    const last = config.history.accuracy.at(-1);
    if (last) console.log(`last validation token accuracy: ${(last[1] * 100).toFixed(2)}% at step ${last[0]}`);
    printParameters(task.model);
    return;
  }
  if (run.kind === 'forecast') {
    infoForecast(run.forecast);
    printParameters(run.forecast.task.model);
    return;
  }
  if (run.kind === 'classify') {
    infoClassify(run.classify);
    printParameters(run.classify.task.model);
    return;
  }
  if (run.kind === 'seq2seq') {
    const { task, config } = run.seq2seq;
    const m = task.modelOptions;
    const t = config.training;
    console.log(
      `model: sequence to sequence, ${m.bidirectional ? 'bidirectional ' : ''}${m.cell.toUpperCase()} encoder ${m.encoderLayers} layer(s) × ${m.hiddenSize}, decoder ${m.decoderLayers} layer(s), ${m.style} attention '${m.attention}'${m.inputFeeding ? ' with input feeding' : ''}, embedding ${m.embeddingDim}, dropout ${m.dropout}`,
    );
    console.log(
      `vocabularies: ${task.sourceVocab.size} source ${task.options.sourceTokens} tokens, ${task.targetVocab.size} target ${task.options.targetTokens} tokens`,
    );
    console.log(`trained: ${t.step} steps (epoch ${t.epoch}) on ${t.data}, batch ${t.batch}, lr ${t.lr} (${t.lrSchedule}), seed ${t.seed}`);
    if (t.best) console.log(`best validation loss: ${t.best.loss.toFixed(4)} nats/token at step ${t.best.step}`);
    printParameters(task.model);
    return;
  }
  const { model, vocab, config } = run.lm;
  const m = model.options;
  const t = config.training;
  console.log(
    `model: character-level language model, ${m.cell.toUpperCase()} ${m.numLayers} layer(s) × ${m.hiddenSize} hidden, embedding ${m.embeddingDim}, dropout ${m.dropout}`,
  );
  console.log(`vocabulary: ${vocab.size} symbols`);
  console.log(`trained: ${t.step} steps (epoch ${t.epoch}, window ${t.window}) on ${t.source}, batch ${t.batch}×${t.seqLen}, lr ${t.lr}, seed ${t.seed}`);
  const last = config.history.valid.at(-1);
  if (last) console.log(`last held-out: ${last[1].toFixed(4)} bits/char at step ${last[0]}`);
  printParameters(model);
}

function printParameters(model: nn.Module): void {
  console.log('parameters:');
  const rows = model.namedParameters().map(([name, p]) => [name, fmtShape(p.shape), p.size.toLocaleString('en-US')] as const);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, shape, count] of rows) console.log(`  ${name.padEnd(width)}  ${shape.padEnd(12)}  ${count.padStart(10)}`);
  console.log(`total: ${model.numParameters().toLocaleString('en-US')} parameters`);
}
