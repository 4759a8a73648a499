// `--task tag` end to end on a tiny CoNLL file: train (held-out sentences, best/ checkpoint, the
// report with its accuracy figure), resume to the same parameters as an uninterrupted run, --crf
// on BIO tags, predict (text and CoNLL input), eval --json, info, and bad input named by file and
// line. The commands run in one child process.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult } from './helpers/run_commands.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-cli-tag-'));
const write = (name: string, content: string | Uint8Array): string => {
  const file = join(root, name);
  writeFileSync(file, content);
  return file;
};
// Part-of-speech-like sentences: "the" DET, -ing VERB, -ly ADV, other words NOUN.
const stems = ['bako', 'demu', 'fira', 'gotu', 'kema', 'lipo', 'mura', 'nesi', 'pago', 'rute', 'sima', 'tovu'];
const pos = write(
  'pos.conll',
  Array.from({ length: 40 }, (_, i) =>
    Array.from({ length: 3 + (i % 4) }, (_, j) => {
      const stem = stems[(i * 7 + j * 5) % stems.length]!;
      return [
        ['the', 'DET'],
        [`${stem}ing`, 'VERB'],
        [`${stem}ly`, 'ADV'],
        [stem, 'NOUN'],
      ][(i + j) % 4]!.join('\t');
    }).join('\n'),
  ).join('\n\n') + '\n',
);
const ner = write(
  'ner.conll',
  'John\tNNP\tB-PER\nSmith\tNNP\tI-PER\nran\tVBD\tO\n\nParis\tNNP\tB-LOC\nsleeps\tVBZ\tO\n\nAnn\tNNP\tB-PER\nsaw\tVBD\tO\nRome\tNNP\tB-LOC\n\nBob\tNNP\tB-PER\nleft\tVBD\tO\n',
);
const nerValid = write('ner_valid.conll', 'Acme\tNNP\tB-ORG\nhired\tVBD\tO\nAnn\tNNP\tB-PER\n');
const noTab = write('no_tab.conll', 'the\tDET\ncat NOUN\n');
const empty = write('empty.conll', '');
const latin1 = write('latin1.conll', new Uint8Array([...new TextEncoder().encode('the\tDET\n\ncaf'), 0xe9, ...new TextEncoder().encode('\tNOUN\n')]));
const flat = write('flat.conll', Array.from({ length: 50_000 }, (_, i) => `${stems[i % stems.length]}\t${i % 3 ? 'NOUN' : 'DET'}`).join('\n') + '\n');
const inputs = write('inputs.txt', 'the bakoing kemaly\n\nthe zuzuing\n');
const out = (name: string): string => join(root, name);
const tiny = ['--task', 'tag', '--hidden', '8', '--embedding', '8', '--batch', '4', '--sample-every', '5', '--validate-every', '5', '--plain', '--seed', '3'];

