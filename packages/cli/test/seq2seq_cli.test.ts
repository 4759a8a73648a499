// `--task seq2seq` end to end on a tiny file of reversed words: train (held-out sources, best/
// checkpoint, report with the attention figure), resume to the same parameters as an uninterrupted
// run, predict (beam, n-best, the attention heatmap, unknown tokens said once), eval --json, info,
// and bad input named by file and line. The commands run in one child process.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult } from './helpers/run_commands.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-seq2seq-'));
const words = ['abc', 'bca', 'cab', 'abd', 'dba', 'bad', 'dab', 'cad', 'dac', 'acd', 'bcd', 'dcb', 'ab', 'ba', 'cd', 'dc', 'abcd', 'dcba', 'bdca', 'cadb'];
const pairs = join(root, 'reverse.tsv');
writeFileSync(pairs, words.map((w) => `${w}\t${Array.from(w).reverse().join('')}`).join('\n') + '\n');
const wordPairs = join(root, 'words.tsv');
writeFileSync(wordPairs, words.map((w) => `${Array.from(w).join(' ')}\t${Array.from(w).reverse().join(' ')}`).join('\n') + '\n');
const bad = (name: string, text: string): string => {
  const file = join(root, name);
  writeFileSync(file, text);
  return file;
};
const noTab = bad('no_tab.tsv', 'ab\tba\nabc cba\n');
const emptyTarget = bad('empty_target.tsv', 'ab\tba\nabc\t\n');
const inputs = bad('inputs.txt', 'abc\n\ndcba\n');
const out = (name: string): string => join(root, name);
const tiny = [
  '--task',
  'seq2seq',
  '--hidden',
  '12',
  '--embedding',
  '6',
  '--encoder-layers',
  '1',
  '--batch',
  '4',
  '--sample-every',
  '5',
  '--validate-every',
  '5',
  '--plain',
  '--seed',
  '2',
];

const commands: Record<string, string[]> = {
  train: ['train', ...tiny, '--data', pairs, '--steps', '12', '--checkpoint-every', '4', '--out', out('run')],
  straight: ['train', ...tiny, '--data', pairs, '--steps', '12', '--checkpoint-every', '4', '--out', out('straight')],
  partial: ['train', ...tiny, '--data', pairs, '--steps', '7', '--checkpoint-every', '4', '--out', out('resumed')],
  resume: ['train', ...tiny, '--data', pairs, '--steps', '12', '--checkpoint-every', '4', '--out', out('resumed'), '--resume'],
  again: ['train', ...tiny, '--data', pairs, '--steps', '12', '--out', out('resumed'), '--resume'],
  resumeClash: ['train', ...tiny, '--data', pairs, '--steps', '14', '--out', out('resumed'), '--resume', '--hidden', '16'],
  resumeOtherData: ['train', ...tiny, '--data', wordPairs, '--steps', '14', '--out', out('resumed'), '--resume'],
  words: ['train', ...tiny, '--data', wordPairs, '--tokens', 'word', '--steps', '6', '--style', 'bahdanau', '--cell', 'gru', '--out', out('words')],
  predict: ['predict', '--checkpoint', out('run'), '--input', 'abcd'],
  nbest: ['predict', '--checkpoint', out('run'), '--input', 'abcd', '--beam', '3', '--nbest', '3', '--attention', join(root, 'heat.png')],
  predictData: ['predict', '--checkpoint', out('run'), '--data', inputs, '--beam', '1'],
  evalJson: ['eval', '--checkpoint', out('run'), '--data', pairs, '--json'],
  evalBeam1: ['eval', '--checkpoint', out('run'), '--data', pairs, '--beam', '1'],
  evalWords: ['eval', '--checkpoint', out('words'), '--data', wordPairs, '--json'],
  info: ['info', '--checkpoint', out('run')],
  noTab: ['train', ...tiny, '--data', noTab, '--steps', '2', '--out', out('x1')],
  emptyTarget: ['train', ...tiny, '--data', emptyTarget, '--steps', '2', '--out', out('x2')],
  tooLong: ['train', ...tiny, '--data', pairs, '--max-length', '3', '--steps', '2', '--out', out('x3')],
  noData: ['train', ...tiny, '--steps', '2', '--out', out('x4')],
  lmFlag: ['train', ...tiny, '--data', pairs, '--seq-len', '8', '--out', out('x5')],
  seq2seqFlag: ['train', '--data', pairs, '--valid', pairs, '--out', out('x6')],
  generate: ['generate', '--checkpoint', out('run')],
};
let results: Record<string, CommandResult> = {};

