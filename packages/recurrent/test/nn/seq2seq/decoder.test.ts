// nn.Decoder and nn.Seq2Seq as modules: parameter names and shapes of every form, the fused
// teacher-forced path equal to stepping, scheduled sampling, and errors that name the option or
// argument with the expected and the actual value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, manualSeed, nn, randn, tensor, zeros } from '../../../src/index.js';
import { scheduledTokens } from '../../../src/nn/seq2seq/scheduled_sampling.js';
import { assertClose } from '../../helpers/close.js';

function shapes(m: nn.Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]]));
}

const TARGET_IN = tensor(
  [
    [1, 4, 5, 3],
    [1, 6, 2, 0],
  ],
  { dtype: 'int32' },
);

describe('nn.Decoder: parameters', () => {
  test('Luong with input feeding: the recurrent input is E + H; combine is (H, D_m + H) without bias', () => {
    assert.deepEqual(shapes(new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8, embeddingDim: 6 })), {
      'embedding.weight': [12, 6],
      'rnn.weight_ih_l0': [32, 14],
      'rnn.weight_hh_l0': [32, 8],
      'rnn.bias_ih_l0': [32],
      'rnn.bias_hh_l0': [32],
      'attention.key_proj.weight': [8, 10],
      'combine.weight': [8, 18],
      'out.weight': [12, 8],
      'out.bias': [12],
    });
  });

  test('Bahdanau: the recurrent input is E + D_m and the additive score has its three maps; no attention: no combine', () => {
    const bahdanau = shapes(new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8, embeddingDim: 6, style: 'bahdanau', cell: 'gru', attentionDim: 5 }));
    assert.deepEqual(bahdanau['rnn.weight_ih_l0'], [24, 16]);
    assert.deepEqual(bahdanau['attention.query_proj.weight'], [5, 8]);
    assert.deepEqual(bahdanau['attention.key_proj.weight'], [5, 10]);
    assert.deepEqual(bahdanau['attention.v.weight'], [1, 5]);
    const plain = shapes(new nn.Decoder({ vocabSize: 12, hiddenSize: 8, attention: 'none', numLayers: 2 }));
    assert.deepEqual(Object.keys(plain), [
      'embedding.weight',
      'rnn.weight_ih_l0',
      'rnn.weight_hh_l0',
      'rnn.bias_ih_l0',
      'rnn.bias_hh_l0',
      'rnn.weight_ih_l1',
      'rnn.weight_hh_l1',
      'rnn.bias_ih_l1',
      'rnn.bias_hh_l1',
      'out.weight',
      'out.bias',
    ]);
  });

  test('printout', () => {
    assert.match(
      new nn.Decoder({ vocabSize: 12, memorySize: 8, hiddenSize: 8 }).toString(),
      /^Decoder\(\n {2}vocabSize=12, style='luong', attention='general', inputFeeding=true/,
    );
  });
});

describe('nn.Decoder: forms agree', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    test(`${cell}, 2 layers, Luong without input feeding: the fused teacher-forced pass equals stepping, in training mode too`, () => {
      manualSeed(5);
      const model = new nn.Seq2Seq({
        sourceVocabSize: 9,
        targetVocabSize: 8,
        hiddenSize: 6,
        cell,
        encoderLayers: 2,
        decoderLayers: 2,
        inputFeeding: false,
        dtype: 'float64',
      });
      const source = tensor(
        [
          [3, 4, 5],
          [6, 7, 0],
        ],
        { dtype: 'int32' },
      );
      const fused = model.forward(source, [3, 2], TARGET_IN);
      // teacherForcing just below 1 still always feeds the reference (a uniform draw is < 1 − 1e-16), but takes the stepping path.
      const stepped = model.forward(source, [3, 2], TARGET_IN, { teacherForcing: 1 - 1e-16 });
      assertClose(stepped.logits, fused.logits, `${cell}: logits`, 1e-12, 1e-12);
      assertClose(stepped.attention!, fused.attention!, `${cell}: attention`, 1e-12, 1e-12);
      fused.state.cell.forEach((s, i) => assertClose(stepped.state.cell[i]!, s, `${cell}: state ${i}`, 1e-12, 1e-12));
    });
  }
});

