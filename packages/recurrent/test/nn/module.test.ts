// Module semantics: parameter registration and naming (PyTorch's order), the state dict, modes,
// gradients, dtype conversion, freezing and seeded initialisation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, Tensor, ValueError, manualSeed, nn, ones, randn, tensor, zeros } from '../../src/index.js';

/** A module with its own parameters and a buffer besides submodules, to check the ordering rules. */
class Custom extends nn.Module {
  constructor() {
    super();
    this.registerParameter('scale', ones([2]));
    this.registerModule('inner', new nn.Linear({ inFeatures: 2, outFeatures: 3 }));
    this.registerParameter('offset', null);
    this.registerParameter('shift', zeros([3]));
    this.registerBuffer('steps', zeros([1]));
    this.registerModule('head', new nn.Sequential(new nn.Linear({ inFeatures: 3, outFeatures: 1, bias: false })));
  }

  tryRegister(name: string, value: Tensor | null): void {
    this.registerParameter(name, value);
  }
}

/** Weight tying as in language models: the output projection reuses the embedding table. */
class Tied extends nn.Module {
  readonly embedding: nn.Embedding;

  constructor() {
    super();
    this.embedding = this.registerModule('embedding', new nn.Embedding({ numEmbeddings: 5, embeddingDim: 3 }));
    this.registerParameter('out_bias', zeros([5]));
    this.registerModule('head', new nn.Linear({ inFeatures: 3, outFeatures: 5, bias: false }));
    this.registerParameter('out_weight', this.embedding.weight);
  }

  get outWeight(): Tensor {
    return this.param('out_weight');
  }

  /** Logits over the vocabulary for int32 ids: embedding(ids)·Eᵀ + b. */
  forward(ids: Tensor): Tensor {
    return this.embedding.forward(ids).matmul(this.outWeight.transpose(0, 1)).add(this.param('out_bias'));
  }
}

function mlp(): nn.Sequential {
  return new nn.Sequential(
    new nn.Linear({ inFeatures: 4, outFeatures: 3 }),
    new nn.Dropout({ p: 0.5 }),
    new nn.Sequential(new nn.Linear({ inFeatures: 3, outFeatures: 2 }), new nn.Dropout({ p: 0.1 })),
    new nn.Linear({ inFeatures: 2, outFeatures: 1, bias: false }),
  );
}

function shapesOf(entries: [string, Tensor][]): Record<string, number[]> {
  return Object.fromEntries(entries.map(([k, t]) => [k, [...t.shape]]));
}

describe('namedParameters and parameters', () => {
  test('nested Sequential gives dotted names in registration order', () => {
    const model = mlp();
    assert.deepEqual(
      model.namedParameters().map(([k]) => k),
      ['0.weight', '0.bias', '2.0.weight', '2.0.bias', '3.weight'],
    );
    assert.deepEqual(shapesOf(model.namedParameters()), {
      '0.weight': [3, 4],
      '0.bias': [3],
      '2.0.weight': [2, 3],
      '2.0.bias': [2],
      '3.weight': [1, 2],
    });
  });

  test('own parameters come first, then each submodule in order; null parameters are skipped', () => {
    const m = new Custom();
    assert.deepEqual(
      m.namedParameters().map(([k]) => k),
      ['scale', 'shift', 'inner.weight', 'inner.bias', 'head.0.weight'],
    );
    assert.deepEqual(
      m.namedBuffers().map(([k]) => k),
      ['steps'],
    );
    assert.deepEqual(
      m.namedModules().map(([k]) => k),
      ['', 'inner', 'head', 'head.0'],
    );
    assert.equal(m.children().length, 2);
    assert.ok(m.children()[0] instanceof nn.Linear);
  });

  test("parameters() lists the same tensors as namedParameters(), which are the modules' own", () => {
    const model = mlp();
    const params = model.parameters();
    assert.equal(params.length, 5);
    model.namedParameters().forEach(([, p], i) => assert.equal(params[i], p));
    const first = model.layers[0] as nn.Linear;
    assert.equal(params[0], first.weight);
    assert.equal(params[1], first.bias);
    for (const p of params) assert.ok(p.requiresGrad && p.isLeaf);
  });

  test("nn.LSTM, 2 layers, bidirectional: exactly PyTorch's order and shapes", () => {
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });
    const names: string[] = [];
    for (const layer of ['l0', 'l1']) {
      for (const sfx of ['', '_reverse']) {
        for (const kind of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) names.push(`${kind}_${layer}${sfx}`);
      }
    }
    assert.deepEqual(
      lstm.namedParameters().map(([k]) => k),
      names,
    );
    const shapes = shapesOf(lstm.namedParameters());
    assert.deepEqual(shapes.weight_ih_l0, [20, 3]);
    assert.deepEqual(shapes.weight_hh_l0_reverse, [20, 5]);
    assert.deepEqual(shapes.weight_ih_l1, [20, 10]); // the second layer reads both directions
    assert.deepEqual(shapes.bias_hh_l1_reverse, [20]);
  });

  test("projection and no-bias layers follow PyTorch's names", () => {
    const proj = new nn.LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2 });
    assert.deepEqual(shapesOf(proj.namedParameters()), {
      weight_ih_l0: [20, 3],
      weight_hh_l0: [20, 2],
      bias_ih_l0: [20],
      bias_hh_l0: [20],
      weight_hr_l0: [2, 5],
    });
    const gru = new nn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bias: false });
    assert.deepEqual(shapesOf(gru.namedParameters()), {
      weight_ih_l0: [12, 3],
      weight_hh_l0: [12, 4],
      weight_ih_l1: [12, 4],
      weight_hh_l1: [12, 4],
    });
  });

  test('registering a bad name or a non-leaf is an error', () => {
    const m = new Custom();
    assert.throws(
      () => m.tryRegister('a.b', zeros([1])),
      (e: unknown) => e instanceof ValueError && /a\.b/.test(e.message),
    );
    assert.throws(() => m.tryRegister('', zeros([1])), ValueError);
    const w = zeros([2]);
    w.requiresGrad = true;
    assert.throws(
      () => m.tryRegister('derived', w.mul(2)),
      (e: unknown) => e instanceof ValueError && /derived/.test(e.message),
    );
  });
});

