// nn.CRF against a brute-force enumeration of every tag sequence on tiny inputs (the log partition
// function, the score of a path, the Viterbi path), float64 gradient checks of the negative
// log-likelihood, and the BIO/BIOES constraints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradcheck, manualSeed, nn, randn, tensor, type Tensor } from '../../src/index.js';

/** Every sequence of `length` tags among K. */
function allSequences(K: number, length: number): number[][] {
  let out: number[][] = [[]];
  for (let t = 0; t < length; t++) out = out.flatMap((s) => Array.from({ length: K }, (_, k) => [...s, k]));
  return out;
}

/** The score of `tags` over the first tags.length steps of sequence b, from the parameters as plain numbers; −∞ through a disallowed move. */
function bruteScore(crf: nn.CRF, emissions: Tensor, b: number, tags: number[]): number {
  const [T, K] = [emissions.shape[1]!, crf.numTags];
  const e = emissions.data;
  const c = crf.constraints;
  const ok = (allowed: boolean | undefined): boolean => allowed !== false;
  if (!ok(c?.start[tags[0]!]) || !ok(c?.end[tags.at(-1)!])) return -Infinity;
  let s = crf.start_transitions.data[tags[0]!]! + crf.end_transitions.data[tags.at(-1)!]!;
  tags.forEach((y, t) => {
    s += e[(b * T + t) * K + y]!;
    if (t > 0) s += ok(c?.transitions[tags[t - 1]!]![y]) ? crf.transitions.data[tags[t - 1]! * K + y]! : -Infinity;
  });
  return s;
}

function bruteLogZ(crf: nn.CRF, emissions: Tensor, b: number, length: number): number {
  const scores = allSequences(crf.numTags, length).map((y) => bruteScore(crf, emissions, b, y));
  const max = Math.max(...scores);
  return max + Math.log(scores.reduce((a, s) => a + Math.exp(s - max), 0));
}

function bruteBest(crf: nn.CRF, emissions: Tensor, b: number, length: number): { tags: number[]; score: number } {
  let best = { tags: [] as number[], score: -Infinity };
  for (const y of allSequences(crf.numTags, length)) {
    const s = bruteScore(crf, emissions, b, y);
    if (s > best.score) best = { tags: y, score: s };
  }
  return best;
}

const BIO = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];

for (const constrained of [false, true]) {
  test(`log Z, path scores and Viterbi equal the brute-force enumeration (${constrained ? 'BIO-constrained' : 'unconstrained'}, padded batch)`, () => {
    manualSeed(3);
    const K = constrained ? BIO.length : 4;
    const crf = new nn.CRF(K, { dtype: 'float64', ...(constrained ? { constraints: nn.allowedTransitions(BIO, 'BIO') } : {}) });
    // Larger transition scores than the initialisation, so that they matter to the best path.
    for (const p of crf.parameters()) p.data.set(randn(p.shape, { dtype: 'float64' }).data);
    const T = 5;
    const lengths = [5, 3, 1, 4];
    const emissions = randn([lengths.length, T, K], { dtype: 'float64' });
    const logZ = crf.logPartition(emissions, lengths).data;
    const paths = crf.decode(emissions, lengths);
    lengths.forEach((L, b) => {
      assert.ok(Math.abs(logZ[b]! - bruteLogZ(crf, emissions, b, L)) < 1e-9, `log Z of sequence ${b}: ${logZ[b]} vs ${bruteLogZ(crf, emissions, b, L)}`);
      const best = bruteBest(crf, emissions, b, L);
      assert.deepEqual(paths[b]!.tags, best.tags, `Viterbi path of sequence ${b}`);
      assert.ok(Math.abs(paths[b]!.score - best.score) < 1e-9);
    });
    // The score of given tags, and the NLL = log Z − score, per sequence.
    const tags = tensor(
      lengths.map((L, b) => Array.from({ length: T }, (_, t) => (t < L ? (paths[(b + 1) % lengths.length]!.tags[t] ?? 0) : 7))),
      { dtype: 'int32' },
    );
    const tagRows = tags.toArray() as number[][];
    const nll = crf.forward(emissions, tags, { lengths, reduction: 'none' }).data;
    lengths.forEach((L, b) => {
      const s = bruteScore(crf, emissions, b, tagRows[b]!.slice(0, L));
      if (Number.isFinite(s)) assert.ok(Math.abs(nll[b]! - (bruteLogZ(crf, emissions, b, L) - s)) < 1e-9, `NLL of sequence ${b}`);
    });
  });
}

