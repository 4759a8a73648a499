/**
 * ONNX's LSTM, GRU and RNN operators, run as this library's nn.LSTM / nn.GRU / nn.RNN: at import,
 * the node's W, R, B (and LSTM's P) — initializers or Constants, as every exporter writes them —
 * are converted to our gate order and layout (gates.ts) and loaded into a one-layer module, which
 * becomes a submodule of the imported model (so its parameters have PyTorch's names).
 *
 * Supported: directions forward, reverse and bidirectional; layout 0 and 1; sequence_lens (each
 * sequence run over its own length, outputs past it zero, as packed sequences); initial states;
 * peepholes; GRU linear_before_reset 0 and 1; the default activations (and Relu for RNN). Other
 * activations, clip, and LSTM input_forget are errors naming the attribute.
 */
import { zerosOf } from '../../tensor/ops/common.js';
import { flip, narrow, permute, reshape, select, transpose } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { getRngState, setRngState } from '../../tensor/random.js';
import { packPaddedSequence } from '../../sequence/pack.js';
import { padPackedSequence } from '../../sequence/pad.js';
import { PackedSequence } from '../../sequence/packed.js';
import { GATE_ORDER, ONNX_PEEPHOLE_ORDER, permuteGates } from '../../nn/rnn/gates.js';
import { GRU } from '../../nn/rnn/gru.js';
import { LSTM } from '../../nn/rnn/lstm.js';
import { RNN } from '../../nn/rnn/rnn.js';
import type { BuildContext, Kernel, OperatorSpec } from './operator.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';

const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTIVATIONS: Record<Kind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

function spec(kind: Kind): OperatorSpec {
  const attributes: OperatorSpec['attributes'] = {
    activation_alpha: 'floats',
    activation_beta: 'floats',
    activations: 'strings',
    clip: 'float',
    direction: 'string',
    hidden_size: 'int',
    layout: 'int',
    ...(kind === 'LSTM' ? { input_forget: 'int' } : {}),
    ...(kind === 'GRU' ? { linear_before_reset: 'int' } : {}),
  };
  return { attributes, inputs: [3, kind === 'LSTM' ? 8 : 6], build: (ctx) => build(kind, ctx) };
}

export const RECURRENT_OPERATORS: Readonly<Record<Kind, OperatorSpec>> = { LSTM: spec('LSTM'), GRU: spec('GRU'), RNN: spec('RNN') };

