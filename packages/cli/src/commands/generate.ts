/** `recurrent generate`: sample text from a trained character model. */
import { generateText, manualSeed } from 'recurrent';
import { loadCharModel } from '../char_model.js';
import type { GenerateCommandOptions } from '../program.js';

export function generateCommand(o: GenerateCommandOptions): void {
  const { model, vocab } = loadCharModel(o.checkpoint);
  if (o.seed !== undefined) manualSeed(o.seed);
  const text = generateText(model, vocab, { prime: o.prime, length: o.length, temperature: o.temperature, topK: o.topK, topP: o.topP });
  process.stdout.write(`${o.prime}${text}\n`);
}
