// Equivalences (DESIGN §9): fused = composed; packed = each sequence alone (padding and batch
// company never change valid outputs); bidirectional = forward ⊕ flipped reverse; truncated BPTT
// with carried, detached states = one long run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { concat, flip, manualSeed, narrow, nn, packPaddedSequence, padPackedSequence, PackedSequence, randn, select, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

type Kind = 'rnn' | 'rnn_relu' | 'lstm' | 'lstm_proj' | 'lstm_peep' | 'gru' | 'gru_before';
const KINDS: Kind[] = ['rnn', 'rnn_relu', 'lstm', 'lstm_proj', 'lstm_peep', 'gru', 'gru_before'];

interface Shape {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}

function make(kind: Kind, shape: Shape, implementation: 'fused' | 'composed' = 'fused'): nn.RNN | nn.LSTM | nn.GRU {
  const o = { ...shape, dtype: 'float64' as const, implementation };
  switch (kind) {
    case 'rnn':
      return new nn.RNN(o);
    case 'rnn_relu':
      return new nn.RNN({ ...o, nonlinearity: 'relu' });
    case 'lstm':
      return new nn.LSTM(o);
    case 'lstm_proj':
      return new nn.LSTM({ ...o, projSize: Math.max(1, shape.hiddenSize - 1) });
    case 'lstm_peep':
      return new nn.LSTM({ ...o, peepholes: true, projSize: shape.hiddenSize > 2 ? 2 : 0 });
    case 'gru':
      return new nn.GRU(o);
    case 'gru_before':
      return new nn.GRU({ ...o, resetAfter: false });
  }
}

/** [output, ...final states] of any layer, for a tensor or packed input; a packed input must give a packed output. */
function forward(layer: nn.RNN | nn.LSTM | nn.GRU, x: Tensor | PackedSequence): [Tensor, Tensor[]] {
  const unpack = (o: Tensor | PackedSequence): Tensor => {
    if (x instanceof PackedSequence) {
      assert.ok(o instanceof PackedSequence, `a packed input must give a PackedSequence output; got ${o.constructor.name}`);
      return padPackedSequence(o)[0];
    }
    assert.ok(!(o instanceof PackedSequence), 'a tensor input must give a tensor output; got a PackedSequence');
    return o;
  };
  if (layer instanceof nn.LSTM) {
    const [o, [h, c]] = layer.forward(x);
    return [unpack(o), [h, c]];
  }
  const [o, h] = layer.forward(x);
  return [unpack(o), [h]];
}

const tight = (a: Tensor, b: Tensor, label: string): void => assertClose(a, b, label, 1e-10, 1e-10);

describe('fused = composed', () => {
  for (const kind of KINDS) {
    test(`${kind}: values and every gradient, packed, 2 layers, bidirectional`, () => {
      manualSeed(3);
      const shape = { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true };
      const fused = make(kind, shape, 'fused');
      const composed = make(kind, shape, 'composed');
      composed.loadStateDict(fused.stateDict());
      const x = randn([6, 3, 3], { dtype: 'float64' });
      const lengths = [6, 2, 4];
      const grads = (layer: typeof fused): [Tensor, Tensor[], Tensor, Tensor[]] => {
        const input = x.clone();
        input.requiresGrad = true;
        const [out, states] = forward(layer, packPaddedSequence(input, lengths, { enforceSorted: false }));
        let loss = out.mul(out.mul(0.5).add(1)).sum();
        for (const s of states) loss = loss.add(s.mul(s).sum());
        loss.backward();
        return [out, states, input.grad!, layer.parameters().map((p) => p.grad!)];
      };
      const [o1, s1, gx1, gp1] = grads(fused);
      const [o2, s2, gx2, gp2] = grads(composed);
      tight(o1, o2, 'output');
      s1.forEach((s, i) => tight(s, s2[i]!, `state ${i}`));
      tight(gx1, gx2, 'grad input');
      gp1.forEach((g, i) => tight(g, gp2[i]!, `grad ${fused.namedParameters()[i]![0]}`));
    });
  }
});

