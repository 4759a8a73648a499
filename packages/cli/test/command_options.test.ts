// The commands' options are typed by their commander declarations, end to end. The type-level
// part of this file is checked by `tsc -p tsconfig.json` (each @ts-expect-error must be an error);
// at run time, a renamed flag fails to compile, and every parser names its own flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { type Command, CommanderError, InvalidArgumentError } from '@commander-js/extra-typings';
import type { evalCommand } from '../src/commands/evaluate.js';
import type { generateCommand } from '../src/commands/generate.js';
import type { infoCommand } from '../src/commands/info.js';
import type { trainCommand } from '../src/commands/train.js';
import { createProgram, type EvalCommandOptions, type GenerateCommandOptions, type InfoCommandOptions, type TrainCommandOptions } from '../src/program.js';

// ---- type level ----

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

// Each command function takes exactly the options its declarations parse to.
expectType<Equal<Parameters<typeof trainCommand>[0], TrainCommandOptions>>();
expectType<Equal<Parameters<typeof generateCommand>[0], GenerateCommandOptions>>();
expectType<Equal<Parameters<typeof evalCommand>[0], EvalCommandOptions>>();
expectType<Equal<Parameters<typeof infoCommand>[0], InfoCommandOptions>>();
// Flags become camel-cased keys, typed by their parsers, defaults and choices.
expectType<Equal<TrainCommandOptions['seqLen'], number>>();
expectType<Equal<TrainCommandOptions['embedding'], number | undefined>>();
expectType<Equal<TrainCommandOptions['cell'], 'lstm' | 'gru' | 'rnn'>>();
expectType<Equal<TrainCommandOptions['lrSchedule'], 'constant' | 'cosine' | 'plateau'>>();
expectType<Equal<TrainCommandOptions['time'], number | undefined>>();
expectType<Equal<TrainCommandOptions['resume'], boolean>>();
expectType<Equal<GenerateCommandOptions['topP'], number | undefined>>();
expectType<Equal<InfoCommandOptions, { checkpoint: string }>>();
// @ts-expect-error --hidden parses to a number, not a string
expectType<Equal<TrainCommandOptions['hidden'], string>>();
// @ts-expect-error there is no --sequence-length flag, so code reading it does not compile
export type Renamed = TrainCommandOptions['sequenceLength'];

/** A train command whose --seq-len was renamed --sequence-length, its parsed options following. */
type RenamedSeqLen = Command<[], Omit<TrainCommandOptions, 'seqLen'> & { sequenceLength: number }>;
export function renamedFlag(command: RenamedSeqLen, run: typeof trainCommand): void {
  // @ts-expect-error trainCommand cannot run on options without --seq-len
  command.action((opts) => run(opts));
}

// ---- run time ----

const cliRoot = join(import.meta.dirname, '..');
const repoRoot = join(cliRoot, '..', '..');

test('a flag renamed in program.ts without the code following fails to compile', () => {
  const programFile = join(cliRoot, 'src', 'program.ts');
  const original = readFileSync(programFile, 'utf8');
  const renamed = original.replace("'--seq-len <n>'", "'--sequence-length <n>'");
  assert.notEqual(renamed, original, 'program.ts no longer declares --seq-len; update this test');
  const config = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  assert.ok(config);
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError) =>
    ts.sys.resolvePath(fileName) === programFile
      ? ts.createSourceFile(fileName, renamed, languageVersion, true)
      : getSourceFile(fileName, languageVersion, onError);
  const compiled = ts.createProgram({ rootNames: [join(cliRoot, 'src', 'main.ts')], options: config.options, host });
  const errors = ts.getPreEmitDiagnostics(compiled).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  assert.ok(errors.length > 0, 'the renamed flag compiled');
  assert.ok(
    errors.every((e) => e.includes('seqLen')),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((e) => e.includes(join('commands', 'train.ts')) && e.includes("Property 'seqLen' does not exist")),
    errors.join('\n'),
  );
});

test('every option parser rejects a bad value naming its own flag, and accepts its default', () => {
  let checked = 0;
  for (const command of createProgram().commands) {
    for (const option of command.options) {
      const parse = option.parseArg;
      // Choices are commander's own check, which names the flag itself (see the next test).
      if (parse === undefined || option.argChoices !== undefined) continue;
      const flag = option.long ?? '';
      for (const bad of ['abc', '', '-1', '1e999']) {
        assert.throws(
          () => parse(bad, undefined),
          (e: unknown) => e instanceof InvalidArgumentError && e.message.startsWith(`${flag}: expected `) && e.message.endsWith(`; got '${bad}'`),
          `${command.name()} ${flag} ${JSON.stringify(bad)}`,
        );
      }
      const fallback: unknown = option.defaultValue;
      if (fallback !== undefined) assert.equal(parse(String(fallback), undefined), fallback, `${command.name()} ${flag}'s default`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `only ${checked} parsers checked`);
});

/** Parses argv with the real program, failing before any command runs; returns commander's message. */
function parseError(...argv: string[]): string {
  const program = createProgram();
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.message;
    throw e;
  }
  assert.fail(`recurrent ${argv.join(' ')} parsed`);
}

test('bad values are rejected at parse time with the flag, the expectation and the value', () => {
  assert.match(parseError('train', '--hidden', '12.5'), /--hidden: expected an integer ≥ 1; got '12\.5'/);
  assert.match(parseError('train', '--lr', '0'), /--lr: expected a number > 0; got '0'/);
  assert.match(parseError('train', '--dropout', '1.5'), /--dropout: expected a number in \[0, 1\]; got '1\.5'/);
  assert.match(parseError('train', '--lr-decay-from', '1'), /--lr-decay-from: expected a number in \[0, 1\); got '1'/);
  assert.match(parseError('train', '--time', 'soon'), /--time: expected a duration such as 90s, 5m or 1h30m; got 'soon'/);
  assert.match(parseError('train', '--time', '0m'), /--time: expected a duration longer than 0; got '0m'/);
  assert.match(parseError('train', '--cell', 'transformer'), /--cell <kind>.*'transformer' is invalid.*lstm, gru, rnn/);
  assert.match(parseError('generate', '--checkpoint', 'x', '--top-p', '0'), /--top-p: expected a number in \(0, 1\]; got '0'/);
  assert.match(parseError('eval', '--checkpoint', 'x', '--batch', '0'), /--batch: expected an integer ≥ 1; got '0'/);
});
