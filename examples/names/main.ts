/**
 * Names by sex: a character-level name generator conditioned on a one-hot sex vector
 * (nn.ConditionedDecoder), with the context coupled as the initial state, as an input at every
 * step, or not at all (the unconditioned baseline), against an interpolated Kneser–Ney character
 * 4-gram per sex.
 *
 * Data and split: see names_data.ts (lists lower-cased; split by name with a fixed hash: 10%
 * test, 90% training of which a tenth validates). Every model is scored on the test names in nats
 * per character, the end of the name counted as a character: −Σ log p / Σ (letters + 1).
 *
 * The 4-gram: one per sex, its four discounts chosen on the validation part (counted on the rest
 * of the training split), then counted again on the whole training split. The networks: an LSTM
 * (default 128 units, embeddings of 32, dropout 0.2) trained with Adam on the training part,
 * the learning rate halved after two epochs without validation improvement, stopped by --time or
 * --epochs or after 8 such epochs; the epoch with the best validation score is kept. Prints
 * `epoch N loss L valid V [coupling]` per epoch, the test table, samples of each sex (temperature
 * 1) and each sex's most probable names (beam search).
 *
 *   node --import tsx examples/names/main.ts [--couplings init,input,none] [--time 10m] [--epochs N] [--hidden 128]
 *                                            [--embedding 32] [--dropout 0.2] [--lr 3e-3] [--batch 64] [--seed 1]
 *                                            [--samples 12] [--quick]
 *
 * --quick trains three small models for a few epochs on a slice of the data and exits 1 unless
 * their training loss fell.
 */
import { parseArgs } from 'node:util';
import { beamDecode, crossEntropy, manualSeed, nn, noGrad, optim, sampleDecode, Tensor, tensor } from 'recurrent';
import { KneserNey, natsPerSymbol, tuneDiscounts } from './kneser_ney.js';
import { encodeName, loadNames, type NameExample, SEXES, type Sex, SYMBOLS } from './names_data.js';

