// nn.ConditionedDecoder: float64 finite-difference checks through both couplings (every
// parameter and the context itself), stepping equals teacher forcing, beam search with beam 1
// equals greedy decoding under a context, different contexts give different distributions (and
// the unconditioned form gives the same), parameter names, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  beamDecode,
  concat,
  crossEntropy,
  gradcheck,
  greedyDecode,
  manualSeed,
  nn,
  noGrad,
  randn,
  sampleDecode,
  softmax,
  stack,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

// (T, N) = (4, 3): boundary token 0 first, then letters; targets are the inputs shifted by one.
const IDS_IN = tensor(
  [
    [0, 0, 0],
    [3, 1, 4],
    [2, 5, 1],
    [4, 2, 3],
  ],
  { dtype: 'int32' },
);
const IDS_OUT = tensor(
  [
    [3, 1, 4],
    [2, 5, 1],
    [4, 2, 3],
    [0, 0, 0],
  ],
  { dtype: 'int32' },
);

const FORMS: [string, Partial<nn.ConditionedDecoderOptions>][] = [
  ['init, LSTM, h and c projected', { coupling: 'init', cell: 'lstm' }],
  ['init, LSTM, h only, 2 layers', { coupling: 'init', cell: 'lstm', lstmInit: 'h', numLayers: 2 }],
  ['input, GRU, 2 layers', { coupling: 'input', cell: 'gru', numLayers: 2 }],
  ['both, RNN', { coupling: 'both', cell: 'rnn' }],
  ['both, LSTM, 2 layers', { coupling: 'both', cell: 'lstm', numLayers: 2 }],
];

function model(options: Partial<nn.ConditionedDecoderOptions>, dtype: 'float32' | 'float64' = 'float64'): nn.ConditionedDecoder {
  return new nn.ConditionedDecoder({ vocabSize: 6, contextSize: 3, hiddenSize: 4, embeddingDim: 2, dtype, ...options });
}

for (const [name, options] of FORMS) {
  test(`${name}: the gradients of every parameter and of the context match finite differences`, () => {
    manualSeed(5);
    const m = model(options);
    const context = randn([3, 3], { dtype: 'float64', requiresGrad: true });
    const run = (c: Tensor): Tensor => {
      const [logits] = m.forward(IDS_IN, c);
      const loss = crossEntropy(logits.reshape([-1, 6]), IDS_OUT.reshape([-1]));
      return concat([logits.reshape([-1]), loss.reshape([1])]);
    };
    assert.ok(gradcheck(run, [context], { atol: 1e-7, rtol: 1e-6 }));
    assert.ok(gradcheck(() => run(context.detach()), m.parameters(), { atol: 1e-7, rtol: 1e-6 }));
  });

  test(`${name}: stepping one token at a time reproduces the teacher-forced logits`, () => {
    manualSeed(6);
    const m = model(options);
    m.eval();
    const context = randn([3, 3], { dtype: 'float64' });
    noGrad(() => {
      const [expected] = m.forward(IDS_IN, context);
      const stepper = m.stepper(context, { bosId: 0, eosId: 0 });
      let state = stepper.initial;
      const logits: Tensor[] = [];
      for (let t = 0; t < 4; t++) {
        const out = stepper.step(
          Int32Array.from({ length: 3 }, (_, n) => IDS_IN.data[t * 3 + n]!),
          state,
        );
        logits.push(out.logits);
        state = out.state;
      }
      assertClose(stack(logits, 0), expected, `${name}: stepped logits`, 1e-12, 1e-12);
    });
  });
}

test('parameters carry PyTorch-style names, with the projections only where the coupling needs them', () => {
  const names = (o: Partial<nn.ConditionedDecoderOptions>): string[] =>
    model(o)
      .namedParameters()
      .map(([n]) => n)
      .filter((n) => !n.startsWith('rnn.weight_hh') && !n.startsWith('rnn.bias'));
  assert.deepEqual(names({ coupling: 'init', numLayers: 2 }), [
    'embedding.weight',
    'rnn.weight_ih_l0',
    'rnn.weight_ih_l1',
    'decoder.weight',
    'decoder.bias',
    'init_h.weight',
    'init_h.bias',
    'init_c.weight',
    'init_c.bias',
  ]);
  assert.deepEqual(names({ coupling: 'init', lstmInit: 'h' }).slice(-2), ['init_h.weight', 'init_h.bias']);
  assert.deepEqual(names({ coupling: 'init', cell: 'gru' }).slice(-2), ['init_h.weight', 'init_h.bias']);
  assert.ok(!names({ coupling: 'input' }).some((n) => n.startsWith('init_')));
  const shapes = Object.fromEntries(
    model({ coupling: 'both', numLayers: 2 })
      .namedParameters()
      .map(([n, p]) => [n, [...p.shape]]),
  );
  assert.deepEqual(shapes['init_h.weight'], [8, 3]); // (L·H, C)
  assert.deepEqual(shapes['rnn.weight_ih_l0'], [16, 5]); // (4·H, E + C)
  assert.deepEqual(shapes['rnn.weight_ih_l1'], [16, 4]);
});

test("lstmInit 'h' starts the cell memory at zero; 'hc' sets it from the context", () => {
  manualSeed(7);
  const context = randn([2, 3], { dtype: 'float64' });
  const [h, c] = model({ coupling: 'init', lstmInit: 'h', numLayers: 2 }).initialState(context) as [Tensor, Tensor];
  assert.deepEqual([...h.shape], [2, 2, 4]);
  assert.ok(Array.from(c.data).every((v) => v === 0));
  assert.ok(Array.from(h.data).every((v) => v !== 0 && Math.abs(v) < 1));
  const [, c2] = model({ coupling: 'init' }).initialState(context) as [Tensor, Tensor];
  assert.ok(Array.from(c2.data).some((v) => v !== 0));
});

