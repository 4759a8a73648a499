/**
 * A language model's insides over a stretch of text, computed step by step with the library's
 * tensor ops from the model's own weights (PyTorch's gate equations, batch 1): every layer's hidden
 * state, the LSTM's cell state, the gate activations, the next-character probabilities, and the
 * gradient of the loss at the last step with respect to each top-layer hidden state h_t.
 *
 * The fused layers keep gates inside their kernels; this unrolled copy exposes them. A test
 * (test/playground/insides.test.ts) checks that it gives the model's own outputs.
 */
import { crossEntropy, linear, mul, noGrad, sigmoid, softmax, stack, sub, tanh, add, zeros, Tensor, type nn } from 'recurrent';

export interface Unrolled {
  /** Per layer, (T, H) hidden states, row-major. */
  h: Float32Array[];
  /** Per layer, (T, H) cell states (LSTM), else empty. */
  c: Float32Array[];
  /** Top layer gate activations, (T, H) each: input, forget, output (LSTM); reset, update (GRU). */
  gates: { name: string; values: Float32Array }[];
  /** (T, V) next-token probabilities. */
  probs: Float32Array;
  /** ‖∂L/∂h_t‖ of the top layer for t = 0…T−1, L = −log p(target) at the last step; with a target only. */
  gradNorms: number[] | null;
}

interface LayerWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

function weightsOf(model: nn.LanguageModel, layer: number): LayerWeights {
  const dict = model.rnn.stateDict();
  const get = (name: string): Tensor | null => dict[`${name}_l${layer}`] ?? null;
  return { wIh: get('weight_ih')!, wHh: get('weight_hh')!, bIh: get('bias_ih'), bHh: get('bias_hh') };
}

/** The H-wide block k of a (1, G·H) row of gate pre-activations. */
const block = (x: Tensor, k: number, H: number): Tensor => x.narrow(1, k * H, H);
const rows = (ts: Tensor[]): Float32Array => Float32Array.from(stack(ts, 0).data);

/**
 * Runs `model` over `ids` (T token ids) from a zero state. With `target` (the token after the
 * last), also returns the gradient norms; the model's parameters get no gradient.
 */
export function unroll(model: nn.LanguageModel, ids: Int32Array, target: number | null): Unrolled {
  const run = (): Unrolled => unrollWith(model, ids, target);
  return target === null ? noGrad(run) : run();
}

function unrollWith(model: nn.LanguageModel, ids: Int32Array, target: number | null): Unrolled {
  const { cell, hiddenSize: H, numLayers } = model.options;
  const T = ids.length;
  let input = model.embedding.forward(new Tensor(ids, [T])).detach(); // (T, E)
  const out: Unrolled = { h: [], c: [], gates: [], probs: new Float32Array(0), gradNorms: null };
  const taps: Tensor[] = [];
  let top: Tensor[] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    const w = weightsOf(model, layer);
    const isTop = layer === numLayers - 1;
    const xProj = linear(input, w.wIh, w.bIh ?? undefined); // (T, G·H)
    let h = zeros([1, H]);
    let c = zeros([1, H]);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    const gateRows: Record<string, Tensor[]> = {};
    const keep = (name: string, g: Tensor): void => {
      if (isTop) (gateRows[name] ??= []).push(g.reshape([H]));
    };
    for (let t = 0; t < T; t++) {
      const x = xProj.narrow(0, t, 1);
      const hh = linear(h, w.wHh, w.bHh ?? undefined);
      if (cell === 'lstm') {
        const g = add(x, hh);
        const i = sigmoid(block(g, 0, H));
        const f = sigmoid(block(g, 1, H));
        const cand = tanh(block(g, 2, H));
        const o = sigmoid(block(g, 3, H));
        c = add(mul(f, c), mul(i, cand));
        h = mul(o, tanh(c));
        keep('input', i);
        keep('forget', f);
        keep('output', o);
        cs.push(c.reshape([H]));
      } else if (cell === 'gru') {
        const r = sigmoid(add(block(x, 0, H), block(hh, 0, H)));
        const z = sigmoid(add(block(x, 1, H), block(hh, 1, H)));
        const n = tanh(add(block(x, 2, H), mul(r, block(hh, 2, H))));
        h = add(mul(sub(1, z), n), mul(z, h));
        keep('reset', r);
        keep('update', z);
      } else {
        h = tanh(add(x, hh));
      }
      if (isTop && target !== null) {
        // h_t + 0: the zero's gradient is ∂L/∂h_t, and the recurrence continues through it.
        const tap = zeros([1, H], { requiresGrad: true });
        taps.push(tap);
        h = add(h, tap);
      }
      hs.push(h.reshape([H]));
    }
    const seq = stack(hs, 0); // (T, H)
    out.h.push(Float32Array.from(seq.data));
    if (cs.length > 0) out.c.push(rows(cs));
    if (isTop) out.gates = Object.entries(gateRows).map(([name, values]) => ({ name, values: rows(values) }));
    top = hs;
    input = seq;
  }
  const { weight, bias } = model.decoder;
  const logits = linear(stack(top, 0), weight.detach(), bias?.detach()); // (T, V)
  out.probs = Float32Array.from(noGrad(() => softmax(logits.detach(), -1)).data);
  if (target !== null) {
    crossEntropy(logits.narrow(0, T - 1, 1), new Tensor(Int32Array.of(target), [1])).backward();
    out.gradNorms = taps.map((tap) => {
      const g = tap.grad?.data ?? new Float32Array(H);
      let s = 0;
      for (let k = 0; k < g.length; k++) s += g[k]! * g[k]!;
      return Math.sqrt(s);
    });
  }
  return out;
}
