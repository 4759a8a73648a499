/**
 * nn.RNN / nn.LSTM / nn.GRU as ONNX nodes: one RNN, LSTM or GRU node per layer (both directions
 * in one node), its Y reshaped to the next layer's input, the states sliced per layer and their
 * final values concatenated, as torch.onnx.export lays them out.
 *
 * What ONNX cannot say directly:
 * - LSTM `projSize` (h = W_hr·(o ⊙ tanh c)): ONNX's LSTM has no projection. Without initial
 *   states it is still exact: the node runs on m = o ⊙ tanh c with recurrent weights
 *   R = W_hh·W_hr, and a MatMul applies W_hr to Y and Y_h. A given h0 would need m0 with
 *   W_hr·m0 = h0, which has no exact answer: that case is an error.
 */
import { ValueError } from '../../errors.js';
import { cast } from '../../tensor/ops/cast.js';
import { concat, stack } from '../../tensor/ops/join.js';
import { matmul } from '../../tensor/ops/matmul.js';
import { transpose } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { GATE_ORDER, ONNX_PEEPHOLE_ORDER, permuteGates } from '../../nn/rnn/gates.js';
import type { RNNBase } from '../../nn/rnn/rnn_base.js';
import { floatOf, type GraphBuilder, type Value } from './graph_builder.js';
import type { OnnxDim } from './onnx_proto.js';

export interface RecurrentValues {
  output: Value;
  hn: Value;
  cn: Value | null;
}

/** Gate orders (ours → ONNX) by mode. */
function gateOrders(rnn: RNNBase): [readonly string[], readonly string[]] {
  if (rnn.mode === 'LSTM') return [GATE_ORDER.torchLstm, GATE_ORDER.onnxLstm];
  if (rnn.mode === 'GRU') return [GATE_ORDER.torchGru, GATE_ORDER.onnxGru];
  return [['h'], ['h']];
}

/** Our layer's tensors for one layer, in ONNX's layout: W, R, B (or null), P (or null), W_hrᵀ (or null). */
function layerWeights(rnn: RNNBase, layer: number): { W: Tensor; R: Tensor; B: Tensor | null; P: Tensor | null; projection: Tensor | null } {
  const [from, to] = gateOrders(rnn);
  const state = rnn.stateDict();
  const W: Tensor[] = [];
  const R: Tensor[] = [];
  const B: Tensor[] = [];
  const P: Tensor[] = [];
  const projection: Tensor[] = [];
  for (let dir = 0; dir < rnn.numDirections; dir++) {
    const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
    W.push(permuteGates(state[`weight_ih${sfx}`]!, 0, from, to));
    let recurrent = state[`weight_hh${sfx}`]!;
    const hr = state[`weight_hr${sfx}`];
    if (hr !== undefined) {
      // R = W_hh · W_hr, in float64 to round once.
      recurrent = cast(matmul(cast(recurrent, 'float64'), cast(hr, 'float64')), recurrent.dtype);
      projection.push(transpose(hr, 0, 1));
    }
    R.push(permuteGates(recurrent, 0, from, to));
    if (rnn.bias) B.push(concat([permuteGates(state[`bias_ih${sfx}`]!, 0, from, to), permuteGates(state[`bias_hh${sfx}`]!, 0, from, to)], 0));
    if (rnn.peepholes) P.push(concat(ONNX_PEEPHOLE_ORDER.map((g) => state[`weight_${g}${sfx}`]!)));
  }
  return {
    W: stack(W, 0),
    R: stack(R, 0),
    B: B.length > 0 ? stack(B, 0) : null,
    P: P.length > 0 ? stack(P, 0) : null,
    projection: projection.length > 0 ? stack(projection, 0) : null,
  };
}

/**
 * Emits the nodes of `rnn` reading `input` — (T, N, I), or (N, T, I) with batchFirst — and the
 * optional initial states (D·numLayers, N, ·). `prefix` names the initializers (`rnn.W_l0`).
 */
