/**
 * Benchmark child for TensorFlow.js 4.22 on its wasm or cpu backend: tf.layers.lstm / tf.layers.gru
 * with returnSequences, stacked for several layers, trained with tf.train.sgd through
 * optimizer.minimize on the sum of the outputs. Run by bench/run.ts; by hand:
 *
 *     node --import tsx bench/tfjs.ts --config lstm-charlm --backend wasm
 *
 * Layout differences from PyTorch, handled when the shared weights are loaded: tfjs layers are
 * batch-first, kernels are stored transposed (in, G·H), there is one bias per layer (we load
 * b_ih + b_hh), and the gates default to the hard sigmoid (we ask for the logistic sigmoid). The LSTM gate order (i, f, c, o) is PyTorch's, so LSTM outputs match ours and
 * PyTorch's (the checksums agree). tfjs's GRU is Keras's reset_after=false variant with gates
 * (z, r, h); we load PyTorch's (r, z, n) blocks reordered, but its outputs differ by construction.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type BenchConfig,
  callSeconds,
  type LayerWeights,
  type Measurement,
  emit,
  emitChecksum,
  gates,
  inputSequence,
  layerWeights,
  measureSequence,
  measureStep,
  parseChildArgs,
  peakRssMiB,
  probeLengths,
  rssMiB,
  runChild,
  stepInput,
} from './common.js';

/** tfjs block order, as indices of PyTorch's gate blocks. */
function blockOrder(c: BenchConfig): number[] {
  return c.cell === 'LSTM' ? [0, 1, 2, 3] : [1, 0, 2];
}

/** PyTorch's (G·H, cols) matrix to tfjs's (cols, G·H), gate blocks reordered. */
function toKernel(w: Float32Array, c: BenchConfig, cols: number): Float32Array {
  const H = c.hidden;
  const order = blockOrder(c);
  const GH = order.length * H;
  const out = new Float32Array(cols * GH);
  order.forEach((src, dst) => {
    for (let r = 0; r < H; r++) {
      const from = (src * H + r) * cols;
      const to = dst * H + r;
      for (let j = 0; j < cols; j++) out[j * GH + to] = w[from + j]!;
    }
  });
  return out;
}

function toBias(w: LayerWeights, c: BenchConfig): Float32Array {
  const H = c.hidden;
  const out = new Float32Array(gates(c.cell) * H);
  blockOrder(c).forEach((src, dst) => {
    for (let r = 0; r < H; r++) out[dst * H + r] = w.biasIh[src * H + r]! + w.biasHh[src * H + r]!;
  });
  return out;
}

/** Time-major (T, B, I) values to batch-first (B, t, I), first t steps. */
function batchFirst(xs: Float32Array, c: BenchConfig, t: number): tf.Tensor3D {
  const out = new Float32Array(c.B * t * c.input);
  for (let s = 0; s < t; s++) {
    for (let b = 0; b < c.B; b++) {
      out.set(xs.subarray((s * c.B + b) * c.input, (s * c.B + b + 1) * c.input), (b * t + s) * c.input);
    }
  }
  return tf.tensor3d(out, [c.B, t, c.input]);
}

interface Forward {
  out: tf.Tensor;
  states: tf.Tensor[][];
}

async function main(): Promise<void> {
  const { config: c, budget, backend: wanted, figures } = parseChildArgs(process.argv.slice(2));
  const backend = wanted ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend must be wasm or cpu; got '${backend}'`);
  const details: Record<string, string | number | boolean> = { node: process.version };
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths(`${dist}${path.sep}`);
    await tf.setBackend('wasm');
    await tf.ready();
    details.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    details.multithread = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    details.wasmThreads = wasm.getThreadsCount();
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
  }
  if (tf.getBackend() !== backend) throw new Error(`tfjs backend is '${tf.getBackend()}', not '${backend}'`);
  emit({
    type: 'meta',
    framework: `tfjs-${backend}`,
    backend: tf.getBackend(),
    version: tf.version.tfjs,
    threads: typeof details.wasmThreads === 'number' ? details.wasmThreads : 1,
    details,
  });
  const baselineRssMiB = rssMiB();

  const layers: tf.layers.Layer[] = [];
  for (let k = 0; k < c.layers; k++) {
    const args = {
      units: c.hidden,
      returnSequences: true,
      returnState: true,
      recurrentActivation: 'sigmoid',
      kernelInitializer: 'zeros',
      recurrentInitializer: 'zeros',
      biasInitializer: 'zeros',
    } as const;
    layers.push(c.cell === 'LSTM' ? tf.layers.lstm(args) : tf.layers.gru(args));
  }
  const forward = (x: tf.Tensor, states?: tf.Tensor[][]): Forward => {
    let h = x;
    const next: tf.Tensor[][] = [];
    layers.forEach((layer, k) => {
      const r = layer.apply(h, states === undefined ? undefined : { initialState: states[k] }) as tf.Tensor[];
      h = r[0]!;
      next.push(r.slice(1));
    });
    return { out: h, states: next };
  };

  const xs = inputSequence(c);
  const x = batchFirst(xs, c, c.T);
  const prefixes = probeLengths(c).map((t) => batchFirst(xs, c, t));
  // Build the layers, then load the shared weights.
  tf.tidy(() => {
    forward(prefixes[0]!);
  });
  layers.forEach((layer, k) => {
    const w = layerWeights(c, k);
    layer.setWeights([
      tf.tensor2d(toKernel(w.weightIh, c, w.inSize), [w.inSize, gates(c.cell) * c.hidden]),
      tf.tensor2d(toKernel(w.weightHh, c, c.hidden), [c.hidden, gates(c.cell) * c.hidden]),
      tf.tensor1d(toBias(w, c)),
    ]);
  });

  // One-step generation at batch 1 with carried state.
  const x1 = tf.tensor3d(stepInput(c), [1, 1, c.input]);
  const perLayer = c.cell === 'LSTM' ? 2 : 1;
  let states: tf.Tensor[][] = layers.map(() => Array.from({ length: perLayer }, () => tf.zeros([1, c.hidden])));
  const step = (): void => {
    const flat = tf.tidy(() => forward(x1, states).states.flat());
    for (const s of states.flat()) s.dispose();
    states = layers.map((_, k) => flat.slice(k * perLayer, (k + 1) * perLayer));
  };
  if (figures.includes('gen')) emit(measureStep(c, step, budget));

  const infer = (input: tf.Tensor) => (): void => {
    tf.tidy(() => {
      forward(input);
    });
  };
  let inferResult: Measurement | undefined;
  if (figures.includes('infer')) {
    inferResult = measureSequence(c, 'infer', { full: infer(x), probes: prefixes.map(infer) }, budget);
    emit(inferResult);
    emitChecksum(c, inferResult, budget, () => tf.tidy(() => tf.sum(forward(x).out).dataSync()[0]!));
  }

  const opt = tf.train.sgd(1e-3);
  const train = (input: tf.Tensor) => (): void => {
    tf.tidy(() => {
      opt.minimize(() => tf.sum(forward(input).out) as tf.Scalar, false);
    });
  };
  const tensorsBefore = tf.memory().numTensors;
  if (figures.includes('train')) {
    const floorS = inferResult === undefined ? undefined : callSeconds(inferResult);
    emit(measureSequence(c, 'train', { full: train(x), probes: prefixes.map(train) }, budget, floorS));
  }
  const leakedTensors = tf.memory().numTensors - tensorsBefore;

  emit({ type: 'memory', config: c.name, peakRssMiB: peakRssMiB(), baselineRssMiB, leakedTensors });
}

runChild(main);
