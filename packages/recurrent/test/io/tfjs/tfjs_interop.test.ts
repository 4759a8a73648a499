// fromTfjs and toTfjs with TensorFlow.js as the oracle: random Keras models built in tfjs, saved
// through tf.io.withSaveHandler, read here, predictions compared; and each read model written
// back with toTfjs, loaded by tf.loadLayersModel, predictions compared again.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, Tensor, ValueError, fromTfjs, manualSeed, nn, randn, tensor, toTfjs } from '../../../src/index.js';
import { assertClose } from '../../helpers/close.js';
import { fromTf, tf, tfScope, toTf, uniformInit } from '../../helpers/tfjs.js';

const TOL = 1e-5;
const N = 3;
const T = 5;
const F = 4;
const VOCAB = 12;

async function save(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts!;
}

function predictTf(model: tf.LayersModel, x: Tensor): Tensor[] {
  return tfScope(() => {
    const out = model.predict(toTf(x)) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]).map(fromTf);
  });
}

function compare(ours: Tensor[], theirs: Tensor[], label: string): void {
  assert.equal(ours.length, theirs.length, `${label}: outputs`);
  theirs.forEach((t, i) => assertClose(ours[i]!, t, `${label} [${i}]`, TOL, TOL));
}

/** Reads `model`'s artifacts here and compares; then writes ours back and compares tfjs's load of it. */
async function roundTrip(model: tf.LayersModel, x: Tensor, label: string): Promise<void> {
  const expected = predictTf(model, x);
  const ours = fromTfjs(await save(model));
  compare(ours.forwardAll(x), expected, `${label}: fromTfjs`);
  const back = await tf.loadLayersModel(tf.io.fromMemory(toTfjs(ours) as tf.io.ModelArtifacts));
  compare(predictTf(back, x), expected, `${label}: toTfjs → tf.loadLayersModel`);
  back.dispose();
}

/** Token ids with right padding (0) and one row without any. */
function ids(): Tensor {
  return tensor(
    [
      [3, 7, 1, 0, 0],
      [5, 2, 9, 11, 4],
      [8, 0, 0, 0, 0],
    ],
    { dtype: 'int32' },
  );
}

/** Float steps, some all zero (the Masking layer's padding). */
function features(): Tensor {
  const x = randn([N, T, F]);
  for (const [n, t] of [
    [0, 3],
    [0, 4],
    [2, 1],
  ] as const)
    for (let f = 0; f < F; f++) x.data[(n * T + t) * F + f] = 0;
  return x;
}

function generator(seed: number): <T>(list: readonly T[]) => T {
  let s = seed >>> 0;
  return (list) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return list[(s >>> 16) % list.length]!;
  };
}

type Kind = 'simpleRNN' | 'lstm' | 'gru';
const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'elu', 'selu', 'softsign', 'hardSigmoid', 'linear', 'softplus', 'relu6', 'swish'] as const;
const GATES = ['sigmoid', 'hardSigmoid', 'tanh'] as const;

interface Config {
  input: 'embedding' | 'masking';
  kind: Kind;
  activation: (typeof ACTIVATIONS)[number];
  recurrentActivation: (typeof GATES)[number];
  useBias: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  unitForgetBias: boolean;
  bidirectional: 'concat' | 'sum' | 'mul' | 'ave' | null;
  head: 'dense' | 'timeDistributed' | 'flatten';
}

function randomConfigs(count: number): Config[] {
  const pick = generator(31);
  return Array.from({ length: count }, (_, i) => {
    const returnSequences = pick([true, false]);
    return {
      input: i % 2 === 0 ? 'embedding' : 'masking',
      kind: (['simpleRNN', 'lstm', 'gru'] as const)[i % 3]!,
      activation: ACTIVATIONS[i % ACTIVATIONS.length]!,
      recurrentActivation: pick(GATES),
      useBias: pick([true, true, false]),
      returnSequences,
      goBackwards: pick([false, true]),
      unitForgetBias: pick([false, true]),
      bidirectional: i % 5 === 4 ? null : pick(['concat', 'sum', 'mul', 'ave'] as const),
      head: returnSequences ? pick(['dense', 'timeDistributed', 'flatten'] as const) : 'dense',
    };
  });
}

