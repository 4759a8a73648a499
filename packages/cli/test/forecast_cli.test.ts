// `--task forecast` end to end on a small daily CSV: train (the held-out tail, best/ checkpoint,
// report with the forecast figure), resume to the same parameters as an uninterrupted run, eval
// (text, --json, --plot, interval coverage), predict the next --horizon steps, info, and bad input
// named by file and line. The commands run in one child process.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult } from './helpers/run_commands.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-forecast-'));
/** Rows from 2021-01-01: a weekly pattern on a trend, with a covariate. */
function rows(count: number, start = 0): string[] {
  return Array.from({ length: count }, (_, k) => {
    const i = start + k;
    const date = new Date(Date.UTC(2021, 0, 1 + i)).toISOString().slice(0, 10);
    return `${date},${(100 + 0.1 * i + [0, 8, 10, 9, 7, -12, -20][i % 7]! + 2 * Math.sin(i * i)).toFixed(2)},${i % 3}`;
  });
}
const file = (name: string, text: string): string => {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
};
const header = 'date,sales,promo\n';
const data = file('sales.csv', header + rows(200).join('\n') + '\n');
const later = file('later.csv', header + rows(30, 200).join('\n') + '\n');
const other = file('other.csv', header + rows(201).join('\n') + '\n');
const nonNumeric = file('non_numeric.csv', header + rows(30).join('\n').replace('2021-01-05,', '2021-01-05,x') + '\n');
const missing = file(
  'missing.csv',
  header +
    rows(30)
      .join('\n')
      .replace(/2021-01-07,[^,]*,/, '2021-01-07,,') +
    '\n',
);
const badDate = file('bad_date.csv', header + rows(30).join('\n').replace('2021-01-09', '2021-13-09') + '\n');
const empty = file('empty.csv', '');
const short = file('short.csv', header + rows(12).join('\n') + '\n');
const flat = (from: number, count: number): string =>
  `date,sales\n${rows(count, from)
    .map((r) => `${r.split(',')[0]},5`)
    .join('\n')}\n`;
const constant = file('constant.csv', flat(0, 60));
const constantLater = file('constant_later.csv', flat(60, 10));
const out = (name: string): string => join(root, name);
const columns = ['--target', 'sales', '--covariates', 'promo', '--date', 'date', '--holidays', 'us'];
const tiny = ['--task', 'forecast', ...columns, '--hidden', '8', '--batch', '16', '--validate-every', '5', '--plain', '--seed', '2'];