describe('scheduled sampling', () => {
  test('scheduledTokens keeps the reference with probability ε and otherwise samples the model', () => {
    manualSeed(1);
    const reference = tensor(new Array(4000).fill(3), { dtype: 'int32' });
    // The model is sure of token 1 in every row.
    const logits = zeros([4000, 5]);
    for (let n = 0; n < 4000; n++) logits.data[n * 5 + 1] = 100;
    const count = (ratio: number): number => Array.from(scheduledTokens(reference, logits, ratio).data).filter((t) => t === 3).length;
    assert.equal(count(1), 4000);
    assert.equal(count(0), 0);
    const kept = count(0.3);
    assert.ok(kept > 1100 && kept < 1300, `kept ${kept} of 4000 at ε = 0.3`);
    const tokens = Array.from(scheduledTokens(reference, logits, 0.3).data);
    assert.ok(tokens.every((t) => t === 3 || t === 1));
  });

  test('teacherForcing 0 feeds the model its own samples: the logits differ from teacher forcing, gradients still flow', () => {
    manualSeed(2);
    const model = new nn.Seq2Seq({ sourceVocabSize: 9, targetVocabSize: 8, hiddenSize: 6 });
    const source = tensor([[3, 4, 5]], { dtype: 'int32' });
    const target = tensor([[1, 7, 7, 7, 7, 7]], { dtype: 'int32' });
    const forced = model.forward(source, [3], target).logits;
    const sampled = model.forward(source, [3], target, { teacherForcing: 0 });
    // Step 0 is fed BOS either way; a later step sees other tokens.
    assertClose(sampled.logits.select(1, 0), forced.select(1, 0), 'step 0', 1e-6, 1e-6);
    assert.notDeepEqual(Array.from(sampled.logits.data), Array.from(forced.data));
    sampled.logits.sum().backward();
    assert.ok(model.decoder.out.weight.grad!.data.some((g) => g !== 0));
  });

  test('teacherForcingSchedule: the three decays of the paper and a constant', () => {
    const inverse = nn.teacherForcingSchedule({ decay: 'inverse-sigmoid', k: 100 });
    assert.ok(Math.abs(inverse(0) - 100 / 101) < 1e-12);
    assert.ok(inverse(100 * Math.log(100)) > 0.49 && inverse(100 * Math.log(100)) < 0.51);
    assert.equal(nn.teacherForcingSchedule({ decay: 'linear', k: 1000, min: 0.25 })(500), 0.5);
    assert.equal(nn.teacherForcingSchedule({ decay: 'linear', k: 1000, min: 0.25 })(900), 0.25);
    assert.ok(Math.abs(nn.teacherForcingSchedule({ decay: 'exponential', k: 0.99 })(10) - 0.99 ** 10) < 1e-12);
    assert.equal(nn.teacherForcingSchedule({ decay: 'constant', k: 0.7 })(123), 0.7);
    assert.throws(() => nn.teacherForcingSchedule({ decay: 'exponential', k: 1 }), /k of the 'exponential' decay must be a number in \(0, 1\); got 1/);
    assert.throws(
      () => nn.teacherForcingSchedule({ decay: 'cubic' as never, k: 1 }),
      /decay must be one of constant, linear, exponential, inverse-sigmoid; got "cubic"/,
    );
  });
});

describe('errors name the option or argument', () => {
  const memory = (): nn.AttentionMemory => new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8 }).prepareMemory(randn([2, 5, 10]), [5, 3])!;
  const cases: [string, () => unknown, new (...args: never[]) => Error, RegExp][] = [
    [
      'style',
      () => new nn.Decoder({ vocabSize: 5, memorySize: 4, style: 'after' as never }),
      ValueError,
      /Decoder: style must be 'luong' or 'bahdanau'; got "after"/,
    ],
    [
      'attention',
      () => new nn.Decoder({ vocabSize: 5, memorySize: 4, attention: 'luong' as never }),
      ValueError,
      /Decoder: attention must be one of 'bahdanau', 'dot', .*; got 'luong'/,
    ],
    ['memorySize', () => new nn.Decoder({ vocabSize: 5 }), ValueError, /Decoder: memorySize must be a positive integer; got undefined/],
    [
      'dot sizes',
      () => new nn.Decoder({ vocabSize: 5, memorySize: 4, hiddenSize: 8, attention: 'dot' }),
      ValueError,
      /attention 'dot' needs hiddenSize = memorySize .*got hiddenSize 8, memorySize 4; use 'general'/,
    ],
    [
      'input feeding',
      () => new nn.Decoder({ vocabSize: 5, memorySize: 4, style: 'bahdanau', inputFeeding: true }),
      ValueError,
      /inputFeeding applies to the Luong style with attention; got style 'bahdanau'/,
    ],
    ['unknown option', () => new nn.Decoder({ vocabSize: 5, memorySize: 4, hidden: 3 } as never), ValueError, /Decoder: unknown option 'hidden'/],
    [
      "a cell's input size",
      () => new nn.Decoder({ vocabSize: 5, memorySize: 4, embeddingDim: 3, cell: new nn.GRUCell({ inputSize: 3, hiddenSize: 6 }) }),
      ValueError,
      /the cell takes inputs of size 3; this decoder feeds it E \+ 6 = 9/,
    ],
    [
      'targetIn dtype',
      () =>
        new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8 }).forward(
          tensor([[1, 2]]),
          new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8 }).initialState(1),
          memory(),
        ),
      DTypeError,
      /Decoder: targetIn must be int32; got float32/,
    ],
    [
      'missing memory',
      () =>
        new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8 }).step(
          Int32Array.of(1, 1),
          new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8 }).initialState(2),
          null,
        ),
      ValueError,
      /memory is required: pass prepareMemory/,
    ],
    [
      'teacherForcing',
      () => {
        const d = new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8 });
        return d.forward(TARGET_IN, d.initialState(2), memory(), { teacherForcing: 1.5 });
      },
      ValueError,
      /teacherForcing must be a number in \[0, 1\]; got 1.5/,
    ],
    [
      'initial state shape',
      () => new nn.Decoder({ vocabSize: 12, memorySize: 10, hiddenSize: 8 }).initialState(2, [zeros([1, 3, 8]), zeros([1, 3, 8])]),
      ShapeError,
      /initial state 0 must be \(L, N, H\) = \[1, 2, 8\]; got \[1, 3, 8\]/,
    ],
    [
      'ids out of range',
      () => new nn.Seq2Seq({ sourceVocabSize: 5, targetVocabSize: 4, eosId: 4 }),
      ValueError,
      /Seq2Seq: eosId must be an integer in \[0, 4\) \(targetVocabSize 4\); got 4/,
    ],
    [
      'user cell with a bridge',
      () => new nn.Seq2Seq({ sourceVocabSize: 5, targetVocabSize: 4, decoderCell: new nn.GRUCell({ inputSize: 2, hiddenSize: 2 }), bridge: 'linear' }),
      ValueError,
      /a user's decoderCell starts from its zeroState; bridge must be 'zero'; got 'linear'/,
    ],
  ];
  for (const [name, run, kind, message] of cases) test(name, () => assert.throws(run, (e: unknown) => e instanceof kind && message.test((e as Error).message)));
});
