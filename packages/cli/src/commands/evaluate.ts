/** `recurrent eval`: held-out loss and bits per character of a checkpoint. */
import { charTokenize, evaluate, languageModelTask, toStreams, windows } from 'recurrent';
import { loadCharModel } from '../char_model.js';
import { loadCorpus, splitHeldOut } from '../corpus.js';
import type { EvalCommandOptions } from '../program.js';

export function evalCommand(o: EvalCommandOptions): void {
  const { model, vocab, config } = loadCharModel(o.checkpoint);
  const corpus = loadCorpus(o.data ?? config.training.data ?? undefined);
  const chars = charTokenize(corpus.text);
  const evalChars = o.all ? chars : splitHeldOut(chars, config.training.heldOut)[1];
  const unknown = evalChars.filter((c) => !vocab.has(c)).length;
  const batch = Math.max(1, Math.min(o.batch, Math.floor(evalChars.length / 201)));
  const { streams, steps } = toStreams(vocab.encode(evalChars), batch);
  const task = languageModelTask(model);
  const m = evaluate(model, windows(streams, steps, batch, 200), (w, training) => task.step(w, training));
  console.log(`data: ${corpus.source}, ${o.all ? 'all' : `the last ${Math.round(config.training.heldOut * 100)}%`}: ${m.count.toLocaleString('en-US')} characters scored${unknown ? ` (${unknown} outside the vocabulary)` : ''}`);
  console.log(`loss: ${m.loss.toFixed(4)} nats/char`);
  console.log(`bits per character: ${m.bitsPerChar.toFixed(4)}`);
  console.log(`perplexity: ${m.perplexity.toFixed(3)}`);
  console.log(`accuracy: ${((m.accuracy ?? NaN) * 100).toFixed(2)}%`);
}
