// nn.Linear, nn.Embedding, nn.Dropout and nn.Sequential, with values computed by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, IndexError, ShapeError, Tensor, ValueError, manualSeed, nn, ones, randn, tensor, zeros } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

function linearWith(weight: number[][], bias: number[] | null): nn.Linear {
  const lin = new nn.Linear({ inFeatures: weight[0]!.length, outFeatures: weight.length, bias: bias !== null });
  lin.loadStateDict(bias === null ? { weight: tensor(weight) } : { weight: tensor(weight), bias: tensor(bias) });
  return lin;
}

describe('nn.Linear', () => {
  const W = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];
  const b = [0.5, -1, 2];

  test('y = x·Wᵀ + b, by hand', () => {
    const lin = linearWith(W, b);
    // row 0: [1−2, 3−4, 5−6] + b = [−0.5, −2, 1]; row 1: [2+1, 6+2, 10+3] + b = [3.5, 7, 15]
    assert.deepEqual(
      lin
        .forward(
          tensor([
            [1, -1],
            [2, 0.5],
          ]),
        )
        .toArray(),
      [
        [-0.5, -2, 1],
        [3.5, 7, 15],
      ],
    );
  });

  test('gradients by hand', () => {
    const lin = linearWith(W, b);
    const x = tensor([
      [1, -1],
      [2, 0.5],
    ]);
    x.requiresGrad = true;
    lin.forward(x).backward(
      tensor([
        [1, 0, 0],
        [0, 0, 2],
      ]),
    );
    // dW = gᵀ·x: row 0 = x₀, row 1 = 0, row 2 = 2·x₁; db = Σ rows of g; dx = g·W
    assert.deepEqual(lin.weight.grad!.toArray(), [
      [1, -1],
      [0, 0],
      [4, 1],
    ]);
    assert.deepEqual(lin.bias!.grad!.toArray(), [1, 0, 2]);
    assert.deepEqual(x.grad!.toArray(), [
      [1, 2],
      [10, 12],
    ]);
  });

  test('shapes (*, in) → (*, out)', () => {
    const lin = linearWith(W, b);
    const one = lin.forward(tensor([1, -1]));
    assert.deepEqual(one.shape, [3]);
    assert.deepEqual(one.toArray(), [-0.5, -2, 1]);
    const x = randn([4, 5, 2]);
    const y = lin.forward(x);
    assert.deepEqual(y.shape, [4, 5, 3]);
    // each (i, j) row is the 2-D result of that row alone
    assertClose(y.select(0, 2).select(0, 3), lin.forward(x.select(0, 2).select(0, 3)), 'row', 0, 0);
    assert.deepEqual(lin.forward(zeros([0, 2])).shape, [0, 3]);
  });

  test('bias: false registers only the weight and adds nothing', () => {
    const lin = linearWith(W, null);
    assert.equal(lin.bias, null);
    assert.deepEqual(
      lin.namedParameters().map(([k]) => k),
      ['weight'],
    );
    assert.deepEqual(lin.forward(tensor([[1, -1]])).toArray(), [[-1, -1, -1]]);
  });

  test('a bad input shape is an error naming in_features', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
    assert.throws(
      () => lin.forward(zeros([4, 3])),
      (e: unknown) => e instanceof ShapeError && /in_features 2/.test(e.message) && /\[4, 3\]/.test(e.message),
    );
    assert.throws(() => lin.forward(tensor(1)), ShapeError);
  });

  test('a dtype mismatch is an error', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
    assert.throws(() => lin.forward(zeros([1, 2], { dtype: 'float64' })), DTypeError);
    assert.throws(() => lin.forward(zeros([1, 2], { dtype: 'int32' })), DTypeError);
  });

  test('bad options are rejected by name', () => {
    assert.throws(
      () => new nn.Linear({ inFeatures: 0, outFeatures: 3 }),
      (e: unknown) => e instanceof ValueError && /inFeatures/.test(e.message),
    );
    assert.throws(
      () => new nn.Linear({ inFeatures: 2, outFeatures: -1 }),
      (e: unknown) => e instanceof ValueError && /outFeatures/.test(e.message),
    );
    assert.throws(() => new nn.Linear({ inFeatures: 2, outFeatures: 3, dtype: 'int32' }), DTypeError);
  });
});