describe('packed = each sequence alone', () => {
  test("property: padding and batch company never change a sequence's outputs or final states", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (kind, bidirectional, lengths, seed) => {
          manualSeed(seed);
          const layer = make(kind, { inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional });
          const T = Math.max(...lengths);
          const x = randn([T, lengths.length, 2], { dtype: 'float64' });
          const [out, states] = forward(layer, packPaddedSequence(x, lengths, { enforceSorted: false }));
          lengths.forEach((len, b) => {
            const alone = narrow(select(x, 1, b), 0, 0, len);
            const [o, st] = forward(layer, alone);
            tight(narrow(select(out, 1, b), 0, 0, len), o, `sequence ${b} output`);
            st.forEach((s, k) => tight(select(states[k]!, 1, b), s, `sequence ${b} state ${k}`));
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  test('unidirectional: padded input gives the packed outputs on the valid steps', () => {
    manualSeed(5);
    const layer = make('lstm', { inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: false });
    const x = randn([5, 3, 2], { dtype: 'float64' });
    const lengths = [5, 3, 1];
    const [padded] = forward(layer, x);
    const [packed] = forward(layer, packPaddedSequence(x, lengths));
    lengths.forEach((len, b) => tight(narrow(select(packed, 1, b), 0, 0, len), narrow(select(padded, 1, b), 0, 0, len), `sequence ${b}`));
  });
});

describe('bidirectional = forward ⊕ flipped reverse', () => {
  for (const kind of KINDS) {
    test(kind, () => {
      manualSeed(11);
      const shape = { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: true };
      const bi = make(kind, shape);
      const fwd = make(kind, { ...shape, bidirectional: false });
      const bwd = make(kind, { ...shape, bidirectional: false });
      const dict = bi.stateDict();
      fwd.loadStateDict(Object.fromEntries(Object.entries(dict).filter(([k]) => !k.endsWith('_reverse'))));
      bwd.loadStateDict(
        Object.fromEntries(
          Object.entries(dict)
            .filter(([k]) => k.endsWith('_reverse'))
            .map(([k, v]) => [k.replace('_reverse', ''), v]),
        ),
      );
      const x = randn([5, 2, 3], { dtype: 'float64' });
      const [out, states] = forward(bi, x);
      const [outF, statesF] = forward(fwd, x);
      const [outB, statesB] = forward(bwd, flip(x, 0));
      tight(out, concat([outF, flip(outB, 0)], 2), 'output');
      states.forEach((s, k) => tight(s, concat([statesF[k]!, statesB[k]!], 0), `state ${k}`));
    });
  }
});

describe('truncated BPTT and stateful use', () => {
  test('two windows with carried, detached states equal one long run', () => {
    manualSeed(2);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype: 'float64' });
    const x = randn([8, 2, 3], { dtype: 'float64' });
    const [full, [hFull, cFull]] = lstm.forward(x);
    const [first, [h1, c1]] = lstm.forward(narrow(x, 0, 0, 5));
    const second = narrow(x, 0, 5, 3);
    second.requiresGrad = true;
    const h1d = h1.detach();
    const c1d = c1.detach();
    h1d.requiresGrad = true;
    const [rest, [h2, c2]] = lstm.forward(second, [h1d, c1d]);
    tight(concat([first, rest], 0), full, 'output');
    tight(h2, hFull, 'hN');
    tight(c2, cFull, 'cN');
    rest.sum().backward();
    // The gradient stops at the carried state: it reaches h1d, not the first window.
    assert.ok(h1d.grad !== null && h1d.grad.data.some((v) => v !== 0));
    assert.equal(first.requiresGrad, true);
    assert.equal(h1.grad, null);
  });
});

describe('dropout between layers', () => {
  test('acts only in training and only between layers', () => {
    manualSeed(4);
    const gru = new nn.GRU({ inputSize: 2, hiddenSize: 8, numLayers: 2, dropout: 0.5 });
    const x = randn([4, 3, 2]);
    gru.eval();
    const [a] = gru.forward(x);
    const [b] = gru.forward(x);
    assert.deepEqual(Array.from(a.data), Array.from(b.data), 'eval is deterministic');
    gru.train();
    const [c] = gru.forward(x);
    assert.ok(
      Array.from(c.data).some((v, i) => Math.abs(v - a.data[i]!) > 1e-6),
      'training output differs',
    );
    const single = new nn.GRU({ inputSize: 2, hiddenSize: 8, numLayers: 1, dropout: 0.5 });
    const [d] = single.forward(x);
    const [e] = single.forward(x);
    assert.deepEqual(Array.from(d.data), Array.from(e.data), 'one layer: nothing to drop between');
  });
});
