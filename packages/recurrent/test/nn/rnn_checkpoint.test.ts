// checkpointEvery on nn.RNN / nn.LSTM / nn.GRU: outputs, final states and every gradient (input,
// h0/c0, each parameter) equal those of the unsegmented layer, for every segment length (1, one
// that does not divide T, one ≥ T), uni- and bidirectional, 1 and 2 layers with inter-layer
// dropout, padded and packed variable-length input; the taped graph holds checkpoint nodes and no
// recurrence or projection; noGrad runs are unchanged; bad values are refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, nn, noGrad, packPaddedSequence, padPackedSequence, PackedSequence, randn, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

type Kind = 'rnn' | 'lstm' | 'lstm_proj' | 'gru';
type Layer = nn.RNN | nn.LSTM | nn.GRU;

interface Shape {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  dropout: number;
}

function make(kind: Kind, shape: Shape, checkpointEvery: number): Layer {
  const o = { ...shape, dtype: 'float64' as const, checkpointEvery };
  switch (kind) {
    case 'rnn':
      return new nn.RNN(o);
    case 'lstm':
      return new nn.LSTM(o);
    case 'lstm_proj':
      return new nn.LSTM({ ...o, projSize: shape.hiddenSize - 1 });
    case 'gru':
      return new nn.GRU(o);
  }
}

/** The ops reachable from `t` through the tape. */
function opsBehind(t: Tensor): Set<string> {
  const ops = new Set<string>();
  const seen = new Set<unknown>();
  const stack = t.gradNode ? [t.gradNode] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    ops.add(node.op);
    for (const input of node.saved?.inputs ?? []) if (input.gradNode) stack.push(input.gradNode);
  }
  return ops;
}

interface Run {
  output: Tensor;
  states: Tensor[];
  grads: [string, Tensor][];
  ops: Set<string>;
}

const T = 7;
const B = 3;
const LENGTHS = [7, 2, 5];

/** One training step: forward (seeded, so inter-layer dropout draws the same masks), a loss on every output, backward. */
function step(layer: Layer, x: Tensor, states: Tensor[], packed: boolean): Run {
  const input = x.clone();
  input.requiresGrad = true;
  const hx = states.map((s) => {
    const c = s.clone();
    c.requiresGrad = true;
    return c;
  });
  manualSeed(99);
  const feed = packed ? packPaddedSequence(input, LENGTHS, { enforceSorted: false }) : input;
  let out: Tensor | PackedSequence;
  let finals: Tensor[];
  if (layer instanceof nn.LSTM) {
    const [o, [h, c]] = layer.forward(feed, [hx[0]!, hx[1]!]);
    [out, finals] = [o, [h, c]];
  } else {
    const [o, h] = layer.forward(feed, hx[0]!);
    [out, finals] = [o, [h]];
  }
  const output = out instanceof PackedSequence ? padPackedSequence(out)[0] : out;
  let loss = output.mul(output.mul(0.5).add(1)).sum();
  for (const s of finals) loss = loss.add(s.mul(s).sum());
  const ops = opsBehind(loss);
  loss.backward();
  const grads: [string, Tensor][] = [['input', input.grad!], ...hx.map((s, i): [string, Tensor] => [i === 0 ? 'h0' : 'c0', s.grad!])];
  for (const [name, p] of layer.namedParameters()) {
    grads.push([name, p.grad!]);
    p.grad = null;
  }
  return { output, states: finals, grads, ops };
}

function compare(a: Run, b: Run): void {
  assertClose(a.output, b.output, 'output', 1e-12, 1e-10);
  a.states.forEach((s, i) => assertClose(s, b.states[i]!, `final state ${i}`, 1e-12, 1e-10));
  a.grads.forEach(([name, g], i) => {
    assert.ok(g, `${name} has a gradient`);
    assertClose(g, b.grads[i]![1], `grad of ${name}`, 1e-12, 1e-10);
  });
}

const RECURRENCES = ['rnnRecurrence', 'lstmRecurrence', 'gruRecurrence', 'linear'];

