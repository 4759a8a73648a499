/** `recurrent eval`: held-out loss and bits per character of a checkpoint. */
import { charTokenize, evaluate, LmTask, ValueError } from 'recurrent';
import { loadCharModel } from '../char_model.js';
import { loadCorpus, splitHeldOut } from '../corpus.js';
import { describeHeldOut, heldOutStreams } from '../held_out.js';
import type { EvalCommandOptions } from '../program.js';

export function evalCommand(o: EvalCommandOptions): void {
  const { model, vocab, config } = loadCharModel(o.checkpoint);
  // A path saved in a checkpoint is never opened unasked: without --data, only the bundled corpus, and only if the run trained on it.
  if (o.data === undefined && config.training.data !== null) {
    throw new ValueError(
      `eval: the checkpoint was trained on ${JSON.stringify(config.training.data)}; pass --data FILE to evaluate on that text (or any other)`,
    );
  }
  const corpus = loadCorpus(o.data);
  const chars = charTokenize(corpus.text);
  const evalChars = o.all ? chars : splitHeldOut(chars, config.training.heldOut)[1];
  const unknown = evalChars.filter((c) => !vocab.has(c)).length;
  // The same streams as validation during training, unless --batch says otherwise.
  const held = heldOutStreams(evalChars, vocab, o.batch ?? config.training.batch);
  const task = new LmTask(model, vocab);
  const m = evaluate(model, held.windows(), (w, training) => task.step(w, training));
  const part = o.all ? 'all' : `the last ${Math.round(config.training.heldOut * 100)}%`;
  console.log(`data: ${corpus.source}, ${part}: ${describeHeldOut(evalChars.length, held)}${unknown ? ` (${unknown} outside the vocabulary)` : ''}`);
  console.log(`loss: ${m.loss.toFixed(4)} nats/char`);
  console.log(`bits per character: ${m.bitsPerChar.toFixed(4)}`);
  console.log(`perplexity: ${m.perplexity.toFixed(3)}`);
  console.log(`accuracy: ${((m.accuracy ?? NaN) * 100).toFixed(2)}%`);
}
