/** `recurrent eval`: held-out loss and bits per character of a checkpoint. */
import { charTokenize, evaluate, languageModelTask } from 'recurrent';
import { loadCharModel } from '../char_model.js';
import { loadCorpus, splitHeldOut } from '../corpus.js';
import { describeHeldOut, heldOutStreams } from '../held_out.js';
import type { EvalCommandOptions } from '../program.js';

export function evalCommand(o: EvalCommandOptions): void {
  const { model, vocab, config } = loadCharModel(o.checkpoint);
  const corpus = loadCorpus(o.data ?? config.training.data ?? undefined);
  const chars = charTokenize(corpus.text);
  const evalChars = o.all ? chars : splitHeldOut(chars, config.training.heldOut)[1];
  const unknown = evalChars.filter((c) => !vocab.has(c)).length;
  // The same streams as validation during training, unless --batch says otherwise.
  const held = heldOutStreams(evalChars, vocab, o.batch ?? config.training.batch);
  const task = languageModelTask(model);
  const m = evaluate(model, held.windows(), (w, training) => task.step(w, training));
  const part = o.all ? 'all' : `the last ${Math.round(config.training.heldOut * 100)}%`;
  console.log(`data: ${corpus.source}, ${part}: ${describeHeldOut(evalChars.length, held)}${unknown ? ` (${unknown} outside the vocabulary)` : ''}`);
  console.log(`loss: ${m.loss.toFixed(4)} nats/char`);
  console.log(`bits per character: ${m.bitsPerChar.toFixed(4)}`);
  console.log(`perplexity: ${m.perplexity.toFixed(3)}`);
  console.log(`accuracy: ${((m.accuracy ?? NaN) * 100).toFixed(2)}%`);
}
