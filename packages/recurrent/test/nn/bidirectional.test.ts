// nn.Bidirectional against TensorFlow.js's Bidirectional wrapper (every merge mode, states, masks,
// initial states, stateful), against PyTorch-style nn.LSTM({ bidirectional }), and its own rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, Tensor, ValueError, concat, flip, manualSeed, nn, packPaddedSequence, padPackedSequence, randn, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';
import { fromTfAll, kerasWeights, tf, tfScope, toTf, uniformInit } from '../helpers/tfjs.js';

const N = 3;
const T = 5;
const F = 4;
const H = 6;
const TOL = 1e-5;
type Kind = 'lstm' | 'gru' | 'simpleRNN';
type Merge = nn.MergeMode;

interface Settings {
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
}

/** A built tfjs Bidirectional layer whose two directions hold different seeded weights. */
function tfBidirectional(kind: Kind, s: Settings, mergeMode: Merge, batch: number): tf.layers.Layer {
  const args = {
    units: H,
    kernelInitializer: uniformInit(1),
    recurrentInitializer: uniformInit(2),
    biasInitializer: uniformInit(3),
    ...s,
    ...(s.stateful ? { batchInputShape: [batch, T, F] } : {}),
  };
  const inner =
    kind === 'lstm'
      ? tf.layers.lstm({ ...args, recurrentActivation: 'sigmoid' })
      : kind === 'gru'
        ? tf.layers.gru({ ...args, recurrentActivation: 'sigmoid' })
        : tf.layers.simpleRNN(args);
  const bidiArgs: Parameters<typeof tf.layers.bidirectional>[0] = { layer: inner };
  Object.assign(bidiArgs, { mergeMode }); // tfjs's type omits null, which it accepts
  const layer = tf.layers.bidirectional(bidiArgs);
  tfScope(() => {
    layer.apply(tf.zeros([batch, T, F]));
    layer.setWeights(layer.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.6, 0.6, 'float32', 100 + i)));
  });
  if (s.stateful) layer.resetStates();
  return layer;
}

function convert(kind: Kind, weights: readonly tf.Tensor[]): nn.TorchRecurrentWeights {
  const w = kerasWeights(weights);
  return kind === 'lstm' ? nn.kerasLstmToTorch(w) : kind === 'gru' ? nn.kerasGruToTorch(w) : nn.kerasSimpleRnnToTorch(w);
}

function makeCell(kind: Kind): nn.LSTMCell | nn.GRUCell | nn.RNNCell {
  if (kind === 'lstm') return new nn.LSTMCell({ inputSize: F, hiddenSize: H });
  if (kind === 'gru') return new nn.GRUCell({ inputSize: F, hiddenSize: H, resetAfter: false });
  return new nn.RNNCell({ inputSize: F, hiddenSize: H });
}

function prefixed(prefix: string, w: nn.TorchRecurrentWeights): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [`${prefix}${k}`, v]));
}

type OurBidirectional = nn.Bidirectional<nn.RecurrentCell, boolean, Merge>;

function pair(kind: Kind, s: Settings, mergeMode: Merge, batch = N): { theirs: tf.layers.Layer; ours: OurBidirectional } {
  const theirs = tfBidirectional(kind, s, mergeMode, batch);
  const weights = theirs.getWeights();
  const half = weights.length / 2;
  const ours: OurBidirectional = new nn.Bidirectional(new nn.Recurrent(makeCell(kind), s), { mergeMode });
  ours.loadStateDict({
    ...prefixed('forward_layer.cell.', convert(kind, weights.slice(0, half))),
    ...prefixed('backward_layer.cell.', convert(kind, weights.slice(half))),
  });
  return { theirs, ours };
}

interface CallOptions {
  mask?: Tensor;
  initialState?: Tensor[];
}

function runTf(layer: tf.layers.Layer, x: Tensor, o: CallOptions = {}): Tensor[] {
  return tfScope(() => {
    const kwargs: Record<string, unknown> = {};
    if (o.mask) kwargs['mask'] = toTf(o.mask);
    if (o.initialState) kwargs['initialState'] = o.initialState.map(toTf);
    return fromTfAll(layer.apply(toTf(x), kwargs) as tf.Tensor | tf.Tensor[]);
  });
}

function runOurs(layer: OurBidirectional, x: Tensor, o: CallOptions = {}): Tensor[] {
  const out = layer.forward(x, { mask: o.mask ?? null, initialState: o.initialState ?? null });
  return Array.isArray(out) ? out : [out];
}