export function exportRecurrent(g: GraphBuilder, rnn: RNNBase, input: Value, prefix: string, h0: Value | null, c0: Value | null): RecurrentValues {
  const owner = prefix === '' ? rnn.constructor.name : `${rnn.constructor.name} '${prefix}'`;
  if (rnn.projSize > 0 && h0 !== null) {
    throw new ValueError(
      `exportOnnx: ${owner} has projSize ${rnn.projSize}; ONNX's LSTM has no projection, and the exact rewrite it is exported as (R = W_hh·W_hr, W_hr applied after) cannot take a given h0. Export without initialStates`,
    );
  }
  const D = rnn.numDirections;
  const H = rnn.hiddenSize;
  const [t, n] = rnn.batchFirst ? [input.shape[1] ?? null, input.shape[0] ?? null] : [input.shape[0] ?? null, input.shape[1] ?? null];
  const name = (s: string): string => (prefix === '' ? s : `${prefix}.${s}`);
  let x = rnn.batchFirst ? g.op('Transpose', [input], { perm: { ints: [1, 0, 2] } }, floatOf([t, n, input.shape[2] ?? null])) : input;
  const opType = rnn.mode === 'LSTM' ? 'LSTM' : rnn.mode === 'GRU' ? 'GRU' : 'RNN';
  const attributes: Parameters<GraphBuilder['node']>[2] = { hidden_size: { int: H }, direction: { string: D === 2 ? 'bidirectional' : 'forward' } };
  if (rnn.mode === 'GRU') attributes['linear_before_reset'] = { int: rnn.resetAfter ? 1 : 0 };
  if (rnn.mode === 'RNN_RELU') attributes['activations'] = { strings: Array<string>(D).fill('Relu') };
  const hs: Value[] = [];
  const cs: Value[] = [];
  const stateSlice = (s: Value | null, layer: number): Value | null => {
    if (s === null || rnn.numLayers === 1) return s;
    const starts = g.ints(name(`state_start_l${layer}`), [layer * D]);
    const ends = g.ints(name(`state_end_l${layer}`), [(layer + 1) * D]);
    return g.op('Slice', [s, starts, ends, g.ints(name(`state_axes_l${layer}`), [0])], {}, floatOf([D, ...s.shape.slice(1)]));
  };
  for (let layer = 0; layer < rnn.numLayers; layer++) {
    const w = layerWeights(rnn, layer);
    const inputs: (Value | null)[] = [
      x,
      g.constant(name(`W_l${layer}`), w.W),
      g.constant(name(`R_l${layer}`), w.R),
      w.B === null ? null : g.constant(name(`B_l${layer}`), w.B),
      null,
      stateSlice(h0, layer),
    ];
    if (rnn.mode === 'LSTM') inputs.push(stateSlice(c0, layer), w.P === null ? null : g.constant(name(`P_l${layer}`), w.P));
    while (inputs.length > 0 && inputs[inputs.length - 1] === null) inputs.pop();
    const outputs = [floatOf([t, D, n, H]), floatOf([D, n, H])];
    if (rnn.mode === 'LSTM') outputs.push(floatOf([D, n, H]));
    let [y, yh, yc] = g.node(opType, inputs, attributes, outputs) as [Value, Value, Value | undefined];
    let width = H;
    if (w.projection !== null) {
      width = rnn.projSize;
      const hr = g.constant(name(`W_hr_t_l${layer}`), w.projection);
      y = g.op('MatMul', [y, hr], {}, floatOf([t, D, n, width]));
      yh = g.op('MatMul', [yh, hr], {}, floatOf([D, n, width]));
    }
    hs.push(yh);
    if (yc !== undefined) cs.push(yc);
    const tbdh = g.op('Transpose', [y], { perm: { ints: [0, 2, 1, 3] } }, floatOf([t, n, D, width]));
    x = g.op('Reshape', [tbdh, g.ints(name(`shape_l${layer}`), [0, 0, D * width])], {}, floatOf([t, n, D * width]));
  }
  const joined = (list: Value[]): Value => {
    if (list.length === 1) return list[0]!;
    const shape: OnnxDim[] = [D * rnn.numLayers, ...list[0]!.shape.slice(1)];
    return g.op('Concat', list, { axis: { int: 0 } }, floatOf(shape));
  };
  const width = D * rnn.outputSize;
  const output = rnn.batchFirst ? g.op('Transpose', [x], { perm: { ints: [1, 0, 2] } }, floatOf([n, t, width])) : x;
  return { output, hn: joined(hs), cn: cs.length > 0 ? joined(cs) : null };
}