function recurrentLayer(c: Config, seed: number): tf.layers.RNN {
  const args = {
    units: 5,
    useBias: c.useBias,
    returnSequences: c.returnSequences,
    goBackwards: c.goBackwards,
    activation: c.activation,
    kernelInitializer: uniformInit(seed),
    recurrentInitializer: uniformInit(seed + 1),
    biasInitializer: uniformInit(seed + 2),
  };
  if (c.kind === 'simpleRNN') return tf.layers.simpleRNN(args);
  if (c.kind === 'lstm') return tf.layers.lstm({ ...args, recurrentActivation: c.recurrentActivation, unitForgetBias: c.unitForgetBias });
  return tf.layers.gru({ ...args, recurrentActivation: c.recurrentActivation });
}

function build(c: Config, seed: number): tf.Sequential {
  const model = tf.sequential();
  if (c.input === 'embedding') {
    model.add(tf.layers.embedding({ inputDim: VOCAB, outputDim: F, maskZero: true, inputLength: T, embeddingsInitializer: uniformInit(seed + 3) }));
  } else model.add(tf.layers.masking({ maskValue: 0, inputShape: [T, F] }));
  const rnn = recurrentLayer(c, seed);
  model.add(c.bidirectional === null ? rnn : tf.layers.bidirectional({ layer: rnn, mergeMode: c.bidirectional }));
  model.add(tf.layers.dropout({ rate: 0.3 }));
  const dense = { units: 3, kernelInitializer: uniformInit(seed + 4), biasInitializer: uniformInit(seed + 5) };
  if (c.head === 'timeDistributed') model.add(tf.layers.timeDistributed({ layer: tf.layers.dense(dense) }));
  else {
    if (c.head === 'flatten') model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ ...dense, activation: 'softmax' }));
  }
  model.add(tf.layers.activation({ activation: 'tanh' }));
  return model;
}