const commands: Record<string, string[]> = {
  train: ['train', ...tiny, '--data', data, '--steps', '12', '--checkpoint-every', '4', '--out', out('run')],
  straight: ['train', ...tiny, '--data', data, '--steps', '12', '--checkpoint-every', '4', '--out', out('straight')],
  partial: ['train', ...tiny, '--data', data, '--steps', '7', '--checkpoint-every', '4', '--out', out('resumed')],
  resume: ['train', ...tiny, '--data', data, '--steps', '12', '--checkpoint-every', '4', '--out', out('resumed'), '--resume'],
  again: ['train', ...tiny, '--data', data, '--steps', '12', '--out', out('resumed'), '--resume'],
  resumeClash: ['train', ...tiny, '--data', data, '--steps', '14', '--out', out('resumed'), '--resume', '--window', '9'],
  resumeOtherData: ['train', ...tiny, '--data', other, '--steps', '14', '--out', out('resumed'), '--resume'],
  quantiles: [
    'train',
    ...tiny,
    '--data',
    data,
    '--steps',
    '30',
    '--quantiles',
    '0.1,0.5,0.9',
    '--horizon',
    '3',
    '--window',
    '10',
    '--cell',
    'gru',
    '--out',
    out('quantiles'),
  ],
  noDates: [
    'train',
    '--task',
    'forecast',
    '--target',
    'sales',
    '--data',
    data,
    '--hidden',
    '6',
    '--layers',
    '2',
    '--dropout',
    '0.1',
    '--loss',
    'l1',
    '--window',
    '7',
    '--epochs',
    '1',
    '--patience',
    '0',
    '--plain',
    '--out',
    out('plain'),
  ],
  constant: [
    'train',
    '--task',
    'forecast',
    '--target',
    'sales',
    '--date',
    'date',
    '--data',
    constant,
    '--hidden',
    '4',
    '--steps',
    '3',
    '--plain',
    '--out',
    out('constant'),
  ],
  evalText: ['eval', '--checkpoint', out('run'), '--data', later, '--history', data, '--plot', join(root, 'plot.png')],
  evalJson: ['eval', '--checkpoint', out('run'), '--data', later, '--history', data, '--json'],
  evalQuantiles: ['eval', '--checkpoint', out('quantiles'), '--data', later, '--history', data, '--json', '--batch', '7'],
  evalConstant: ['eval', '--checkpoint', out('constant'), '--data', constantLater, '--history', constant, '--json'],
  predict: ['predict', '--checkpoint', out('run'), '--data', data],
  predictQuantiles: ['predict', '--checkpoint', out('quantiles'), '--data', later],
  predictPlain: ['predict', '--checkpoint', out('plain'), '--data', later],
  info: ['info', '--checkpoint', out('run')],
  nonNumeric: ['train', ...tiny, '--data', nonNumeric, '--steps', '2', '--out', out('x1')],
  missing: ['train', ...tiny, '--data', missing, '--steps', '2', '--out', out('x2')],
  badDate: ['train', ...tiny, '--data', badDate, '--steps', '2', '--out', out('x3')],
  empty: ['train', ...tiny, '--data', empty, '--steps', '2', '--out', out('x4')],
  short: ['train', ...tiny, '--data', short, '--window', '14', '--steps', '2', '--out', out('x5')],
  noTarget: ['train', '--task', 'forecast', '--data', data, '--steps', '2', '--out', out('x6')],
  rnnCell: ['train', ...tiny, '--data', data, '--cell', 'rnn', '--steps', '2', '--out', out('x7')],
  lmFlag: ['train', ...tiny, '--data', data, '--seq-len', '8', '--out', out('x8')],
  forecastFlag: ['train', '--data', data, '--target', 'sales', '--out', out('x9')],
  evalNoHistory: ['eval', '--checkpoint', out('run'), '--data', later],
  evalShortHistory: ['eval', '--checkpoint', out('run'), '--data', later, '--history', short],
  predictInput: ['predict', '--checkpoint', out('run'), '--input', '12'],
  generate: ['generate', '--checkpoint', out('run')],
  badQuantiles: ['train', ...tiny, '--data', data, '--quantiles', '0.9,0.1', '--out', out('x10')],
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

test('train: the held-out tail, validation with MAPE, checkpoints, the best one, the report with the forecast figure', () => {
  const log = ok('train');
  assert.match(log, /data: .*sales\.csv: 200 rows of 'sales'; covariates promo; calendar features of 'date' with US federal holidays/);
  assert.match(log, /validation: the last 20 rows \(10%\) held out, from line 182; 20 windows/);
  assert.match(log, /model: LSTM 1×8 over a window of 14, horizon 1, loss mse, [\d,]+ parameters/);
  assert.match(log, /validation at step 5: loss \d+\.\d+\n {2}validation MAPE \d+\.\d{3}%, MAE \S+ \(one step ahead, 20 rows\)/);
  assert.match(log, /stopped: reached 12 steps at step 12/);
  assert.match(log, /validation: loss \d+\.\d{4}; one step ahead: MAPE \d+\.\d{3}%, MAE \S+, RMSE \S+\n/);
  for (const f of ['checkpoint/model.safetensors', 'checkpoint/config.json', 'best/model.safetensors', 'loss_curve.svg', 'loss_curve.png', 'report.html']) {
    assert.ok(existsSync(join(out('run'), f)), `${f} is missing`);
  }
  assert.match(readFileSync(join(out('run'), 'report.html'), 'utf8'), /<h2>Validation: forecast one step ahead against actual<\/h2>\n<svg/);
  const config = JSON.parse(readFileSync(join(out('run'), 'checkpoint', 'config.json'), 'utf8'));
  assert.equal(config.kind, 'forecast');
  assert.deepEqual(config.task.options, {
    target: 'sales',
    covariates: ['promo'],
    date: 'date',
    holidays: 'us',
    window: 14,
    horizon: 1,
    quantiles: [],
    loss: 'mse',
  });
  assert.equal(config.task.normalization.rule, 'standard');
  assert.equal(config.task.model.hiddenSize, 8);
  assert.equal(config.training.trainRows, 180);
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
  assert.match(failure('resumeClash'), /--window 9 contradicts the checkpoint's task\.options\.window 14/);
  assert.match(failure('resumeOtherData'), /--data: .*other\.csv has SHA-256 [0-9a-f]{64}, but the run was trained on data with SHA-256/);
});

test('eval: MAPE in percent, MAE and RMSE; --json with the keys mape, mae, rmse; the plot of forecast against actual', () => {
  assert.match(
    ok('evalText'),
    /data: .*later\.csv: 30 rows forecast one step ahead, after 200 rows of .*sales\.csv\nMAPE: \d+\.\d{3}%\nMAE: \S+\nRMSE: \S+\nforecast against actual: .*plot\.png, .*plot\.svg\n/,
  );
  assert.deepEqual([...readFileSync(join(root, 'plot.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.match(readFileSync(join(root, 'plot.svg'), 'utf8'), /<svg[\s\S]*actual[\s\S]*forecast/);
  const metrics = JSON.parse(ok('evalJson')) as Record<string, number>;
  assert.deepEqual(Object.keys(metrics).sort(), ['count', 'mae', 'mape', 'rmse']);
  assert.equal(metrics['count'], 30);
  assert.ok(metrics['mape']! > 0 && metrics['rmse']! >= metrics['mae']!);
  assert.ok(existsSync(join(root, 'later_forecast.png')), 'the default plot beside --data');
  const q = JSON.parse(ok('evalQuantiles')) as Record<string, number>;
  assert.deepEqual(Object.keys(q).sort(), ['count', 'coverage', 'mae', 'mape', 'nominalCoverage', 'rmse']);
  assert.ok(q['coverage']! >= 0 && q['coverage']! <= 1);
  assert.ok(Math.abs(q['nominalCoverage']! - 0.8) < 1e-12);
});

test('predict: the next --horizon steps after the file, with dates and quantiles; info', () => {
  assert.equal(ok('predict').split('\n')[0], 'date,sales');
  assert.match(ok('predict'), /^date,sales\n2021-07-20,-?\d+(\.\d+)?\n$/);
  assert.match(ok('predictQuantiles'), /^date,sales,q0\.1,q0\.5,q0\.9\n2021-08-19,\S+\n2021-08-20,\S+\n2021-08-21,\S+\n$/);
  for (const line of ok('predictQuantiles').trim().split('\n').slice(1)) {
    const [, point, lo, mid, hi] = line.split(',').map(Number);
    assert.ok(lo! <= mid! && mid! <= hi! && point === mid, line);
  }
  assert.match(ok('predictPlain'), /^step,sales\n\+1,\S+\n$/);
  assert.match(ok('noDates'), /model: LSTM 2×6 over a window of 7, horizon 1, loss l1/);
  assert.match(ok('quantiles'), /model: GRU 1×8 over a window of 10, horizon 3, quantiles 0\.1, 0\.5, 0\.9, loss pinball/);
  const info = ok('info');
  assert.match(info, /model: forecaster, LSTM 1 layer\(s\) × 8 over a window of 14, horizon 1, dropout 0, loss mse/);
  assert.match(info, /normalisation \(standard\): sales \(x − \S+\) \/ \S+; promo \(x − 1\.00\d*\) \/ 0\.81\d*/);
  assert.match(info, /rnn\.weight_ih_l0\s+\[32, 27\]/);
});

test('a constant series is centred, not divided by zero: it trains and evaluates to finite numbers', () => {
  assert.match(ok('constant'), /stopped: reached 3 steps/);
  const metrics = JSON.parse(ok('evalConstant')) as Record<string, number>;
  for (const key of ['mape', 'mae', 'rmse']) assert.ok(Number.isFinite(metrics[key]), `${key} ${metrics[key]}`);
});

test('bad input: the file and line, the flag, never a crash', () => {
  assert.match(failure('nonNumeric'), /non_numeric\.csv:6: column 'sales': expected a number; got 'x\S+'/);
  assert.match(failure('missing'), /missing\.csv:8: column 'sales' has a missing value \(an empty cell\); missing values are not filled in/);
  assert.match(failure('badDate'), /bad_date\.csv:10: column 'date': expected a date YYYY-MM-DD \(or YYYY\/MM\/DD\); got "2021-13-09"/);
  assert.match(failure('empty'), /empty\.csv: the file is empty \(0 bytes\)/);
  assert.match(failure('short'), /short\.csv:\d+: the series has 11 rows; the window and the horizon need at least 15 \(window 14, horizon 1\)/);
  assert.match(failure('noTarget'), /--task forecast needs --target COLUMN/);
  assert.match(failure('rnnCell'), /--cell rnn: a forecaster's cell is lstm or gru/);
  assert.match(failure('lmFlag'), /--seq-len: applies to --task lm only \(this is --task forecast\)/);
  assert.match(failure('forecastFlag'), /--target: applies to --task forecast only \(this is --task lm\)/);
  assert.match(failure('evalNoHistory'), /eval: --history FILE is needed/);
  assert.match(failure('evalShortHistory'), /short\.csv:13: the series has 12 rows; the window, before the first forecast row, needs at least 14/);
  assert.match(failure('predictInput'), /predict: a forecasting checkpoint forecasts after a CSV series: give --data FILE/);
  assert.match(failure('generate'), /holds a forecaster, which forecasts after a series: use predict --data FILE\.csv/);
  assert.match(failure('badQuantiles'), /--quantiles: expected increasing numbers in \(0, 1\) separated by commas/);
});