describe('shared modules and tied weights (each tensor once, as PyTorch)', () => {
  test('a module used twice lists its parameters once, under the first name; the state dict has every name', () => {
    const shared = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
    const model = new nn.Sequential(shared, shared);
    assert.deepEqual(
      model.namedParameters().map(([k]) => k),
      ['0.weight', '0.bias'],
    );
    assert.deepEqual(model.parameters(), [shared.weight, shared.bias]);
    assert.deepEqual(
      model.namedParameters('', false).map(([k]) => k),
      ['0.weight', '0.bias', '1.weight', '1.bias'],
    );
    assert.equal(model.numParameters(), 6);
    assert.deepEqual(Object.keys(model.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias']);
    const result = model.loadStateDict(model.stateDict());
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  });

  test('a tied weight is one parameter: counted once, one gradient summing both uses, still tied after to()', () => {
    const model = new Tied();
    // own parameters first (out_bias, out_weight), then the submodules (embedding.weight is the tied tensor)
    assert.deepEqual(
      model.namedParameters().map(([k]) => k),
      ['out_bias', 'out_weight', 'head.weight'],
    );
    assert.deepEqual(Object.keys(model.stateDict()), ['out_bias', 'out_weight', 'embedding.weight', 'head.weight']);
    assert.equal(model.numParameters(), 5 + 15 + 15);
    model.loadStateDict({
      out_bias: zeros([5]),
      out_weight: zeros([5, 3]),
      'head.weight': zeros([5, 3]),
      'embedding.weight': tensor([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 1, 0],
        [0, 0, 0],
      ]),
    });
    assert.equal(model.outWeight, model.embedding.weight);
    assert.equal(model.outWeight.data[0], 1, 'the later key wins for a tied tensor, as PyTorch');
    // logits for id 3: E·e₃ = [1, 1, 0, 2, 0]; d sum(logits)/dE: row 3 gets Σ_j E_j = [2, 2, 1] from
    // the lookup, and every row j gets e₃ = [1, 1, 0] from the projection
    const logits = model.forward(tensor([3], { dtype: 'int32' }));
    assert.deepEqual(logits.toArray(), [[1, 1, 0, 2, 0]]);
    logits.sum().backward();
    assert.deepEqual(model.embedding.weight.grad!.toArray(), [
      [1, 1, 0],
      [1, 1, 0],
      [1, 1, 0],
      [3, 3, 1],
      [1, 1, 0],
    ]);
    model.to('float64');
    assert.equal(model.outWeight, model.embedding.weight, 'to() keeps the tie');
    assert.equal(model.outWeight.dtype, 'float64');
    assert.equal(model.numParameters(), 35);
  });
});

describe('numParameters', () => {
  test('LSTM(10, 20) has 4·20·(10+20) + 2·4·20 = 2560', () => {
    assert.equal(new nn.LSTM({ inputSize: 10, hiddenSize: 20 }).numParameters(), 2560);
  });

  test('other layers', () => {
    // GRU(10, 20, 2 layers): layer 0 3·20·(10+20) + 2·60 = 1920, layer 1 3·20·(20+20) + 120 = 2520
    assert.equal(new nn.GRU({ inputSize: 10, hiddenSize: 20, numLayers: 2 }).numParameters(), 4440);
    // RNN(4, 3, bidirectional, no bias): 2 · 3·(4+3) = 42
    assert.equal(new nn.RNN({ inputSize: 4, hiddenSize: 3, bidirectional: true, bias: false }).numParameters(), 42);
    // mlp: 4·3+3 + 3·2+2 + 2·1 = 25
    assert.equal(mlp().numParameters(), 25);
  });

  test('trainableOnly skips frozen parameters', () => {
    const model = mlp();
    (model.layers[0] as nn.Linear).requiresGrad(false);
    assert.equal(model.numParameters(), 25);
    assert.equal(model.numParameters(true), 10);
  });
});

describe('stateDict', () => {
  test('keys and shapes, parameters then buffers', () => {
    const dict = new Custom().stateDict();
    assert.deepEqual(Object.keys(dict), ['scale', 'shift', 'inner.weight', 'inner.bias', 'head.0.weight', 'steps']);
    assert.deepEqual(dict['inner.weight']!.shape, [3, 2]);
    assert.deepEqual(dict['steps']!.shape, [1]);
  });

  test('entries share storage with the parameters but are detached', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
    const dict = lin.stateDict();
    assert.equal(dict.weight!.requiresGrad, false);
    dict.weight!.data[0] = 42;
    assert.equal(lin.weight.data[0], 42);
  });

  test("RNN layers use PyTorch's keys", () => {
    const keys = Object.keys(new nn.GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true }).stateDict());
    assert.deepEqual(keys, [
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l0_reverse',
      'weight_hh_l0_reverse',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
    ]);
  });
});

