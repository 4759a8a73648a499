// `--task classify` end to end on a tiny file of labelled phrases: train (held-out texts, best/
// checkpoint, report with the confusion matrix), resume to the same parameters as an
// uninterrupted run, predict (label and probability, one line per input), eval --json with a label
// seen only there, the confusion matrix as PNG and SVG, info, JSON Lines input, and bad input named
// by file and line. The commands run in one child process.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult } from './helpers/run_commands.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-classify-'));
const good = ['good', 'great', 'fine', 'lovely', 'superb'];
const bad = ['bad', 'awful', 'poor', 'dull', 'weak'];
const things = ['film', 'plot', 'acting', 'music', 'ending', 'cast'];
const lines: string[] = [];
things.forEach((thing, i) => {
  good.forEach((w, k) => lines.push(`a ${w} ${thing}${k % 2 ? ' indeed' : ''}\tpos`));
  bad.forEach((w, k) => lines.push(`the ${thing} was ${w}${(k + i) % 3 ? '' : ' sadly'}\tneg`));
});
const file = (name: string, text: string | Uint8Array): string => {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
};
const data = file('reviews.tsv', lines.join('\n') + '\n'); // 60 texts
const other = file('other.tsv', lines.slice(0, 30).join('\n') + '\n');
const jsonl = file('reviews.jsonl', lines.map((l) => JSON.stringify({ text: l.split('\t')[0], label: l.split('\t')[1] })).join('\n') + '\n');
const withUnseen = file('unseen.tsv', `a good film\tpos\nthe plot was bad\tneg\nan odd film\tmixed\n`);
const noTab = file('no_tab.tsv', 'a good film\tpos\nthe plot was bad neg\n');
const emptyText = file('empty_text.tsv', 'a good film\tpos\n  \tneg\n');
const empty = file('empty.tsv', '');
const latin1 = file('latin1.tsv', new Uint8Array([...Buffer.from('a good film\tpos\nun film '), 0xe9, 0x74, 0xe9, ...Buffer.from('\tpos\n')]));
const badJsonl = file('bad.jsonl', '{"text":"a good film","label":"pos"}\n{"text":"x"}\n');
const inputs = file('inputs.txt', 'a lovely ending\n\nthe cast was weak\n');
const out = (name: string): string => join(root, name);
const tiny = ['--task', 'classify', '--hidden', '8', '--embedding', '6', '--min-count', '1', '--batch', '8', '--validate-every', '3', '--plain', '--seed', '2'];

