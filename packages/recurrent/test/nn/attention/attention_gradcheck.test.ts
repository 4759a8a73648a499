// float64 finite-difference checks of every attention module with (N, Dq) and (N, Tq, Dq) queries,
// unmasked and masked (source lengths with a 0, and a mask with an all-padding row): the gradients
// of query, keys, values and every parameter.
import { describe, test } from 'node:test';
import { concat, gradcheck, manualSeed, randn, tensor, type nn, type Tensor } from '../../../src/index.js';
import { VARIANTS, buildAttention } from './attention_variants.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };
const [N, TQ, S, DQ, DV] = [3, 2, 4, 4, 3];
const MASKS: readonly { name: string; options: nn.AttentionForwardOptions }[] = [
  { name: 'unmasked', options: {} },
  { name: 'lengths [4, 0, 2]', options: { lengths: [4, 0, 2] } },
  {
    name: 'mask with holes',
    options: {
      mask: tensor([
        [0, 1, 1, 0],
        [0, 0, 0, 0],
        [1, 0, 0, 1],
      ]),
    },
  },
];

describe('attention gradcheck (float64)', () => {
  VARIANTS.forEach((variant, v) => {
    for (const rank of [2, 3]) {
      MASKS.forEach((mask, m) => {
        test(`${variant.name}, ${rank}-D query, ${mask.name}`, () => {
          manualSeed(100 + 10 * v + 2 * m + rank);
          const attention = buildAttention(variant, 'float64');
          const query = randn(rank === 2 ? [N, DQ] : [N, TQ, DQ], f64);
          const keys = randn([N, S, variant.keyDim], f64);
          const values = randn([N, S, DV], f64);
          const params = attention.parameters();
          // The parameters are inputs too: gradcheck perturbs them in place, and the module reads them.
          const both = (q?: Tensor, k?: Tensor, x?: Tensor): Tensor => {
            const { context, weights } = attention.forward(q!, k!, x!, mask.options);
            return concat([context.reshape(-1), weights.reshape(-1)]);
          };
          gradcheck(both, [query, keys, values, ...params], { atol: 1e-7, rtol: 1e-6 });
        });
      });
    }
  });
});