const commands: Record<string, string[]> = {
  train: ['train', ...tiny, '--data', pos, '--steps', '12', '--checkpoint-every', '4', '--out', out('run')],
  straight: ['train', ...tiny, '--data', pos, '--steps', '12', '--checkpoint-every', '4', '--out', out('straight')],
  partial: ['train', ...tiny, '--data', pos, '--steps', '7', '--checkpoint-every', '4', '--out', out('resumed')],
  resume: ['train', ...tiny, '--data', pos, '--steps', '12', '--checkpoint-every', '4', '--out', out('resumed'), '--resume'],
  again: ['train', ...tiny, '--data', pos, '--steps', '12', '--out', out('resumed'), '--resume'],
  resumeClash: ['train', ...tiny, '--data', pos, '--steps', '14', '--out', out('resumed'), '--resume', '--crf'],
  resumeOtherData: ['train', ...tiny, '--data', ner, '--steps', '14', '--out', out('resumed'), '--resume'],
  crf: ['train', ...tiny, '--data', ner, '--valid', nerValid, '--crf', '--steps', '4', '--min-count', '1', '--patience', '2', '--out', out('ner')],
  predict: ['predict', '--checkpoint', out('run'), '--input', 'the bakoing kemaly'],
  predictData: ['predict', '--checkpoint', out('run'), '--data', inputs],
  predictConll: ['predict', '--checkpoint', out('ner'), '--data', nerValid],
  evalJson: ['eval', '--checkpoint', out('run'), '--data', pos, '--json'],
  evalText: ['eval', '--checkpoint', out('run'), '--data', pos],
  evalNer: ['eval', '--checkpoint', out('ner'), '--data', nerValid, '--json'],
  info: ['info', '--checkpoint', out('run')],
  infoNer: ['info', '--checkpoint', out('ner')],
  flat: ['train', ...tiny, '--data', flat, '--steps', '1', '--max-length', '100', '--out', out('flat')],
  noTab: ['train', ...tiny, '--data', noTab, '--steps', '2', '--out', out('x1')],
  empty: ['train', ...tiny, '--data', empty, '--steps', '2', '--out', out('x2')],
  latin1: ['train', ...tiny, '--data', latin1, '--steps', '2', '--out', out('x3')],
  noData: ['train', ...tiny, '--steps', '2', '--out', out('x4')],
  lmFlag: ['train', ...tiny, '--data', pos, '--seq-len', '8', '--out', out('x5')],
  tagFlag: ['train', '--data', pos, '--crf', '--out', out('x6')],
  evalBeam: ['eval', '--checkpoint', out('run'), '--data', pos, '--beam', '2'],
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

test('train: held-out sentences, validation accuracy, samples, checkpoints, the best one, the report', () => {
  const log = ok('train');
  assert.match(log, /data: .*pos\.conll: 40 sentences, 180 tokens; \d+ words, \d+ characters, 4 tags\n/);
  assert.match(log, /validation: 10% of the sentences held out: \d+ sentences/);
  assert.match(log, /model: word embedding 8 \+ character BiLSTM 2×25, BiLSTM 1×2×8, softmax output, dropout 0\.5/);
  assert.match(log, /validation token accuracy \d+\.\d\d%\n/);
  assert.match(log, /--- sample at step 5 ---\n\S+\/[A-Z]+/);
  assert.match(log, /stopped: reached 12 steps at step 12/);
  for (const f of ['checkpoint/model.safetensors', 'checkpoint/config.json', 'best/model.safetensors', 'loss_curve.svg', 'loss_curve.png', 'report.html']) {
    assert.ok(existsSync(join(out('run'), f)), `${f} is missing`);
  }
  assert.match(readFileSync(join(out('run'), 'report.html'), 'utf8'), /<h2>Validation token accuracy<\/h2>/);
  const config = JSON.parse(readFileSync(join(out('run'), 'checkpoint', 'config.json'), 'utf8'));
  assert.equal(config.kind, 'tag');
  assert.equal(config.task.model.hiddenSize, 8);
  assert.equal(config.task.model.crf, false);
  assert.deepEqual([...config.task.tags].sort(), ['ADV', 'DET', 'NOUN', 'VERB']);
  assert.equal(config.training.step, 12);
  assert.equal(config.training.heldOut, 0.1);
});

test('a resumed run continues exactly as an uninterrupted one; resuming a finished run takes no step', () => {
  ok('straight');
  ok('partial');
  assert.match(ok('resume'), /resuming at step 7/);
  const a = readFileSync(join(out('straight'), 'checkpoint', 'model.safetensors'));
  const b = readFileSync(join(out('resumed'), 'checkpoint', 'model.safetensors'));
  assert.ok(a.equals(b), 'the parameters after 12 steps differ between the straight and the resumed run');
  assert.match(ok('again'), /nothing to train: the run already took 12 steps/);
  assert.match(failure('resumeClash'), /--crf true contradicts the checkpoint's task\.model\.crf false/);
  assert.match(failure('resumeOtherData'), /--data: .*ner\.conll has SHA-256 [0-9a-f]{64}, but the run was trained on data with SHA-256/);
});

test('--crf on BIO tags: constrained; a tag of --valid not in training reported, not a crash; eval --json has spanF1', () => {
  const log = ok('crf');
  assert.match(log, /4 tags \(BIO spans\)/);
  assert.doesNotMatch(log, /NaN/);
  assert.match(log, /CRF \(constrained by BIO\) output/);
  assert.match(log, /tags not in the training data \(counted wrong\): B-ORG \(1\)/);
  assert.match(log, /span F1 \d+\.\d/);
  const metrics = JSON.parse(ok('evalNer')) as Record<string, unknown>;
  for (const key of ['accuracy', 'spanF1', 'spanPrecision', 'spanRecall']) assert.ok((metrics[key] as number) >= 0 && (metrics[key] as number) <= 1, key);
  assert.deepEqual(metrics['unknownTags'], { 'B-ORG': 1 });
  assert.ok((metrics['accuracy'] as number) <= 2 / 3);
  assert.match(ok('infoNer'), /CRF output constrained by BIO/);
  assert.match(ok('infoNer'), /crf\.transitions\s+\[4, 4\]/);
  const conll = ok('predictConll');
  assert.match(conll, /^Acme\t\S+\nhired\t\S+\nAnn\t\S+\n$/);
  assert.doesNotMatch(conll, /^Acme\tI-/, 'constrained decoding began with I-');
});

test('predict: token/TAG per input, one line per non-blank line of --data', () => {
  assert.match(ok('predict'), /^the\/[A-Z]+ bakoing\/[A-Z]+ kemaly\/[A-Z]+\n$/);
  const lines = ok('predictData').trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /^the\/[A-Z]+ zuzuing\/[A-Z]+$/);
});

test('eval: accuracy and unseen-word accuracy as fractions in JSON, no spanF1 for tags that are not spans; info', () => {
  const metrics = JSON.parse(ok('evalJson')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(metrics).sort(), ['accuracy', 'sentences', 'tokens', 'unknownTags', 'unseenAccuracy', 'unseenTokens']);
  assert.equal(metrics['tokens'], 180);
  assert.ok((metrics['accuracy'] as number) >= 0 && (metrics['accuracy'] as number) <= 1);
  assert.match(ok('evalText'), /40 sentences, 180 tokens\ntoken accuracy: \d+\.\d\d%\nunseen words: /);
  assert.match(ok('info'), /model: sequence tagger, word embedding 8, character BiLSTM 2×25 over embeddings of 25, BiLSTM 1 layer\(s\) × 2×8, softmax output/);
  assert.match(ok('info'), /output\.weight\s+\[4, 16\]/);
});

test('bad input: the file and line, the flag, never a crash; a file without blank lines is cut with a warning', () => {
  assert.match(failure('noTab'), /no_tab\.conll:2: expected token<TAB>tag; the line has no tab: "cat NOUN"/);
  assert.match(failure('empty'), /empty\.conll:1: the file is empty \(0 bytes\)/);
  assert.match(failure('latin1'), /latin1\.conll:3: the line is not valid UTF-8/);
  assert.match(failure('noData'), /--task tag needs --data FILE/);
  assert.match(failure('lmFlag'), /--seq-len: applies to --task lm only \(this is --task tag\)/);
  assert.match(failure('tagFlag'), /--crf: applies to --task tag only \(this is --task lm\)/);
  assert.match(failure('evalBeam'), /--beam: applies to seq2seq checkpoints; this one holds a tagger/);
  assert.match(failure('generate'), /holds a tagger, which tags an input: use predict --input TEXT/);
  // The warning itself (on stderr) is checked in the library's parseConll test.
  assert.match(ok('flat'), /data: .*flat\.conll: 500 sentences, 50,000 tokens/);
});