function check(kind: Kind, s: Settings, mergeMode: Merge, x: Tensor, o: CallOptions = {}): Tensor[] {
  const { theirs, ours } = pair(kind, s, mergeMode, x.shape[0]);
  const mine = runOurs(ours, x, o);
  const expected = runTf(theirs, x, o);
  const label = `${kind} ${JSON.stringify(s)} mergeMode ${String(mergeMode)}`;
  assert.equal(mine.length, expected.length, `${label}: number of results`);
  mine.forEach((t, i) => assertClose(t, expected[i]!, `${label} [${i}]`, TOL, TOL));
  theirs.dispose();
  return mine;
}

const MASK = tensor([
  [1, 1, 1, 0, 0],
  [1, 1, 1, 1, 1],
  [1, 0, 1, 0, 0],
  [0, 0, 0, 0, 0],
]);

describe('nn.Bidirectional = tfjs Bidirectional', () => {
  test('every merge mode, with and without returnSequences', () => {
    manualSeed(1);
    const x = randn([N, T, F]);
    for (const mergeMode of ['concat', 'sum', 'mul', 'ave', null] as const) {
      for (const returnSequences of [false, true]) {
        const out = check('lstm', { returnSequences }, mergeMode, x);
        const width = mergeMode === 'concat' ? 2 * H : H;
        assert.deepEqual(out[0]!.shape, returnSequences ? [N, T, width] : [N, width]);
        assert.equal(out.length, mergeMode === null ? 2 : 1);
      }
    }
  });

  test('returnState: forward states then backward states', () => {
    manualSeed(2);
    const x = randn([N, T, F]);
    assert.equal(check('lstm', { returnState: true }, 'concat', x).length, 5);
    assert.equal(check('lstm', { returnSequences: true, returnState: true }, null, x).length, 6);
    assert.equal(check('gru', { returnSequences: true, returnState: true }, 'concat', x).length, 3);
    assert.equal(check('simpleRNN', { returnSequences: true, returnState: true }, 'ave', x).length, 3);
  });

  test('masks reach both directions', () => {
    manualSeed(3);
    const x = randn([4, T, F]);
    for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
      check(kind, { returnSequences: true, returnState: true }, 'concat', x, { mask: MASK });
      check(kind, {}, 'sum', x, { mask: MASK });
    }
    // right padding: the backward outputs at padded steps are its initial state (zeros)
    const [seq] = check('lstm', { returnSequences: true }, 'concat', x, { mask: MASK });
    assert.equal(seq!.select(0, 0).narrow(0, 3, 2).narrow(1, H, H).abs().max().item(), 0);
  });

  test('initialState, a goBackwards layer, stateful', () => {
    manualSeed(4);
    const x = randn([N, T, F]);
    const initialState = [0, 1, 2, 3].map(() => randn([N, H]));
    check('lstm', { returnSequences: true, returnState: true }, 'concat', x, { initialState });
    check('lstm', { returnSequences: true, goBackwards: true }, 'concat', x);
    const { theirs, ours } = pair('gru', { stateful: true, returnSequences: true }, 'concat');
    const [x1, x2] = [randn([N, T, F]), randn([N, T, F])];
    for (const [label, input] of [
      ['first', x1],
      ['second', x2],
    ] as const) {
      assertClose(runOurs(ours, input)[0]!, runTf(theirs, input)[0]!, `stateful ${label} call`, TOL, TOL);
    }
    ours.resetStates();
    theirs.resetStates();
    assertClose(runOurs(ours, x1)[0]!, runTf(theirs, x1)[0]!, 'stateful after resetStates', TOL, TOL);
    theirs.dispose();
  });
});

