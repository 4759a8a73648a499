// nn.Recurrent against TensorFlow.js's Keras layers (the oracle for Keras meanings): the same
// weights, converted with src/nn/rnn/gates.ts, and the same inputs give the same outputs and states.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, Tensor, manualSeed, nn, rand, randn, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';
import { fromTf, fromTfAll, kerasWeights, tf, tfScope, toTf, uniformInit } from '../helpers/tfjs.js';

const N = 3;
const T = 5;
const F = 4;
const H = 6;
const TOL = 1e-5;

type Kind = 'lstm' | 'gru' | 'simpleRNN';
const KINDS: readonly Kind[] = ['lstm', 'gru', 'simpleRNN'];

interface Settings {
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
  dropout?: number;
  recurrentDropout?: number;
}
type DropoutFunc = (ones: tf.Tensor, rate: number) => tf.Tensor;

/** A built tfjs layer with seeded random weights (biases included). */
function tfLayer(kind: Kind, s: Settings, dropoutFunc?: DropoutFunc, batch = N): tf.layers.RNN {
  const args = {
    units: H,
    kernelInitializer: uniformInit(1),
    recurrentInitializer: uniformInit(2),
    biasInitializer: uniformInit(3),
    ...s,
    ...(dropoutFunc ? { dropoutFunc } : {}),
    ...(s.stateful ? { batchInputShape: [batch, T, F] } : {}),
  };
  // tfjs's GRU is Keras's reset_after=False (it rejects true); recurrent activations default to
  // hardSigmoid in tfjs, so sigmoid is set explicitly.
  const layer =
    kind === 'lstm'
      ? tf.layers.lstm({ ...args, recurrentActivation: 'sigmoid' })
      : kind === 'gru'
        ? tf.layers.gru({ ...args, recurrentActivation: 'sigmoid' })
        : tf.layers.simpleRNN(args);
  tfScope(() => layer.apply(tf.zeros([batch, T, F])));
  if (s.stateful) layer.resetStates();
  return layer;
}

/** Our cell holding the tfjs layer's weights. */
function cellFrom(kind: Kind, weights: readonly tf.Tensor[]): nn.LSTMCell | nn.GRUCell | nn.RNNCell {
  const w = kerasWeights(weights);
  if (kind === 'lstm') {
    const cell = new nn.LSTMCell({ inputSize: F, hiddenSize: H });
    cell.loadStateDict(nn.kerasLstmToTorch(w));
    return cell;
  }
  if (kind === 'gru') {
    const cell = new nn.GRUCell({ inputSize: F, hiddenSize: H, resetAfter: false });
    cell.loadStateDict(nn.kerasGruToTorch(w));
    return cell;
  }
  const cell = new nn.RNNCell({ inputSize: F, hiddenSize: H });
  cell.loadStateDict(nn.kerasSimpleRnnToTorch(w));
  return cell;
}

function pair(kind: Kind, s: Settings, dropoutFunc?: DropoutFunc, batch = N): { theirs: tf.layers.RNN; ours: nn.Recurrent<nn.RecurrentCell, boolean> } {
  const theirs = tfLayer(kind, s, dropoutFunc, batch);
  const ours = new nn.Recurrent(cellFrom(kind, theirs.getWeights()), s);
  return { theirs, ours };
}

interface CallOptions {
  mask?: Tensor;
  initialState?: Tensor[];
  training?: boolean;
}

function runTf(layer: tf.layers.Layer, x: Tensor, o: CallOptions = {}): Tensor[] {
  return tfScope(() => {
    const kwargs: Record<string, unknown> = {};
    if (o.mask) kwargs['mask'] = toTf(o.mask);
    if (o.initialState) kwargs['initialState'] = o.initialState.map(toTf);
    if (o.training) kwargs['training'] = true;
    return fromTfAll(layer.apply(toTf(x), kwargs) as tf.Tensor | tf.Tensor[]);
  });
}

function runOurs(layer: { forward(x: Tensor, o: nn.RecurrentForwardOptions): Tensor | Tensor[] }, x: Tensor, o: CallOptions = {}): Tensor[] {
  const out = layer.forward(x, { mask: o.mask ?? null, initialState: o.initialState ?? null });
  return Array.isArray(out) ? out : [out];
}