before(() => {
  const commandsFile = join(root, 'commands.json');
  const resultsFile = join(root, 'results.json');
  writeFileSync(commandsFile, JSON.stringify(Object.values(commands)));
  const runner = join(import.meta.dirname, 'helpers', 'run_commands.ts');
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', runner, commandsFile, resultsFile], {
    encoding: 'utf8',
    env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 0, `the command runner failed:\n${r.stdout}\n${r.stderr}`);
  const list = JSON.parse(readFileSync(resultsFile, 'utf8')) as CommandResult[];
  results = Object.fromEntries(Object.keys(commands).map((name, i) => [name, list[i]!]));
});

const ok = (name: string): string => {
  const r = results[name]!;
  assert.equal(r.error, null, `${name} failed: ${r.error?.message}\n${r.stdout}`);
  return r.stdout;
};
const failure = (name: string): string => {
  const r = results[name]!;
  assert.notEqual(r.error, null, `${name} should have failed:\n${r.stdout}`);
  return r.error!.message;
};

test('train: held-out sources, validation with exact match, samples, checkpoints, the best one, the report', () => {
  const log = ok('train');
  assert.match(log, /data: .*reverse\.tsv: 20 pairs; vocabularies 6 source and 8 target char tokens/);
  assert.match(log, /validation: 10% of the sources held out: 2 pairs/);
  assert.match(log, /validation at step 5: loss \d+\.\d+ nats\/token/);
  assert.match(log, /exact match \d+\.\d% \(greedy, 2 validation sources\)/);
  assert.match(log, /--- sample at step 5 ---\n\S+ → \S* +\(reference: \S+\)/);
  assert.match(log, /stopped: reached 12 steps at step 12/);
  for (const f of ['checkpoint/model.safetensors', 'checkpoint/config.json', 'best/model.safetensors', 'loss_curve.svg', 'loss_curve.png', 'report.html']) {
    assert.ok(existsSync(join(out('run'), f)), `${f} is missing`);
  }
  const report = readFileSync(join(out('run'), 'report.html'), 'utf8');
  assert.match(report, /<h2>Validation exact match<\/h2>/);
  assert.match(report, /<h2>Attention of a validation example<\/h2>\n<svg/);
  const config = JSON.parse(readFileSync(join(out('run'), 'checkpoint', 'config.json'), 'utf8'));
  assert.equal(config.kind, 'seq2seq');
  assert.equal(config.task.model.hiddenSize, 12);
  assert.equal(config.training.step, 12);
  assert.equal(config.training.lrSchedule, 'plateau');
});