const commands: Record<string, string[]> = {
  train: ['train', ...tiny, '--data', data, '--steps', '12', '--checkpoint-every', '4', '--sample-every', '6', '--out', out('run')],
  straight: ['train', ...tiny, '--data', data, '--steps', '10', '--checkpoint-every', '4', '--out', out('straight')],
  partial: ['train', ...tiny, '--data', data, '--steps', '6', '--checkpoint-every', '4', '--out', out('resumed')],
  resume: ['train', ...tiny, '--data', data, '--steps', '10', '--checkpoint-every', '4', '--out', out('resumed'), '--resume'],
  again: ['train', ...tiny, '--data', data, '--steps', '10', '--out', out('resumed'), '--resume'],
  resumeClash: ['train', ...tiny, '--data', data, '--steps', '14', '--out', out('resumed'), '--resume', '--pooling', 'mean'],
  resumeOtherData: ['train', ...tiny, '--data', other, '--steps', '14', '--out', out('resumed'), '--resume'],
  options: [
    'train',
    ...tiny,
    '--data',
    jsonl,
    '--valid',
    data,
    '--tokens',
    'char',
    '--no-lowercase',
    '--max-tokens',
    '12',
    '--pooling',
    'attention',
    '--cell',
    'gru',
    '--class-weights',
    'balanced',
    '--no-bidirectional',
    '--steps',
    '4',
    '--out',
    out('options'),
  ],
  predict: ['predict', '--checkpoint', out('run'), '--input', 'a superb film'],
  predictData: ['predict', '--checkpoint', out('run'), '--data', inputs],
  evalJson: ['eval', '--checkpoint', out('run'), '--data', withUnseen, '--json', '--confusion', join(root, 'cm')],
  evalText: ['eval', '--checkpoint', out('run'), '--data', data],
  info: ['info', '--checkpoint', out('run')],
  infoOptions: ['info', '--checkpoint', out('options')],
  noTab: ['train', ...tiny, '--data', noTab, '--steps', '2', '--out', out('x1')],
  emptyText: ['train', ...tiny, '--data', emptyText, '--steps', '2', '--out', out('x2')],
  empty: ['train', ...tiny, '--data', empty, '--steps', '2', '--out', out('x3')],
  latin1: ['train', ...tiny, '--data', latin1, '--steps', '2', '--out', out('x4')],
  badJsonl: ['train', ...tiny, '--data', badJsonl, '--steps', '2', '--out', out('x5')],
  noData: ['train', ...tiny, '--steps', '2', '--out', out('x6')],
  badVectors: ['train', ...tiny, '--data', data, '--vectors', file('v.txt', 'good 1 2\nfilm 1\n'), '--steps', '2', '--out', out('x7')],
  seq2seqFlag: ['train', ...tiny, '--data', data, '--encoder-layers', '2', '--out', out('x8')],
  classifyFlag: ['train', '--data', data, '--pooling', 'max', '--out', out('x9')],
  evalBadData: ['eval', '--checkpoint', out('run'), '--data', noTab],
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

test('train: held-out texts, validation, predictions, checkpoints, the best one, the report with the confusion matrix', () => {
  const log = ok('train');
  assert.match(
    log,
    /data: .*reviews\.tsv: 60 texts; 2 labels \(training: (pos|neg) \d+, (pos|neg) \d+\); vocabulary \d+ word tokens \(min count 1, lower-cased\)/,
  );
  assert.match(log, /validation: 10% of the texts held out: 6 texts/);
  assert.match(log, /validation at step 3: loss \d+\.\d+ nats\/text, accuracy \d+\.\d%/);
  assert.match(log, /--- predictions at step 6 ---\n(pos|neg) \(0\.\d{3}; true (pos|neg)\): /);
  assert.match(log, /model: bidirectional LSTM 1×8, embedding 6, max pooling, dropout 0\.3/);
  assert.match(log, /stopped: reached 12 steps at step 12/);
  for (const f of ['checkpoint/model.safetensors', 'checkpoint/config.json', 'best/model.safetensors', 'loss_curve.svg', 'loss_curve.png', 'report.html']) {
    assert.ok(existsSync(join(out('run'), f)), `${f} is missing`);
  }
  const report = readFileSync(join(out('run'), 'report.html'), 'utf8');
  assert.match(report, /<h2>Validation accuracy<\/h2>/);
  assert.match(report, /<h2>Confusion matrix of the validation texts<\/h2>\n<svg/);
  const config = JSON.parse(readFileSync(join(out('run'), 'checkpoint', 'config.json'), 'utf8'));
  assert.equal(config.kind, 'classify');
  assert.equal(config.task.model.hiddenSize, 8);
  assert.equal(config.task.options.tokens, 'word');
  assert.equal(config.training.step, 12);
  assert.equal(config.training.lrSchedule, 'plateau');
});

test('a resumed run continues exactly as an uninterrupted one; resuming a finished run takes no step', () => {
  ok('straight');
  ok('partial');
  assert.match(ok('resume'), /resuming at step 6/);
  const a = readFileSync(join(out('straight'), 'checkpoint', 'model.safetensors'));
  const b = readFileSync(join(out('resumed'), 'checkpoint', 'model.safetensors'));
  assert.ok(a.equals(b), 'the parameters after 10 steps differ between the straight and the resumed run');
  assert.match(ok('again'), /nothing to train: the run already took 10 steps/);
  assert.match(failure('resumeClash'), /--pooling mean contradicts the checkpoint's task\.model\.pooling "max"/);
  assert.match(failure('resumeOtherData'), /--data: .*other\.tsv has SHA-256 [0-9a-f]{64}, but the run was trained on data with SHA-256/);
});

test('JSON Lines, --valid, char tokens, case kept, attention pooling, a GRU, class weights, one direction', () => {
  const log = ok('options');
  assert.match(log, /reviews\.jsonl: 60 texts/);
  assert.match(log, /validation: .*reviews\.tsv: 60 texts/);
  assert.match(log, /char tokens \(min count 1\); texts cut to their first 12 tokens/);
  assert.match(log, /model: GRU 1×8, embedding 6, attention pooling/);
  assert.match(log, /class weights pos 1\.000, neg 1\.000|class weights neg 1\.000, pos 1\.000/);
  assert.match(ok('infoOptions'), /model: text classifier, GRU 1 layer\(s\) × 8, embedding 6, attention pooling/);
  assert.match(ok('infoOptions'), /scorer\.weight\s+\[8, 8\]/);
});

test('predict: the label and its probability, one line per input', () => {
  assert.match(ok('predict'), /^(pos|neg)\t(0\.[5-9]\d{3}|1\.0000)\n$/);
  const lines = ok('predictData').trimEnd().split('\n');
  assert.equal(lines.length, 2); // the blank line is skipped
  for (const line of lines) assert.match(line, /^(pos|neg)\t\d\.\d{4}$/);
});

test('eval: accuracy and macro-F1 as fractions in JSON, a label seen only at eval time reported, the confusion matrix as PNG and SVG', () => {
  const metrics = JSON.parse(ok('evalJson')) as {
    accuracy: number;
    macroF1: number;
    labels: string[];
    confusion: number[][];
    unseenLabels: Record<string, number>;
    count: number;
  };
  assert.equal(metrics.count, 3);
  assert.ok(metrics.accuracy >= 0 && metrics.accuracy <= 2 / 3, `accuracy ${metrics.accuracy}: the 'mixed' text cannot be right`);
  assert.ok(metrics.macroF1 >= 0 && metrics.macroF1 <= 1);
  assert.equal(metrics.labels.at(-1), 'mixed');
  assert.deepEqual(metrics.unseenLabels, { mixed: 1 });
  assert.equal(metrics.confusion.length, 3);
  assert.deepEqual([...readFileSync(join(root, 'cm.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.match(readFileSync(join(root, 'cm.svg'), 'utf8'), /<svg[\s\S]*predicted[\s\S]*true label/);
  const text = ok('evalText');
  assert.match(text, /data: .*reviews\.tsv: 60 texts, 2 labels\naccuracy: \d+\.\d\d%\nmacro-F1: \d\.\d{4}\nlabel +precision +recall +F1 +support\n/);
  assert.match(text, /confusion matrix plot: .*run\/confusion_matrix\.png/);
  assert.ok(existsSync(join(out('run'), 'confusion_matrix.svg')));
  assert.match(ok('info'), /labels \(2\): (pos, neg|neg, pos)/);
  assert.match(ok('info'), /encoder\.rnn\.weight_ih_l0_reverse\s+\[32, 6\]/);
});

test('bad input: the file and line, the flag, never a crash', () => {
  assert.match(failure('noTab'), /--data: .*no_tab\.tsv:2: expected text<TAB>label; the line has no tab: "the plot was bad neg"/);
  assert.match(failure('emptyText'), /--data: .*empty_text\.tsv:2: the text \(before the tab\) is empty/);
  assert.match(failure('empty'), /--data: .*empty\.tsv: the file is empty \(0 bytes\)/);
  assert.match(failure('latin1'), /--data: .*latin1\.tsv:2: not valid UTF-8/);
  assert.match(failure('badJsonl'), /--data: .*bad\.jsonl:2: "label" must be a string or a number; got no "label" key/);
  assert.match(failure('noData'), /--task classify needs --data FILE/);
  assert.match(failure('badVectors'), /--vectors: .*v\.txt:2: expected 2 values/);
  assert.match(failure('seq2seqFlag'), /--encoder-layers: applies to --task seq2seq only \(this is --task classify\)/);
  assert.match(failure('classifyFlag'), /--pooling: applies to --task classify only \(this is --task lm\)/);
  assert.match(failure('evalBadData'), /--data: .*no_tab\.tsv:2: expected text<TAB>label/);
  assert.match(failure('generate'), /holds a text classifier, which labels texts: use predict --input TEXT/);
});

test('a label seen only at eval time is said on stderr; unknown input tokens are said once', () => {
  const cli = join(import.meta.dirname, '..', 'src', 'main.ts');
  const run = (...args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
      encoding: 'utf8',
      env: { ...process.env, RECURRENT_NUM_THREADS: '1' },
    });
  const evaluated = run('eval', '--checkpoint', out('run'), '--data', withUnseen, '--confusion', join(root, 'cm2'));
  assert.equal(evaluated.status, 0, String(evaluated.stderr));
  assert.match(String(evaluated.stderr), /warning: --data: labels the model was not trained on, counted as errors: "mixed" \(1 text\)/);
  assert.match(String(evaluated.stdout), /^mixed +0\.0000 +0\.0000 +0\.0000 +1$/m);
  const predicted = run('predict', '--checkpoint', out('run'), '--data', file('unknown.txt', 'a zany film\nzany zany plot\n'));
  assert.equal(predicted.status, 0, String(predicted.stderr));
  assert.equal(String(predicted.stderr).match(/warning/g)?.length, 1);
  assert.match(String(predicted.stderr), /1 input token\(s\) outside the model's vocabulary are read as <unk>: "zany"/);
  assert.equal(String(predicted.stdout).split('\n').length - 1, 2);
});