test('the probabilities of all tag sequences sum to 1', () => {
  manualSeed(5);
  const crf = new nn.CRF(3, { dtype: 'float64' });
  const emissions = randn([1, 4, 3], { dtype: 'float64' });
  const sequences = allSequences(3, 4);
  const tags = tensor(sequences, { dtype: 'int32' });
  const repeated = tensor(
    sequences.map(() => (emissions.toArray() as number[][][])[0]!),
    { dtype: 'float64' },
  );
  const nll = crf.forward(repeated, tags, { reduction: 'none' }).data;
  const total = Array.from(nll).reduce((a, v) => a + Math.exp(-v), 0);
  assert.ok(Math.abs(total - 1) < 1e-12, `Σ p = ${total}`);
});

for (const reduction of ['sum', 'tokenMean'] as const) {
  test(`float64 gradcheck of the NLL (${reduction}) in the emissions and all three parameters, with constraints and padding`, () => {
    manualSeed(11);
    const crf = new nn.CRF(BIO.length, { dtype: 'float64', constraints: nn.allowedTransitions(BIO, 'BIO') });
    const emissions = randn([3, 4, BIO.length], { dtype: 'float64', requiresGrad: true });
    const tags = tensor(
      [
        [1, 2, 0, 3],
        [3, 4, 4, 0],
        [0, 0, 0, 0],
      ],
      { dtype: 'int32' },
    );
    const run = (): Tensor => crf.forward(emissions, tags, { lengths: [4, 3, 2], reduction });
    assert.ok(gradcheck(run, [emissions, ...crf.parameters()], { atol: 1e-7, rtol: 1e-6 }));
  });
}

test('the gradient of the NLL is the expected tag counts minus the observed ones (emissions of one step)', () => {
  manualSeed(2);
  const crf = new nn.CRF(3, { dtype: 'float64' });
  const emissions = randn([1, 1, 3], { dtype: 'float64', requiresGrad: true });
  crf.forward(emissions, tensor([[1]], { dtype: 'int32' }), { reduction: 'sum' }).backward();
  // One step: p(j) = softmax(start + e + end); d NLL / d e = p − onehot.
  const z = [0, 1, 2].map((j) => crf.start_transitions.data[j]! + emissions.data[j]! + crf.end_transitions.data[j]!);
  const norm = z.reduce((a, v) => a + Math.exp(v), 0);
  const expected = z.map((v, j) => Math.exp(v) / norm - (j === 1 ? 1 : 0));
  expected.forEach((g, j) => assert.ok(Math.abs(emissions.grad!.data[j]! - g) < 1e-12));
});

test('BIO: constrained decoding never outputs I-X after O or after another type, nor first, even when the emissions favour it', () => {
  manualSeed(1);
  const crf = new nn.CRF(BIO.length, { constraints: nn.allowedTransitions(BIO, 'BIO') });
  const free = new nn.CRF(BIO.length);
  free.loadStateDict(crf.stateDict());
  // Emissions that favour I-PER (2) and I-LOC (4) everywhere.
  const emissions = randn([64, 6, BIO.length]);
  for (let i = 0; i < emissions.size; i += BIO.length) {
    emissions.data[i + 2] = emissions.data[i + 2]! + 3;
    emissions.data[i + 4] = emissions.data[i + 4]! + 2.5;
  }
  let freeViolations = 0;
  const violates = (tags: number[]): boolean =>
    tags.some((y, t) => {
      const tag = BIO[y]!;
      if (!tag.startsWith('I-')) return false;
      const prev = t === 0 ? 'O' : BIO[tags[t - 1]!]!;
      return prev === 'O' || prev.slice(2) !== tag.slice(2);
    });
  for (const path of crf.decode(emissions)) assert.ok(!violates(path.tags), `decoded ${path.tags.map((y) => BIO[y]).join(' ')}`);
  for (const path of free.decode(emissions)) if (violates(path.tags)) freeViolations++;
  // The test can fail: without constraints the same emissions do produce such paths.
  assert.ok(freeViolations > 0);
});