describe('loadStateDict', () => {
  const linearDict = (): Record<string, Tensor> => ({
    weight: tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    bias: tensor([7, 8, 9]),
  });

  test('copies values in place: the parameter objects keep their identity', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
    const weight = lin.weight;
    const bias = lin.bias;
    const source = linearDict();
    const result = lin.loadStateDict(source);
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    assert.equal(lin.weight, weight);
    assert.equal(lin.bias, bias);
    assert.equal(lin.parameters()[0], weight);
    assert.deepEqual(lin.weight.toArray(), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assert.deepEqual(lin.bias!.toArray(), [7, 8, 9]);
    assert.ok(lin.weight.requiresGrad);
    // a copy, not an alias of the source
    source.weight!.data[0] = -1;
    assert.equal(lin.weight.data[0], 1);
  });

  test('converts dtype: float64 values load into float32 parameters', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 1 });
    lin.loadStateDict({ weight: tensor([[0.5, -0.25]], { dtype: 'float64' }), bias: tensor([1.5], { dtype: 'float64' }) });
    assert.equal(lin.weight.dtype, 'float32');
    assert.deepEqual(lin.weight.toArray(), [[0.5, -0.25]]);
    assert.deepEqual(lin.forward(tensor([[2, 4]])).toArray(), [[1.5]]);
  });

  test('a round trip through stateDict reproduces the outputs', () => {
    manualSeed(3);
    const a = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const b = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const x = randn([5, 2, 3]);
    assert.notDeepEqual(a.forward(x)[0].toArray(), b.forward(x)[0].toArray());
    b.loadStateDict(a.stateDict());
    assert.deepEqual(b.forward(x)[0].toArray(), a.forward(x)[0].toArray());
  });

  test('strict mode reports every missing, unexpected and wrongly shaped key in one error', () => {
    const model = mlp();
    const dict = model.stateDict();
    const before = model.parameters().map((p) => Array.from(p.data));
    delete dict['0.bias'];
    delete dict['3.weight'];
    dict['4.weight'] = zeros([1]);
    dict['extra'] = zeros([2]);
    dict['2.0.weight'] = zeros([3, 2]);
    dict['0.weight'] = zeros([3, 4]); // valid: must not be copied while the load fails
    let caught: unknown = null;
    try {
      model.loadStateDict(dict);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ShapeError, `expected a ShapeError, got ${String(caught)}`);
    const message = caught.message;
    for (const name of ['"0.bias"', '"3.weight"', '"4.weight"', '"extra"', '2.0.weight']) {
      assert.ok(message.includes(name), `the message should name ${name}: ${message}`);
    }
    assert.match(message, /Missing/);
    assert.match(message, /Unexpected/);
    assert.match(message, /\[3, 2\]/);
    assert.match(message, /\[2, 3\]/);
    // nothing was copied
    assert.deepEqual(
      model.parameters().map((p) => Array.from(p.data)),
      before,
    );
  });

  test('strict mode without shape problems throws a ValueError naming the keys', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
    assert.throws(
      () => lin.loadStateDict({ weight: zeros([3, 2]), other: zeros([1]) }),
      (e: unknown) => e instanceof ValueError && e.message.includes('"bias"') && e.message.includes('"other"'),
    );
  });

  test('non-strict returns the missing and unexpected keys and loads the rest', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
    const biasBefore = Array.from(lin.bias!.data);
    const result = lin.loadStateDict({ weight: linearDict().weight!, 'encoder.weight': zeros([1]), extra: zeros([2]) }, { strict: false });
    assert.deepEqual(result, { missingKeys: ['bias'], unexpectedKeys: ['encoder.weight', 'extra'] });
    assert.deepEqual(lin.weight.toArray(), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assert.deepEqual(Array.from(lin.bias!.data), biasBefore);
  });

  test('non-strict still rejects shape mismatches', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 3 });
    assert.throws(
      () => lin.loadStateDict({ weight: zeros([2, 3]) }, { strict: false }),
      (e: unknown) => e instanceof ShapeError && /weight/.test(e.message) && /\[2, 3\]/.test(e.message) && /\[3, 2\]/.test(e.message),
    );
  });

  test('int32 values are rejected for floating parameters', () => {
    const lin = new nn.Linear({ inFeatures: 1, outFeatures: 1, bias: false });
    assert.throws(
      () => lin.loadStateDict({ weight: tensor([[1]], { dtype: 'int32' }) }),
      (e: unknown) => e instanceof ValueError && /weight/.test(e.message),
    );
  });
});