describe('fromTfjs / toTfjs against TensorFlow.js', () => {
  const configs = randomConfigs(22);

  test('the random models cover every layer and option', () => {
    const seen = (f: (c: Config) => unknown): Set<unknown> => new Set(configs.map(f));
    assert.equal(seen((c) => c.kind).size, 3);
    assert.equal(seen((c) => c.activation).size, ACTIVATIONS.length);
    assert.equal(seen((c) => c.recurrentActivation).size, GATES.length);
    assert.equal(seen((c) => c.bidirectional).size, 5);
    assert.equal(seen((c) => c.head).size, 3);
    for (const key of ['useBias', 'returnSequences', 'goBackwards', 'unitForgetBias'] as const) assert.equal(seen((c) => c[key]).size, 2, key);
  });

  for (const [i, c] of configs.entries()) {
    test(`#${i} ${JSON.stringify(c)}`, async () => {
      manualSeed(i);
      const model = build(c, 10 * i + 1);
      await roundTrip(model, c.input === 'embedding' ? ids() : features(), `#${i}`);
      model.dispose();
    });
  }

  test('functional chains: an LSTM with return_state as the output, and a Bidirectional with merge_mode None', async () => {
    manualSeed(40);
    const input = tf.input({ shape: [T, F] });
    const hidden = tf.layers
      .gru({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', kernelInitializer: uniformInit(1) })
      .apply(input) as tf.SymbolicTensor;
    const states = tf.layers.lstm({ units: 3, returnState: true, biasInitializer: uniformInit(2) }).apply(hidden) as tf.SymbolicTensor[];
    await roundTrip(tf.model({ inputs: input, outputs: states }), randn([N, T, F]), 'return_state');
    const both = tf.layers
      .bidirectional({ layer: tf.layers.simpleRNN({ units: 3, biasInitializer: uniformInit(3) }), mergeMode: null as unknown as undefined })
      .apply(input);
    await roundTrip(tf.model({ inputs: input, outputs: both as tf.SymbolicTensor[] }), randn([N, T, F]), 'merge_mode None');
  });

  test('quantised weights (uint8, uint16, float16) decode as tfjs decodes them, and sharded weight data reads whole', async () => {
    manualSeed(41);
    const model = build({ ...randomConfigs(1)[0]!, kind: 'lstm', bidirectional: 'concat', head: 'dense' }, 99);
    const artifacts = await save(model);
    const plain = new Float32Array(artifacts.weightData as ArrayBuffer);
    const kinds = ['uint8', 'uint16', 'float16'] as const;
    let at = 0;
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: Uint8Array[] = [];
    for (const [k, spec] of artifacts.weightSpecs!.entries()) {
      const n = spec.shape.reduce((a, d) => a * d, 1);
      const values = plain.subarray(at, at + n);
      at += n;
      const dtype = kinds[k % 3]!;
      const min = Math.min(...values);
      const scale = (Math.max(...values) - min) / (dtype === 'uint8' ? 255 : 65535) || 1;
      if (dtype === 'float16') {
        parts.push(new Uint8Array(Uint16Array.from(values, toHalf).buffer));
        specs.push({ ...spec, quantization: { dtype } });
      } else {
        const q = Array.from(values, (v) => Math.round((v - min) / scale));
        parts.push(dtype === 'uint8' ? Uint8Array.from(q) : new Uint8Array(Uint16Array.from(q).buffer));
        specs.push({ ...spec, quantization: { dtype, scale, min } });
      }
    }
    const shards = parts.map((p) => p.slice().buffer);
    const quantised = { ...artifacts, weightSpecs: specs, weightData: shards };
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(quantised as tf.io.ModelArtifacts));
    const x = ids();
    compare(fromTfjs(quantised).forwardAll(x), predictTf(theirs, x), 'quantised, sharded');
    theirs.dispose();
    model.dispose();
  });

  test('our own modules written by toTfjs load into tfjs with the same predictions', async () => {
    manualSeed(42);
    const ours = new nn.Sequential(
      new nn.Masking(),
      new nn.Bidirectional(new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 3, recurrentActivation: 'hardSigmoid' }), { returnSequences: true }), {
        mergeMode: 'mul',
      }),
      new nn.Recurrent(new nn.RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' }), { returnSequences: true, goBackwards: true }),
      new nn.Linear({ inFeatures: 4, outFeatures: 4 }),
      new nn.GELU(),
      new nn.Recurrent(new nn.GRUCell({ inputSize: 4, hiddenSize: 2, resetAfter: false, activation: 'softsign' })),
      new nn.Dropout({ p: 0.2 }),
      new nn.Linear({ inFeatures: 2, outFeatures: 3, bias: false }),
      new nn.ReLU(),
      new nn.Linear({ inFeatures: 3, outFeatures: 3 }),
      new nn.LogSoftmax(),
    ).eval();
    const x = features();
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(toTfjs(ours) as tf.io.ModelArtifacts));
    compare([ours.forward(x)], predictTf(theirs, x), 'toTfjs');
    theirs.dispose();
  });

  test('clear errors: a layer class it does not read, a weight no layer takes, what tfjs cannot express', async () => {
    const conv = tf.sequential({ layers: [tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [T, F] })] });
    await assert.rejects(
      async () => fromTfjs(await save(conv)),
      (e: unknown) => e instanceof FormatError && /layer class 'Conv1D' is not supported; supported: Embedding/.test(e.message),
    );
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [F] })] });
    const a = await save(dense);
    const extra = {
      ...a,
      weightSpecs: [...a.weightSpecs!, { name: 'stray/kernel', shape: [1], dtype: 'float32' as const }],
      weightData: concat(a.weightData as ArrayBuffer, 4),
    };
    assert.throws(() => fromTfjs(extra), /weight 'stray\/kernel' belongs to no layer/);
    assert.throws(() => fromTfjs({ ...a, weightData: new ArrayBuffer(4) }), /needs bytes \[0, 32\) but the weight data holds 4 bytes/);
    const keras3 = new nn.Sequential(new nn.Recurrent(new nn.LSTMCell({ inputSize: F, hiddenSize: 2, recurrentActivation: 'hardSigmoidKeras3' })));
    assert.throws(
      () => toTfjs(keras3),
      (e: unknown) => e instanceof ValueError && /'hardSigmoidKeras3' has no TensorFlow.js equivalent/.test(e.message),
    );
    assert.throws(() => toTfjs(new nn.Sequential(new nn.LeakyReLU())), /LeakyReLU '0' has no Keras layer here/);
    conv.dispose();
    dense.dispose();
  });
});

function concat(buffer: ArrayBuffer, extra: number): ArrayBuffer {
  const out = new Uint8Array(buffer.byteLength + extra);
  out.set(new Uint8Array(buffer));
  return out.buffer;
}

/** float32 → IEEE half bits (round to nearest), for building float16 weights. */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const bits = new Uint32Array(f.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  return sign | ((exponent << 10) + Math.round(mantissa / 8192));
}