test('allowedTransitions: BIO and BIOES rules, and a tag outside the scheme named', () => {
  const bio = nn.allowedTransitions(BIO, 'BIO');
  assert.deepEqual(bio.start, [true, true, false, true, false]);
  assert.deepEqual(bio.end, [true, true, true, true, true]);
  assert.deepEqual(bio.transitions[0], [true, true, false, true, false]); // O → I-X never
  assert.deepEqual(bio.transitions[1], [true, true, true, true, false]); // B-PER → I-PER only
  assert.deepEqual(bio.transitions[4], [true, true, false, true, true]); // I-LOC → I-LOC only
  const bioes = nn.allowedTransitions(['O', 'B-X', 'I-X', 'E-X', 'S-X'], 'BIOES');
  assert.deepEqual(bioes.start, [true, true, false, false, true]);
  assert.deepEqual(bioes.end, [true, false, false, true, true]);
  assert.deepEqual(bioes.transitions[1], [false, false, true, true, false]); // B-X → I-X, E-X
  assert.deepEqual(bioes.transitions[3], [true, true, false, false, true]); // E-X → O, B, S
  assert.throws(() => nn.allowedTransitions(['O', 'E-X'], 'BIO'), /tags\[1\] is "E-X"; under BIO every tag must be O, B-X or I-X/);
  assert.equal(nn.detectTagScheme(['O', 'B-X', 'I-X']), 'BIO');
  assert.equal(nn.detectTagScheme(['O', 'S-X', 'E-X']), 'BIOES');
  assert.equal(nn.detectTagScheme(['NOUN', 'VERB']), null);
});

test('BIOES: constrained Viterbi equals the brute force over the allowed sequences', () => {
  manualSeed(9);
  const tags = ['O', 'B-X', 'I-X', 'E-X', 'S-X'];
  const crf = new nn.CRF(tags.length, { dtype: 'float64', constraints: nn.allowedTransitions(tags, 'BIOES') });
  const emissions = randn([3, 4, tags.length], { dtype: 'float64' });
  const paths = crf.decode(emissions, [4, 2, 1]);
  [4, 2, 1].forEach((L, b) => assert.deepEqual(paths[b]!.tags, bruteBest(crf, emissions, b, L).tags));
  const logZ = crf.logPartition(emissions, [4, 2, 1]).data;
  [4, 2, 1].forEach((L, b) => assert.ok(Math.abs(logZ[b]! - bruteLogZ(crf, emissions, b, L)) < 1e-9));
});

test('parameters are pytorch-crf’s names and shapes; bad input names the argument', () => {
  const crf = new nn.CRF(4);
  assert.deepEqual(
    crf.namedParameters().map(([name, p]) => [name, p.shape]),
    [
      ['start_transitions', [4]],
      ['end_transitions', [4]],
      ['transitions', [4, 4]],
    ],
  );
  const e = randn([2, 3, 4]);
  assert.throws(() => crf.forward(randn([2, 3, 5]), tensor([[0]], { dtype: 'int32' })), /CRF: emissions must be \(B, T, numTags = 4\); got \[2, 3, 5\]/);
  assert.throws(() => crf.decode(e, [3, 4]), /CRF: lengths\[1\] must be an integer in \[1, 3\]; got 4/);
  assert.throws(() => crf.decode(e, [3]), /lengths must have one entry per sequence \(B = 2\); got 1/);
  assert.throws(
    () =>
      crf.forward(
        e,
        tensor(
          [
            [0, 1, 9],
            [0, 0, 0],
          ],
          { dtype: 'int32' },
        ),
      ),
    /CRF: tags\[0\]\[2\] is 9; tags must be in \[0, 4\)/,
  );
  assert.throws(() => crf.forward(e, tensor([[0, 1]], { dtype: 'int32' })), /tags must be \(B, T\) = \(2, 3\)/);
  assert.throws(() => new nn.CRF(2, { constraints: nn.allowedTransitions(BIO, 'BIO') }), /constraints.start must be 2 booleans/);
});