function compare(ours: Tensor[], theirs: Tensor[], label: string): void {
  assert.equal(ours.length, theirs.length, `${label}: number of results`);
  ours.forEach((t, i) => assertClose(t, theirs[i]!, `${label} [${i}]`, TOL, TOL));
}

function check(kind: Kind, s: Settings, x: Tensor, o: CallOptions = {}): Tensor[] {
  const { theirs, ours } = pair(kind, s, undefined, x.shape[0]);
  const mine = runOurs(ours, x, o);
  compare(mine, runTf(theirs, x, o), `${kind} ${JSON.stringify(s)}`);
  theirs.dispose();
  return mine;
}

/** Right padding, left padding, a gap, and a row with no real step. */
const MASK = tensor([
  [1, 1, 1, 0, 0],
  [0, 0, 1, 1, 1],
  [1, 0, 1, 0, 1],
  [0, 0, 0, 0, 0],
]);

for (const kind of KINDS) {
  describe(`nn.Recurrent = tfjs ${kind}`, () => {
    test('last output (many-to-one), returnSequences, returnState; no tfjs tensor left behind', () => {
      const before = tf.memory().numTensors;
      manualSeed(1);
      const x = randn([N, T, F]);
      const [last] = check(kind, {}, x);
      assert.deepEqual(last!.shape, [N, H]);
      const [seq] = check(kind, { returnSequences: true }, x);
      assert.deepEqual(seq!.shape, [N, T, H]);
      const withState = check(kind, { returnState: true }, x);
      assert.equal(withState.length, kind === 'lstm' ? 3 : 2); // Keras's order: [output, h(, c)]
      assertClose(withState[1]!, withState[0]!, 'h equals the last output', 0, 0);
      check(kind, { returnSequences: true, returnState: true }, x);
      assert.equal(tf.memory().numTensors, before, 'tfjs tensors leaked');
    });

    test('goBackwards: reversed processing, outputs in processing order', () => {
      manualSeed(2);
      const x = randn([N, T, F]);
      const [seq] = check(kind, { goBackwards: true, returnSequences: true, returnState: true }, x);
      check(kind, { goBackwards: true }, x);
      assert.deepEqual(seq!.shape, [N, T, H]);
    });

    test('initialState', () => {
      manualSeed(3);
      const x = randn([N, T, F]);
      const initialState = (kind === 'lstm' ? [0, 1] : [0]).map(() => randn([N, H]));
      check(kind, { returnSequences: true, returnState: true }, x, { initialState });
      check(kind, { goBackwards: true, returnState: true }, x, { initialState });
    });

    test('masks: a masked step carries the previous states and output, leading masked steps the initial state', () => {
      manualSeed(4);
      const x = randn([4, T, F]);
      const [seq, h] = check(kind, { returnSequences: true, returnState: true }, x, { mask: MASK });
      // right padding: the outputs after the last real step repeat it, and so does the final state
      assertClose(seq!.select(0, 0).select(0, 4), seq!.select(0, 0).select(0, 2), 'carried output', 0, 0);
      assertClose(h!.select(0, 0), seq!.select(0, 0).select(0, 2), 'carried state', 0, 0);
      // a row with no real step keeps the zero initial state throughout
      assert.ok(seq!.select(0, 3).abs().max().item() === 0);
      check(kind, { goBackwards: true, returnSequences: true, returnState: true }, x, { mask: MASK });
      check(kind, {}, x, { mask: MASK });
      const initialState = (kind === 'lstm' ? [0, 1] : [0]).map(() => randn([4, H]));
      check(kind, { returnSequences: true, returnState: true }, x, { mask: MASK, initialState });
      check(kind, { returnSequences: true }, x, { mask: MASK.eq(1) }); // any nonzero marks a real step
    });

    test('stateful: states carry across calls until resetStates()', () => {
      manualSeed(5);
      const { theirs, ours } = pair(kind, { stateful: true, returnSequences: true });
      const [x1, x2, x3] = [randn([N, T, F]), randn([N, T, F]), randn([N, T, F])];
      compare(runOurs(ours, x1), runTf(theirs, x1), 'first call');
      compare(runOurs(ours, x2), runTf(theirs, x2), 'second call (carried states)');
      compare(
        ours.states!,
        tfScope(() => theirs.states.map(fromTf)),
        'carried states',
      );
      assert.ok(
        ours.states!.every((s) => !s.requiresGrad),
        'carried states are detached',
      );
      assert.throws(
        () => ours.forward(randn([N + 1, T, F])),
        (e: unknown) => e instanceof ShapeError && /resetStates/.test(e.message),
      );
      ours.resetStates();
      theirs.resetStates();
      const third = runOurs(ours, x3);
      compare(third, runTf(theirs, x3), 'after resetStates');
      const fresh = new nn.Recurrent(ours.cell, { returnSequences: true });
      compare(third, [fresh.forward(x3)], 'after resetStates = a fresh start');
      theirs.dispose();
    });

    test('dropout and recurrentDropout: training uses one input and one recurrent mask per sequence, as tfjs given the same masks', () => {
      const s: Settings = { dropout: 0.3, recurrentDropout: 0.4, returnSequences: true, returnState: true };
      manualSeed(6);
      const x = randn([N, T, F]);
      // our layer draws the input mask (N, F), then the recurrent mask (N, H), from the global generator
      manualSeed(7);
      const keep = (u: Tensor, p: number): Tensor =>
        u
          .ge(p)
          .mul(1 / (1 - p))
          .to('float32');
      const inMask = keep(rand([N, F], { dtype: 'float64' }), 0.3);
      const hMask = keep(rand([N, H], { dtype: 'float64' }), 0.4);
      const dropoutFunc: DropoutFunc = (ones) => tf.mul(ones, toTf(ones.shape[1] === F ? inMask : hMask));
      const { theirs, ours } = pair(kind, s, dropoutFunc);
      manualSeed(7);
      const trained = runOurs(ours, x);
      compare(trained, runTf(theirs, x, { training: true }), 'training');
      ours.eval();
      const evaluated = runOurs(ours, x);
      compare(evaluated, runTf(theirs, x), 'eval: no dropout');
      assert.ok(trained[0]!.sub(evaluated[0]!).abs().max().item() > 1e-3, 'dropout changes the training output');
      theirs.dispose();
    });
  });
}

