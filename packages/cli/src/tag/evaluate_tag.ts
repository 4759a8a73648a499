/** `recurrent eval` with a tagging checkpoint: token accuracy, accuracy on unseen words and, for BIO/BIOES tags, span F1. */
import { ValueError } from 'recurrent/node';
import type { EvalCommandOptions } from '../program.js';
import { readConllFile } from './conll_file.js';
import type { LoadedTag } from './run_config.js';

export function evalTag(o: EvalCommandOptions, { task }: LoadedTag): void {
  if (o.data === undefined) throw new ValueError('eval: a tagging checkpoint needs --data FILE of CoNLL token<TAB>tag sentences');
  if (o.all) throw new ValueError('--all: applies to language models; a tagging eval scores every sentence of --data');
  if (o.beam !== undefined) throw new ValueError('--beam: applies to seq2seq checkpoints; this one holds a tagger');
  const { sentences } = readConllFile('--data', o.data, task.options.maxSentenceLength);
  const { metrics, unknownTags } = task.evaluate(sentences, { batchSize: o.batch ?? 64 });
  const unknown = [...unknownTags].map(([tag, count]) => `${tag} (${count})`);
  if (unknown.length > 0) console.warn(`warning: ${o.data}: tags the model was not trained on, counted wrong: ${unknown.join(', ')}`);
  const span = metrics.span;
  if (o.json) {
    console.log(
      JSON.stringify({
        accuracy: metrics.accuracy,
        ...(span ? { spanF1: span.f1, spanPrecision: span.precision, spanRecall: span.recall } : {}),
        unseenAccuracy: metrics.unseenAccuracy,
        tokens: metrics.tokens,
        unseenTokens: metrics.unseenTokens,
        sentences: sentences.length,
        unknownTags: Object.fromEntries(unknownTags),
        ...(span
          ? {
              perType: Object.fromEntries(
                Object.entries(span.perType).map(([type, s]) => [type, { precision: s.precision, recall: s.recall, f1: s.f1, gold: s.gold }]),
              ),
            }
          : {}),
      }),
    );
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const n = (x: number): string => x.toLocaleString('en-US');
  console.log(`data: ${o.data}: ${n(sentences.length)} sentences, ${n(metrics.tokens)} tokens`);
  console.log(`token accuracy: ${pct(metrics.accuracy)}`);
  console.log(`unseen words: ${metrics.unseenAccuracy === null ? 'none' : `${pct(metrics.unseenAccuracy)} of ${n(metrics.unseenTokens)} tokens`}`);
  if (span) {
    console.log(`spans (${task.scheme}, conlleval): precision ${pct(span.precision)}, recall ${pct(span.recall)}, F1 ${(span.f1 * 100).toFixed(2)}`);
    for (const [type, s] of Object.entries(span.perType))
      console.log(`  ${type.padEnd(12)} precision ${pct(s.precision)}, recall ${pct(s.recall)}, F1 ${(s.f1 * 100).toFixed(2)} (${s.gold} spans)`);
  }
}
