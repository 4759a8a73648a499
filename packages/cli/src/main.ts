#!/usr/bin/env node
/** The `recurrent` command line: train, generate, eval, info. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { RecurrentError, setBackend } from 'recurrent';
import { evalCommand } from './commands/evaluate.js';
import { generateCommand } from './commands/generate.js';
import { infoCommand } from './commands/info.js';
import { trainCommand } from './commands/train.js';

function int(name: string, min = 0): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
}

function num(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
    return n;
  };
}

const program = new Command();
program
  .name('recurrent')
  .description('Recurrent neural networks: train and sample character-level language models.')
  .option('--backend <name>', 'kernel backend (default: the fastest available; also RECURRENT_BACKEND)')
  .hook('preAction', (cmd) => {
    const backendName = cmd.opts<{ backend?: string }>().backend;
    if (backendName) setBackend(backendName);
  });

program
  .command('train')
  .description('train a character-level language model (default: an LSTM on Moby-Dick, the last 10% held out)')
  .option('--data <file>', 'train on this text file instead of Moby-Dick')
  .addOption(new Option('--cell <kind>', 'recurrent cell').choices(['lstm', 'gru', 'rnn']).default('lstm'))
  .option('--hidden <n>', 'hidden units per layer', int('--hidden', 1), 256)
  .option('--layers <n>', 'recurrent layers', int('--layers', 1), 1)
  .option('--embedding <n>', 'embedding size (default: min(hidden, 64))', int('--embedding', 1))
  .option('--dropout <p>', 'dropout on embeddings, between layers and before the decoder', num('--dropout'), 0)
  .option('--batch <n>', 'parallel streams per batch', int('--batch', 1), 32)
  .option('--seq-len <n>', 'steps of truncated backpropagation through time', int('--seq-len', 1), 64)
  .option('--lr <rate>', 'Adam learning rate', num('--lr'), 2e-3)
  .addOption(new Option('--lr-schedule <kind>', 'constant, or cosine: anneal from --lr to --lr-min over the budget (--time, --steps or --epochs)').choices(['constant', 'cosine']).default('constant'))
  .option('--lr-min <rate>', 'final learning rate of the cosine schedule', num('--lr-min'), 0)
  .option('--lr-decay-from <fraction>', 'with cosine: hold --lr for this fraction of the budget, then anneal over the rest', num('--lr-decay-from'), 0)
  .option('--clip <norm>', 'clip the gradient norm to this (0: off)', num('--clip'), 5)
  .option('--time <duration>', 'stop after this long (e.g. 90s, 5m, 1h)')
  .option('--epochs <n>', 'stop after this many epochs', int('--epochs', 1))
  .option('--steps <n>', 'stop after this many optimizer steps in total', int('--steps', 1))
  .option('--out <dir>', 'output directory (checkpoint, loss curves, report)', 'runs/charlm')
  .option('--resume', 'continue the run saved in --out', false)
  .option('--seed <n>', 'random seed', int('--seed'), 0)
  .option('--sample-every <n>', 'print a sample every n steps (0: never)', int('--sample-every'), 500)
  .option('--sample-length <n>', 'characters per sample', int('--sample-length'), 200)
  .option('--validate-every <n>', 'measure the held-out loss every n steps (0: at epoch ends only)', int('--validate-every'), 500)
  .option('--checkpoint-every <n>', 'save a checkpoint every n steps (0: at the end only)', int('--checkpoint-every'), 100)
  .option('--log-interval <seconds>', 'seconds between progress lines when not on a terminal', num('--log-interval'), 10)
  .option('--plain', 'plain progress lines even on a terminal')
  .action(async (opts) => trainCommand(opts));

program
  .command('generate')
  .description('sample text from a trained model')
  .requiredOption('--checkpoint <dir>', 'run or checkpoint directory')
  .option('--prime <text>', 'text to start from', '\n')
  .option('--length <n>', 'characters to generate', int('--length'), 500)
  .option('--temperature <t>', 'sampling temperature (0: greedy)', num('--temperature'), 0.8)
  .option('--top-k <k>', 'sample among the k most likely characters', int('--top-k', 1))
  .option('--top-p <p>', 'sample among the most likely characters covering probability p', num('--top-p'))
  .option('--seed <n>', 'random seed', int('--seed'))
  .action((opts) => generateCommand(opts));

program
  .command('eval')
  .description('held-out loss and bits per character of a checkpoint')
  .requiredOption('--checkpoint <dir>', 'run or checkpoint directory')
  .option('--data <file>', 'text to evaluate (its held-out tail; default: the training data)')
  .option('--all', 'evaluate the whole text, not only the held-out tail')
  .option('--batch <n>', 'parallel streams', int('--batch', 1), 32)
  .action((opts) => evalCommand(opts));

program
  .command('info')
  .description('layers, parameter names and shapes, and counts of a checkpoint')
  .requiredOption('--checkpoint <dir>', 'run or checkpoint directory')
  .action((opts) => infoCommand(opts));

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof RecurrentError || (e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ENOENT'))) {
    console.error(`recurrent: ${(e as Error).message}`);
    process.exit(1);
  }
  throw e;
});
