import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, Tensor, ValueError } from '../../src/index.js';
import { beamSearch, gnmtLengthPenalty, type BeamHypothesis, type BeamStep } from '../../src/decode/beam_search.js';

const EOS = 0;
const BOS = 0;

/** A small seeded generator, so each table is fixed. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A second-order model: log p(next | previous two tokens), one table (V·V rows of V) per input.
 * The token before last lives in the state, so a wrong reorder changes the probabilities.
 */
function secondOrderModel(inputs: number, V: number, seed: number): number[][][] {
  const random = generator(seed);
  return Array.from({ length: inputs }, () =>
    Array.from({ length: V * V }, () => {
      const w = Array.from({ length: V }, () => Math.exp(3 * random()));
      const total = w.reduce((a, b) => a + b, 0);
      return w.map((x) => Math.log(x / total));
    }),
  );
}

/** Per row: which input it serves and the token before the last one. */
interface RowState {
  input: Int32Array;
  before: Int32Array;
}

function reorder(state: RowState, indices: Int32Array): RowState {
  return { input: indices.map((i) => state.input[i]!), before: indices.map((i) => state.before[i]!) };
}

function makeStep(tables: number[][][], V: number, withAttention = false): BeamStep<RowState> {
  return (tokens, state) => {
    const rows = tokens.length;
    const logProbs = new Float64Array(rows * V);
    for (let r = 0; r < rows; r++) logProbs.set(tables[state.input[r]!]![state.before[r]! * V + tokens[r]!]!, r * V);
    // Attention that depends on the row's history: reordering must carry it along.
    const attention = withAttention
      ? new Tensor(
          Float64Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? tokens[i >> 1]! : state.before[i >> 1]!)),
          [rows, 2],
        )
      : undefined;
    return { logProbs: new Tensor(logProbs, [rows, V]), state: { input: state.input, before: Int32Array.from(tokens) }, ...(attention ? { attention } : {}) };
  };
}

function initial(inputs: number[]): RowState {
  return { input: Int32Array.from(inputs), before: new Int32Array(inputs.length).fill(BOS) };
}

/** Every complete sequence up to maxLength (EOS-terminated, or cut at maxLength), scored. */
function enumerate(table: number[][], V: number, maxLength: number, alpha: number): BeamHypothesis[] {
  const out: BeamHypothesis[] = [];
  const walk = (tokens: number[], before: number, last: number, logProb: number): void => {
    const row = table[before * V + last]!;
    for (let v = 0; v < V; v++) {
      const lp = logProb + row[v]!;
      const length = tokens.length + 1;
      if (v === EOS) out.push({ tokens, logProb: lp, score: lp / gnmtLengthPenalty(length, alpha), finished: true });
      else if (length === maxLength) out.push({ tokens: [...tokens, v], logProb: lp, score: lp / gnmtLengthPenalty(length, alpha), finished: false });
      else walk([...tokens, v], last, v, lp);
    }
  };
  walk([], BOS, BOS, 0);
  return out.sort((a, b) => b.score - a.score);
}