describe('nn.Embedding', () => {
  const table = [
    [0, 1],
    [10, 11],
    [20, 21],
    [30, 31],
  ];
  const ids = (values: number[] | number[][]): Tensor => tensor(values, { dtype: 'int32' });

  function embeddingWith(paddingIdx: number | null = null): nn.Embedding {
    const emb = new nn.Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx });
    emb.loadStateDict({ weight: tensor(table) });
    return emb;
  }

  test('looks rows up by id, output (*, embeddingDim)', () => {
    const emb = embeddingWith();
    assert.deepEqual(
      emb
        .forward(
          ids([
            [3, 0, 1],
            [1, 1, 2],
          ]),
        )
        .toArray(),
      [
        [
          [30, 31],
          [0, 1],
          [10, 11],
        ],
        [
          [10, 11],
          [10, 11],
          [20, 21],
        ],
      ],
    );
    assert.deepEqual(emb.forward(ids([2])).shape, [1, 2]);
    const scalarId = emb.forward(tensor(2, { dtype: 'int32' }));
    assert.deepEqual(scalarId.shape, [2]);
    assert.deepEqual(scalarId.toArray(), [20, 21]);
  });

  test('an empty batch of ids gives an empty output', () => {
    assert.deepEqual(embeddingWith().forward(tensor(new Int32Array(0), [2, 0])).shape, [2, 0, 2]);
  });

  test('gradients add up per row; rows not looked up get zero', () => {
    const emb = embeddingWith();
    emb.forward(ids([1, 3, 1])).backward(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    assert.deepEqual(emb.weight.grad!.toArray(), [
      [0, 0],
      [6, 8],
      [0, 0],
      [3, 4],
    ]);
  });

  test('default init: N(0, 1), the padding row zero', () => {
    manualSeed(4);
    const emb = new nn.Embedding({ numEmbeddings: 50, embeddingDim: 40, paddingIdx: 7 });
    const w = emb.weight;
    assert.deepEqual(w.shape, [50, 40]);
    assert.deepEqual(Array.from(w.data.slice(7 * 40, 8 * 40)), new Array<number>(40).fill(0));
    const rest = Array.from(w.data).filter((_, i) => Math.floor(i / 40) !== 7);
    const mean = rest.reduce((s, v) => s + v, 0) / rest.length;
    const variance = rest.reduce((s, v) => s + (v - mean) ** 2, 0) / rest.length;
    assert.ok(Math.abs(mean) < 0.1, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.1, `variance ${variance}`);
    assert.equal(emb.paddingIdx, 7);
  });

  test('the padding row is read but receives no gradient, while other rows do', () => {
    const emb = embeddingWith(2);
    const out = emb.forward(ids([2, 0, 2, 1]));
    assert.deepEqual(out.toArray(), [
      [20, 21],
      [0, 1],
      [20, 21],
      [10, 11],
    ]);
    out.backward(
      tensor([
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ]),
    );
    assert.deepEqual(emb.weight.grad!.toArray(), [
      [2, 2],
      [4, 4],
      [0, 0],
      [0, 0],
    ]);
  });

  test('the padding row gets no gradient after conversion to float64 either', () => {
    const emb = embeddingWith(0).to('float64');
    emb
      .forward(ids([0, 1]))
      .sum()
      .backward();
    assert.equal(emb.weight.grad!.dtype, 'float64');
    assert.deepEqual(emb.weight.grad!.toArray(), [
      [0, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ]);
  });

  test('a negative paddingIdx counts from the end', () => {
    const emb = new nn.Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: -1 });
    assert.equal(emb.paddingIdx, 3);
    assert.deepEqual(Array.from(emb.weight.data.slice(6, 8)), [0, 0]);
    emb
      .forward(ids([3, 0]))
      .sum()
      .backward();
    assert.deepEqual(Array.from(emb.weight.grad!.data), [1, 1, 0, 0, 0, 0, 0, 0]);
  });

  test('a paddingIdx out of range is rejected', () => {
    assert.throws(
      () => new nn.Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: 4 }),
      (e: unknown) => e instanceof ValueError && /paddingIdx/.test(e.message),
    );
    assert.throws(() => new nn.Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: -5 }), ValueError);
  });

  test('an id out of range is an IndexError naming the id', () => {
    const emb = embeddingWith();
    assert.throws(
      () => emb.forward(ids([0, 4])),
      (e: unknown) => e instanceof IndexError && /\b4\b/.test(e.message),
    );
    assert.throws(
      () => emb.forward(ids([-1])),
      (e: unknown) => e instanceof IndexError && /-1/.test(e.message),
    );
  });

  test('ids that are not int32 are a DTypeError', () => {
    const emb = embeddingWith();
    assert.throws(
      () => emb.forward(tensor([0, 1])),
      (e: unknown) => e instanceof DTypeError && /ids/.test(e.message),
    );
    assert.throws(() => emb.forward(tensor([0, 1], { dtype: 'float64' })), DTypeError);
  });

  test('fromPretrained: frozen by default, values kept', () => {
    const emb = nn.Embedding.fromPretrained(tensor(table));
    assert.equal(emb.numEmbeddings, 4);
    assert.equal(emb.embeddingDim, 2);
    assert.equal(emb.weight.requiresGrad, false);
    assert.equal(emb.numParameters(true), 0);
    const out = emb.forward(ids([3, 1]));
    assert.deepEqual(out.toArray(), [
      [30, 31],
      [10, 11],
    ]);
    assert.equal(out.requiresGrad, false);
  });

  test('fromPretrained with freeze: false learns', () => {
    const emb = nn.Embedding.fromPretrained(tensor(table), { freeze: false });
    assert.equal(emb.weight.requiresGrad, true);
    emb
      .forward(ids([1]))
      .sum()
      .backward();
    assert.deepEqual(emb.weight.grad!.toArray(), [
      [0, 0],
      [1, 1],
      [0, 0],
      [0, 0],
    ]);
  });

  test('fromPretrained keeps the pretrained padding row and holds it fixed', () => {
    const emb = nn.Embedding.fromPretrained(tensor(table), { freeze: false, paddingIdx: 1 });
    assert.equal(emb.paddingIdx, 1);
    const out = emb.forward(ids([1, 2]));
    assert.deepEqual(out.toArray(), [
      [10, 11],
      [20, 21],
    ]);
    out.sum().backward();
    assert.deepEqual(emb.weight.grad!.toArray(), [
      [0, 0],
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
  });

  test('fromPretrained keeps float64 and rejects non-2-D weights', () => {
    assert.equal(nn.Embedding.fromPretrained(tensor(table, { dtype: 'float64' })).weight.dtype, 'float64');
    assert.throws(() => nn.Embedding.fromPretrained(tensor([1, 2, 3])), ShapeError);
  });
});

