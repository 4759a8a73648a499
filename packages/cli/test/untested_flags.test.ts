// Every flag of every command, run for real on a tiny model: the cells and layers a model can
// have, gradient clipping, epoch and time budgets, the cosine schedule's hold, progress lines,
// backends, each sampling flag of `generate` and each flag of `eval`. The commands run in one
// child process (test/helpers/run_commands.ts), sparing a Node start-up for each.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listBackends } from 'recurrent';
import type { CommandResult } from './helpers/run_commands.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-flags-'));
const sentence = 'the quick brown fox jumps over the lazy dog. ';
const data = join(root, 'tiny.txt');
writeFileSync(data, sentence.repeat(64)); // 2,880 characters
const short = join(root, 'short.txt');
writeFileSync(short, sentence.repeat(8)); // 360 characters: one epoch is about 20 steps
const foreign = join(root, 'foreign.txt');
writeFileSync(foreign, 'THE QUICK BROWN FOX, 1234. the lazy dog. '.repeat(4));
const out = (name: string): string => join(root, name);
const tiny = ['--hidden', '8', '--batch', '2', '--seq-len', '8', '--sample-every', '0', '--validate-every', '0', '--sample-length', '5', '--plain'];
const train = (name: string, ...flags: string[]): string[] => ['train', '--data', data, ...tiny, '--steps', '3', '--out', out(name), ...flags];
const generate = (...flags: string[]): string[] => ['generate', '--checkpoint', out('gru'), ...flags];
const wasm = listBackends().includes('wasm');

/** The command lines, by name; each runs after those before it. */
const commands: Record<string, string[]> = {
  gru: train('gru', '--cell', 'gru', '--clip', '0'),
  rnn: train('rnn', '--cell', 'rnn', '--layers', '2', '--clip', '0.5'),
  gruInfo: ['info', '--checkpoint', out('gru')],
  rnnInfo: ['info', '--checkpoint', out('rnn')],
  rnnGenerate: ['generate', '--checkpoint', out('rnn'), '--length', '12', '--seed', '1'],
  rnnEval: ['eval', '--checkpoint', out('rnn'), '--data', data],
  // Adam's update barely depends on the gradient's scale, unless clipping shrinks it below eps.
  clipOff: train('clipOff', '--clip', '0'),
  clipLoose: train('clipLoose', '--clip', '1000'),
  clipTight: train('clipTight', '--clip', '1e-9'),
  epoch: ['train', '--data', short, ...tiny, '--epochs', '1', '--out', out('epoch')],
  time: ['train', '--data', short, ...tiny, '--time', '1s', '--out', out('time')],
  decayFrom: train('decay', '--lr-schedule', 'cosine', '--lr', '0.01', '--lr-min', '0.001', '--lr-decay-from', '0.5'),
  logEveryStep: train('log', '--log-interval', '0.000001'),
  backendReference: ['--backend', 'reference', ...train('reference')],
  ...(wasm ? { backendWasm: ['--backend', 'wasm', ...train('wasm')] } : {}),
  backendUnknown: ['--backend', 'tpu', ...train('tpu')],
  length: generate('--length', '30', '--seed', '1', '--prime', 'the '),
  lengthAgain: generate('--length', '30', '--seed', '1', '--prime', 'the '),
  lengthZero: generate('--length', '0', '--prime', 'dog'),
  defaultPrime: generate('--length', '5', '--seed', '1'),
  hotSeed1: generate('--length', '60', '--seed', '1', '--temperature', '1.5'),
  hotSeed2: generate('--length', '60', '--seed', '2', '--temperature', '1.5'),
  coldSeed1: generate('--length', '60', '--seed', '1', '--temperature', '0.05'),
  greedySeed1: generate('--length', '60', '--seed', '1', '--temperature', '0'),
  greedySeed2: generate('--length', '60', '--seed', '2', '--temperature', '0'),
  topK1Seed1: generate('--length', '60', '--seed', '1', '--temperature', '1.5', '--top-k', '1'),
  topK1Seed2: generate('--length', '60', '--seed', '2', '--temperature', '1.5', '--top-k', '1'),
  topK3Seed1: generate('--length', '60', '--seed', '1', '--temperature', '1.5', '--top-k', '3'),
  topPTinySeed1: generate('--length', '60', '--seed', '1', '--temperature', '1.5', '--top-p', '0.0001'),
  topPTinySeed2: generate('--length', '60', '--seed', '2', '--temperature', '1.5', '--top-p', '0.0001'),
  topPHalfSeed1: generate('--length', '60', '--seed', '1', '--temperature', '1.5', '--top-p', '0.5'),
  evalDefault: ['eval', '--checkpoint', out('gru'), '--data', data],
  evalAllBatch1: ['eval', '--checkpoint', out('gru'), '--data', data, '--all', '--batch', '1'],
  evalAll: ['eval', '--checkpoint', out('gru'), '--data', data, '--all'],
  evalData: ['eval', '--checkpoint', out('gru'), '--data', foreign, '--all'],
};

