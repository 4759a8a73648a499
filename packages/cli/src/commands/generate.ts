/** `recurrent generate`: sample text from a trained character model. */
import { generateText, manualSeed, ValueError } from 'recurrent';
import type { GenerateCommandOptions } from '../program.js';
import { loadRun } from '../run_kind.js';

export function generateCommand(o: GenerateCommandOptions): void {
  const run = loadRun(o.checkpoint);
  if (run.kind === 'tag') throw new ValueError(`generate: ${o.checkpoint} holds a tagger, which tags an input: use predict --input TEXT`);
  if (run.kind === 'forecast')
    throw new ValueError(`generate: ${o.checkpoint} holds a forecaster, which forecasts after a series: use predict --data FILE.csv`);
  if (run.kind === 'classify') throw new ValueError(`generate: ${o.checkpoint} holds a text classifier, which labels texts: use predict --input TEXT`);
  if (run.kind !== 'lm') throw new ValueError(`generate: ${o.checkpoint} holds a seq2seq model, which generates from an input: use predict --input TEXT`);
  const { model, vocab } = run.lm;
  if (o.seed !== undefined) manualSeed(o.seed);
  const text = generateText(model, vocab, { prime: o.prime, length: o.length, temperature: o.temperature, topK: o.topK, topP: o.topP });
  process.stdout.write(`${o.prime}${text}\n`);
}
