// src/nn/rnn/gates.ts: gate order and layout conversions between Keras and our (PyTorch's) cells, by hand,
// as round trips, one step against tfjs's cells, and its errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, Tensor, ValueError, manualSeed, nn, randn, tensor, zeros } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';
import { fromTf, kerasWeights, tf, tfScope, toTf, uniformInit } from '../helpers/tfjs.js';

/** A (rows, cols) tensor whose entry (r, c) is 100·r + c, so every element names its place. */
function labelled(rows: number, cols: number): Tensor {
  return tensor(Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => 100 * r + c)));
}

describe('gate order by hand (H = 1, I = 2)', () => {
  test('LSTM: i, f, c, o = i, f, g, o; kernel transposed; Keras bias in bias_ih', () => {
    const kernel = labelled(2, 4);
    const w = nn.kerasLstmToTorch({ kernel, recurrentKernel: labelled(1, 4), bias: tensor([1, 2, 3, 4]) });
    assert.deepEqual(w.weight_ih.toArray(), [
      [0, 100],
      [1, 101],
      [2, 102],
      [3, 103],
    ]);
    assert.deepEqual(w.weight_hh.toArray(), [[0], [1], [2], [3]]);
    assert.deepEqual(w.bias_ih!.toArray(), [1, 2, 3, 4]);
    assert.deepEqual(w.bias_hh!.toArray(), [0, 0, 0, 0]);
    assert.deepEqual(nn.GATE_ORDER.torchLstm, ['i', 'f', 'g', 'o']);
  });

  test('GRU: Keras z, r, h → our r, z, n; reset_after bias rows → bias_ih, bias_hh', () => {
    const w = nn.kerasGruToTorch({
      kernel: labelled(2, 3),
      recurrentKernel: labelled(1, 3),
      bias: tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    });
    assert.deepEqual(w.weight_ih.toArray(), [
      [1, 101],
      [0, 100],
      [2, 102],
    ]);
    assert.deepEqual(w.weight_hh.toArray(), [[1], [0], [2]]);
    assert.deepEqual(w.bias_ih!.toArray(), [2, 1, 3]);
    assert.deepEqual(w.bias_hh!.toArray(), [5, 4, 6]);
    const before = nn.kerasGruToTorch({ kernel: labelled(2, 3), recurrentKernel: labelled(1, 3), bias: tensor([1, 2, 3]) });
    assert.deepEqual(before.bias_ih!.toArray(), [2, 1, 3]);
    assert.deepEqual(before.bias_hh!.toArray(), [0, 0, 0]);
  });

  test('reorderGates moves whole blocks', () => {
    const x = tensor([[1, 1, 2, 2, 3, 3]]);
    assert.deepEqual(nn.reorderGates(x, 1, ['a', 'b', 'c'], ['c', 'a', 'b']).toArray(), [[3, 3, 1, 1, 2, 2]]);
    assert.throws(() => nn.reorderGates(x, 1, ['a', 'b'], ['a', 'c']), ValueError);
    assert.throws(() => nn.reorderGates(x, 1, ['a', 'b', 'c', 'd'], ['d', 'c', 'b', 'a']), ShapeError);
  });
});

describe('round trips', () => {
  test('Keras → ours → Keras is exact; ours → Keras sums the two biases', () => {
    manualSeed(1);
    const I = 3;
    const H = 2;
    for (const [gates, toTorch, toKeras, bias] of [
      [4, nn.kerasLstmToTorch, nn.torchLstmToKeras, [4 * H]],
      [1, nn.kerasSimpleRnnToTorch, nn.torchSimpleRnnToKeras, [H]],
      [3, (w: nn.KerasRecurrentWeights) => nn.kerasGruToTorch(w), (w: nn.TorchRecurrentWeights) => nn.torchGruToKeras(w), [2, 3 * H]],
      [3, (w: nn.KerasRecurrentWeights) => nn.kerasGruToTorch(w), (w: nn.TorchRecurrentWeights) => nn.torchGruToKeras(w, { resetAfter: false }), [3 * H]],
    ] as const) {
      const keras = { kernel: randn([I, gates * H]), recurrentKernel: randn([H, gates * H]), bias: randn(bias) };
      const back = toKeras(toTorch(keras));
      assertClose(back.kernel, keras.kernel, 'kernel', 0, 0);
      assertClose(back.recurrentKernel, keras.recurrentKernel, 'recurrentKernel', 0, 0);
      assertClose(back.bias!, keras.bias, 'bias', 0, 0);
      const noBias = toTorch({ kernel: keras.kernel, recurrentKernel: keras.recurrentKernel });
      assert.deepEqual(Object.keys(noBias), ['weight_ih', 'weight_hh']);
    }
    const torch = { weight_ih: randn([4 * H, I]), weight_hh: randn([4 * H, H]), bias_ih: randn([4 * H]), bias_hh: randn([4 * H]) };
    assertClose(nn.torchLstmToKeras(torch).bias!, torch.bias_ih.add(torch.bias_hh), 'bias sum', 0, 0);
  });

  test('a GRUCell moved to Keras and back computes the same (reset-before and reset-after)', () => {
    manualSeed(2);
    for (const resetAfter of [true, false]) {
      const a = new nn.GRUCell({ inputSize: 3, hiddenSize: 2, resetAfter });
      const b = new nn.GRUCell({ inputSize: 3, hiddenSize: 2, resetAfter });
      b.loadStateDict(nn.kerasGruToTorch(nn.torchGruToKeras(a.stateDict(), { resetAfter }), { resetAfter }));
      const x = randn([4, 3]);
      const h = randn([4, 2]);
      assertClose(b.forward(x, h), a.forward(x, h), `resetAfter ${resetAfter}`, 1e-6, 1e-6);
    }
  });
});

