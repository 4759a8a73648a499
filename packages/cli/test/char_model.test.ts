// Rebuilding the CLI's character model from a checkpoint treats config.json as untrusted: each
// wrong field is a FormatError naming the file and the field, never a crash in a command later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, manualSeed, nn, saveCheckpoint, tensor, ValueError, Vocabulary } from 'recurrent/node';
import { type CharModelConfig, checkpointDir, loadCharModel, MODEL_KIND } from '../src/char_model.js';

const root = mkdtempSync(join(tmpdir(), 'recurrent-char-model-'));
let count = 0;

/** A run directory holding a valid checkpoint of a tiny GRU model; returns the run directory. */
function run(): string {
  manualSeed(0);
  const vocab = Vocabulary.build(Array.from('abcab'), { specials: ['<unk>'], unkToken: '<unk>' });
  const model = new nn.LanguageModel({ vocabSize: vocab.size, cell: 'gru', hiddenSize: 4, embeddingDim: 3 });
  const config: CharModelConfig = {
    kind: MODEL_KIND,
    model: { ...model.options } as CharModelConfig['model'],
    vocab: vocab.toJSON(),
    training: { step: 2, epoch: 0, window: 2, seed: 0, batch: 2, seqLen: 8, lr: 0.002, clip: 5, data: null, source: 'x', heldOut: 0.1, seconds: 1 },
    rng: [1, 2, 3, 4],
    history: { train: [], valid: [[2, 3.5]] },
  };
  const dir = join(root, `run${count++}`);
  saveCheckpoint(join(dir, 'checkpoint'), { config: { ...config }, model: model.stateDict() });
  return dir;
}

const configPath = (dir: string): string => join(dir, 'checkpoint', 'config.json');
/** Edits config.json, dropping manifest.json so that the edit is read unverified (as from an older version) and checked on its own. */
function edit(dir: string, change: (c: Record<string, unknown>) => void): void {
  rmSync(join(dir, 'checkpoint', 'manifest.json'), { force: true });
  const c = JSON.parse(readFileSync(configPath(dir), 'utf8')) as Record<string, unknown>;
  change(c);
  writeFileSync(configPath(dir), JSON.stringify(c));
}
const refuses = (dir: string, message: string) =>
  assert.throws(
    () => loadCharModel(dir),
    (e: unknown) => e instanceof FormatError && e.message === message,
    message,
  );

test('a run directory, its checkpoint directory, or the .old copy left by an interrupted save all load', () => {
  const dir = run();
  assert.equal(checkpointDir(dir), join(dir, 'checkpoint'));
  assert.equal(checkpointDir(join(dir, 'checkpoint')), join(dir, 'checkpoint'));
  const fromRun = loadCharModel(dir);
  assert.equal(fromRun.model.options.cell, 'gru');
  assert.equal(fromRun.vocab.size, 4);
  assert.equal(loadCharModel(join(dir, 'checkpoint')).config.training.step, 2);
  renameSync(join(dir, 'checkpoint'), join(dir, 'checkpoint.old'));
  assert.equal(checkpointDir(dir), join(dir, 'checkpoint'));
  assert.equal(loadCharModel(dir).config.history.valid[0]![1], 3.5);
});

test('no checkpoint is a ValueError naming the directory', () => {
  assert.throws(
    () => loadCharModel(join(root, 'none')),
    (e: unknown) => e instanceof ValueError && e.message.includes(`no checkpoint in '${join(root, 'none')}'`),
  );
});

test('kind, model and vocab are checked, naming config.json', () => {
  let dir = run();
  edit(dir, (c) => (c.kind = 'classifier'));
  refuses(dir, `${configPath(dir)}: expected kind 'char-language-model'; got "classifier"`);
  dir = run();
  edit(dir, (c) => (c.model = 'gru'));
  refuses(dir, `${configPath(dir)}: model must be an object`);
  dir = run();
  edit(dir, (c) => (c.model = { ...(c.model as object), cell: 'transformer' }));
  refuses(dir, `${configPath(dir)}: model: LanguageModel: cell must be lstm, gru or rnn; got 'transformer'`);
  dir = run();
  edit(dir, (c) => (c.vocab = { format: 'recurrent.vocabulary', version: 1, tokens: 'abc' }));
  refuses(dir, `${configPath(dir)}: vocab: Vocabulary.fromJSON: tokens must be an array of strings; got "abc"`);
  dir = run();
  edit(dir, (c) => (c.model = { ...(c.model as object), vocabSize: 9 }));
  refuses(dir, `${configPath(dir)}: the model's vocabSize 9 differs from the vocabulary's 4 tokens`);
});

test('parameters that do not fit the model are a FormatError naming model.safetensors', () => {
  const dir = run();
  edit(dir, (c) => (c.model = { ...(c.model as object), hiddenSize: 5 }));
  assert.throws(
    () => loadCharModel(dir),
    (e: unknown) => e instanceof FormatError && e.message.startsWith(`${join(dir, 'checkpoint', 'model.safetensors')}: parameters: `),
  );
  const extra = run();
  const checkpoint = loadCharModel(extra).checkpoint;
  saveCheckpoint(join(extra, 'checkpoint'), { config: checkpoint.config, model: { ...checkpoint.model, 'rnn.weight_hr_l0': tensor([1]) } });
  assert.throws(() => loadCharModel(extra), FormatError);
});

test('training and history are checked, so that info, eval and --resume can read them', () => {
  const cases: [(c: Record<string, unknown>) => void, string][] = [
    [(c) => delete c.training, 'training must be an object; got undefined'],
    [(c) => (c.training = [1]), 'training must be an object; got [1]'],
    [(c) => ((c.training as Record<string, unknown>).step = '2'), 'training.step must be a non-negative integer; got "2"'],
    [(c) => ((c.training as Record<string, unknown>).batch = 0), 'training.batch must be a positive integer; got 0'],
    [(c) => ((c.training as Record<string, unknown>).lr = null), 'training.lr must be a finite number; got null'],
    [(c) => ((c.training as Record<string, unknown>).heldOut = 1.5), 'training.heldOut must be a number in [0, 1); got 1.5'],
    [(c) => ((c.training as Record<string, unknown>).data = 3), 'training.data must be a string or null; got 3'],
    [(c) => ((c.training as Record<string, unknown>).source = undefined), 'training.source must be a string; got undefined'],
    [(c) => delete c.history, 'history must be an object with train and valid arrays; got undefined'],
    [(c) => (c.history = { train: [] }), 'history must be an object with train and valid arrays; got an object'],
  ];
  for (const [change, message] of cases) {
    const dir = run();
    edit(dir, change);
    refuses(dir, `${configPath(dir)}: ${message}`);
  }
});
