/**
 * RNNBase: what RNN, LSTM and GRU share, as in torch/nn/modules/rnn.py. The mode picks the gate
 * count G (RNN 1, GRU 3, LSTM 4); everything else — parameters, input forms, layers, directions,
 * packed sequences, inter-layer dropout — is common.
 *
 * Execution: per layer and direction, the input projections of all steps are one product
 * (linear over the packed rows), then a fused recurrence op runs the sequence (DESIGN §4).
 */
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape, fmtValue } from '../../errors.js';
import { type DType, checkAllocation } from '../../tensor/dtype.js';
import { checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { dropout as dropoutOp } from '../../tensor/ops/dropout.js';
import { indexSelect } from '../../tensor/ops/indexing.js';
import { concat, split, stack } from '../../tensor/ops/join.js';
import { linear } from '../../tensor/ops/matmul.js';
import { fusedRecurrenceAvailable, gruRecurrence, lstmRecurrence, rnnRecurrence } from '../../tensor/ops/recurrence.js';
import { reshape, select, squeeze, transpose, unsqueeze } from '../../tensor/ops/view.js';
import { checkpoint } from '../../tensor/autograd/checkpoint.js';
import { willRecord } from '../../tensor/autograd/tape.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { getRngState, setRngState } from '../../tensor/random.js';
import { PackedSequence } from '../../sequence/packed.js';
import { uniformInit } from '../init.js';
import { Module, paramDType, positiveInt } from '../module.js';
import { gruStep, lstmStep, rnnStep } from './cell_steps.js';
import { composedRecurrence, type StepFn } from './composed_recurrence.js';
import type { CellBase, CellOptions } from './cells.js';

export type RNNMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Options shared by nn.RNN, nn.LSTM and nn.GRU (PyTorch's arguments in camelCase). */
export interface RNNBaseOptions {
  /** Features of each input step. */
  inputSize: number;
  /** Features of the hidden state h. */
  hiddenSize: number;
  /** Stacked recurrent layers; default 1. */
  numLayers?: number;
  /** Use bias_ih and bias_hh; default true. */
  bias?: boolean;
  /** Input and output are (N, L, ·) instead of (L, N, ·); states are unaffected. Default false. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training; default 0. */
  dropout?: number;
  /** Run a second, reversed direction and concatenate; default false. */
  bidirectional?: boolean;
  /** Parameter dtype; default float32. */
  dtype?: DType;
  /**
   * 'fused' (default): whole-sequence kernels with an analytic backward. 'composed': the cell
   * stepped over time with ordinary ops — slower; the reference the fused path is tested against.
   */
  implementation?: 'fused' | 'composed';
  /**
   * Gradient checkpointing every k time steps; default 0 (off). When on, and a backward will
   * follow (grad mode on and the input, a state or a parameter requires grad), each layer and
   * direction runs its sequence as segments of k steps under `checkpoint`, the segment's input
   * projection included: between forward and backward only the states at segment boundaries,
   * each layer's input and output stay alive, instead of the input projections (N, G·H) and the
   * gate cache of the whole sequence; backward runs each segment's forward again, one segment at
   * a time. Beside each layer's input and output (kept twice: once whole, once in segments), what
   * stays alive then grows as (T/k)·B·H for the boundary states plus k·B·G·H for the segment being
   * recomputed, rather than T·B·G·H; k of the order of √T keeps the least. The price is about one
   * extra forward pass per training step (11–21% more time for an LSTM of 256 units at T = 2000,
   * B = 32; bench/RESULTS.md). Outputs and gradients are
   * the same as without it; under `noGrad` it changes nothing. Not part of the weights: state
   * dicts neither hold nor change it.
   */
  checkpointEvery?: number;
}

/** The options of RNNBaseOptions, for checkOptions in RNN, LSTM and GRU. */
export const RNN_BASE_KEYS: Record<keyof Required<RNNBaseOptions>, true> = {
  inputSize: true,
  hiddenSize: true,
  numLayers: true,
  bias: true,
  batchFirst: true,
  dropout: true,
  bidirectional: true,
  dtype: true,
  implementation: true,
  checkpointEvery: true,
};

/** One layer and direction's parameters, by role (null where the module has none). */
interface LayerWeights {
  wIH: Tensor;
  bIH: Tensor | null;
  wHH: Tensor;
  bHH: Tensor | null;
  wHR: Tensor | null;
  /** w_ci, w_cf, w_co concatenated (3H). */
  peep: Tensor | null;
}

interface ModeOptions {
  projSize: number;
  peepholes: boolean;
  resetAfter: boolean;
}

const GATES: Record<RNNMode, number> = { RNN_TANH: 1, RNN_RELU: 1, GRU: 3, LSTM: 4 };

export interface RecurrentResult {
  output: Tensor | PackedSequence;
  /** (D·numLayers, N, ·) final states: [h] or, for LSTM, [h, c]. */
  states: Tensor[];
}

export abstract class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  readonly peepholes: boolean;
  readonly resetAfter: boolean;
  implementation: 'fused' | 'composed';
  private checkpointSteps = 0;

  protected constructor(mode: RNNMode, options: RNNBaseOptions, extra: ModeOptions) {
    super();
    const name = mode.startsWith('RNN') ? 'RNN' : mode;
    this.mode = mode;
    this.inputSize = positiveInt(name, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInt(name, 'hiddenSize', options.hiddenSize);
    this.numLayers = positiveInt(name, 'numLayers', options.numLayers ?? 1);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    this.projSize = extra.projSize;
    this.peepholes = extra.peepholes;
    this.resetAfter = extra.resetAfter;
    this.implementation = options.implementation ?? 'fused';
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new ValueError(`${name}: dropout must be a number in [0, 1]; got ${options.dropout}`);
    }
    if (!Number.isInteger(this.projSize) || this.projSize < 0 || (this.projSize > 0 && this.projSize >= this.hiddenSize)) {
      throw new ValueError(`${name}: projSize must be a non-negative integer smaller than hiddenSize ${this.hiddenSize}; got ${this.projSize}`);
    }
    if (this.implementation !== 'fused' && this.implementation !== 'composed') {
      throw new ValueError(`${name}: implementation must be 'fused' or 'composed'; got ${String(options.implementation)}`);
    }
    this.checkpointEvery = options.checkpointEvery ?? 0;
    this.createParameters(paramDType(name, options.dtype));
  }

  /** Time steps per checkpointed segment in training, 0 when off (see RNNBaseOptions.checkpointEvery); settable. */
  get checkpointEvery(): number {
    return this.checkpointSteps;
  }

  set checkpointEvery(k: number) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
      throw new ValueError(`${this.opName}: checkpointEvery must be 0 (off) or a positive integer number of time steps; got ${fmtValue(k)}`);
    }
    this.checkpointSteps = k;
  }

  /** D: 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** H_out: projSize when projecting, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  private get opName(): string {
    return this.constructor.name;
  }

  /** Registers parameters in PyTorch's order: per layer, per direction, w_ih, w_hh, b_ih, b_hh, w_hr (then peepholes). */
  private createParameters(dtype: DType): void {
    const H = this.hiddenSize;
    const G = GATES[this.mode] * H;
    const bound = 1 / Math.sqrt(H);
    const specs: [string, number[]][] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const layerInput = layer === 0 ? this.inputSize : this.outputSize * this.numDirections;
      for (let dir = 0; dir < this.numDirections; dir++) {
        const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        specs.push([`weight_ih${sfx}`, [G, layerInput]], [`weight_hh${sfx}`, [G, this.outputSize]]);
        if (this.bias) specs.push([`bias_ih${sfx}`, [G]], [`bias_hh${sfx}`, [G]]);
        if (this.projSize > 0) specs.push([`weight_hr${sfx}`, [this.projSize, H]]);
        if (this.peepholes) for (const gate of ['ci', 'cf', 'co']) specs.push([`weight_${gate}${sfx}`, [H]]);
      }
    }
    // Every shape is checked first, so that an impossible size fails at once, before any large allocation.
    for (const [name, shape] of specs) checkAllocation(`${this.opName}: ${name}: uniform`, dtype, shape);
    for (const [name, shape] of specs) this.registerParameter(name, uniformInit(shape, bound, dtype, `${this.opName}: ${name}`));
  }

  /**
   * The cell of `layer` and `direction` (1 = reverse) with this module's tensors as its
   * parameters (see the subclasses' `cell()`). `make` builds the cell from its sizes; the random
   * initialisation it draws is undone, so asking for a cell leaves the random stream as it was.
   */
  protected cellView<C extends CellBase>(layer: number, direction: number, make: (options: CellOptions) => C): C {
    const name = this.opName;
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.numLayers) {
      throw new IndexError(`${name}.cell: layer must be an integer in [0, ${this.numLayers}); got ${String(layer)}`);
    }
    if (direction !== 0 && !(direction === 1 && this.bidirectional)) {
      throw new IndexError(`${name}.cell: direction must be 0${this.bidirectional ? ' or 1' : ' (the module is not bidirectional)'}; got ${String(direction)}`);
    }
    if (this.projSize > 0)
      throw new ValueError(
        `${name}.cell: an LSTM with projSize has no LSTMCell equivalent (weight_hr projects h); step the layer with forward on length-1 sequences instead`,
      );
    if (this.peepholes)
      throw new ValueError(`${name}.cell: an LSTM with peepholes has no LSTMCell equivalent; step the layer with forward on length-1 sequences instead`);
    const sfx = `_l${layer}${direction === 1 ? '_reverse' : ''}`;
    const weightIH = this.param(`weight_ih${sfx}`);
    const rng = getRngState();
    const cell = make({ inputSize: weightIH.shape[1]!, hiddenSize: this.hiddenSize, bias: this.bias, dtype: weightIH.dtype });
    setRngState(rng);
    return cell.shareParameters({
      weight_ih: weightIH,
      weight_hh: this.param(`weight_hh${sfx}`),
      bias_ih: this.optionalParam(`bias_ih${sfx}`),
      bias_hh: this.optionalParam(`bias_hh${sfx}`),
    });
  }

  /** Shapes of the state tensors for a batch of `n`: h, and c for LSTM. */
  private stateShapes(n: number): number[][] {
    const layers = this.numDirections * this.numLayers;
    const h = [layers, n, this.outputSize];
    return this.mode === 'LSTM' ? [h, [layers, n, this.hiddenSize]] : [h];
  }

  /** Runs every layer and direction; subclasses shape the result into PyTorch's tuples. */
  protected runLayers(input: Tensor | PackedSequence, hx: Tensor[] | null): RecurrentResult {
    const name = this.opName;
    const packed = input instanceof PackedSequence ? input : null;
    let data: Tensor;
    let batchSizes: Int32Array;
    let batch: number;
    let steps = 0;
    let unbatched = false;
    if (packed) {
      data = packed.data;
      batchSizes = packed.batchSizes.data as Int32Array;
      batch = packed.batchSize;
      if (data.ndim !== 2) throw new ShapeError(`${name}: packed input data must be 2-D (N, inputSize); got ${fmtShape(data.shape)}`);
    } else {
      const x = checkTensor(name, 'input', input);
      if (x.ndim !== 2 && x.ndim !== 3) {
        throw new ShapeError(`${name}: expected input to be 2-D (unbatched) or 3-D (batched); got ${x.ndim}-D tensor ${fmtShape(x.shape)}`);
      }
      unbatched = x.ndim === 2;
      const timeMajor = unbatched ? unsqueeze(x, 1) : this.batchFirst ? transpose(x, 0, 1) : x;
      [steps, batch] = timeMajor.shape as [number, number];
      data = reshape(timeMajor, [steps * batch, timeMajor.shape[2]!]);
      batchSizes = new Int32Array(steps).fill(batch);
    }
    if (data.shape[1] !== this.inputSize) {
      throw new ShapeError(
        `${name}: input's last axis must be inputSize ${this.inputSize}; got ${data.shape[1]} (input ${fmtShape(packed ? data.shape : (input as Tensor).shape)})`,
      );
    }
    const dtype = this.parameters()[0]!.dtype;
    if (data.dtype !== dtype) throw new DTypeError(`${name}: input is ${data.dtype} but the parameters are ${dtype}`);

    let states = this.initialStates(hx, batch, unbatched, dtype);
    if (packed?.sortedIndices) states = states.map((s) => indexSelect(s, 1, packed.sortedIndices!));

    let layerInput = data;
    const finals: Tensor[][] = states.map(() => []);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let dir = 0; dir < this.numDirections; dir++) {
        const index = layer * this.numDirections + dir;
        // One layer and direction: its state is the whole tensor, taken as a view (no copy).
        const init = states.map((s) => (s.shape[0] === 1 ? reshape(s, s.shape.slice(1)) : select(s, 0, index)));
        const [out, ...last] = this.recur(layer, dir, layerInput, init, batchSizes);
        outputs.push(out!);
        last.forEach((s, k) => finals[k]!.push(s));
      }
      const out = outputs.length === 1 ? outputs[0]! : concat(outputs, 1);
      const between = this.dropout > 0 && this.training && layer < this.numLayers - 1;
      layerInput = between ? dropoutOp(out, this.dropout, true) : out;
    }
    let finalStates = finals.map((list) => (list.length === 1 ? unsqueeze(list[0]!, 0) : stack(list, 0)));
    if (packed?.unsortedIndices) finalStates = finalStates.map((s) => indexSelect(s, 1, packed.unsortedIndices!));
    if (packed) return { output: packed.withData(layerInput), states: finalStates };

    const width = this.numDirections * this.outputSize;
    let output = reshape(layerInput, [steps, batch, width]);
    if (unbatched) return { output: squeeze(output, 1), states: finalStates.map((s) => squeeze(s, 1)) };
    if (this.batchFirst) output = transpose(output, 0, 1);
    return { output, states: finalStates };
  }

  private initialStates(hx: Tensor[] | null, batch: number, unbatched: boolean, dtype: DType): Tensor[] {
    const shapes = this.stateShapes(batch);
    if (hx === null) return shapes.map((s) => zerosOf(dtype, s));
    const names = this.mode === 'LSTM' ? ['h0', 'c0'] : ['h0'];
    return hx.map((state, k) => {
      checkTensor(this.opName, names[k]!, state);
      const expected = unbatched ? [shapes[k]![0]!, shapes[k]![2]!] : shapes[k]!;
      if (!shapesEqual(state.shape, expected)) {
        throw new ShapeError(`${this.opName}: expected ${names[k]} of shape ${fmtShape(expected)}; got ${fmtShape(state.shape)}`);
      }
      if (state.dtype !== dtype) throw new DTypeError(`${this.opName}: ${names[k]} is ${state.dtype} but the parameters are ${dtype}`);
      return unbatched ? unsqueeze(state, 1) : state;
    });
  }

  /** Whether this call runs the fused kernels: asked for, and offered by the active backend. */
  private fused(cell: 'rnn' | 'lstm' | 'gru'): boolean {
    return this.implementation === 'fused' && fusedRecurrenceAvailable(cell);
  }

  /** The parameters of `layer` and direction `dir`, in a fixed order: those the module has, of W_ih, b_ih, W_hh, b_hh, W_hr, w_ci, w_cf, w_co. */
  private layerWeights(layer: number, dir: number): Tensor[] {
    const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
    const names = ['weight_ih', 'bias_ih', 'weight_hh', 'bias_hh', 'weight_hr', 'weight_ci', 'weight_cf', 'weight_co'];
    return names.map((n) => this.optionalParam(`${n}${sfx}`)).filter((t): t is Tensor => t !== null);
  }

  /** `layerWeights`' list by name (null where absent). */
  private namedWeights(list: readonly Tensor[]): LayerWeights {
    let at = 0;
    const next = (): Tensor => list[at++]!;
    const wIH = next();
    const bIH = this.bias ? next() : null;
    const wHH = next();
    const bHH = this.bias ? next() : null;
    const wHR = this.projSize > 0 ? next() : null;
    const peep = this.peepholes ? concat([next(), next(), next()], 0) : null;
    return { wIH, bIH, wHH, bHH, wHR, peep };
  }

  /**
   * One layer and direction over packed rows: [out (N, P), final states (B, ·)…]. Checkpointed in
   * segments when checkpointEvery is set and a backward will follow.
   */
  private recur(layer: number, dir: number, input: Tensor, init: Tensor[], batchSizes: Int32Array): Tensor[] {
    const weights = this.layerWeights(layer, dir);
    const k = this.checkpointSteps;
    if (k > 0 && batchSizes.length > 0 && willRecord([input, ...init, ...weights])) {
      return this.recurCheckpointed(input, init, batchSizes, dir === 1, weights, k);
    }
    return this.recurSequence(input, init, batchSizes, dir === 1, this.namedWeights(weights));
  }

  /**
   * `recurSequence` in segments of k steps, each under `checkpoint`, chained through the states.
   * The packed rows of consecutive steps are contiguous, so a segment is a block of rows with the
   * matching slice of batchSizes. Rows of sequences that are inactive in a segment (finished, or in
   * reverse not yet started) pass through the fused kernels unchanged, in forward and in backward,
   * so the chained result is exactly the unsegmented one. The reverse direction runs the segments
   * last to first.
   */
  private recurCheckpointed(input: Tensor, init: Tensor[], batchSizes: Int32Array, reverse: boolean, weights: Tensor[], k: number): Tensor[] {
    const T = batchSizes.length;
    const rowAt = [0];
    for (let t = 0; t < T; t++) rowAt.push(rowAt[t]! + batchSizes[t]!);
    const segments: [number, number][] = [];
    for (let t0 = 0; t0 < T; t0 += k) segments.push([t0, Math.min(T, t0 + k)]);
    // One split in time order, whose backward joins the segments' input gradients in one pass.
    const pieces = split(
      input,
      segments.map(([t0, t1]) => rowAt[t1]! - rowAt[t0]!),
      0,
    );
    const numStates = init.length;
    const outputs: Tensor[] = new Array<Tensor>(segments.length);
    let states = init;
    for (let n = 0; n < segments.length; n++) {
      const s = reverse ? segments.length - 1 - n : n;
      const [t0, t1] = segments[s]!;
      const sizes = batchSizes.subarray(t0, t1);
      // Parameters are passed as inputs, so that the segment records (and returns their
      // gradients) even when neither the input nor the states require grad.
      const [out, ...last] = checkpoint(
        (x: Tensor, ...rest: Tensor[]) => this.recurSequence(x, rest.slice(0, numStates), sizes, reverse, this.namedWeights(rest.slice(numStates))),
        pieces[s]!,
        ...states,
        ...weights,
      );
      outputs[s] = out!;
      states = last;
    }
    return [concat(outputs, 0), ...states];
  }

  /** One layer and direction over packed rows, whole: input projections, then the recurrence. */
  private recurSequence(input: Tensor, init: Tensor[], batchSizes: Int32Array, reverse: boolean, w: LayerWeights): Tensor[] {
    const { wHH, bHH } = w;
    const xProj = linear(input, w.wIH, w.bIH);
    const options = { batchSizes, reverse };
    if (this.mode === 'LSTM') {
      const { wHR, peep } = w;
      if (this.fused('lstm')) return lstmRecurrence(xProj, init[0]!, init[1]!, wHH, bHH, wHR, peep, options);
      return composedRecurrence((xp, s) => lstmStep(xp, s[0]!, s[1]!, wHH, bHH, wHR, peep), xProj, init, batchSizes, reverse);
    }
    if (this.mode === 'GRU') {
      if (this.fused('gru')) return gruRecurrence(xProj, init[0]!, wHH, bHH, { ...options, resetAfter: this.resetAfter });
      const step: StepFn = (xp, s) => [gruStep(xp, s[0]!, wHH, bHH, this.resetAfter)];
      return composedRecurrence(step, xProj, init, batchSizes, reverse);
    }
    const nonlinearity = this.mode === 'RNN_RELU' ? 'relu' : 'tanh';
    if (this.fused('rnn')) return rnnRecurrence(xProj, init[0]!, wHH, bHH, { ...options, nonlinearity });
    return composedRecurrence((xp, s) => [rnnStep(xp, s[0]!, wHH, bHH, nonlinearity)], xProj, init, batchSizes, reverse);
  }

  /** PyTorch's form: the sizes, then the options that differ from their defaults. */
  override extraRepr(): string {
    const extras = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (this.projSize !== 0) extras.push(`projSize=${this.projSize}`);
    if (this.numLayers !== 1) extras.push(`numLayers=${this.numLayers}`);
    if (this.mode === 'RNN_RELU') extras.push(`nonlinearity='relu'`);
    if (!this.bias) extras.push('bias=false');
    if (this.batchFirst) extras.push('batchFirst=true');
    if (this.dropout !== 0) extras.push(`dropout=${this.dropout}`);
    if (this.bidirectional) extras.push('bidirectional=true');
    if (this.peepholes) extras.push('peepholes=true');
    if (this.mode === 'GRU' && !this.resetAfter) extras.push('resetAfter=false');
    if (this.implementation !== 'fused') extras.push(`implementation='${this.implementation}'`);
    if (this.checkpointSteps !== 0) extras.push(`checkpointEvery=${this.checkpointSteps}`);
    return extras.join(', ');
  }
}