function build(kind: Kind, ctx: BuildContext): Kernel {
  const { attrs } = ctx;
  for (const name of ['clip', 'activation_alpha', 'activation_beta']) {
    if (attrs.has(name)) throw attrs.error(`attribute '${name}' is not supported`);
  }
  if (attrs.int('input_forget', 0) !== 0) throw attrs.error(`attribute 'input_forget' = 1 (coupled input and forget gates) is not supported`);
  const direction = attrs.string('direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw attrs.error(`direction '${direction}' is not forward, reverse or bidirectional`);
  const D = direction === 'bidirectional' ? 2 : 1;
  const layout = attrs.int('layout', 0);
  if (layout !== 0 && layout !== 1) throw attrs.error(`layout ${layout} is not 0 or 1`);
  const given = (i: number, name: string): Tensor | null => {
    if (!ctx.hasInput(i)) return null;
    const t = ctx.constantInput(i);
    if (t === null) throw attrs.error(`input ${name} must be an initializer or a Constant (it holds the weights)`);
    if (t.dtype === 'int32') throw attrs.error(`input ${name} must be floating; got integers`);
    return t;
  };
  const W = given(1, 'W')!;
  const R = given(2, 'R')!;
  const B = given(3, 'B');
  const P = kind === 'LSTM' ? given(7, 'P') : null;
  if (W === null || R === null) throw attrs.error('inputs W and R are required');
  const G = GATES[kind];
  const H = attrs.has('hidden_size') ? attrs.int('hidden_size', 0) : (R.shape[2] ?? 0);
  const I = W.shape[2] ?? 0;
  const check = (name: string, t: Tensor | null, shape: number[]): void => {
    if (t !== null && (t.ndim !== shape.length || t.shape.some((d, k) => d !== shape[k]))) {
      throw attrs.error(`${name} must be [${shape.join(', ')}] for hidden_size ${H} and ${D} direction(s); got [${t.shape.join(', ')}]`);
    }
  };
  check('W', W, [D, G * H, I]);
  check('R', R, [D, G * H, H]);
  check('B', B, [D, 2 * G * H]);
  check('P', P, [D, 3 * H]);
  if (H <= 0 || I <= 0) throw attrs.error(`hidden_size ${H} and input size ${I} must be positive`);

  const activations = attrs.strings('activations');
  let nonlinearity: 'tanh' | 'relu' = 'tanh';
  if (activations !== null) {
    const expected = DEFAULT_ACTIVATIONS[kind];
    const relu = kind === 'RNN' && activations.every((a) => a === 'Relu');
    const defaults = activations.length === D * expected.length && activations.every((a, k) => a === expected[k % expected.length]);
    if (relu && activations.length === D) nonlinearity = 'relu';
    else if (!defaults) {
      throw attrs.error(
        `activations [${activations.join(', ')}] are not supported; supported: [${expected.join(', ')}] per direction${kind === 'RNN' ? ' or Relu' : ''}`,
      );
    }
  }

  // Building the layer draws an initialisation that the weights then replace: leave the random stream as it was.
  const rng = getRngState();
  const options = { inputSize: I, hiddenSize: H, bidirectional: D === 2, bias: B !== null, batchFirst: layout === 1 };
  const layer =
    kind === 'LSTM'
      ? new LSTM({ ...options, peepholes: P !== null })
      : kind === 'GRU'
        ? new GRU({ ...options, resetAfter: attrs.int('linear_before_reset', 0) !== 0 })
        : new RNN({ ...options, nonlinearity });
  setRngState(rng);
  const [ours, theirs] =
    kind === 'LSTM' ? [GATE_ORDER.torchLstm, GATE_ORDER.onnxLstm] : kind === 'GRU' ? [GATE_ORDER.torchGru, GATE_ORDER.onnxGru] : [['h'], ['h']];
  const state: Record<string, Tensor> = {};
  for (let d = 0; d < D; d++) {
    const sfx = `_l0${d === 1 ? '_reverse' : ''}`;
    state[`weight_ih${sfx}`] = permuteGates(select(W, 0, d), 0, theirs, ours);
    state[`weight_hh${sfx}`] = permuteGates(select(R, 0, d), 0, theirs, ours);
    if (B !== null) {
      state[`bias_ih${sfx}`] = permuteGates(narrow(select(B, 0, d), 0, 0, G * H), 0, theirs, ours);
      state[`bias_hh${sfx}`] = permuteGates(narrow(select(B, 0, d), 0, G * H, G * H), 0, theirs, ours);
    }
    if (P !== null) ONNX_PEEPHOLE_ORDER.forEach((g, k) => (state[`weight_${g}${sfx}`] = narrow(select(P, 0, d), 0, k * H, H)));
  }
  layer.loadStateDict(state);
  layer.eval();
  const reverse = direction === 'reverse';
  const run = (inputs: readonly (Tensor | null)[]): Tensor[] => {
    const x = inputs[0]!;
    const time = layout === 1 ? 1 : 0;
    const lengths = inputs[4] ?? null;
    if (reverse && lengths !== null) throw attrs.error('direction reverse with sequence_lens is not supported');
    // ONNX states are (D, N, H), or (N, D, H) with layout 1; ours are (D, N, H).
    const toOurs = (s: Tensor | null): Tensor | null => (s === null ? null : layout === 1 ? transpose(s, 0, 1) : s);
    const batch = x.shape[layout === 1 ? 0 : 1] ?? 0;
    let h0 = toOurs(inputs[5] ?? null);
    let c0 = toOurs(inputs[6] ?? null);
    if (kind === 'LSTM' && (h0 !== null || c0 !== null)) {
      h0 ??= zerosOf(x.dtype, [D, batch, H]);
      c0 ??= zerosOf(x.dtype, [D, batch, H]);
    }
    let input: Tensor | PackedSequence = reverse ? flip(x, time) : x;
    if (lengths !== null) input = packPaddedSequence(x, lengths, { batchFirst: layout === 1, enforceSorted: false });
    let out: Tensor | PackedSequence;
    let states: Tensor[];
    if (layer instanceof LSTM) {
      const [o, [h, c]] = layer.forward(input, h0 !== null && c0 !== null ? [h0, c0] : null);
      [out, states] = [o, [h, c]];
    } else {
      const [o, h] = layer.forward(input, h0);
      [out, states] = [o, [h]];
    }
    let y = out instanceof PackedSequence ? padPackedSequence(out, { batchFirst: layout === 1, totalLength: x.shape[time] })[0] : out;
    if (reverse) y = flip(y, time);
    // Ours: (T, N, D·H) or (N, T, D·H). ONNX's Y: (T, D, N, H), or (N, T, D, H) with layout 1.
    const split = reshape(y, [...y.shape.slice(0, 2), D, H]);
    const outputs = [layout === 1 ? split : permute(split, [0, 2, 1, 3])];
    for (const s of states) outputs.push(layout === 1 ? transpose(s, 0, 1) : s);
    return outputs;
  };
  return { run, layer, consumes: kind === 'LSTM' ? [1, 2, 3, 7] : [1, 2, 3] };
}
