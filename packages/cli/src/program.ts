/**
 * The commands and their flags. Each command's options type is derived from its declarations
 * (commander's extra typings), so a flag renamed or retyped here changes the type its command
 * function reads, and code still using the old name fails to compile.
 */
import { createRequire } from 'node:module';
import { Command, Option } from '@commander-js/extra-typings';
import { HOLIDAY_CALENDARS, listBackends, nn, setBackend, TASK_KINDS, type TaskKind, TOKEN_KINDS, ValueError } from 'recurrent';
import { evalCommand } from './commands/evaluate.js';
import { exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';
import { flagName } from './resume_flags.js';
import { trainSeq2SeqCommand } from './seq2seq/train_seq2seq.js';
import { trainClassifyCommand } from './classify/train_classify.js';
import { trainForecastCommand } from './forecast/train_forecast.js';
import { trainTagCommand } from './tag/train_tag.js';
import { duration, int, num, quantileList } from './flags.js';

/** The parsed options of a command built by `declare`. */
type OptionsOf<F extends () => { opts(): object }> = ReturnType<ReturnType<F>['opts']>;

/** The defaults of --task seq2seq where they differ from the language model's (see the train hook in createProgram). */
export const SEQ2SEQ_TRAIN_DEFAULTS = { batch: 64, lr: 1e-3, dropout: 0.2, out: 'runs/seq2seq', lrSchedule: 'plateau', checkpointEvery: 500 } as const;

/** The defaults of --task tag where they differ from the language model's. */
export const TAG_TRAIN_DEFAULTS = {
  batch: 32,
  lr: 1e-3,
  hidden: 100,
  dropout: 0.5,
  out: 'runs/tag',
  lrSchedule: 'plateau',
  checkpointEvery: 500,
  maxLength: 256,
  validateEvery: 0,
} as const;

/** The defaults of --task forecast where they differ from the language model's. */
export const FORECAST_TRAIN_DEFAULTS = { batch: 64, lr: 3e-3, hidden: 64, out: 'runs/forecast', lrSchedule: 'plateau', checkpointEvery: 500 } as const;

/** The defaults of --task classify where they differ from the language model's. */
export const CLASSIFY_TRAIN_DEFAULTS = {
  hidden: 128,
  dropout: 0.3,
  out: 'runs/classify',
  lrSchedule: 'plateau',
  checkpointEvery: 200,
  minCount: 2,
  validateEvery: 0,
} as const;

/** Flags of some tasks only: given with another, they are an error rather than silently ignored. */
export const TASK_ONLY_FLAGS: Record<TaskKind, readonly string[]> = {
  lm: ['seqLen', 'sampleLength', 'lrDecayFrom', 'allowPartialResume'],
  seq2seq: [
    'valid',
    'tokens',
    'sourceTokens',
    'targetTokens',
    'lowercase',
    'minCount',
    'maxLength',
    'encoderLayers',
    'decoderLayers',
    'attention',
    'style',
    'inputFeeding',
    'bidirectional',
    'bridge',
    'labelSmoothing',
    'teacherForcing',
    'teacherForcingK',
    'teacherForcingMin',
    'patience',
  ],
  tag: ['valid', 'minCount', 'maxLength', 'patience', 'crf'],
  forecast: ['target', 'covariates', 'date', 'holidays', 'window', 'horizon', 'quantiles', 'loss', 'patience'],
  classify: ['valid', 'tokens', 'lowercase', 'minCount', 'bidirectional', 'patience', 'maxTokens', 'pooling', 'classWeights', 'vectors'],
};

function declareTrain() {
  return (
    new Command('train')
      .description(
        'train a model: a character-level language model (default: an LSTM on Moby-Dick, the last 10% held out) or, with --task seq2seq, an encoder–decoder',
      )
      .addOption(
        new Option(
          '--task <task>',
          'what to train: lm (a character-level language model), seq2seq (source<TAB>target pairs), classify (text<TAB>label lines), tag (CoNLL token<TAB>tag sentences) or forecast (a CSV time series)',
        )
          .choices(TASK_KINDS)
          .default('lm'),
      )
      .option(
        '--data <file>',
        'train on this file (lm: text, default Moby-Dick; seq2seq: UTF-8 lines source<TAB>target, required; classify: text<TAB>label lines or .jsonl, required)',
      )
      .addOption(new Option('--cell <kind>', 'recurrent cell').choices(nn.CELL_KINDS).default('lstm'))
      .option(
        '--hidden <n>',
        'hidden units per layer (seq2seq: of each encoder direction and of the decoder; classify: of each direction, default 128; tag: of each direction, default 100)',
        int('--hidden', 1),
        256,
      )
      .option('--layers <n>', 'recurrent layers (seq2seq: of the encoder and the decoder, unless --encoder-layers / --decoder-layers)', int('--layers', 1), 1)
      .option('--embedding <n>', 'embedding size (default: min(hidden, 64); seq2seq min(hidden, 128); tag: of the words, 100)', int('--embedding', 1))
      .option(
        '--dropout <p>',
        'dropout on embeddings, between layers and before the output (seq2seq default 0.2, classify 0.3, tag 0.5)',
        num('--dropout', { min: 0, max: 1 }),
        0,
      )
      .option('--batch <n>', 'parallel streams per batch (seq2seq: pairs per batch, default 64; tag: sentences, default 32)', int('--batch', 1), 32)
      .option('--seq-len <n>', 'lm: steps of truncated backpropagation through time', int('--seq-len', 1), 64)
      .option('--lr <rate>', 'Adam learning rate (seq2seq and tag default 1e-3)', num('--lr', { min: 0, minOpen: true }), 2e-3)
      .addOption(
        new Option(
          '--lr-schedule <kind>',
          'constant; cosine: anneal from --lr to --lr-min over the budget (--time, --steps or --epochs); plateau (seq2seq and tag, their default): halve the rate after 2 validations without improvement',
        )
          .choices(['constant', 'cosine', 'plateau'] as const)
          .default('constant'),
      )
      .option('--lr-min <rate>', 'final learning rate of the cosine schedule; floor of the plateau schedule', num('--lr-min', { min: 0 }), 0)
      .option(
        '--lr-decay-from <fraction>',
        'lm, with cosine: hold --lr for this fraction of the budget, then anneal over the rest',
        num('--lr-decay-from', { min: 0, max: 1, maxOpen: true }),
        0,
      )
      .option('--clip <norm>', 'clip the gradient norm to this (0: off)', num('--clip', { min: 0 }), 5)
      .option('--time <duration>', 'stop after this long (e.g. 90s, 5m, 1h)', duration('--time'))
      .option('--epochs <n>', 'stop after this many epochs (seq2seq and tag default: 30, classify 20, or earlier by --patience)', int('--epochs', 1))
      .option('--steps <n>', 'stop after this many optimizer steps in total', int('--steps', 1))
      .option(
        '--out <dir>',
        'output directory (checkpoint, loss curves, report); default runs/charlm, seq2seq runs/seq2seq, classify runs/classify, tag runs/tag',
        'runs/charlm',
      )
      .option('--resume', 'continue the run saved in --out (a run trained on a file needs the same --data)', false)
      .option(
        '--allow-partial-resume',
        "lm, with --resume: continue even if optimizer.safetensors or extra.safetensors is lost (Adam's moments or the carried state restart)",
        false,
      )
      .option('--seed <n>', 'random seed', int('--seed'), 0)
      .option('--sample-every <n>', 'print a sample every n steps (0: never)', int('--sample-every'), 500)
      .option('--sample-length <n>', 'lm: characters per sample', int('--sample-length'), 200)
      .option(
        '--validate-every <n>',
        'measure the held-out loss every n steps (0: at epoch ends only; seq2seq and tag default 0)',
        int('--validate-every'),
        500,
      )
      .option('--checkpoint-every <n>', 'save a checkpoint every n steps (0: at the end only; seq2seq default 500)', int('--checkpoint-every'), 100)
      .option('--log-interval <seconds>', 'seconds between progress lines when not on a terminal', num('--log-interval', { min: 0, minOpen: true }), 10)
      .option('--plain', 'plain progress lines even on a terminal')
      // seq2seq
      .option(
        '--valid <file>',
        'seq2seq, classify, tag: validation pairs, texts or sentences (default: a seeded 10% of the distinct sources, texts or sentences of --data)',
      )
      .addOption(new Option('--tokens <kind>', 'seq2seq: tokens of both sides: char (default) or word; classify: word (default) or char').choices(TOKEN_KINDS))
      .addOption(new Option('--source-tokens <kind>', 'seq2seq: tokens of the sources (default: --tokens)').choices(TOKEN_KINDS))
      .addOption(new Option('--target-tokens <kind>', 'seq2seq: tokens of the targets (default: --tokens)').choices(TOKEN_KINDS))
      .option('--lowercase', 'seq2seq: lower-case both sides (classify lower-cases by default)')
      .option(
        '--min-count <n>',
        'seq2seq, classify, tag: tokens (tag: words) seen fewer times in training map to <unk> (classify default 2)',
        int('--min-count', 1),
        1,
      )
      .option(
        '--max-length <n>',
        'seq2seq: most tokens in a source or target; a longer one is an error naming its line; tag: most tokens of a sentence, a longer one is cut into pieces with a warning',
        int('--max-length', 1),
        256,
      )
      .option('--encoder-layers <n>', 'seq2seq: encoder layers (default 2, or --layers)', int('--encoder-layers', 1))
      .option('--decoder-layers <n>', 'seq2seq: decoder layers (default 1, or --layers)', int('--decoder-layers', 1))
      .addOption(new Option('--attention <score>', 'seq2seq: attention score (default general; bahdanau with --style bahdanau)').choices(nn.DECODER_ATTENTIONS))
      .addOption(
        new Option('--style <style>', 'seq2seq: attend after the decoder step (luong) or before it (bahdanau)').choices(nn.ATTENTION_STYLES).default('luong'),
      )
      .option('--no-input-feeding', 'seq2seq, luong style: do not feed the attentional output to the next step')
      .option('--no-bidirectional', 'seq2seq, classify: a unidirectional encoder')
      .addOption(new Option('--bridge <rule>', 'seq2seq: encoder states → decoder states').choices(nn.BRIDGE_KINDS).default('linear'))
      .option('--label-smoothing <eps>', 'seq2seq: label smoothing of the training loss', num('--label-smoothing', { min: 0, max: 1, maxOpen: true }), 0.1)
      .addOption(
        new Option(
          '--teacher-forcing <decay>',
          'seq2seq: scheduled sampling: how the probability of feeding the reference decays (default: always the reference)',
        ).choices(['linear', 'exponential', 'inverse-sigmoid'] as const),
      )
      .option(
        '--teacher-forcing-k <k>',
        'seq2seq: k of the decay (linear: steps to reach 0; exponential: k^step; inverse-sigmoid: k/(k+exp(step/k)))',
        num('--teacher-forcing-k', { min: 0, minOpen: true }),
      )
      .option('--teacher-forcing-min <p>', 'seq2seq: the floor of the teacher-forcing probability', num('--teacher-forcing-min', { min: 0, max: 1 }), 0)
      .option('--patience <n>', 'seq2seq, classify, tag, forecast: stop after this many validations without improvement (0: never)', int('--patience'), 5)
      // tag
      .option('--crf', 'tag: a linear-chain CRF output layer (constrained for BIO/BIOES tags) instead of a softmax')
      // forecast
      .option('--target <column>', 'forecast: the column of --data (CSV with a header) to forecast')
      .option('--covariates <columns>', 'forecast: further numeric columns, comma-separated, whose past values are inputs too')
      .option('--date <column>', 'forecast: a date column (YYYY-MM-DD): calendar features (weekday, month, day of the year)')
      .addOption(
        new Option('--holidays <calendar>', 'forecast, with --date: mark holidays (us: the US federal holidays and their observed days)').choices(
          HOLIDAY_CALENDARS,
        ),
      )
      .option('--window <n>', "forecast: past steps the model sees (default: two cycles of the data's season, e.g. 14 for daily data)", int('--window', 1))
      .option('--horizon <n>', 'forecast: steps forecast at once (direct multi-step)', int('--horizon', 1), 1)
      .option(
        '--quantiles <list>',
        'forecast: quantiles to forecast, e.g. 0.1,0.5,0.9 (pinball loss; the interval from the first to the last)',
        quantileList('--quantiles'),
      )
      .addOption(
        new Option('--loss <loss>', 'forecast, without --quantiles: the training loss on normalised values')
          .choices(['mse', 'l1'] as const)
          .default('mse' as const),
      )
      // classify
      .option('--no-lowercase', 'classify: keep the case of the texts (lower-cased by default)')
      .option('--max-tokens <n>', 'classify: tokens read from a text; a longer text keeps its first n (default 400)', int('--max-tokens', 1))
      .addOption(new Option('--pooling <kind>', 'classify: how the recurrent outputs become one vector (default max)').choices(nn.POOLING_KINDS))
      .addOption(
        new Option('--class-weights <rule>', "classify: weight the classes in the loss ('balanced': N / (C · N_c))").choices(['none', 'balanced'] as const),
      )
      .option('--vectors <file>', "classify: start the embedding from pretrained vectors, lines 'word v1 v2 …' (GloVe, fastText .vec)")
  );
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
    .description(
      "a checkpoint's metrics: a language model's held-out loss and bits per character; a seq2seq model's exact match, CER, TER and BLEU on --data pairs; a forecaster's one-step-ahead MAPE, MAE and RMSE on --data after --history",
    )
    .requiredOption('--checkpoint <dir>', 'run or checkpoint directory (a seq2seq run: its best/ checkpoint)')
    .option(
      '--data <file>',
      'lm: text to evaluate (its held-out tail; default: the training data); seq2seq: source<TAB>target pairs (required); classify: text<TAB>label lines or .jsonl (required)',
    )
    .option('--all', 'lm: evaluate the whole text, not only the held-out tail')
    .option(
      '--batch <n>',
      'lm: parallel streams (default: the training batch, as validation used); seq2seq: sources decoded together (default 64)',
      int('--batch', 1),
    )
    .option('--beam <k>', 'seq2seq: beam size (1: greedy); default 5', int('--beam', 1))
    .option('--history <file>', 'forecast: the rows before --data (CSV), which the first forecasts are conditioned on')
    .option('--plot <file>', 'forecast: write forecast against actual as FILE.png and FILE.svg (default: beside --data, NAME_forecast.png)')
    .option('--confusion <file>', 'classify: write the confusion matrix as FILE.png and FILE.svg (default: confusion_matrix in the checkpoint directory given)')
    .option('--json', 'print one JSON object of the metrics (fractions; forecast: MAPE in percent)');
}

function declarePredict() {
  return new Command('predict')
    .description("a trained model's output: a seq2seq model's translation of each input, or a language model's continuation")
    .requiredOption('--checkpoint <dir>', 'run or checkpoint directory (a seq2seq run: its best/ checkpoint)')
    .option('--input <text>', 'the input')
    .option('--data <file>', 'inputs, one per line (forecast: a CSV series; the next --horizon steps after it are forecast)')
    .option('--beam <k>', 'seq2seq: beam size (1: greedy)', int('--beam', 1), 5)
    .option('--nbest <n>', 'seq2seq: outputs per input, best first, with their log-probabilities', int('--nbest', 1), 1)
    .option(
      '--length-penalty <alpha>',
      'seq2seq: GNMT length penalty α (hypotheses ranked by log p / ((5 + length) / 6)^α)',
      num('--length-penalty', { min: 0 }),
      0,
    )
    .option('--max-length <n>', 'seq2seq: most output tokens (default: twice the longest training target, plus 10)', int('--max-length', 1))
    .option('--attention <file>', "seq2seq: write the first input's attention heatmap (source along x, output along y) as FILE.png and FILE.svg")
    .option('--batch <n>', 'seq2seq: inputs decoded together', int('--batch', 1), 64)
    .option('--length <n>', 'lm: characters to generate', int('--length'), 200)
    .option('--seed <n>', 'lm: random seed', int('--seed'));
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
export type PredictCommandOptions = OptionsOf<typeof declarePredict>;
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
    .description('Recurrent neural networks: train character-level language models and sequence-to-sequence models, then sample, predict and evaluate.')
    .option('--backend <name>', 'kernel backend (default: the fastest available; also RECURRENT_BACKEND)');
  program.hook('preAction', () => {
    const { backend } = program.opts();
    if (backend === undefined) return;
    const available = listBackends();
    if (!available.includes(backend)) throw new ValueError(`--backend: unknown backend '${backend}'; available: ${available.join(', ')}`);
    setBackend(backend);
  });
  const train = declareTrain();
  // One flag set serves every task; where a task's defaults differ, they replace those left at their defaults.
  train.hook('preAction', (command) => {
    const task = command.opts().task;
    const given = givenFlags(command);
    const own = new Set(TASK_ONLY_FLAGS[task]);
    const others = TASK_KINDS.filter((t) => t !== task);
    const stray = [...new Set(others.flatMap((t) => TASK_ONLY_FLAGS[t]))].filter(
      (key) => !own.has(key) && (given.has(key) || command.getOptionValueSource(key) === 'cli'),
    );
    if (stray.length > 0) {
      const owners = others.filter((t) => stray.some((key) => TASK_ONLY_FLAGS[t].includes(key)));
      throw new ValueError(
        `${stray.map(flagName).join(', ')}: ${stray.length === 1 ? 'applies' : 'apply'} to --task ${owners.join(' or ')} only (this is --task ${task})`,
      );
    }
    if (task === 'lm') return;
    const defaults =
      task === 'seq2seq'
        ? SEQ2SEQ_TRAIN_DEFAULTS
        : task === 'forecast'
          ? FORECAST_TRAIN_DEFAULTS
          : task === 'tag'
            ? TAG_TRAIN_DEFAULTS
            : CLASSIFY_TRAIN_DEFAULTS;
    for (const [key, value] of Object.entries(defaults)) {
      if (command.getOptionValueSource(key) === 'default') command.setOptionValueWithSource(key, value, 'default');
    }
    if (command.getOptionValueSource('validateEvery') === 'default') command.setOptionValueWithSource('validateEvery', 0, 'default');
  });
  program.addCommand(
    train.action((opts, command) =>
      opts.task === 'seq2seq'
        ? trainSeq2SeqCommand(opts, givenFlags(command))
        : opts.task === 'forecast'
          ? trainForecastCommand(opts, givenFlags(command))
          : opts.task === 'classify'
            ? trainClassifyCommand(opts, givenFlags(command))
            : opts.task === 'tag'
              ? trainTagCommand(opts, givenFlags(command))
              : trainCommand(opts, givenFlags(command)),
    ),
  );
  program.addCommand(declareGenerate().action((opts) => generateCommand(opts)));
  program.addCommand(declareEval().action((opts) => evalCommand(opts)));
  program.addCommand(declarePredict().action((opts) => predictCommand(opts)));
  program.addCommand(declareInfo().action((opts) => infoCommand(opts)));
  program.addCommand(declareExport().action((opts) => exportCommand(opts)));
  return program;
}