const { values } = parseArgs({
  options: {
    couplings: { type: 'string', default: 'init,input,none' },
    time: { type: 'string', default: '10m' },
    epochs: { type: 'string' },
    hidden: { type: 'string', default: '128' },
    embedding: { type: 'string', default: '32' },
    dropout: { type: 'string', default: '0.2' },
    lr: { type: 'string', default: '3e-3' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    samples: { type: 'string', default: '12' },
    'no-refit': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const seconds = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (!m) throw new Error(`--time: expected e.g. 90s, 10m or 1h; got '${text}'`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
};
const budget = quick ? Infinity : seconds(values.time);
const maxEpochs = values.epochs !== undefined ? Number(values.epochs) : quick ? 3 : Infinity;
const couplings = values.couplings.split(',').filter((c) => c !== '') as nn.ContextCoupling[];
for (const c of couplings)
  if (!nn.CONTEXT_COUPLINGS.includes(c)) throw new Error(`--couplings: expected some of ${nn.CONTEXT_COUPLINGS.join(',')}; got '${c}'`);
const seed = Number(values.seed);

const data = loadNames();
const slice = (xs: NameExample[], n: number): NameExample[] => (quick ? xs.filter((_, i) => i % Math.ceil(xs.length / n) === 0) : xs);
const train = slice(data.train, 600);
const valid = slice(data.valid, 100);
const test = slice(data.test, 100);
const count = (xs: NameExample[], sex: Sex): number => xs.filter((x) => x.sex === sex).length;
console.log(
  `names: ${data.counts.female} female, ${data.counts.male} male (${data.onBoth} on both lists); ` +
    SEXES.map((s) => `${s}: train ${count(data.train, s)}, validation ${count(data.valid, s)}, test ${count(data.test, s)}`).join('; '),
);

// ---- The 4-gram baseline, per sex.
const ORDER = 4;
const results: { model: string; perSex: Record<Sex, number>; all: number }[] = [];
{
  let nll = 0;
  let symbols = 0;
  let validNll = 0;
  let validSymbols = 0;
  const perSex = {} as Record<Sex, number>;
  for (const sex of SEXES) {
    const names = (xs: NameExample[]): string[] => xs.filter((x) => x.sex === sex).map((x) => x.name);
    const discounts = tuneDiscounts(names(train), names(valid), SYMBOLS.length, ORDER);
    // The validation score of the counts without the validation part, beside the networks' own.
    const onTrain = new KneserNey(names(train), SYMBOLS.length, discounts);
    for (const name of names(valid)) {
      const [l, c] = onTrain.negLogLikelihood(name);
      validNll += l;
      validSymbols += c;
    }
    const model = new KneserNey([...names(train), ...names(valid)], SYMBOLS.length, discounts);
    // A distribution must sum to one over the symbols it predicts, seen context or not.
    for (const context of ['...', '..a', 'ann', 'zqx'].map((c) => c.slice(-(ORDER - 1)))) {
      const total = SYMBOLS.reduce((s, symbol) => s + model.probability(context, symbol), 0);
      if (Math.abs(total - 1) > 1e-9) throw new Error(`Kneser–Ney: P(· | '${context}') sums to ${total}`);
    }
    perSex[sex] = natsPerSymbol(model, names(test));
    for (const name of names(test)) {
      const [l, c] = model.negLogLikelihood(name);
      nll += l;
      symbols += c;
    }
    console.log(
      `Kneser–Ney ${ORDER}-gram, ${sex}: discounts ${discounts.map((d) => d.toFixed(2)).join(', ')} (chosen on validation); test ${perSex[sex].toFixed(4)} nats/char`,
    );
  }
  results.push({ model: `interpolated Kneser–Ney ${ORDER}-gram, one per sex`, perSex, all: nll / symbols });
  console.log(`Kneser–Ney ${ORDER}-gram: validation ${(validNll / validSymbols).toFixed(4)} nats/char (counted without the validation part)`);
}

// ---- The networks.
const V = SYMBOLS.length;
const IGNORE = -100;
const contextOf = (sexes: readonly Sex[]): Tensor => tensor(sexes.map((s) => (s === 'female' ? [1, 0] : [0, 1])));

interface Batch {
  idsIn: Tensor;
  idsOut: Tensor;
  context: Tensor;
  symbols: number;
}

/** Batches of (T, N) inputs '.' + name and targets name + '.', padded (inputs with 0, targets ignored). */
function batches(examples: readonly NameExample[], size: number, order: readonly number[]): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < order.length; start += size) {
    const rows = order.slice(start, start + size).map((i) => examples[i]!);
    const ids = rows.map((r) => encodeName(r.name));
    const T = Math.max(...ids.map((x) => x.length)) + 1;
    const N = rows.length;
    const idsIn = new Int32Array(T * N);
    const idsOut = new Int32Array(T * N).fill(IGNORE);
    ids.forEach((x, n) => {
      for (let t = 0; t < x.length; t++) ((idsIn[(t + 1) * N + n] = x[t]!), (idsOut[t * N + n] = x[t]!));
      idsOut[x.length * N + n] = 0;
    });
    out.push({
      idsIn: new Tensor(idsIn, [T, N]),
      idsOut: new Tensor(idsOut, [T, N]),
      context: contextOf(rows.map((r) => r.sex)),
      symbols: ids.reduce((s, x) => s + x.length + 1, 0),
    });
  }
  return out;
}

/** Seeded shuffle (mulberry32), apart from the library's generator. */
function shuffled(n: number, s: number): number[] {
  let state = s >>> 0;
  const rand = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Nats per character of `model` on `examples`. */
function nats(model: nn.ConditionedDecoder, examples: readonly NameExample[]): number {
  model.eval();
  let nll = 0;
  let symbols = 0;
  noGrad(() => {
    for (const b of batches(
      examples,
      256,
      examples.map((_, i) => i),
    )) {
      const [logits] = model.forward(b.idsIn, b.context);
      nll += crossEntropy(logits.reshape([-1, V]), b.idsOut.reshape([-1]), { ignoreIndex: IGNORE, reduction: 'sum' }).item();
      symbols += b.symbols;
    }
  });
  return nll / symbols;
}

const trainedLosses: number[][] = [];
const samplesBy: Record<string, Record<Sex, string[]>> = {};

interface Training {
  model: nn.ConditionedDecoder;
  /** The learning rate of each epoch run. */
  lrs: number[];
  /** 0-based epoch of the best validation score (the last epoch without validation). */
  bestEpoch: number;
  bestValid: number;
}

/**
 * Trains a fresh model (same seed, same initial weights) on `examples`. With `valid`: the learning
 * rate halves after two epochs without improvement; the run stops at the budget or after 8 such
 * epochs and keeps the best epoch's weights. Without: it replays `replay` (one learning rate per
 * epoch) and keeps the last weights.
 */
function trainModel(
  coupling: nn.ContextCoupling,
  examples: readonly NameExample[],
  valid: readonly NameExample[] | null,
  replay: number[],
  tag: string,
): Training {
  manualSeed(seed);
  const model = new nn.ConditionedDecoder({
    vocabSize: V,
    contextSize: 2,
    coupling,
    hiddenSize: quick ? 32 : Number(values.hidden),
    embeddingDim: quick ? 16 : Number(values.embedding),
    dropout: quick ? 0 : Number(values.dropout),
  });
  const optimizer = new optim.Adam(model.parameters(), { lr: quick ? 1e-2 : Number(values.lr) });
  const plateau = new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 1 });
  const started = performance.now();
  const run: Training = { model, lrs: [], bestEpoch: -1, bestValid: Infinity };
  let bestState: Record<string, Tensor> = {};
  const losses: number[] = [];
  const more = (epoch: number): boolean =>
    valid === null ? epoch < replay.length : epoch < maxEpochs && (performance.now() - started) / 1000 < budget && epoch - run.bestEpoch <= 8;
  for (let epoch = 0; more(epoch); epoch++) {
    if (valid === null) optimizer.paramGroups[0]!.lr = replay[epoch]!;
    run.lrs.push(optimizer.paramGroups[0]!.lr);
    model.train();
    let total = 0;
    let symbols = 0;
    for (const b of batches(examples, Number(values.batch), shuffled(examples.length, seed * 1000 + epoch))) {
      optimizer.zeroGrad();
      const [logits] = model.forward(b.idsIn, b.context);
      const loss = crossEntropy(logits.reshape([-1, V]), b.idsOut.reshape([-1]), { ignoreIndex: IGNORE });
      loss.backward();
      optim.clipGradNorm(model.parameters(), 5);
      optimizer.step();
      total += loss.item() * b.symbols;
      symbols += b.symbols;
    }
    losses.push(total / symbols);
    let validText = '';
    if (valid !== null) {
      const validNats = nats(model, valid);
      plateau.step(validNats);
      if (validNats < run.bestValid) {
        run.bestValid = validNats;
        run.bestEpoch = epoch;
        bestState = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));
      }
      validText = ` valid ${validNats.toFixed(4)}`;
    } else run.bestEpoch = epoch;
    console.log(
      `epoch ${epoch + 1} loss ${(total / symbols).toFixed(4)}${validText} lr ${run.lrs.at(-1)!.toExponential(1)} [${tag}] (${Math.round((performance.now() - started) / 1000)} s)`,
    );
  }
  trainedLosses.push(losses);
  if (valid !== null) model.loadStateDict(bestState);
  return run;
}