describe('nn.Dropout', () => {
  test('eval mode is the identity', () => {
    const drop = new nn.Dropout({ p: 0.9 }).eval();
    const x = randn([3, 4]);
    assert.deepEqual(drop.forward(x).toArray(), x.toArray());
  });

  test('training zeroes about p of the elements and scales the rest by 1/(1−p)', () => {
    manualSeed(5);
    const drop = new nn.Dropout({ p: 0.25 });
    assert.equal(drop.training, true);
    const n = 4000;
    const y = drop.forward(ones([n]).mul(3));
    let zerosSeen = 0;
    for (const v of y.data) {
      if (v === 0) zerosSeen++;
      else assert.ok(Math.abs(v - 4) < 1e-6, `kept elements are 3/(1−0.25) = 4; got ${v}`);
    }
    assert.ok(Math.abs(zerosSeen / n - 0.25) < 0.03, `dropped fraction ${zerosSeen / n}`);
  });

  test('the gradient passes through the same mask', () => {
    manualSeed(6);
    const drop = new nn.Dropout({ p: 0.5 });
    const x = ones([100]);
    x.requiresGrad = true;
    const y = drop.forward(x);
    y.sum().backward();
    assert.deepEqual(Array.from(x.grad!.data), Array.from(y.data));
    assert.ok(y.data.some((v) => v === 0) && y.data.some((v) => v === 2));
  });

  test('p = 0 keeps everything, p = 1 drops everything, default p is 0.5', () => {
    const x = randn([10]);
    assert.deepEqual(new nn.Dropout({ p: 0 }).forward(x).toArray(), x.toArray());
    assert.ok(new nn.Dropout({ p: 1 }).forward(x).data.every((v) => v === 0));
    assert.equal(new nn.Dropout().p, 0.5);
  });

  test('p outside [0, 1] is rejected', () => {
    for (const p of [-0.1, 1.5, Number.NaN]) {
      assert.throws(
        () => new nn.Dropout({ p }),
        (e: unknown) => e instanceof ValueError && /\bp\b/.test(e.message),
        `p = ${p}`,
      );
    }
  });

  test('has no parameters', () => {
    assert.equal(new nn.Dropout().numParameters(), 0);
  });
});

