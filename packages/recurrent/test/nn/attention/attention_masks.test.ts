// Key masks of the attention modules: padding keys get exactly zero weight, a row whose keys are all
// padding gives zero weights, a zero context and finite (zero) gradients, every way of giving the
// mask means the same, and an (N, Tq, Dq) query equals Tq separate (N, Dq) steps.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, stack, tensor, type Tensor, type nn } from '../../../src/index.js';
import { assertClose } from '../../helpers/close.js';
import { VARIANTS, buildAttention } from './attention_variants.js';

const [N, TQ, S, DQ, DV] = [3, 2, 5, 4, 3];
const LENGTHS = [5, 0, 2];
const VALID = LENGTHS.map((len) => Array.from({ length: S }, (_, s) => s < len));

function leaf(t: Tensor): Tensor {
  const x = t.detach();
  x.requiresGrad = true;
  return x;
}

function inputs(keyDim: number, rank: 2 | 3, scale = 1): { query: Tensor; keys: Tensor; values: Tensor } {
  return {
    query: leaf(randn(rank === 2 ? [N, DQ] : [N, TQ, DQ]).mul(scale)),
    keys: leaf(randn([N, S, keyDim]).mul(scale)),
    values: leaf(randn([N, S, DV])),
  };
}

function assertFinite(t: Tensor, label: string): void {
  for (let i = 0; i < t.size; i++) assert.ok(Number.isFinite(t.data[i]!), `${label}[${i}] is ${t.data[i]}`);
}

describe('attention key masks', () => {
  for (const variant of VARIANTS) {
    for (const rank of [2, 3] as const) {
      test(`${variant.name}, ${rank}-D query: exact zeros at padding, an all-padding row gives zeros and finite gradients`, () => {
        manualSeed(7);
        const attention = buildAttention(variant, 'float32');
        // Large inputs push the real scores far from 0; the padding still gets exactly 0.
        const { query, keys, values } = inputs(variant.keyDim, rank, 10);
        const { context, weights } = attention.forward(query, keys, values, { lengths: LENGTHS });
        const steps = rank === 2 ? 1 : TQ;
        for (let n = 0; n < N; n++) {
          for (let t = 0; t < steps; t++) {
            let total = 0;
            for (let s = 0; s < S; s++) {
              const w = weights.data[(n * steps + t) * S + s]!;
              if (!VALID[n]![s]) assert.ok(w === 0, `weights[${n}, ${t}, ${s}] = ${w} at a padding key`);
              total += w;
            }
            assert.ok(Math.abs(total - (LENGTHS[n] === 0 ? 0 : 1)) < 1e-5, `row ${n}, ${t} sums to ${total}`);
          }
        }
        for (let i = 0; i < steps * DV; i++) assert.ok(context.data[steps * DV + i] === 0, 'the all-padding row has a zero context');
        assertFinite(context, 'context');
        assertFinite(weights, 'weights');
        context
          .sum()
          .add(weights.mul(randn(weights.shape)).sum())
          .backward();
        for (const [name, x] of [
          ['query', query],
          ['keys', keys],
          ['values', values],
        ] as const) {
          assertFinite(x.grad!, `grad.${name}`);
          const row = x.grad!.size / N;
          for (let i = row; i < 2 * row; i++) assert.ok(x.grad!.data[i] === 0, `grad.${name} of the all-padding row is ${x.grad!.data[i]}`);
        }
        for (const [name, p] of attention.namedParameters()) assertFinite(p.grad!, `grad.${name}`);
      });
    }
  }

  test('a mask as a float or int32 tensor, nested booleans or 0/1 numbers, or lengths as number[] or Int32Array: the same weights', () => {
    manualSeed(8);
    const attention = buildAttention(VARIANTS[0]!, 'float32');
    const { query, keys, values } = inputs(6, 3);
    const asNumbers = VALID.map((row) => row.map(Number));
    const forms: nn.AttentionForwardOptions[] = [
      { mask: tensor(asNumbers) },
      { mask: tensor(asNumbers, { dtype: 'int32' }) },
      { mask: tensor(asNumbers.map((row) => row.map((v) => v * 3))) },
      { mask: VALID },
      { mask: asNumbers },
      { lengths: Int32Array.from(LENGTHS) },
    ];
    const expected = attention.forward(query, keys, values, { lengths: LENGTHS });
    for (const [i, options] of forms.entries()) {
      const got = attention.forward(query, keys, values, options);
      assertClose(got.weights, expected.weights, `form ${i}: weights`, 0, 0);
      assertClose(got.context, expected.context, `form ${i}: context`, 0, 0);
    }
  });

  test('a mask of all real keys, or full lengths, is the same as no mask', () => {
    manualSeed(9);
    const attention = buildAttention(VARIANTS[4]!, 'float32');
    const { query, keys, values } = inputs(6, 3);
    const plain = attention.forward(query, keys, values);
    for (const options of [{ lengths: [S, S, S] }, { mask: VALID.map((row) => row.map(() => true)) }]) {
      assertClose(attention.forward(query, keys, values, options).weights, plain.weights, 'weights', 0, 0);
    }
  });

  for (const variant of VARIANTS) {
    test(`${variant.name}: an (N, Tq, Dq) query equals Tq steps of (N, Dq)`, () => {
      manualSeed(10);
      const attention = buildAttention(variant, 'float64');
      const query = randn([N, TQ, DQ], { dtype: 'float64' });
      const keys = randn([N, S, variant.keyDim], { dtype: 'float64' });
      const values = randn([N, S, DV], { dtype: 'float64' });
      const all = attention.forward(query, keys, values, { lengths: LENGTHS });
      const steps = Array.from({ length: TQ }, (_, t) => attention.forward(query.select(1, t), keys, values, { lengths: LENGTHS }));
      assertClose(
        stack(
          steps.map((s) => s.context),
          1,
        ),
        all.context,
        'context',
        1e-12,
        1e-12,
      );
      assertClose(
        stack(
          steps.map((s) => s.weights),
          1,
        ),
        all.weights,
        'weights',
        1e-12,
        1e-12,
      );
    });
  }
});
