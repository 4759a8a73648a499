/**
 * The three figures of one configuration on this library, through its public API: one-step
 * generation, inference and training, as DESIGN §10 defines them. Shared by the Node child
 * (bench/recurrent.ts) and the page of the browser child (bench/browser_page.ts), which pass
 * their own `emit`.
 */
import { nn, optim, tensor, noGrad, type Tensor } from 'recurrent';
import {
  type BenchConfig,
  type Budget,
  type Measurement,
  type ChildRecord,
  type Figure,
  FIGURES,
  callSeconds,
  emitChecksum,
  inputSequence,
  layerWeights,
  measureSequence,
  measureStep,
  probeLengths,
  stepInput,
} from './common.js';

type Model = nn.LSTM | nn.GRU;

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

/**
 * Measures generation, inference (with its checksum) and training of `c`, or those of them in
 * `figures`, emitting each record.
 */
export function measureRecurrent(c: BenchConfig, budget: Budget, emit: (r: ChildRecord) => void, figures: readonly Figure[] = FIGURES): void {
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
  if (figures.includes('gen')) emit(measureStep(c, step, budget));

  const infer = (input: Tensor) => (): void => {
    noGrad(() => outputOf(model, input));
  };
  let inferResult: Measurement | undefined;
  if (figures.includes('infer')) {
    inferResult = measureSequence(c, 'infer', { full: infer(x), probes: prefixes.map(infer) }, budget);
    emit(inferResult);
    emitChecksum(c, inferResult, budget, () => noGrad(() => outputOf(model, x).sum().item()), emit);
  }

  const train = (input: Tensor) => (): void => {
    opt.zeroGrad();
    outputOf(model, input).sum().backward();
    opt.step();
  };
  if (figures.includes('train')) {
    const floorS = inferResult === undefined ? undefined : callSeconds(inferResult);
    emit(measureSequence(c, 'train', { full: train(x), probes: prefixes.map(train) }, budget, floorS));
  }
}