describe('nn.Sequential', () => {
  test('chains the layers in order', () => {
    const first = linearWith(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [0.5, -1, 2],
    );
    const second = linearWith([[1, 0, -1]], [10]);
    const model = new nn.Sequential(first, new nn.Dropout({ p: 0.5 }), second).eval();
    // first: [1, −1] → [−0.5, −2, 1]; second: −0.5 − 1 + 10 = 8.5
    assert.deepEqual(model.forward(tensor([[1, -1]])).toArray(), [[8.5]]);
    // the reverse order would not even fit
    assert.throws(() => new nn.Sequential(second, first).forward(tensor([[1, -1]])), ShapeError);
  });

  test('names the layers 0, 1, ... and exposes them', () => {
    const a = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
    const b = new nn.Linear({ inFeatures: 3, outFeatures: 1 });
    const model = new nn.Sequential(a, new nn.Dropout(), b);
    assert.deepEqual(
      model.namedModules().map(([k]) => k),
      ['', '0', '1', '2'],
    );
    assert.deepEqual(Object.keys(model.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
    assert.equal(model.layers[2], b);
    assert.equal(model.stateDict()['2.weight']!.data, b.weight.data);
  });

  test('gradients flow through every layer', () => {
    const model = new nn.Sequential(linearWith([[2]], [0]), linearWith([[3]], [1]));
    const x = tensor([[1.5]]);
    x.requiresGrad = true;
    const y = model.forward(x);
    assert.deepEqual(y.toArray(), [[10]]);
    y.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[6]]);
    const [w0, b0, w1, b1] = model.parameters();
    assert.deepEqual(w0!.grad!.toArray(), [[4.5]]); // 3 · x
    assert.deepEqual(b0!.grad!.toArray(), [3]);
    assert.deepEqual(w1!.grad!.toArray(), [[3]]); // first output 3
    assert.deepEqual(b1!.grad!.toArray(), [1]);
  });

  test('an empty Sequential is the identity', () => {
    const x = randn([2, 2]);
    assert.deepEqual(new nn.Sequential().forward(x).toArray(), x.toArray());
  });

  test('a layer that is not a Module is rejected', () => {
    const fake = { forward: (x: Tensor): Tensor => x } as unknown as nn.TensorModule;
    assert.throws(
      () => new nn.Sequential(new nn.Dropout(), fake),
      (e: unknown) => e instanceof ValueError && /layer 1/.test(e.message),
    );
  });
});