describe('modes, gradients, dtype and freezing', () => {
  test('train() and eval() propagate to every submodule and return the module', () => {
    const model = mlp();
    const all = (): boolean[] => model.namedModules().map(([, m]) => m.training);
    assert.ok(all().every((t) => t));
    assert.equal(model.eval(), model);
    assert.deepEqual(all(), [false, false, false, false, false, false, false]);
    assert.equal(model.train(), model);
    assert.ok(all().every((t) => t));
    model.train(false);
    assert.ok(all().every((t) => !t));
  });

  test('eval() switches off dropout inside nested modules', () => {
    manualSeed(8);
    const model = new nn.Sequential(new nn.Sequential(new nn.Dropout({ p: 0.5 })));
    const x = ones([200]);
    assert.ok(model.forward(x).toArray().toString() !== x.toArray().toString(), 'training: some elements dropped');
    model.eval();
    assert.deepEqual(model.forward(x).toArray(), x.toArray());
  });

  test('zeroGrad sets every gradient to null', () => {
    const model = mlp().eval();
    model
      .forward(randn([5, 4]))
      .sum()
      .backward();
    for (const p of model.parameters()) assert.ok(p.grad instanceof Tensor);
    model.zeroGrad();
    for (const p of model.parameters()) assert.equal(p.grad, null);
  });

  test("to('float64') converts parameters and buffers, keeping names, values and requiresGrad", () => {
    const m = new Custom();
    const before = m.stateDict();
    (m.children()[1] as nn.Module).requiresGrad(false);
    assert.equal(m.to('float64'), m);
    const after = m.stateDict();
    assert.deepEqual(Object.keys(after), Object.keys(before));
    for (const [k, t] of Object.entries(after)) {
      assert.equal(t.dtype, 'float64', k);
      assert.deepEqual(Array.from(t.data), Array.from(before[k]!.data), k);
    }
    const named = new Map(m.namedParameters());
    assert.equal(named.get('head.0.weight')!.requiresGrad, false);
    assert.equal(named.get('inner.weight')!.requiresGrad, true);
    // the layers use the converted parameters
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 }).to('float64');
    assert.equal(lin.weight.dtype, 'float64');
    assert.equal(lin.forward(ones([1, 2], { dtype: 'float64' })).dtype, 'float64');
    const gru = new nn.GRU({ inputSize: 2, hiddenSize: 3 }).to('float64');
    assert.equal(gru.forward(ones([4, 2], { dtype: 'float64' }))[0].dtype, 'float64');
    assert.throws(() => gru.forward(ones([4, 2])), DTypeError);
  });

  test('to() with the current dtype keeps the parameter objects', () => {
    const lin = new nn.Linear({ inFeatures: 2, outFeatures: 2 });
    const [w, b] = lin.parameters();
    lin.to('float32');
    assert.equal(lin.weight, w);
    assert.equal(lin.bias, b);
  });

  test('train() and eval() switch the inter-layer dropout of a recurrent layer', () => {
    manualSeed(9);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5 });
    const x = randn([4, 2, 3]);
    const a = lstm.forward(x)[0].toArray();
    const b = lstm.forward(x)[0].toArray();
    assert.notDeepEqual(a, b, 'training: two passes draw different masks');
    lstm.eval();
    assert.deepEqual(lstm.forward(x)[0].toArray(), lstm.forward(x)[0].toArray());
    const reference = new nn.LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2 });
    reference.loadStateDict(lstm.stateDict());
    assert.deepEqual(lstm.forward(x)[0].toArray(), reference.forward(x)[0].toArray(), 'eval: no dropout at all');
  });

  test("to('int32') is refused", () => {
    assert.throws(() => mlp().to('int32'), DTypeError);
  });

  test('requiresGrad(false) freezes every parameter; requiresGrad() unfreezes', () => {
    const model = mlp().eval();
    assert.equal(model.requiresGrad(false), model);
    for (const p of model.parameters()) assert.equal(p.requiresGrad, false);
    assert.equal(model.numParameters(true), 0);
    const x = randn([2, 4]);
    x.requiresGrad = true;
    model.forward(x).sum().backward();
    assert.ok(x.grad instanceof Tensor, 'the input still gets a gradient');
    for (const p of model.parameters()) assert.equal(p.grad, null);
    model.requiresGrad();
    for (const p of model.parameters()) assert.equal(p.requiresGrad, true);
    model.forward(x).sum().backward();
    for (const p of model.parameters()) assert.ok(p.grad instanceof Tensor);
  });
});