describe('one step against tfjs cells', () => {
  test('LSTMCell, GRUCell (reset-before), RNNCell', () => {
    manualSeed(3);
    const x = randn([3, 4]);
    const h = randn([3, 5]);
    const c = randn([3, 5]);
    tfScope(() => {
      const init = { units: 5, kernelInitializer: uniformInit(1), recurrentInitializer: uniformInit(2), biasInitializer: uniformInit(3) };
      const cells = [
        [tf.layers.lstmCell({ ...init, recurrentActivation: 'sigmoid' }), new nn.LSTMCell({ inputSize: 4, hiddenSize: 5 }), nn.kerasLstmToTorch],
        [
          tf.layers.gruCell({ ...init, recurrentActivation: 'sigmoid' }),
          new nn.GRUCell({ inputSize: 4, hiddenSize: 5, resetAfter: false }),
          nn.kerasGruToTorch,
        ],
        [tf.layers.simpleRNNCell(init), new nn.RNNCell({ inputSize: 4, hiddenSize: 5 }), nn.kerasSimpleRnnToTorch],
      ] as const;
      for (const [theirs, ours, convert] of cells) {
        const states = ours instanceof nn.LSTMCell ? [h, c] : [h];
        theirs.build([3, 4]);
        const expected = (theirs.apply([toTf(x), ...states.map(toTf)]) as tf.Tensor[]).map(fromTf);
        ours.loadStateDict(convert(kerasWeights(theirs.getWeights())));
        const [out, next] = ours.call(x, states);
        assertClose(out, expected[0]!, `${ours.constructor.name} output`, 1e-5, 1e-5);
        next.forEach((s, i) => assertClose(s, expected[i + 1]!, `${ours.constructor.name} state ${i}`, 1e-5, 1e-5));
        for (const w of theirs.weights) w.dispose(); // a cell used only eagerly cannot dispose() itself
      }
    });
  });
});

describe('errors', () => {
  test('shapes, dtypes and missing tensors are named', () => {
    const ok = { kernel: zeros([3, 8]), recurrentKernel: zeros([2, 8]), bias: zeros([8]) };
    assert.throws(
      () => nn.kerasLstmToTorch({ ...ok, recurrentKernel: zeros([2, 6]) }),
      (e: unknown) => e instanceof ShapeError && /recurrentKernel must be \(H, 4·H\)/.test(e.message),
    );
    assert.throws(
      () => nn.kerasLstmToTorch({ ...ok, kernel: zeros([3, 6]) }),
      (e: unknown) => e instanceof ShapeError && /kernel must be \(inputSize, 8\)/.test(e.message),
    );
    assert.throws(
      () => nn.kerasLstmToTorch({ ...ok, bias: zeros([6]) }),
      (e: unknown) => e instanceof ShapeError && /bias must be \[8\]/.test(e.message),
    );
    assert.throws(
      () => nn.kerasGruToTorch({ kernel: zeros([3, 6]), recurrentKernel: zeros([2, 6]), bias: zeros([6]) }, { resetAfter: true }),
      (e: unknown) => e instanceof ShapeError && /\(2, 3H\)/.test(e.message),
    );
    assert.throws(
      () => nn.kerasGruToTorch({ kernel: zeros([3, 6]), recurrentKernel: zeros([2, 6]), bias: zeros([3, 6]) }),
      (e: unknown) => e instanceof ShapeError && /bias must be \[2, 6\]/.test(e.message),
    );
    assert.throws(() => nn.kerasLstmToTorch({ ...ok, kernel: zeros([3, 8], { dtype: 'int32' }) }), ValueError);
    assert.throws(
      () => nn.kerasLstmToTorch({ ...ok, kernel: toTfLike() }),
      (e: unknown) => e instanceof ValueError && /dataSync/.test(e.message),
    );
    const torch = { weight_ih: zeros([8, 3]), weight_hh: zeros([8, 2]), bias_ih: zeros([8]), bias_hh: zeros([8]) };
    assert.throws(
      () => nn.torchLstmToKeras({ ...torch, weight_hh: zeros([8, 3]) }),
      (e: unknown) => e instanceof ShapeError && /weight_hh must be \(4·H, H\)/.test(e.message),
    );
    assert.throws(
      () => nn.torchLstmToKeras({ ...torch, weight_ih: zeros([6, 3]) }),
      (e: unknown) => e instanceof ShapeError && /weight_ih/.test(e.message),
    );
    assert.throws(
      () => nn.torchLstmToKeras({ ...torch, bias_hh: zeros([4]) }),
      (e: unknown) => e instanceof ShapeError && /bias_hh must be \[8\]/.test(e.message),
    );
    const { bias_hh: _dropped, ...oneBias } = torch;
    assert.throws(
      () => nn.torchLstmToKeras(oneBias),
      (e: unknown) => e instanceof ValueError && /both/.test(e.message),
    );
    const cell = new nn.LSTMCell({ inputSize: 3, hiddenSize: 3 });
    assert.throws(() => cell.loadStateDict(nn.kerasLstmToTorch(ok)), ShapeError, "a converted state dict still meets loadStateDict's shape checks");
  });
});

/** Something that is not our Tensor, as a tfjs tensor would be. */
function toTfLike(): Tensor {
  return { shape: [3, 8], ndim: 2 } as unknown as Tensor;
}