describe('checkpointEvery: the same outputs and gradients', () => {
  for (const kind of ['rnn', 'lstm', 'lstm_proj', 'gru'] as const) {
    for (const bidirectional of [false, true]) {
      for (const numLayers of [1, 2]) {
        test(`${kind}, ${bidirectional ? 'bidirectional' : 'unidirectional'}, ${numLayers} layer(s): k = 1, 3, 7, 20; padded and packed`, () => {
          manualSeed(7 + numLayers);
          const shape = { inputSize: 3, hiddenSize: 4, numLayers, bidirectional, dropout: numLayers > 1 ? 0.4 : 0 };
          const plain = make(kind, shape, 0);
          const x = randn([T, B, 3], { dtype: 'float64' });
          const stateShapes = [[plain.numDirections * numLayers, B, plain.outputSize]];
          if (kind.startsWith('lstm')) stateShapes.push([plain.numDirections * numLayers, B, plain.hiddenSize]);
          const states = stateShapes.map((s) => randn(s, { dtype: 'float64' }));
          for (const packed of [false, true]) {
            const expected = step(plain, x, states, packed);
            for (const k of [1, 3, 7, 20]) {
              const layer = make(kind, shape, k);
              layer.loadStateDict(plain.stateDict());
              const got = step(layer, x, states, packed);
              compare(got, expected);
              assert.ok(got.ops.has('checkpoint'), `k=${k}: the graph has checkpoint nodes`);
              for (const op of RECURRENCES) assert.ok(!got.ops.has(op), `k=${k}: no ${op} node is kept between forward and backward`);
            }
          }
        });
      }
    }
  }

  test('peepholes, no bias, batchFirst and the composed implementation', () => {
    manualSeed(21);
    const x = randn([B, T, 3], { dtype: 'float64' });
    const options = { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, bias: false, batchFirst: true, dtype: 'float64' as const };
    for (const extra of [{ peepholes: true }, { implementation: 'composed' as const }]) {
      const plain = new nn.LSTM({ ...options, ...extra });
      const layer = new nn.LSTM({ ...options, ...extra, checkpointEvery: 2 });
      layer.loadStateDict(plain.stateDict());
      const run = (l: nn.LSTM): [Tensor, Tensor[]] => {
        const input = x.clone();
        input.requiresGrad = true;
        const [o] = l.forward(input);
        o.mul(o).sum().backward();
        return [o, [input.grad!, ...l.parameters().map((p) => p.grad!)]];
      };
      const [o1, g1] = run(layer);
      const [o2, g2] = run(plain);
      assertClose(o1, o2, 'output', 1e-12, 1e-10);
      g1.forEach((g, i) => assertClose(g, g2[i]!, `grad ${i}`, 1e-12, 1e-10));
    }
  });

  test('float32 (the fast kernels, where the backend has them): packed, bidirectional, 2 layers', () => {
    for (const Layer of [nn.LSTM, nn.GRU, nn.RNN]) {
      manualSeed(24);
      const options = { inputSize: 5, hiddenSize: 8, numLayers: 2, bidirectional: true };
      const plain = new Layer(options);
      const layer = new Layer({ ...options, checkpointEvery: 3 });
      layer.loadStateDict(plain.stateDict());
      const x = randn([T, B, 5]);
      const run = (l: Layer): [Tensor, Tensor[]] => {
        const input = x.clone();
        input.requiresGrad = true;
        const packed = packPaddedSequence(input, LENGTHS, { enforceSorted: false });
        const o = l instanceof nn.LSTM ? l.forward(packed)[0] : l.forward(packed)[0];
        const out = padPackedSequence(o)[0];
        out.mul(out).sum().backward();
        return [out, [input.grad!, ...l.parameters().map((p) => p.grad!)]];
      };
      const [o1, g1] = run(layer);
      const [o2, g2] = run(plain);
      assertClose(o1, o2, `${Layer.name} output`, 1e-6, 1e-5);
      g1.forEach((g, i) => assertClose(g, g2[i]!, `${Layer.name} grad ${i}`, 1e-5, 1e-4));
    }
  });

  test('only the parameters require grad (not the input): the segments still record through the weights', () => {
    manualSeed(22);
    const plain = new nn.GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    const layer = new nn.GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64', checkpointEvery: 2 });
    layer.loadStateDict(plain.stateDict());
    const x = randn([5, 2, 2], { dtype: 'float64' });
    // Parameters only (the input does not require grad): the segments record through the weights.
    for (const l of [layer, plain]) l.forward(x)[0].sum().backward();
    layer.parameters().forEach((p, i) => assertClose(p.grad!, plain.parameters()[i]!.grad!, `grad ${i}`, 1e-12, 1e-10));
  });
});

describe('checkpointEvery: inference and options', () => {
  test('under noGrad, outputs are the unsegmented ones and nothing is recorded', () => {
    manualSeed(23);
    const plain = new nn.LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, dtype: 'float64' });
    const layer = new nn.LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, dtype: 'float64', checkpointEvery: 2 });
    layer.loadStateDict(plain.stateDict());
    const x = randn([6, 2, 2], { dtype: 'float64' });
    const [a] = noGrad(() => layer.forward(x));
    const [b] = noGrad(() => plain.forward(x));
    assert.equal(a.requiresGrad, false);
    assertClose(a, b, 'output', 0, 0);
  });

  test('checkpointEvery must be 0 or a positive integer, in the options and when set', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => new nn.LSTM({ inputSize: 2, hiddenSize: 3, checkpointEvery: bad }), {
        name: 'ValueError',
        message: new RegExp(`LSTM: checkpointEvery must be 0 \\(off\\) or a positive integer number of time steps; got ${String(bad)}`),
      });
    }
    const gru = new nn.GRU({ inputSize: 2, hiddenSize: 3 });
    assert.equal(gru.checkpointEvery, 0);
    assert.throws(
      () => {
        (gru as { checkpointEvery: unknown }).checkpointEvery = '10';
      },
      { name: 'ValueError', message: /GRU: checkpointEvery must be .*; got "10"/ },
    );
    gru.checkpointEvery = 10;
    assert.equal(gru.checkpointEvery, 10);
    assert.match(gru.toString(), /checkpointEvery=10/);
    const rnn = new nn.RNN({ inputSize: 2, hiddenSize: 3, checkpointEvery: 4 });
    assert.equal(rnn.checkpointEvery, 4);
  });
});