describe('seeded initialisation', () => {
  test('manualSeed(n) makes initialisation reproducible', () => {
    const build = (seed: number): Record<string, Tensor> => {
      manualSeed(seed);
      return new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 }).stateDict();
    };
    const a = build(7);
    const b = build(7);
    const c = build(8);
    for (const k of Object.keys(a)) assert.deepEqual(Array.from(a[k]!.data), Array.from(b[k]!.data), k);
    assert.notDeepEqual(Array.from(a.weight_ih_l0!.data), Array.from(c.weight_ih_l0!.data));
  });

  test('the default init of RNN layers lies within ±1/√hiddenSize and fills that range', () => {
    manualSeed(1);
    const layers: [string, nn.RNNBase][] = [
      ['RNN', new nn.RNN({ inputSize: 6, hiddenSize: 16, numLayers: 2 })],
      ['LSTM', new nn.LSTM({ inputSize: 6, hiddenSize: 25, bidirectional: true })],
      ['GRU', new nn.GRU({ inputSize: 6, hiddenSize: 9 })],
    ];
    for (const [name, layer] of layers) {
      const bound = 1 / Math.sqrt(layer.hiddenSize);
      let maxAbs = 0;
      let sum = 0;
      let count = 0;
      for (const p of layer.parameters()) {
        for (const v of p.data) {
          assert.ok(Math.abs(v) <= bound, `${name}: ${v} outside ±${bound}`);
          maxAbs = Math.max(maxAbs, Math.abs(v));
          sum += v;
          count++;
        }
      }
      assert.ok(maxAbs > 0.9 * bound, `${name}: values should reach near ±${bound}; max |v| ${maxAbs}`);
      assert.ok(Math.abs(sum / count) < 0.1 * bound, `${name}: mean ${sum / count} should be near 0`);
    }
  });

  test('Linear init lies within ±1/√inFeatures', () => {
    manualSeed(2);
    const lin = new nn.Linear({ inFeatures: 64, outFeatures: 32 });
    const values = [...lin.weight.data, ...lin.bias!.data];
    assert.ok(values.every((v) => Math.abs(v) <= 0.125));
    assert.ok(Math.max(...values.map(Math.abs)) > 0.12);
  });
});
