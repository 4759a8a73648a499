// float64 finite-difference checks of full BPTT through small models (T=5, B=2, H=3) for every
// cell kind and option: input, initial states and every parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, gradcheck, manualSeed, nn, packPaddedSequence, padPackedSequence, PackedSequence, randn, type Tensor } from '../../src/index.js';

const T = 5;
const B = 2;
const H = 3;
const I = 2;
const f64 = { dtype: 'float64' as const, requiresGrad: true };

type Layer = nn.RNN | nn.LSTM | nn.GRU;

/** Runs the layer and flattens output and final states into one tensor, so gradcheck sees them all. */
function runAll(layer: Layer, input: Tensor, states: Tensor[], lengths?: number[]): Tensor {
  const x = lengths ? packPaddedSequence(input, lengths, { enforceSorted: false }) : input;
  let out: Tensor | PackedSequence;
  let finals: Tensor[];
  if (layer instanceof nn.LSTM) {
    const [o, [h, c]] = layer.forward(x, states.length > 0 ? [states[0]!, states[1]!] : null);
    [out, finals] = [o, [h, c]];
  } else {
    const [o, h] = layer.forward(x, states[0] ?? null);
    [out, finals] = [o, [h]];
  }
  // A packed input gives a packed output, a tensor input a tensor.
  assert.equal(out instanceof PackedSequence, lengths !== undefined, `output is ${out.constructor.name} for a ${lengths ? 'packed' : 'tensor'} input`);
  const padded = out instanceof PackedSequence ? padPackedSequence(out)[0] : out;
  return concat([padded, ...finals].map((t) => t.reshape(-1)));
}

function check(name: string, make: () => Layer, options: { withStates?: boolean; lengths?: number[] } = {}): void {
  test(`BPTT gradcheck: ${name}`, () => {
    manualSeed(7);
    const layer = make();
    const D = layer.bidirectional ? 2 : 1;
    const input = randn([T, B, I], f64);
    const states: Tensor[] = [];
    if (options.withStates) {
      states.push(randn([D * layer.numLayers, B, layer.outputSize], f64));
      if (layer instanceof nn.LSTM) states.push(randn([D * layer.numLayers, B, layer.hiddenSize], f64));
    }
    if (options.lengths) {
      // Zero past each length so the padded input is what packing reads.
      options.lengths.forEach((len, b) => {
        for (let t = len; t < T; t++) for (let k = 0; k < I; k++) input.data[(t * B + b) * I + k] = 0;
      });
    }
    gradcheck((x, ...rest) => runAll(layer, x!, rest.slice(0, states.length), options.lengths), [input, ...states, ...layer.parameters()], {
      atol: 1e-6,
      rtol: 1e-5,
    });
  });
}

const base = { inputSize: I, hiddenSize: H, dtype: 'float64' as const };
check('RNN tanh', () => new nn.RNN(base), { withStates: true });
check('RNN relu, 2 layers', () => new nn.RNN({ ...base, nonlinearity: 'relu', numLayers: 2 }), { withStates: true });
check('RNN bidirectional, packed', () => new nn.RNN({ ...base, bidirectional: true }), { lengths: [3, 5] });
check('LSTM', () => new nn.LSTM(base), { withStates: true });
check('LSTM 2 layers bidirectional', () => new nn.LSTM({ ...base, numLayers: 2, bidirectional: true }), { withStates: true });
check('LSTM with projection', () => new nn.LSTM({ ...base, projSize: 2 }), { withStates: true });
check('LSTM with peepholes', () => new nn.LSTM({ ...base, peepholes: true }), { withStates: true });
check('LSTM with projection and peepholes, bidirectional, packed', () => new nn.LSTM({ ...base, projSize: 2, peepholes: true, bidirectional: true }), {
  withStates: true,
  lengths: [5, 2],
});
check('LSTM without bias', () => new nn.LSTM({ ...base, bias: false }));
check('GRU (reset after)', () => new nn.GRU(base), { withStates: true });
check('GRU reset before', () => new nn.GRU({ ...base, resetAfter: false }), { withStates: true });
check('GRU reset before, 2 layers bidirectional, packed', () => new nn.GRU({ ...base, resetAfter: false, numLayers: 2, bidirectional: true }), {
  withStates: true,
  lengths: [4, 5],
});
