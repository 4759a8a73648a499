// Field assignment registers submodules and marked parameters, as PyTorch's __setattr__: names and
// order follow the fields, explicit registrations win, plain tensors stay plain.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, nn, ones, randn, zeros } from '../../src/index.js';

class Tagger extends nn.Module {
  lstm = new nn.LSTM({ inputSize: 4, hiddenSize: 6 });
  head: nn.Linear;
  gain = nn.parameter(ones([3]));
  scratch = zeros([2]);

  constructor() {
    super();
    this.head = new nn.Linear({ inFeatures: 6, outFeatures: 3 });
  }

  forward(x: Tensor): Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out);
  }
}

describe('Module field registration', () => {
  test('Module fields are submodules and marked tensors parameters, in assignment order', () => {
    const m = new Tagger();
    assert.deepEqual(Object.keys(m.stateDict()), [
      'gain',
      'lstm.weight_ih_l0',
      'lstm.weight_hh_l0',
      'lstm.bias_ih_l0',
      'lstm.bias_hh_l0',
      'head.weight',
      'head.bias',
    ]);
    assert.equal(m.parameters().length, 7);
    assert.ok(m.parameters().includes(m.gain));
    assert.ok(!m.parameters().includes(m.scratch), 'a plain tensor field is not a parameter');
    assert.deepEqual(
      m.namedModules().map(([n]) => n),
      ['', 'lstm', 'head'],
    );
    assert.deepEqual(m.children(), [m.lstm, m.head]);
  });

  test('a module registered explicitly and kept in a field is listed once, under its explicit name', () => {
    class Both extends nn.Module {
      readonly inner: nn.Linear;
      constructor() {
        super();
        this.inner = this.registerModule('proj', new nn.Linear({ inFeatures: 2, outFeatures: 2 }));
      }
    }
    assert.deepEqual(Object.keys(new Both().stateDict()), ['proj.weight', 'proj.bias']);
    const lm = new nn.LanguageModel({ vocabSize: 5, embeddingDim: 3, hiddenSize: 4 });
    assert.equal(new Set(lm.namedModules().map(([, mod]) => mod)).size, lm.namedModules().length);
  });

  test('field modules train, freeze, convert and load like registered ones', () => {
    const m = new Tagger();
    m.eval();
    assert.equal(m.lstm.training, false);
    m.to('float64');
    assert.equal(m.gain.dtype, 'float64');
    assert.ok(m.parameters().every((p) => p.dtype === 'float64'));
    assert.equal(m.parameters().length, 7);
    const copy = new Tagger().to('float64');
    copy.loadStateDict(m.stateDict());
    assert.deepEqual([...copy.head.weight.data], [...m.head.weight.data]);
    const y = m.forward(randn([5, 2, 4], { dtype: 'float64' }));
    y.sum().backward();
    assert.ok(m.lstm.parameters().every((p) => p.grad !== null));
  });

  test('parameter() requires a leaf', () => {
    const x = randn([2], { requiresGrad: true });
    assert.throws(() => nn.parameter(x.mul(2)), /leaf/);
  });
});
