// Inputs for the checkpoint config.json reader (the library's parseCheckpointConfig and
// joinOptimizer, then the CLI's charModelFromCheckpoint): a valid config of a tiny model, then
// mutations — a value replaced by a huge, negative, fractional or wrongly typed one, keys
// repeated or removed, byte flips, truncation, deep nesting, unicode, NaN and Infinity.
import { Vocabulary, manualSeed, nn, tensor } from 'recurrent';
import { joinOptimizer, parseCheckpointConfig } from '../../packages/recurrent/src/train/checkpoint.js';
import { charModelFromCheckpoint, MODEL_KIND } from '../../packages/cli/src/char_model.js';
import { type Fuzzer, type Rng, UnusableResult } from './harness.js';

manualSeed(1);
const vocab = Vocabulary.build(['a', 'b', 'c', ' '], { specials: ['<unk>'], unkToken: '<unk>' });
const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 3, embeddingDim: 2, numLayers: 1 });
const stateDict = model.stateDict();
const optimizerTensors = { 'state.0.exp_avg': tensor([0, 0]) };
const BASE = {
  format: 'recurrent-checkpoint',
  version: 1,
  kind: MODEL_KIND,
  model: { ...model.options },
  vocab: vocab.toJSON(),
  training: { step: 3, epoch: 0, window: 3, seed: 1, batch: 4, seqLen: 8, lr: 0.002, clip: 1, data: null, source: 'x', heldOut: 0.1, seconds: 1 },
  rng: [1, 2, 3, 4],
  history: { train: [[1, 2.5]], valid: [] },
  optimizer: { paramGroups: [{ lr: 0.002 }], scalars: { 0: { step: 3 } } },
};
const BASE_TEXT = JSON.stringify(BASE, null, 2);

const VALUES: unknown[] = [
  0,
  1,
  2,
  -1,
  -0,
  0.5,
  1.5,
  1e6,
  1e9,
  2 ** 31,
  2 ** 53,
  1e300,
  '',
  '3',
  'lstm',
  'gru',
  'rnn',
  'x'.repeat(1000),
  '😀',
  '\ud800',
  null,
  true,
  [],
  {},
  [1, 'a'],
  { a: 1 },
];

/** Every path to a value in `value`, as keys. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}
const PATHS = paths(BASE);

function setPath(root: unknown, path: (string | number)[], value: unknown, remove: boolean): void {
  let at = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    if (next === null || typeof next !== 'object') return; // an earlier mutation replaced the parent
    at = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete at[last];
  else at[last] = value;
}

function insertAt(text: string, rng: Rng, piece: string): string {
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + piece + text.slice(at);
}

/** One input: the text of a config.json. */
export function configInput(rng: Rng): string {
  const kind = rng.int(10);
  if (kind < 5) {
    const copy = structuredClone(BASE) as unknown;
    for (let m = 1 + rng.int(2); m > 0; m--) setPath(copy, rng.pick(PATHS), structuredClone(rng.pick(VALUES)), rng.chance(0.15));
    return JSON.stringify(copy);
  }
  if (kind === 5) {
    const bytes = Buffer.from(BASE_TEXT);
    for (let k = 1 + rng.int(4); k > 0; k--) bytes[rng.int(bytes.length)] = rng.int(256);
    return bytes.toString('utf8');
  }
  if (kind === 6) return BASE_TEXT.slice(0, rng.int(BASE_TEXT.length));
  if (kind === 7) return BASE_TEXT.replace(/"hiddenSize": \d+/, (m) => `${m}, "hiddenSize": ${rng.pick(['3', '1e6', '-1', '"3"'])}`);
  if (kind === 8) {
    const depth = rng.pick([10, 64, 65, 100_000]);
    return BASE_TEXT.replace('"rng"', `"deep": ${'['.repeat(depth)}${']'.repeat(depth)}, "rng"`);
  }
  return insertAt(BASE_TEXT, rng, rng.pick(['NaN', 'Infinity', '-', '"', '{', '}', ',', '\u0000', '\ufeff', '/*x*/', '\\ud800', '1e999']));
}

/** Reads a config.json text as `recurrent info` and `--resume` would; an accepted model must run. */
export function checkConfig(text: string): void {
  const c = parseCheckpointConfig(text, 'config.json');
  const optimizer = c.optimizer !== undefined ? joinOptimizer(optimizerTensors, c.optimizer) : null;
  const { format: _f, version: _v, optimizer: _o, ...config } = c;
  const { files: _files, ...record } = config;
  const checkpoint = { config: record, model: stateDict, optimizer, extra: null, dir: '.', verified: true, missing: [] };
  const loaded = charModelFromCheckpoint(checkpoint, 'config.json', 'model.safetensors');
  const ids = tensor([[0]], { dtype: 'int32' });
  const [logits] = loaded.model.forward(ids);
  if (logits.shape[2] !== loaded.vocab.size) throw new UnusableResult(`logits of shape [${logits.shape}] for ${loaded.vocab.size} tokens`);
  if (loaded.vocab.decode(loaded.vocab.encode(['a', 'b'])).length === 0) throw new UnusableResult('the vocabulary cannot round-trip text');
}

export const configFuzzer: Fuzzer<string> = {
  name: 'config.json',
  generate: (rng) => configInput(rng),
  run: checkConfig,
};
