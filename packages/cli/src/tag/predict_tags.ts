/** `recurrent predict` with a tagging checkpoint: the tags of each input sentence. */
import { type TagTask, ValueError, wordTokenize } from 'recurrent/node';
import type { PredictCommandOptions } from '../program.js';
import { readConllFile } from './conll_file.js';

/**
 * Tags `sources` (the lines of --input or --data, split into words and punctuation) and prints each
 * as `token/TAG token/TAG …`. A --data file in the CoNLL layout (its lines hold tabs) is tagged
 * token by token instead, and printed in that layout: token<TAB>tag, a blank line between sentences.
 */
export function predictTags(o: PredictCommandOptions, task: TagTask, sources: readonly string[]): void {
  if (o.attention !== undefined) throw new ValueError('--attention: applies to seq2seq checkpoints; this one holds a tagger');
  if (o.data !== undefined && sources.some((line) => line.includes('\t'))) {
    const { sentences } = readConllFile('--data', o.data, task.options.maxSentenceLength);
    const tags = task.predict(
      sentences.map((s) => s.tokens),
      { batchSize: o.batch },
    );
    console.log(sentences.map((s, i) => s.tokens.map((w, t) => `${w}\t${tags[i]![t]}`).join('\n')).join('\n\n'));
    return;
  }
  const tokens = sources.map((text, i) => {
    const words = wordTokenize(text);
    if (words.length === 0) throw new ValueError(`predict: input ${i + 1} has no words: ${JSON.stringify(text)}`);
    return words;
  });
  const tags = task.predict(tokens, { batchSize: o.batch });
  tokens.forEach((words, i) => console.log(words.map((w, t) => `${w}/${tags[i]![t]}`).join(' ')));
}