describe('nn.Bidirectional', () => {
  test('equals nn.LSTM({ bidirectional }) with the same weights, and packed sequences on the real steps', () => {
    manualSeed(5);
    const bi = new nn.Bidirectional(new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: H }), { returnSequences: true }));
    const torch = new nn.LSTM({ inputSize: F, hiddenSize: H, batchFirst: true, bidirectional: true });
    const sd = bi.stateDict();
    const dict: Record<string, Tensor> = {};
    for (const key of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
      dict[`${key}_l0`] = sd[`forward_layer.cell.${key}`]!;
      dict[`${key}_l0_reverse`] = sd[`backward_layer.cell.${key}`]!;
    }
    torch.loadStateDict(dict);
    const x = randn([N, T, F]);
    assertClose(bi.forward(x), torch.forward(x)[0], 'unpadded', 1e-5, 1e-5);
    const lengths = [5, 3, 2];
    const mask = tensor(lengths.map((l) => Array.from({ length: T }, (_, t) => (t < l ? 1 : 0))));
    const ours = bi.forward(x, { mask });
    const [packedOut] = torch.forward(packPaddedSequence(x, lengths, { batchFirst: true }));
    const [theirs] = padPackedSequence(packedOut, { batchFirst: true });
    assertClose(ours.mul(mask.unsqueeze(-1)), theirs, 'right-padded = packed on the real steps', 1e-5, 1e-5);
  });

  test('the backward layer is a copy with goBackwards flipped and its own, freshly drawn, parameters', () => {
    manualSeed(6);
    const layer = new nn.Recurrent(new nn.GRUCell({ inputSize: F, hiddenSize: H, resetAfter: false }), { returnSequences: true, dropout: 0.25 });
    const bi = new nn.Bidirectional(layer, { mergeMode: 'sum' });
    assert.equal(bi.forwardLayer, layer);
    const back = bi.backwardLayer;
    assert.equal(back.goBackwards, true);
    assert.equal(back.returnSequences, true);
    assert.equal(back.dropout, 0.25);
    assert.ok(back.cell instanceof nn.GRUCell && back.cell.resetAfter === false);
    assert.notEqual(back.cell, layer.cell);
    const [f, b] = [layer.stateDict(), back.stateDict()];
    assert.deepEqual(Object.keys(b), Object.keys(f));
    for (const k of Object.keys(f)) assert.notDeepEqual([...b[k]!.data], [...f[k]!.data], `${k} is drawn afresh`);
    assert.deepEqual(Object.keys(bi.stateDict()).slice(0, 2), ['forward_layer.cell.weight_ih', 'forward_layer.cell.weight_hh']);
    bi.eval();
    const x = randn([N, T, F]);
    assertClose(bi.forward(x), layer.forward(x).add(flip(back.forward(x), 1)), 'forward ⊕ flipped backward', 0, 0);
  });

  test("a user's cell is deep-copied: own tensors, same values", () => {
    class Scaled extends nn.Module implements nn.RecurrentCell {
      readonly stateSize = [2];
      readonly outputSize = 2;
      readonly inner = this.registerModule('inner', new nn.Linear({ inFeatures: 2 + F, outFeatures: 2 }));
      call(input: Tensor, states: readonly Tensor[]): [Tensor, Tensor[]] {
        const h = this.inner.forward(concat([input, states[0]!], 1)).tanh();
        return [h, [h]];
      }
      zeroState(batch: number): Tensor[] {
        return [randn([batch, 2]).mul(0)];
      }
    }
    const cell = new Scaled();
    const bi = new nn.Bidirectional(new nn.Recurrent(cell));
    const copy = bi.backwardLayer.cell;
    assert.ok(copy instanceof Scaled && copy !== cell && copy.inner !== cell.inner);
    assert.notEqual(copy.inner.weight, cell.inner.weight);
    assert.deepEqual([...copy.inner.weight.data], [...cell.inner.weight.data]);
    assert.ok(copy.inner.weight.requiresGrad);
    copy.inner.weight.data[0] = 42;
    assert.notEqual(cell.inner.weight.data[0], 42);
    assert.deepEqual(bi.forward(randn([N, T, F])).shape, [N, 4]);
  });

  test('options.backwardLayer, result types and errors', () => {
    const fwd = new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 3 }), { returnSequences: true });
    const bwd = new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 3 }), { returnSequences: true, goBackwards: true });
    const bi = new nn.Bidirectional(fwd, { backwardLayer: bwd, mergeMode: null });
    assert.equal(bi.backwardLayer, bwd);
    const x = randn([N, T, F]);
    const [yf, yb]: Tensor[] = bi.forward(x);
    assertClose(yb!, flip(bwd.forward(x), 1), 'mergeMode null gives the re-reversed backward outputs', 0, 0);
    assertClose(yf!, fwd.forward(x), 'and the forward outputs', 0, 0);
    const merged: Tensor = new nn.Bidirectional(fwd, { mergeMode: 'mul' }).forward(x);
    assert.deepEqual(merged.shape, [N, T, 3]);
    const same = new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 3 }), { returnSequences: true });
    assert.throws(
      () => new nn.Bidirectional(fwd, { backwardLayer: same }),
      (e: unknown) => e instanceof ValueError && /opposite goBackwards/.test(e.message),
    );
    const last = new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 3 }), { goBackwards: true });
    assert.throws(
      () => new nn.Bidirectional(fwd, { backwardLayer: last }),
      (e: unknown) => e instanceof ValueError && /returnSequences/.test(e.message),
    );
    const wide = new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 4 }), { returnSequences: true, goBackwards: true });
    assert.throws(() => new nn.Bidirectional(fwd, { backwardLayer: wide, mergeMode: 'sum' }), ShapeError);
    assert.throws(() => new nn.Bidirectional(fwd, { mergeMode: 'max' as nn.MergeMode }), ValueError);
    assert.throws(
      () => bi.forward(x, { initialState: [randn([N, 3])] }),
      (e: unknown) => e instanceof ValueError && /initialState/.test(e.message),
    );
    assert.throws(() => bi.resetStates(), ValueError);
  });
});
