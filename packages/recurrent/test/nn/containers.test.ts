// nn.ModuleList and nn.ModuleDict: registration under PyTorch's dotted names, order, access.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IndexError, Tensor, ValueError, nn, randn, relu } from '../../src/index.js';

const lin = (i: number, o: number): nn.Linear => new nn.Linear({ inFeatures: i, outFeatures: o });

describe('nn.ModuleList', () => {
  test('children are named 0, 1, … under the field name', () => {
    class Stack extends nn.Module {
      layers = new nn.ModuleList([lin(4, 4), lin(4, 4)]);
      forward(x: Tensor): Tensor {
        for (const layer of this.layers) x = relu(layer.forward(x));
        return x;
      }
    }
    const m = new Stack();
    m.layers.append(lin(4, 2));
    assert.deepEqual(Object.keys(m.stateDict()), ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias']);
    assert.equal(m.layers.length, 3);
    assert.equal(m.layers.at(-1), m.layers.at(2));
    assert.deepEqual(m.forward(randn([3, 4])).shape, [3, 2]);
    assert.throws(() => m.layers.at(3), IndexError);
  });

  test('rejects a non-module', () => {
    assert.throws(() => new nn.ModuleList([{} as nn.Module]), ValueError);
  });
});

describe('nn.ModuleDict', () => {
  test('children are named by key, in insertion order; replacing keeps the place', () => {
    const heads = new nn.ModuleDict({ tags: lin(3, 2), chunks: lin(3, 1) });
    heads.set('extra', lin(3, 4));
    heads.set('tags', lin(3, 5));
    assert.deepEqual([...heads.keys()], ['tags', 'chunks', 'extra']);
    assert.deepEqual(
      Object.keys(heads.stateDict()).filter((k) => k.endsWith('weight')),
      ['tags.weight', 'chunks.weight', 'extra.weight'],
    );
    assert.deepEqual(heads.get('tags').forward(randn([1, 3])).shape, [1, 5]);
    assert.equal(heads.size, 3);
    assert.ok(heads.has('chunks') && !heads.has('nope'));
    assert.throws(() => heads.get('nope'), /no module 'nope'/);
    assert.throws(() => heads.set('a.b', lin(1, 1)), ValueError);
  });

  test('nested in a model, keys are dotted through the dict', () => {
    class Model extends nn.Module {
      heads = new nn.ModuleDict([['a', lin(2, 2)]]);
    }
    assert.deepEqual(Object.keys(new Model().stateDict()), ['heads.a.weight', 'heads.a.bias']);
  });
});

describe('nn.Sequential naming', () => {
  test('children are 0, 1, … as in PyTorch', () => {
    assert.deepEqual(Object.keys(new nn.Sequential(lin(2, 3), lin(3, 1)).stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias']);
  });
});
