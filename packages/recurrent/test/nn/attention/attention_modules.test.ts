// The attention modules as modules: PyTorch-style state-dict names and shapes, loading a state
// dict, dtype, printout, and the errors for bad options and bad inputs, which name the argument,
// the expected and the actual value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, indexSelect, manualSeed, nn, randn, tensor } from '../../../src/index.js';
import { assertClose } from '../../helpers/close.js';
import { VARIANTS, buildAttention } from './attention_variants.js';

function shapes(m: nn.Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]]));
}

describe('attention modules: parameters', () => {
  test('state-dict names and shapes', () => {
    assert.deepEqual(shapes(new nn.BahdanauAttention({ queryDim: 4, keyDim: 6, attentionDim: 5 })), {
      'query_proj.weight': [5, 4],
      'query_proj.bias': [5],
      'key_proj.weight': [5, 6],
      'v.weight': [1, 5],
    });
    assert.deepEqual(shapes(new nn.BahdanauAttention({ queryDim: 4, keyDim: 6, bias: false })), {
      'query_proj.weight': [4, 4],
      'key_proj.weight': [4, 6],
      'v.weight': [1, 4],
    });
    assert.deepEqual(shapes(new nn.LuongAttention({ score: 'dot' })), {});
    assert.deepEqual(shapes(new nn.LuongAttention({ queryDim: 4, keyDim: 6 })), { 'key_proj.weight': [4, 6] });
    assert.deepEqual(shapes(new nn.LuongAttention({ score: 'concat', queryDim: 4, keyDim: 6, attentionDim: 5 })), {
      'proj.weight': [5, 10],
      'v.weight': [1, 5],
    });
    assert.deepEqual(shapes(new nn.ScaledDotProductAttention()), {});
  });

  test('a state dict loads into a fresh module and gives the same result; dtype follows the option', () => {
    const a = new nn.BahdanauAttention({ queryDim: 3, keyDim: 2, dtype: 'float64' });
    const b = new nn.BahdanauAttention({ queryDim: 3, keyDim: 2, dtype: 'float64' });
    b.loadStateDict(a.stateDict());
    const [q, k] = [randn([2, 3], { dtype: 'float64' }), randn([2, 4, 2], { dtype: 'float64' })];
    const out = a.forward(q, k, k);
    assert.equal(out.context.dtype, 'float64');
    assert.deepEqual(Array.from(b.forward(q, k, k).weights.data), Array.from(out.weights.data));
    assert.throws(() => b.loadStateDict({ ...a.stateDict(), 'v.weight': randn([1, 2]) }), ShapeError);
  });

  test('printout', () => {
    assert.match(
      new nn.BahdanauAttention({ queryDim: 4, keyDim: 6 }).toString(),
      /^BahdanauAttention\(\n {2}queryDim=4, keyDim=6, attentionDim=4, bias=true\n {2}\(query_proj\): Linear/,
    );
    assert.match(new nn.LuongAttention({ score: 'dot' }).toString(), /^LuongAttention\(score='dot'\)/);
    assert.match(new nn.ScaledDotProductAttention({ scale: 0.5 }).toString(), /^ScaledDotProductAttention\(scale=0.5\)/);
  });

  test('the scale option multiplies the dot products (default 1/√Dk)', () => {
    const q = tensor([[1, 2, 0, 1]]);
    const k = tensor([
      [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
      ],
    ]);
    const v = tensor([[[1], [0]]]);
    const w = (scale?: number): number => new nn.ScaledDotProductAttention(scale === undefined ? {} : { scale }).forward(q, k, v).weights.data[1]!;
    assert.ok(Math.abs(w() - 1 / (1 + Math.exp(-0.5))) < 1e-6); // scores 1/2 and 2/2
    assert.ok(Math.abs(w(2) - 1 / (1 + Math.exp(-2))) < 1e-6);
  });
});

describe('attention modules: errors', () => {
  test('options', () => {
    assert.throws(() => new nn.BahdanauAttention({ queryDim: 4, keyDim: 0 }), /BahdanauAttention: keyDim must be a positive integer; got 0/);
    assert.throws(
      () => new nn.BahdanauAttention({ queryDim: 4, keyDim: 4, attention_dim: 3 } as never),
      /unknown option 'attention_dim'; did you mean 'attentionDim'\?/,
    );
    assert.throws(
      () => new nn.LuongAttention({ score: 'additive' as never, queryDim: 4 }),
      /LuongAttention: score must be one of 'dot', 'general', 'concat'; got "additive"/,
    );
    assert.throws(() => new nn.LuongAttention({ score: 'general' }), /LuongAttention: score 'general' needs queryDim/);
    assert.throws(() => new nn.LuongAttention({ score: 'dot', queryDim: 4, keyDim: 3 }), /needs keyDim = queryDim; got queryDim 4, keyDim 3/);
    assert.throws(() => new nn.LuongAttention({ score: 'general', queryDim: 4, attentionDim: 3 }), /attentionDim applies only to score 'concat'/);
    assert.throws(() => new nn.ScaledDotProductAttention({ scale: Number.NaN }), /scale must be a finite number; got NaN/);
  });

  const attention = new nn.BahdanauAttention({ queryDim: 4, keyDim: 6 });
  const [q, k, v] = [randn([2, 4]), randn([2, 5, 6]), randn([2, 5, 3])];
  const cases: [string, () => unknown, typeof ShapeError | typeof ValueError | typeof DTypeError, RegExp][] = [
    ['not a tensor', () => attention.forward(q, [[1]] as never, v), ValueError, /BahdanauAttention: keys must be a Tensor; got \[\[1\]\]/],
    ['query rank', () => attention.forward(randn([2, 1, 1, 4]), k, v), ShapeError, /query must be \(N, Dq\) or \(N, Tq, Dq\); got \[2, 1, 1, 4\]/],
    ['keys rank', () => attention.forward(q, randn([2, 6]), v), ShapeError, /keys must be \(N, S, Dk\); got \[2, 6\]/],
    ['values rank', () => attention.forward(q, k, randn([2, 5])), ShapeError, /values must be \(N, S, Dv\); got \[2, 5\]/],
    ['query batch', () => attention.forward(randn([3, 4]), k, v), ShapeError, /query must have batch size N = 2 \(from keys \[2, 5, 6\]\); got \[3, 4\]/],
    ['values source length', () => attention.forward(q, k, randn([2, 4, 3])), ShapeError, /values must be \(N, S, Dv\) with N = 2, S = 5 .*; got \[2, 4, 3\]/],
    ['query features', () => attention.forward(randn([2, 5]), k, v), ShapeError, /expected query features Dq = 4 and key features Dk = 6; got Dq = 5, Dk = 6/],
    ['key features', () => attention.forward(q, randn([2, 5, 4]), v), ShapeError, /got Dq = 4, Dk = 4/],
    ['dtype', () => attention.forward(q, k, v.to('float64')), DTypeError, /values must be float32 \(as the parameters\); got float64/],
    ['int32 query', () => attention.forward(q.to('int32'), k, v), DTypeError, /query must be float32 or float64; got int32/],
    ['mask shape', () => attention.forward(q, k, v, { mask: randn([2, 4]) }), ShapeError, /mask must be \(N, S\) = \[2, 5\]; got \[2, 4\]/],
    ['nested mask shape', () => attention.forward(q, k, v, { mask: [[true, false]] }), ShapeError, /mask must be \(N, S\) = \[2, 5\]; got 1 rows of 2/],
    [
      'mask entry',
      () =>
        attention.forward(q, k, v, {
          mask: [
            [1, 1, 1, 1, 1],
            [1, 1, 'x' as never, 1, 1],
          ],
        }),
      DTypeError,
      /mask\[1\]\[2\] must be a boolean or a number; got "x"/,
    ],
    ['lengths count', () => attention.forward(q, k, v, { lengths: [5] }), ShapeError, /lengths must have one entry per batch row \(N = 2\); got 1/],
    ['length too long', () => attention.forward(q, k, v, { lengths: [5, 6] }), ValueError, /lengths\[1\] must be an integer in \[0, 5\] \(S = 5\); got 6/],
    ['negative length', () => attention.forward(q, k, v, { lengths: [-1, 2] }), ValueError, /lengths\[0\] must be an integer in \[0, 5\]/],
    ['both', () => attention.forward(q, k, v, { lengths: [5, 5], mask: [[1], [1]] }), ValueError, /give mask or lengths, not both/],
    [
      'dot features',
      () => new nn.LuongAttention({ score: 'dot' }).forward(q, k, v),
      ShapeError,
      /LuongAttention: score 'dot' needs query features Dq = key features Dk; got Dq = 4, Dk = 6/,
    ],
    [
      'scaled features',
      () => new nn.ScaledDotProductAttention().forward(q, k, v),
      ShapeError,
      /ScaledDotProductAttention: query features Dq must equal key features Dk; got Dq = 4, Dk = 6/,
    ],
    [
      'scaled dtype',
      () => new nn.ScaledDotProductAttention().forward(q, randn([2, 5, 4]).to('float64'), v),
      DTypeError,
      /keys must be float32 \(as the query\); got float64/,
    ],
  ];
  for (const [name, run, kind, message] of cases) {
    test(name, () => assert.throws(run, (e: unknown) => e instanceof kind && message.test((e as Error).message)));
  }
});

describe('attention modules: a memory prepared once', () => {
  for (const variant of VARIANTS) {
    test(`${variant.name}: attend per step over prepare() equals forward, and equals a reordered memory's rows`, () => {
      manualSeed(3);
      const attention = buildAttention(variant, 'float64');
      const [N, TQ, S] = [3, 4, 5];
      const query = randn([N, TQ, 4], { dtype: 'float64' });
      const keys = randn([N, S, variant.keyDim], { dtype: 'float64' });
      const values = randn([N, S, 3], { dtype: 'float64' });
      const lengths = [5, 2, 0];
      const whole = attention.forward(query, keys, values, { lengths });
      const memory = attention.prepare(keys, values, { lengths });
      for (let t = 0; t < TQ; t++) {
        const { context, weights } = attention.attend(query.select(1, t), memory);
        assertClose(context, whole.context.select(1, t), `context step ${t}`, 1e-12, 1e-12);
        assertClose(weights, whole.weights.select(1, t), `weights step ${t}`, 1e-12, 1e-12);
      }
      // Rows [2, 0, 0]: the third source, then the first twice.
      const picked = nn.selectMemoryRows(memory, [2, 0, 0]);
      const q = indexSelect(query.select(1, 1), 0, [2, 0, 0]);
      const expected = indexSelect(whole.weights.select(1, 1), 0, [2, 0, 0]);
      assertClose(attention.attend(q, picked).weights, expected, 'reordered rows', 1e-12, 1e-12);
    });
  }

  test('attend checks the query against the memory', () => {
    const attention = new nn.BahdanauAttention({ queryDim: 4, keyDim: 6 });
    const memory = attention.prepare(randn([2, 5, 6]), randn([2, 5, 3]));
    assert.throws(() => attention.attend(randn([3, 4]), memory), /query must have batch size N = 2 \(from the memory's 2 rows\); got \[3, 4\]/);
    assert.throws(() => attention.attend(randn([2, 5]), memory), /expected query features Dq = 4 and key features Dk = 6; got Dq = 5, Dk = 6/);
    assert.throws(() => attention.prepare(randn([2, 5, 4]), randn([2, 5, 3])), /expected query features Dq = 4 and key features Dk = 6; got Dk = 4/);
  });
});
