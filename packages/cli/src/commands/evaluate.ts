/** `recurrent eval`: a checkpoint's metrics on held-out data — a language model's loss and bits per character, a seq2seq model's exact match, error rates and BLEU, a classifier's accuracy, F1 and confusion matrix, a forecaster's MAPE, MAE and RMSE. */
import { charTokenize, evaluate, LmTask, parsePairs, ValueError } from 'recurrent';
import type { LoadedModel } from '../char_model.js';
import { loadCorpus, readTextFile, splitHeldOut } from '../corpus.js';
import { describeHeldOut, heldOutStreams } from '../held_out.js';
import type { EvalCommandOptions } from '../program.js';
import { loadRun } from '../run_kind.js';
import { evalClassify } from '../classify/commands.js';
import type { LoadedSeq2Seq } from '../seq2seq/run_config.js';
import { evalTag } from '../tag/evaluate_tag.js';
import { evalForecast } from '../forecast/forecast_commands.js';

export async function evalCommand(o: EvalCommandOptions): Promise<void> {
  const run = loadRun(o.checkpoint);
  if (run.kind === 'forecast') return evalForecast(o, run.forecast);
  for (const [flag, value] of [
    ['--history', o.history],
    ['--plot', o.plot],
  ] as const)
    if (value !== undefined)
      throw new ValueError(`${flag}: applies to forecasting checkpoints; this one holds a ${run.kind === 'lm' ? 'language' : run.kind} model`);
  if (run.kind === 'classify') return evalClassify(o, run.classify);
  if (o.confusion !== undefined) throw new ValueError('--confusion: applies to classify checkpoints');
  if (run.kind === 'seq2seq') return evalSeq2Seq(o, run.seq2seq);
  if (run.kind === 'tag') return evalTag(o, run.tag);
  if (o.beam !== undefined) throw new ValueError('--beam: applies to seq2seq checkpoints; this one holds a language model');
  evalLanguageModel(o, run.lm);
}

/** Exact match, CER, TER and (word targets) BLEU of the pairs of --data, decoded with --beam. */
function evalSeq2Seq(o: EvalCommandOptions, { task }: LoadedSeq2Seq): void {
  if (o.data === undefined) throw new ValueError('eval: a seq2seq checkpoint needs --data FILE of source<TAB>target pairs');
  if (o.all) throw new ValueError('--all: applies to language models; a seq2seq eval scores every pair of --data');
  const pairs = parsePairs(readTextFile('--data', o.data).text, o.data);
  if (pairs.length === 0) throw new ValueError(`--data: ${o.data} holds no source<TAB>target lines`);
  const beam = o.beam ?? 5;
  const { metrics } = task.evaluate(pairs, { beamSize: beam, batchSize: o.batch ?? 64 });
  if (o.json) {
    console.log(
      JSON.stringify({
        exactMatch: metrics.exactMatch,
        cer: metrics.cer,
        ter: metrics.ter,
        ...(metrics.bleu === undefined ? {} : { bleu: metrics.bleu }),
        count: metrics.count,
        beam,
      }),
    );
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  console.log(`data: ${o.data}: ${pairs.length.toLocaleString('en-US')} pairs, ${metrics.count.toLocaleString('en-US')} distinct sources; beam ${beam}`);
  console.log(`exact match: ${pct(metrics.exactMatch)}`);
  console.log(`character error rate: ${pct(metrics.cer)}`);
  console.log(`token error rate: ${pct(metrics.ter)}`);
  if (metrics.bleu !== undefined) console.log(`BLEU-4: ${(metrics.bleu * 100).toFixed(2)}`);
}

function evalLanguageModel(o: EvalCommandOptions, { model, vocab, config }: LoadedModel): void {
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
  if (o.json) {
    console.log(JSON.stringify({ loss: m.loss, bitsPerChar: m.bitsPerChar, perplexity: m.perplexity, accuracy: m.accuracy ?? null, count: m.count }));
    return;
  }
  console.log(`data: ${corpus.source}, ${part}: ${describeHeldOut(evalChars.length, held)}${unknown ? ` (${unknown} outside the vocabulary)` : ''}`);
  console.log(`loss: ${m.loss.toFixed(4)} nats/char`);
  console.log(`bits per character: ${m.bitsPerChar.toFixed(4)}`);
  console.log(`perplexity: ${m.perplexity.toFixed(3)}`);
  console.log(`accuracy: ${((m.accuracy ?? NaN) * 100).toFixed(2)}%`);
}