for (const coupling of couplings) {
  // Epochs and learning rates chosen on the validation part; then (unless --no-refit) the
  // same schedule again on the whole training split, as the 4-gram's counts are.
  const chosen = trainModel(coupling, train, valid, [], coupling);
  console.log(`${coupling}: best validation ${chosen.bestValid.toFixed(4)} nats/char at epoch ${chosen.bestEpoch + 1}`);
  const model = !values['no-refit']
    ? trainModel(coupling, [...train, ...valid], null, chosen.lrs.slice(0, chosen.bestEpoch + 1), `${coupling}, refit`).model
    : chosen.model;
  const perSex = Object.fromEntries(
    SEXES.map((s) => [
      s,
      nats(
        model,
        test.filter((x) => x.sex === s),
      ),
    ]),
  ) as Record<Sex, number>;
  const label = { init: 'LSTM, context → initial state', input: 'LSTM, context at every input', both: 'LSTM, both couplings', none: 'LSTM, unconditioned' }[
    coupling
  ];
  results.push({ model: label, perSex, all: nats(model, test) });
  console.log(`${label}: test ${results.at(-1)!.all.toFixed(4)} nats/char`);

  // Samples of each sex, drawn at temperature 1; '*' marks a name on neither list.
  model.eval();
  const known = new Set([...data.train, ...data.valid, ...data.test].map((x) => x.name));
  const k = Number(values.samples);
  samplesBy[coupling] = {} as Record<Sex, string[]>;
  for (const sex of SEXES) {
    const drawn = noGrad(() => sampleDecode(model.stepper(contextOf(new Array<Sex>(k).fill(sex)), { bosId: 0, eosId: 0 }), { maxLength: 20 })).map(([h]) =>
      h!.tokens.map((id) => SYMBOLS[id]).join(''),
    );
    const show = (n: string): string => (n === '' ? '(empty)' : `${n.charAt(0).toUpperCase()}${n.slice(1)}${known.has(n) ? '' : '*'}`);
    samplesBy[coupling]![sex] = drawn.map(show);
    console.log(`  samples, ${sex}: ${samplesBy[coupling]![sex].join(', ')}`);
    // The most probable names under the context: beam search, 5 best of a beam of 10.
    const [likely] = noGrad(() => beamDecode(model.stepper(contextOf([sex]), { bosId: 0, eosId: 0 }), { beamSize: 10, nBest: 5, maxLength: 20 }));
    console.log(
      `  most probable, ${sex}: ${likely!.map((h) => `${show(h.tokens.map((id) => SYMBOLS[id]).join(''))} (p ${Math.exp(h.logProb).toFixed(4)})`).join(', ')}`,
    );
  }
}

console.log(`\nheld-out nats per character (end of name included), ${test.length} test names:`);
console.log('| model | female | male | all |\n|---|---:|---:|---:|');
for (const r of results) console.log(`| ${r.model} | ${r.perSex.female.toFixed(4)} | ${r.perSex.male.toFixed(4)} | ${r.all.toFixed(4)} |`);

if (quick && !trainedLosses.every((l) => l.length >= 2 && l.at(-1)! < l[0]!)) {
  console.error('--quick: a training loss did not fall');
  process.exit(1);
}