function assertSameHypotheses(actual: readonly BeamHypothesis[], expected: readonly BeamHypothesis[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: n-best length`);
  actual.forEach((h, i) => {
    assert.deepEqual(h.tokens, expected[i]!.tokens, `${label}: rank ${i} tokens`);
    assert.equal(h.finished, expected[i]!.finished, `${label}: rank ${i} finished`);
    assert.ok(Math.abs(h.logProb - expected[i]!.logProb) < 1e-12, `${label}: rank ${i} logProb ${h.logProb} vs ${expected[i]!.logProb}`);
    assert.ok(Math.abs(h.score - expected[i]!.score) < 1e-12, `${label}: rank ${i} score`);
  });
}

test('a beam as wide as the search space finds the exact n-best, alone and batched (α = 0 and 0.6)', () => {
  const V = 4;
  const maxLength = 4;
  const K = V ** 3;
  const tables = secondOrderModel(3, V, 11);
  for (const alpha of [0, 0.6]) {
    const expected = tables.map((table) => enumerate(table, V, maxLength, alpha));
    assert.equal(expected[0]!.length, 1 + 3 + 9 + 27 + 81);
    const batched = beamSearch(makeStep(tables, V), {
      initialState: initial([0, 1, 2]),
      reorder,
      batchSize: 3,
      beamSize: K,
      nBest: K,
      maxLength,
      bosId: BOS,
      eosId: EOS,
      lengthPenalty: alpha,
    });
    assert.equal(batched.length, 3);
    batched.forEach((list, b) => assertSameHypotheses(list, expected[b]!.slice(0, K), `α ${alpha}, input ${b}`));
    for (const earlyStopping of [true, false])
      for (let b = 0; b < 3; b++) {
        const [alone] = beamSearch(makeStep(tables, V), {
          initialState: initial([b]),
          reorder,
          beamSize: K,
          nBest: 5,
          maxLength,
          bosId: BOS,
          eosId: EOS,
          lengthPenalty: alpha,
          earlyStopping,
        });
        assertSameHypotheses(alone!, expected[b]!.slice(0, 5), `α ${alpha}, input ${b} alone, earlyStopping ${earlyStopping}`);
      }
  }
});

test('the length penalty favours the longer hypothesis the way GNMT says', () => {
  // Bigram model, token 2 = BOS: from BOS, EOS 0.4 or token 1 0.6; after 1, EOS 0.1 or 1 again 0.9.
  const table = [
    [-Infinity, -Infinity, -Infinity],
    [Math.log(0.1), Math.log(0.9), -Infinity],
    [Math.log(0.4), Math.log(0.6), -Infinity],
  ];
  const step: BeamStep<null> = (tokens, state) => ({
    logProbs: new Tensor(Float64Array.from(Array.from(tokens).flatMap((t) => table[t]!)), [tokens.length, 3]),
    state,
  });
  const search = (lengthPenalty: number, earlyStopping = false) =>
    beamSearch(step, { initialState: null, reorder: (s) => s, beamSize: 2, maxLength: 6, bosId: 2, eosId: EOS, lengthPenalty, earlyStopping })[0]![0]!;
  // α = 0: "EOS" (log 0.4) beats six 1s (log 0.6·0.9⁵ ≈ log 0.354); α = 1 divides the latter by 11/6.
  const raw = search(0);
  assert.deepEqual([raw.tokens, raw.finished], [[], true]);
  assert.ok(Math.abs(raw.score - Math.log(0.4)) < 1e-12);
  const penalised = search(1);
  assert.deepEqual([penalised.tokens, penalised.finished], [[1, 1, 1, 1, 1, 1], false]);
  assert.ok(Math.abs(penalised.logProb - Math.log(0.6 * 0.9 ** 5)) < 1e-12);
  assert.ok(Math.abs(penalised.score - penalised.logProb / (11 / 6)) < 1e-12);
  // earlyStopping stops at K = 2 finished ("EOS", "1 EOS") before the long one is reached.
  assert.deepEqual(search(1, true).tokens, []);
  assert.equal(gnmtLengthPenalty(7, 0), 1);
  assert.ok(Math.abs(gnmtLengthPenalty(7, 0.6) - Math.pow(2, 0.6)) < 1e-15);
});

/** Plain greedy decoding of each input: arg max (first on ties) until EOS or maxLength. */
function greedy(
  tables: number[][][],
  V: number,
  inputs: number[],
  maxLength: number,
  minLength: number,
): { tokens: number[]; logProb: number; finished: boolean }[] {
  return inputs.map((input) => {
    const tokens: number[] = [];
    let before = BOS;
    let last = BOS;
    let logProb = 0;
    for (let t = 0; t < maxLength; t++) {
      const row = tables[input]![before * V + last]!.map((x, v) => (v === EOS && t < minLength ? -Infinity : x));
      let best = 0;
      for (let v = 1; v < V; v++) if (row[v]! > row[best]!) best = v;
      logProb += row[best]!;
      if (best === EOS) return { tokens, logProb, finished: true };
      tokens.push(best);
      before = last;
      last = best;
    }
    return { tokens, logProb, finished: false };
  });
}

test('beamSize 1 is greedy decoding exactly', () => {
  const V = 5;
  const tables = secondOrderModel(6, V, 3);
  const inputs = [0, 1, 2, 3, 4, 5];
  for (const [alpha, minLength] of [
    [0, 0],
    [0.6, 0],
    [0.6, 2],
  ] as const) {
    const expected = greedy(tables, V, inputs, 12, minLength);
    const got = beamSearch(makeStep(tables, V), {
      initialState: initial(inputs),
      reorder,
      batchSize: 6,
      beamSize: 1,
      maxLength: 12,
      bosId: BOS,
      eosId: EOS,
      lengthPenalty: alpha,
      minLength,
    });
    got.forEach(([h], b) => {
      assert.deepEqual(h!.tokens, expected[b]!.tokens, `input ${b}, α ${alpha}, minLength ${minLength}`);
      assert.equal(h!.finished, expected[b]!.finished);
      assert.equal(h!.attention, undefined, 'no attention unless the step returns it');
      assert.ok(Math.abs(h!.logProb - expected[b]!.logProb) < 1e-12);
    });
  }
});

test('batching B inputs gives the same n-best lists and attention as B separate searches', () => {
  const V = 6;
  const tables = secondOrderModel(3, V, 21);
  for (const alpha of [0, 0.6]) {
    const options = { reorder, beamSize: 3, nBest: 3, maxLength: 10, bosId: BOS, eosId: EOS, lengthPenalty: alpha, minLength: 1 };
    const batched = beamSearch(makeStep(tables, V, true), { ...options, initialState: initial([2, 0, 1]), batchSize: 3 });
    [2, 0, 1].forEach((input, b) => {
      const [alone] = beamSearch(makeStep(tables, V, true), { ...options, initialState: initial([input]) });
      assert.deepEqual(batched[b], alone);
      for (const h of alone!) {
        // Row t of the attention is (token fed at t, token before it): the hypothesis' own history.
        const fed = [BOS, ...h.tokens];
        assert.equal(h.attention!.length, h.finished ? h.tokens.length + 1 : h.tokens.length);
        h.attention!.forEach((row, t) => assert.deepEqual(row, [fed[t]!, t === 0 ? BOS : fed[t - 1]!]));
        assert.ok(h.tokens.length >= 1, 'minLength 1 forbids an empty hypothesis');
      }
    });
  }
});

test('rows of a done input keep the batch shape, and an input with no possible token returns an empty list', () => {
  const V = 3;
  const rowsSeen: number[] = [];
  // Input 0 can only say EOS, input 1 only token 1, input 2 nothing at all (every log-probability is −∞).
  const allowed = [EOS, 1, -1];
  const step: BeamStep<RowState> = (tokens, state) => {
    rowsSeen.push(tokens.length);
    const lp = Float64Array.from({ length: tokens.length * V }, (_, i) => (allowed[state.input[Math.floor(i / V)]!] === i % V ? 0 : -Infinity));
    return { logProbs: new Tensor(lp, [tokens.length, V]), state };
  };
  const out = beamSearch(step, { initialState: initial([0, 1, 2]), reorder, batchSize: 3, beamSize: 2, nBest: 2, maxLength: 3, bosId: BOS, eosId: EOS });
  assert.deepEqual(out, [[{ tokens: [], logProb: 0, score: 0, finished: true }], [{ tokens: [1, 1, 1], logProb: 0, score: 0, finished: false }], []]);
  assert.deepEqual(rowsSeen, [6, 6, 6]);
});

test('bad options and bad step outputs throw errors naming the argument', () => {
  const V = 4;
  const tables = secondOrderModel(1, V, 1);
  const base = { initialState: initial([0]), reorder, maxLength: 4, bosId: BOS, eosId: EOS };
  const step = makeStep(tables, V);
  assert.throws(
    () => beamSearch(step, { ...base, beamSize: 0 }),
    (e: unknown) => e instanceof ValueError && /beamSize must be an integer ≥ 1; got 0/.test(e.message),
  );
  assert.throws(
    () => beamSearch(step, { ...base, beamSize: 2, nBest: 3 }),
    (e: unknown) => e instanceof ValueError && /nBest must be ≤ beamSize \(2\); got 3/.test(e.message),
  );
  assert.throws(
    () => beamSearch(step, { ...base, maxLength: 0 }),
    (e: unknown) => e instanceof ValueError && /maxLength/.test(e.message),
  );
  assert.throws(
    () => beamSearch(step, { ...base, lengthPenalty: -1 }),
    (e: unknown) => e instanceof ValueError && /lengthPenalty/.test(e.message),
  );
  assert.throws(
    () => beamSearch(step, { ...base, eosId: 9 }),
    (e: unknown) => e instanceof ValueError && /eosId \(9\).*V = 4/.test(e.message),
  );
  const wrongRows: BeamStep<RowState> = (_tokens, state) => ({ logProbs: new Tensor(new Float64Array(V), [1, V]), state });
  assert.throws(
    () => beamSearch(wrongRows, { ...base, beamSize: 2 }),
    (e: unknown) => e instanceof ShapeError && /logProbs must be \(B·K, V\) = \(2, V\); got \[1, 4\] at step 0/.test(e.message),
  );
  let calls = 0;
  const changingVocab: BeamStep<RowState> = (tokens, state) => {
    const width = calls++ === 0 ? V : V + 1;
    return { logProbs: new Tensor(new Float64Array(tokens.length * width).fill(-1), [tokens.length, width]), state };
  };
  assert.throws(
    () => beamSearch(changingVocab, { ...base, beamSize: 2 }),
    (e: unknown) => e instanceof ShapeError && /\(2, 4\); got \[2, 5\] at step 1/.test(e.message),
  );
  const nan: BeamStep<RowState> = (tokens, state) => ({ logProbs: new Tensor(new Float64Array(tokens.length * V).fill(NaN), [tokens.length, V]), state });
  assert.throws(
    () => beamSearch(nan, base),
    (e: unknown) => e instanceof ValueError && /must not be NaN; got NaN at step 0, row 0, token 0/.test(e.message),
  );
  const badAttention: BeamStep<RowState> = (tokens, state) => ({ ...step(tokens, state, 0), attention: new Tensor(new Float64Array(3), [3]) });
  assert.throws(
    () => beamSearch(badAttention, base),
    (e: unknown) => e instanceof ShapeError && /attention must be \(B·K, S_src\) = \(5, S_src\); got \[3\]/.test(e.message),
  );
});