test("the initial state's layer l is tanh of row block l of init_h", () => {
  manualSeed(8);
  const m = model({ coupling: 'init', cell: 'gru', numLayers: 2 });
  const context = randn([2, 3], { dtype: 'float64' });
  const h = m.initialState(context) as Tensor;
  const w = m.initProjections[0]!.weight;
  const b = m.initProjections[0]!.bias!;
  for (let l = 0; l < 2; l++)
    for (let n = 0; n < 2; n++)
      for (let j = 0; j < 4; j++) {
        let s = b.data[l * 4 + j]!;
        for (let k = 0; k < 3; k++) s += w.data[(l * 4 + j) * 3 + k]! * context.data[n * 3 + k]!;
        assert.ok(Math.abs(h.data[(l * 2 + n) * 4 + j]! - Math.tanh(s)) < 1e-12, `layer ${l}, row ${n}, unit ${j}`);
      }
});

for (const coupling of ['init', 'input', 'both'] as const)
  test(`${coupling}: beam search with beam 1 equals greedy decoding under each context`, () => {
    manualSeed(9);
    const m = model({ coupling, hiddenSize: 8 });
    m.eval();
    const context = tensor(
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0.5, -2, 1],
      ],
      { dtype: 'float64' },
    );
    noGrad(() => {
      const greedy = greedyDecode(m.stepper(context, { bosId: 0, eosId: 0 }), { maxLength: 12 });
      const beam = beamDecode(m.stepper(context, { bosId: 0, eosId: 0 }), { beamSize: 1, maxLength: 12 });
      assert.equal(greedy.length, 4);
      for (let n = 0; n < 4; n++) {
        assert.deepEqual(beam[n]![0]!.tokens, greedy[n]![0]!.tokens, `row ${n}`);
        assert.ok(Math.abs(beam[n]![0]!.logProb - greedy[n]![0]!.logProb) < 1e-12, `row ${n}: log-probabilities`);
        assert.equal(beam[n]![0]!.finished, greedy[n]![0]!.finished);
      }
    });
  });

for (const coupling of ['init', 'input', 'both', 'none'] as const)
  test(`${coupling}: ${coupling === 'none' ? 'the context changes nothing' : 'different contexts give different next-token distributions'}`, () => {
    manualSeed(10);
    const m = model({ coupling });
    const a = tensor([[1, 0, 0]], { dtype: 'float64' });
    const b = tensor([[0, 1, 0]], { dtype: 'float64' });
    const ids = tensor([[0], [3], [2]], { dtype: 'int32' });
    const probs = (c: Tensor): Float64Array => Float64Array.from(softmax(m.forward(ids, c)[0], -1).data);
    const pa = probs(a);
    const pb = probs(b);
    const gap = Math.max(...pa.map((p, i) => Math.abs(p - pb[i]!)));
    if (coupling === 'none') assert.equal(gap, 0);
    else assert.ok(gap > 1e-3, `largest difference ${gap}`);
  });

test('sampling and beam search return one output per context row; forbidden ids are never emitted', () => {
  manualSeed(12);
  const m = model({ coupling: 'both' });
  m.eval();
  const context = tensor(
    [
      [1, 0, 0],
      [0, 1, 0],
    ],
    { dtype: 'float64' },
  );
  noGrad(() => {
    const drawn = sampleDecode(m.stepper(context, { bosId: 0, eosId: 0, forbiddenIds: [5] }), { maxLength: 30 });
    const beams = beamDecode(m.stepper(context, { bosId: 0, eosId: 0, forbiddenIds: [5] }), { beamSize: 3, nBest: 3, maxLength: 30 });
    assert.equal(drawn.length, 2);
    assert.equal(beams.length, 2);
    for (const list of [...drawn, ...beams]) for (const h of list) assert.ok(!h.tokens.includes(5), `forbidden token in ${h.tokens.join(' ')}`);
  });
});

test('bad input gets a clear error naming the argument', () => {
  const m = model({ coupling: 'both' });
  const c = randn([3, 3], { dtype: 'float64' });
  assert.throws(() => m.forward(IDS_IN, randn([3, 2], { dtype: 'float64' })), /context must be \(N, C\) = \(3, 3\); got \[3, 2\]/);
  assert.throws(() => m.forward(IDS_IN, randn([2, 3], { dtype: 'float64' })), /context must be \(N, C\) = \(3, 3\); got \[2, 3\]/);
  assert.throws(() => m.forward(IDS_IN, randn([3, 3])), /context must have the parameters' dtype float64; got float32/);
  assert.throws(() => m.forward(tensor([0, 1], { dtype: 'int32' }), c), /ids must be \(T, N\)/);
  assert.throws(() => m.stepper(c, { bosId: 0, eosId: 6 }), /eosId must be an integer in \[0, 6\); got 6/);
  assert.throws(() => m.stepper(c, { bosId: 0, eosId: 0, forbiddenIds: [0] }), /forbiddenIds must not hold eosId/);
  assert.throws(() => model({ coupling: 'start' as nn.ContextCoupling }), /coupling must be one of init, input, both, none; got start/);
  assert.throws(() => model({ lstmInit: 'c' as 'h' }), /lstmInit must be 'hc' or 'h'; got c/);
  assert.throws(() => new nn.ConditionedDecoder({ vocabSize: 6, contextSize: 0 }), /contextSize must be a positive integer; got 0/);
});