test('a resumed run continues exactly as an uninterrupted one; resuming a finished run takes no step', () => {
  ok('straight');
  ok('partial');
  assert.match(ok('resume'), /resuming at step 7/);
  const a = readFileSync(join(out('straight'), 'checkpoint', 'model.safetensors'));
  const b = readFileSync(join(out('resumed'), 'checkpoint', 'model.safetensors'));
  assert.ok(a.equals(b), 'the parameters after 12 steps differ between the straight and the resumed run');
  assert.match(ok('again'), /nothing to train: the run already took 12 steps/);
  assert.match(failure('resumeClash'), /--hidden 16 contradicts the checkpoint's task\.model\.hiddenSize 12/);
  assert.match(failure('resumeOtherData'), /--data: .*words\.tsv has SHA-256 [0-9a-f]{64}, but the run was trained on data with SHA-256/);
});

test('word tokens, the Bahdanau style and a GRU; eval --json adds BLEU for word targets', () => {
  assert.match(ok('words'), /vocabularies 6 source and 8 target word tokens/);
  assert.match(ok('words'), /GRU 1×12 encoder, GRU 1×12 decoder, bahdanau attention 'bahdanau'/);
  const metrics = JSON.parse(ok('evalWords')) as Record<string, number>;
  assert.deepEqual(Object.keys(metrics).sort(), ['beam', 'bleu', 'cer', 'count', 'exactMatch', 'ter']);
  assert.ok(metrics['bleu']! >= 0 && metrics['bleu']! <= 1);
});

test('predict: the output, an n-best list with log-probabilities, one output per line of --data, the attention heatmap', () => {
  assert.match(ok('predict'), /^\S*\n$/);
  const nbest = ok('nbest');
  assert.match(nbest, /^abcd\n {2}1\. \S* +\(log p -\d+\.\d{3}(, cut at --max-length)?\)\n {2}2\. /);
  assert.equal(nbest.trimEnd().split('\n').length, 4);
  for (const ext of ['png', 'svg']) assert.ok(existsSync(join(root, `heat.${ext}`)), `heat.${ext}`);
  assert.deepEqual([...readFileSync(join(root, 'heat.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.match(readFileSync(join(root, 'heat.svg'), 'utf8'), /<svg[\s\S]*source[\s\S]*output/);
  assert.equal(ok('predictData').split('\n').length - 1, 2); // one line per input (an output may be empty); the blank line is skipped
});

test('eval: exact match, CER and TER as fractions in JSON, in percent otherwise', () => {
  const metrics = JSON.parse(ok('evalJson')) as Record<string, number>;
  assert.deepEqual(Object.keys(metrics).sort(), ['beam', 'cer', 'count', 'exactMatch', 'ter']);
  assert.equal(metrics['count'], 20);
  assert.equal(metrics['beam'], 5);
  for (const key of ['exactMatch', 'cer', 'ter']) assert.ok(metrics[key]! >= 0 && metrics[key]! <= 1.5, `${key} ${metrics[key]}`);
  assert.match(
    ok('evalBeam1'),
    /20 pairs, 20 distinct sources; beam 1\nexact match: \d+\.\d\d%\ncharacter error rate: \d+\.\d\d%\ntoken error rate: \d+\.\d\d%\n/,
  );
  assert.match(ok('info'), /model: sequence to sequence, bidirectional LSTM encoder 1 layer\(s\) × 12/);
  assert.match(ok('info'), /decoder\.attention\.key_proj\.weight\s+\[12, 24\]/);
});

test('bad input: the file and line, the flag, never a crash', () => {
  assert.match(failure('noTab'), /no_tab\.tsv:2: expected source<TAB>target; the line has no tab: "abc cba"/);
  assert.match(failure('emptyTarget'), /empty_target\.tsv:2: the target \(after the tab\) is empty/);
  assert.match(failure('tooLong'), /reverse\.tsv:17: the source has 4 tokens, more than maxLength \(3\)/);
  assert.match(failure('noData'), /--task seq2seq needs --data FILE/);
  assert.match(failure('lmFlag'), /--seq-len: applies to --task lm only \(this is --task seq2seq\)/);
  assert.match(failure('seq2seqFlag'), /--valid: applies to --task seq2seq( or \w+)* only \(this is --task lm\)/);
  assert.match(failure('generate'), /holds a seq2seq model, which generates from an input: use predict --input TEXT/);
});

test('an unknown input token is read as <unk> and said once', () => {
  const cli = join(import.meta.dirname, '..', 'src', 'main.ts');
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', cli, 'predict', '--checkpoint', out('run'), '--data', bad('unknown.txt', 'abz\nzzb\n')],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.match(/warning/g)?.length, 1);
  assert.match(r.stderr, /warning: 1 input token\(s\) outside the model's vocabulary are read as <unk>: "z"/);
  assert.equal(r.stdout.split('\n').length - 1, 2);
});