/** Keras's GRU with reset_after=True (tfjs has only reset_after=False), written with tfjs ops. */
class KerasResetAfterGRUCell extends tf.layers.RNNCell {
  static readonly className = 'KerasResetAfterGRUCell';
  readonly stateSize = H;

  constructor(
    private readonly k: tf.Tensor,
    private readonly rk: tf.Tensor,
    private readonly b: tf.Tensor,
  ) {
    super({});
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const [x, h] = inputs as [tf.Tensor, tf.Tensor];
      const [bIn, bRec] = tf.unstack(this.b) as [tf.Tensor, tf.Tensor];
      const [xz, xr, xh] = tf.split(tf.add(tf.matMul(x, this.k), bIn), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, this.rk), bRec), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const z = tf.sigmoid(tf.add(xz, hz));
      const r = tf.sigmoid(tf.add(xr, hr));
      const candidate = tf.tanh(tf.add(xh, tf.mul(r, hh)));
      const out = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
      return [out, out];
    });
  }
}

describe('nn.Recurrent(GRUCell resetAfter: true) = Keras GRU reset_after=True', () => {
  test('weights (bias (2, 3H)) converted by kerasGruToTorch; outputs, states, masks, goBackwards', () => {
    tfScope(() => {
      const k = tf.randomUniform([F, 3 * H], -0.6, 0.6, 'float32', 11);
      const rk = tf.randomUniform([H, 3 * H], -0.6, 0.6, 'float32', 12);
      const b = tf.randomUniform([2, 3 * H], -0.6, 0.6, 'float32', 13);
      const cell = new nn.GRUCell({ inputSize: F, hiddenSize: H });
      assert.equal(cell.resetAfter, true);
      cell.loadStateDict(nn.kerasGruToTorch({ kernel: fromTf(k), recurrentKernel: fromTf(rk), bias: fromTf(b) }));
      manualSeed(8);
      const x = randn([4, T, F]);
      for (const s of [{ returnSequences: true, returnState: true }, { goBackwards: true, returnSequences: true, returnState: true }, {}]) {
        const theirs = tf.layers.rnn({ cell: new KerasResetAfterGRUCell(k, rk, b), ...s });
        const ours = new nn.Recurrent(cell, s);
        compare(runOurs(ours, x), runTf(theirs, x), `reset_after ${JSON.stringify(s)}`);
        compare(runOurs(ours, x, { mask: MASK }), runTf(theirs, x, { mask: MASK }), `reset_after masked ${JSON.stringify(s)}`);
      }
    });
  });
});
