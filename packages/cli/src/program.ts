/**
 * The commands and their flags. Each command's options type is derived from its declarations
 * (commander's extra typings), so a flag renamed or retyped here changes the type its command
 * function reads, and code still using the old name fails to compile.
 */
import { createRequire } from 'node:module';
import { Command, Option } from '@commander-js/extra-typings';
import { listBackends, nn, setBackend, ValueError } from 'recurrent';
import { evalCommand } from './commands/evaluate.js';
import { exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { infoCommand } from './commands/info.js';
import { trainCommand } from './commands/train.js';
import { duration, int, num } from './flags.js';

/** The parsed options of a command built by `declare`. */
type OptionsOf<F extends () => { opts(): object }> = ReturnType<ReturnType<F>['opts']>;

function declareTrain() {
  return new Command('train')
    .description('train a character-level language model (default: an LSTM on Moby-Dick, the last 10% held out)')
    .option('--data <file>', 'train on this text file instead of Moby-Dick')
    .addOption(new Option('--cell <kind>', 'recurrent cell').choices(nn.CELL_KINDS).default('lstm'))
    .option('--hidden <n>', 'hidden units per layer', int('--hidden', 1), 256)
    .option('--layers <n>', 'recurrent layers', int('--layers', 1), 1)
    .option('--embedding <n>', 'embedding size (default: min(hidden, 64))', int('--embedding', 1))
    .option('--dropout <p>', 'dropout on embeddings, between layers and before the decoder', num('--dropout', { min: 0, max: 1 }), 0)
    .option('--batch <n>', 'parallel streams per batch', int('--batch', 1), 32)
    .option('--seq-len <n>', 'steps of truncated backpropagation through time', int('--seq-len', 1), 64)
    .option('--lr <rate>', 'Adam learning rate', num('--lr', { min: 0, minOpen: true }), 2e-3)
    .addOption(
      new Option('--lr-schedule <kind>', 'constant, or cosine: anneal from --lr to --lr-min over the budget (--time, --steps or --epochs)')
        .choices(['constant', 'cosine'])
        .default('constant'),
    )
    .option('--lr-min <rate>', 'final learning rate of the cosine schedule', num('--lr-min', { min: 0 }), 0)
    .option(
      '--lr-decay-from <fraction>',
      'with cosine: hold --lr for this fraction of the budget, then anneal over the rest',
      num('--lr-decay-from', { min: 0, max: 1, maxOpen: true }),
      0,
    )
    .option('--clip <norm>', 'clip the gradient norm to this (0: off)', num('--clip', { min: 0 }), 5)
    .option('--time <duration>', 'stop after this long (e.g. 90s, 5m, 1h)', duration('--time'))
    .option('--epochs <n>', 'stop after this many epochs', int('--epochs', 1))
    .option('--steps <n>', 'stop after this many optimizer steps in total', int('--steps', 1))
    .option('--out <dir>', 'output directory (checkpoint, loss curves, report)', 'runs/charlm')
    .option('--resume', 'continue the run saved in --out (a run trained on a file needs the same --data)', false)
    .option(
      '--allow-partial-resume',
      "with --resume: continue even if optimizer.safetensors or extra.safetensors is lost (Adam's moments or the carried state restart)",
      false,
    )
    .option('--seed <n>', 'random seed', int('--seed'), 0)
    .option('--sample-every <n>', 'print a sample every n steps (0: never)', int('--sample-every'), 500)
    .option('--sample-length <n>', 'characters per sample', int('--sample-length'), 200)
    .option('--validate-every <n>', 'measure the held-out loss every n steps (0: at epoch ends only)', int('--validate-every'), 500)
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps (0: at the end only)', int('--checkpoint-every'), 100)
    .option('--log-interval <seconds>', 'seconds between progress lines when not on a terminal', num('--log-interval', { min: 0, minOpen: true }), 10)
    .option('--plain', 'plain progress lines even on a terminal');
}

function declareGenerate() {
  return new Command('generate')
    .description('sample text from a trained model')
    .requiredOption('--checkpoint <dir>', 'run or checkpoint directory')
    .option('--prime <text>', 'text to start from', '\n')
    .option('--length <n>', 'characters to generate', int('--length'), 500)
    .option('--temperature <t>', 'sampling temperature (0: greedy)', num('--temperature', { min: 0 }), 0.8)
    .option('--top-k <k>', 'sample among the k most likely characters', int('--top-k', 1))
    .option('--top-p <p>', 'sample among the most likely characters covering probability p', num('--top-p', { min: 0, max: 1, minOpen: true }))
    .option('--seed <n>', 'random seed', int('--seed'));
}

function declareEval() {
  return new Command('eval')
    .description('held-out loss and bits per character of a checkpoint')
    .requiredOption('--checkpoint <dir>', 'run or checkpoint directory')
    .option('--data <file>', 'text to evaluate (its held-out tail; default: the training data)')
    .option('--all', 'evaluate the whole text, not only the held-out tail')
    .option('--batch <n>', 'parallel streams (default: the training batch, as validation used)', int('--batch', 1));
}

function declareInfo() {
  return new Command('info')
    .description('layers, parameter names and shapes, and counts of a checkpoint')
    .requiredOption('--checkpoint <dir>', 'run or checkpoint directory');
}

function declareExport() {
  return new Command('export')
    .description("write a checkpoint's model for another runtime: an ONNX file (ONNX Runtime and others) or a TensorFlow.js model folder")
    .requiredOption('--checkpoint <dir>', 'run or checkpoint directory')
    .addOption(new Option('--format <format>', 'output format').choices(['onnx', 'tfjs'] as const).default('onnx' as const))
    .requiredOption('--out <path>', 'file to write (onnx: e.g. model.onnx) or folder (tfjs: model.json and its weights)')
    .option('--initial-states', 'give the graph initial-state inputs h0 (and c0) as well as outputs hn (and cn), to run text step by step', false);
}

export type TrainCommandOptions = OptionsOf<typeof declareTrain>;
export type GenerateCommandOptions = OptionsOf<typeof declareGenerate>;
export type EvalCommandOptions = OptionsOf<typeof declareEval>;
export type InfoCommandOptions = OptionsOf<typeof declareInfo>;
export type ExportCommandOptions = OptionsOf<typeof declareExport>;

/** This package's version and the library's, as `--version` prints them. */
function versions(): string {
  const require = createRequire(import.meta.url);
  const own = require('../package.json') as { version: string };
  const library = require('recurrent/package.json') as { version: string };
  return `recurrent-cli ${own.version} (recurrent ${library.version}), Node ${process.version}`;
}

/** The flags of `command` given on the command line, not left at their defaults. */
function givenFlags(command: { options: readonly { attributeName(): string }[]; getOptionValueSource(key: string): string | undefined }): Set<string> {
  return new Set(command.options.map((o) => o.attributeName()).filter((key) => command.getOptionValueSource(key) === 'cli'));
}

/** The `recurrent` program: global options and the five commands, ready to parse. */
export function createProgram() {
  const program = new Command()
    .name('recurrent')
    .version(versions(), '-V, --version', 'print the versions of the command line, the library and Node')
    .description('Recurrent neural networks: train and sample character-level language models.')
    .option('--backend <name>', 'kernel backend (default: the fastest available; also RECURRENT_BACKEND)');
  program.hook('preAction', () => {
    const { backend } = program.opts();
    if (backend === undefined) return;
    const available = listBackends();
    if (!available.includes(backend)) throw new ValueError(`--backend: unknown backend '${backend}'; available: ${available.join(', ')}`);
    setBackend(backend);
  });
  program.addCommand(declareTrain().action((opts, command) => trainCommand(opts, givenFlags(command))));
  program.addCommand(declareGenerate().action((opts) => generateCommand(opts)));
  program.addCommand(declareEval().action((opts) => evalCommand(opts)));
  program.addCommand(declareInfo().action((opts) => infoCommand(opts)));
  program.addCommand(declareExport().action((opts) => exportCommand(opts)));
  return program;
}