let results: Record<string, CommandResult> = {};
const ok = (name: string): string => {
  const r = results[name];
  assert.ok(r, `${name} did not run`);
  assert.equal(r.error, null, `recurrent ${r.argv.join(' ')} failed: ${JSON.stringify(r.error)}\n${r.stdout}`);
  return r.stdout;
};
const config = (name: string) => JSON.parse(readFileSync(join(out(name), 'checkpoint', 'config.json'), 'utf8'));
const weights = (name: string): Buffer => readFileSync(join(out(name), 'checkpoint', 'model.safetensors'));
/** The generated text without the trailing newline, as characters. */
const generated = (name: string): string[] => Array.from(ok(name).replace(/\n$/, ''));

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

test('train --cell gru: a GRU, embedding min(hidden, 64); its checkpoint infos, generates and evals', () => {
  assert.match(ok('gru'), /model: GRU 1×8, embedding 8, [\d,]+ parameters; batch 2×8, Adam lr 0\.002, clip 0\n/);
  assert.equal(config('gru').model.cell, 'gru');
  const info = ok('gruInfo');
  assert.match(info, /GRU 1 layer\(s\) × 8 hidden, embedding 8/);
  assert.match(info, /rnn\.weight_hh_l0\s+\[24, 8\]/); // 3 gates × 8
  assert.equal(generated('length').length, 'the '.length + 30);
  assert.match(ok('evalDefault'), /bits per character: \d+\.\d+/);
});

test('train --cell rnn --layers 2 --clip 0.5: a two-layer Elman RNN; its checkpoint infos, generates and evals', () => {
  assert.match(ok('rnn'), /model: RNN 2×8, embedding 8, [\d,]+ parameters; batch 2×8, Adam lr 0\.002, clip 0\.5\n/);
  assert.deepEqual([config('rnn').model.cell, config('rnn').model.numLayers, config('rnn').training.clip], ['rnn', 2, 0.5]);
  const info = ok('rnnInfo');
  assert.match(info, /RNN 2 layer\(s\) × 8 hidden/);
  assert.match(info, /rnn\.weight_hh_l0\s+\[8, 8\]/);
  assert.match(info, /rnn\.weight_ih_l1\s+\[8, 8\]/);
  assert.equal(generated('rnnGenerate').length, 1 + 12); // the default prime '\n', then 12 characters
  assert.match(ok('rnnEval'), /loss: \d+\.\d+ nats\/char/);
});

test('--clip bounds the gradient norm: a bound never reached changes nothing, a tiny one changes the steps', () => {
  ok('clipOff');
  ok('clipLoose');
  ok('clipTight');
  assert.ok(weights('clipLoose').equals(weights('clipOff')), '--clip 1000 changed the trained weights');
  assert.ok(!weights('clipTight').equals(weights('clipOff')), '--clip 1e-9 left the trained weights as without clipping');
});

test('--epochs 1 stops after one pass over the data', () => {
  const log = ok('epoch');
  const perEpoch = Number(/; (\d+) steps per epoch/.exec(log)?.[1]);
  assert.ok(perEpoch > 5 && perEpoch < 40, log);
  assert.match(log, /until 1 epoch\(s\)/);
  assert.match(log, new RegExp(`stopped: completed 1 epoch at step ${perEpoch}\\b`));
  assert.deepEqual([config('epoch').training.step, config('epoch').training.epoch], [perEpoch, 1]);
});

test('--time 1s stops on the clock and says so', () => {
  const log = ok('time');
  assert.match(log, /until 0:01;/);
  const stopped = /stopped: reached the time limit of 1 s at step (\d+)/.exec(log);
  assert.ok(stopped, log);
  assert.equal(config('time').training.step, Number(stopped[1]));
  assert.ok(config('time').training.seconds >= 1, `trained ${config('time').training.seconds} s`);
});

test('--lr-decay-from holds the cosine schedule for that fraction of the budget', () => {
  assert.match(ok('decayFrom'), /Adam lr 0\.01 \(cosine to 0\.001 over the last 50% of the budget\)/);
  const c = config('decay');
  assert.equal(c.training.lrDecayFrom, 0.5);
  assert.ok(Math.abs(c.optimizer.paramGroups[0].lr - 0.001) < 1e-12, `final lr ${c.optimizer.paramGroups[0].lr}`);
});

