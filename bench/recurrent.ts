/**
 * Benchmark child for this library: one configuration, through the public API of the built package
 * (dist/, as users get it) and the default backend (or `--backend NAME`). Run by bench/run.ts,
 * which `npm run bench` runs after building; by hand:
 *
 *     npm run build && node --import tsx bench/recurrent.ts --config lstm-charlm [--backend reference]
 */
import { readFileSync } from 'node:fs';
import * as recurrent from 'recurrent';
import { nn, optim, tensor, noGrad, getBackend, setBackend, listBackends, type Tensor } from 'recurrent';
import {
  type BenchConfig,
  callSeconds,
  emit,
  emitChecksum,
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

type Model = nn.LSTM | nn.GRU;

/** Threads the active backend computes with: the reference backend has one; the wasm backend says. */
function threads(): number {
  const api: Record<string, unknown> = recurrent;
  const get = api.getNumThreads;
  return getBackend() !== 'reference' && typeof get === 'function' ? Number(get()) : 1;
}

function build(c: BenchConfig): Model {
  const options = { inputSize: c.input, hiddenSize: c.hidden, numLayers: c.layers };
  const model = c.cell === 'LSTM' ? new nn.LSTM(options) : new nn.GRU(options);
  const dict: Record<string, Tensor> = {};
  const G = c.cell === 'LSTM' ? 4 : 3;
  for (let k = 0; k < c.layers; k++) {
    const w = layerWeights(c, k);
    dict[`weight_ih_l${k}`] = tensor(w.weightIh, [G * c.hidden, w.inSize]);
    dict[`weight_hh_l${k}`] = tensor(w.weightHh, [G * c.hidden, c.hidden]);
    dict[`bias_ih_l${k}`] = tensor(w.biasIh, [G * c.hidden]);
    dict[`bias_hh_l${k}`] = tensor(w.biasHh, [G * c.hidden]);
  }
  model.loadStateDict(dict);
  return model;
}

/** The output sequence; the two arms narrow the union so that each class's overloads resolve. */
function outputOf(model: Model, x: Tensor): Tensor {
  return model instanceof nn.LSTM ? model.forward(x)[0] : model.forward(x)[0];
}

async function main(): Promise<void> {
  const { config: c, budget, backend } = parseChildArgs(process.argv.slice(2));
  if (backend !== undefined) setBackend(backend);
  const pkg = JSON.parse(readFileSync(new URL('../packages/recurrent/package.json', import.meta.url), 'utf8')) as { version: string };
  emit({
    type: 'meta',
    framework: 'recurrent',
    backend: getBackend(),
    version: pkg.version,
    threads: threads(),
    details: { node: process.version, backends: listBackends().join(', ') },
  });
  const baselineRssMiB = rssMiB();

  const model = build(c);
  const opt = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const xs = inputSequence(c);
  const x = tensor(xs, [c.T, c.B, c.input]);
  const prefixes = probeLengths(c).map((t) => tensor(xs.subarray(0, t * c.B * c.input), [t, c.B, c.input]));

  // One-step generation at batch 1 with carried state.
  const x1 = tensor(stepInput(c), [1, 1, c.input]);
  const h0 = tensor(new Float32Array(c.layers * c.hidden), [c.layers, 1, c.hidden]);
  let h = h0;
  let cState = h0;
  const step =
    model instanceof nn.LSTM
      ? (): void => {
          noGrad(() => {
            const [, [hN, cN]] = model.forward(x1, [h, cState]);
            h = hN;
            cState = cN;
          });
        }
      : (): void => {
          noGrad(() => {
            h = model.forward(x1, h)[1];
          });
        };
  emit(measureStep(c, step, budget));

  const infer = (input: Tensor) => (): void => {
    noGrad(() => outputOf(model, input));
  };
  const inferResult = measureSequence(c, 'infer', { full: infer(x), probes: prefixes.map(infer) }, budget);
  emit(inferResult);
  emitChecksum(c, inferResult, budget, () => noGrad(() => outputOf(model, x).sum().item()));

  const train = (input: Tensor) => (): void => {
    opt.zeroGrad();
    outputOf(model, input).sum().backward();
    opt.step();
  };
  emit(measureSequence(c, 'train', { full: train(x), probes: prefixes.map(train) }, budget, callSeconds(inferResult)));

  emit({ type: 'memory', config: c.name, peakRssMiB: peakRssMiB(), baselineRssMiB });
}

runChild(main);