test('--log-interval sets the seconds between plain progress lines', () => {
  const lines = (name: string): string[] => ok(name).match(/^step \d+ \| loss \d+\.\d+ \| .* bits\/char \| .* tok\/s \| elapsed/gm) ?? [];
  assert.equal(lines('logEveryStep').length, 3);
  assert.equal(lines('clipLoose').length, 0); // at the default 10 s, none in 3 steps
});

test('--backend selects the kernels; an unknown one is refused naming the flag and the choices', () => {
  ok('backendReference');
  assert.equal(results.backendReference!.backend, 'reference');
  if (wasm) {
    ok('backendWasm');
    assert.equal(results.backendWasm!.backend, 'wasm');
    // The two backends train the same model, to within float32 rounding.
    const heldOut = (name: string): number => Number(/held-out: (\d+\.\d+) nats\/char/.exec(ok(name))?.[1]);
    assert.ok(Math.abs(heldOut('backendWasm') - heldOut('backendReference')) < 1e-3, `${heldOut('backendWasm')} vs ${heldOut('backendReference')}`);
  }
  const unknown = results.backendUnknown!;
  assert.equal(unknown.error?.name, 'ValueError');
  assert.equal(unknown.error?.message, `--backend: unknown backend 'tpu'; available: ${listBackends().join(', ')}`);
  assert.equal(unknown.stdout, '', 'the run started before the flag was checked');
});

test('generate --length, --prime and --seed: that many characters after the prime, repeated by the seed', () => {
  assert.ok(ok('length').startsWith('the '));
  assert.equal(generated('length').length, 4 + 30);
  assert.equal(ok('lengthAgain'), ok('length'));
  assert.equal(ok('lengthZero'), 'dog\n');
  assert.equal(generated('defaultPrime')[0], '\n'); // the default prime is a newline
  assert.equal(generated('defaultPrime').length, 1 + 5);
  assert.notEqual(ok('hotSeed2'), ok('hotSeed1'), 'two seeds sampled the same 60 characters at temperature 1.5');
});

test('generate --temperature 0, --top-k 1 and a tiny --top-p are greedy: the seed does not matter', () => {
  const greedy = ok('greedySeed1');
  assert.equal(ok('greedySeed2'), greedy);
  assert.equal(ok('topK1Seed1'), greedy);
  assert.equal(ok('topK1Seed2'), greedy);
  assert.equal(ok('topPTinySeed1'), greedy);
  assert.equal(ok('topPTinySeed2'), greedy);
});

test('generate --temperature, --top-k and --top-p change what is sampled', () => {
  const greedy = ok('greedySeed1');
  const hot = ok('hotSeed1');
  assert.notEqual(hot, greedy);
  // Same seed, same draws: restricting the candidates changes some of the characters.
  assert.notEqual(ok('topK3Seed1'), hot);
  assert.notEqual(ok('topPHalfSeed1'), hot);
  // A nearly untrained model is almost uniform: at temperature 1.5 far more distinct characters appear than when nearly greedy.
  const distinct = (name: string): number => new Set(generated(name)).size;
  assert.ok(distinct('hotSeed1') > distinct('coldSeed1'), `${distinct('hotSeed1')} vs ${distinct('coldSeed1')}`);
  assert.ok(distinct('topK3Seed1') <= distinct('hotSeed1'));
});

test('eval: the held-out tail by default, --batch streams, --all the whole text, --data another file', () => {
  // The held-out tail is long enough for one validation stream only; the whole text for the training batch's 2.
  assert.match(ok('evalDefault'), /data: .*tiny\.txt, the last 10%: 288 characters, 287 scored in 1 stream\n/);
  assert.match(ok('evalAll'), /data: .*tiny\.txt, all: 2,880 characters, 2,878 scored in 2 streams\n/);
  assert.match(ok('evalAllBatch1'), /data: .*tiny\.txt, all: 2,880 characters, 2,879 scored in 1 stream\n/);
  const loss = (name: string): number => Number(/loss: (\d+\.\d+)/.exec(ok(name))?.[1]);
  assert.notEqual(loss('evalAll'), loss('evalDefault'));
  // Capitals, digits and the comma are outside the vocabulary of the lower-case training text.
  const upper = [...new Set('THE QUICK BROWN FOX, 1234. the lazy dog. ')].filter((c) => !sentence.includes(c));
  const outside = 4 * Array.from('THE QUICK BROWN FOX, 1234. the lazy dog. ').filter((c) => upper.includes(c)).length;
  assert.match(ok('evalData'), new RegExp(`data: .*foreign\\.txt, all: 164 characters, .* \\(${outside} outside the vocabulary\\)\\n`));
});
