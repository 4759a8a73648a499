/** nn.Bridge: turns an encoder's final states into a decoder's initial states when their sizes differ. */
import { ShapeError, ValueError, checkOptions, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { tanh } from '../../tensor/ops/elementwise.js';
import { checkTensor, zerosOf } from '../../tensor/ops/common.js';
import { narrow, permute, reshape } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Linear } from '../linear.js';
import { Module, paramDType, positiveInt } from '../module.js';

/** 'linear' (default): learned map; 'copy': the states as they are (sizes must match); 'zero': the decoder starts from zeros. */
export type BridgeKind = 'linear' | 'copy' | 'zero';
export const BRIDGE_KINDS: readonly BridgeKind[] = ['linear', 'copy', 'zero'];

export interface BridgeOptions {
  /** H_enc: hidden size of each encoder direction. */
  encoderHiddenSize: number;
  /** D: 2 for a bidirectional encoder, else 1; default 1. */
  encoderDirections?: 1 | 2;
  /** L_enc: encoder layers; default 1. */
  encoderLayers?: number;
  /** H_dec: decoder hidden size. */
  decoderHiddenSize: number;
  /** L_dec ≤ L_enc: decoder layers; default 1. */
  decoderLayers?: number;
  /** States the decoder's cell carries: 1 (h; GRU, RNN) or 2 (h and c; LSTM); default 2. */
  decoderStates?: 1 | 2;
  /** The rule; default 'linear'. */
  kind?: BridgeKind;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/**
 * The encoder's last L_dec layers become the decoder's L_dec layers. For each layer the two
 * directions' states are concatenated, [s→; s←] (D·H_enc), then, as in OpenNMT's bridge and
 * Bahdanau et al. (2015, appendix A.2.2):
 * - 'linear': h₀ = tanh(W_h [h→; h←] + b_h), c₀ = W_c [c→; c←] + b_c, one map per state kind
 *   shared by the layers; parameters `h_proj.weight` (H_dec, D·H_enc), `h_proj.bias`, and
 *   `c_proj.*` for two decoder states;
 * - 'copy': h₀ = [h→; h←] (needs D·H_enc = H_dec);
 * - 'zero': zeros.
 * An encoder with fewer states than the decoder (a GRU encoder, an LSTM decoder) gives c₀ = 0
 * ('copy', 'zero') or c₀ = W_c h + b_c ('linear', from the h states).
 *
 * Shapes: states, each (D·L_enc, N, H_enc) layer-major (PyTorch's order) → each (L_dec, N, H_dec).
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const bridge = new nn.Bridge({ encoderHiddenSize: 8, encoderDirections: 2, decoderHiddenSize: 12 });
 * const [h0, c0] = bridge.forward([randn([2, 3, 8]), randn([2, 3, 8])]);
 * [h0!.shape, c0!.shape]; // [[1, 3, 12], [1, 3, 12]]
 */
export class Bridge extends Module {
  readonly encoderHiddenSize: number;
  readonly encoderDirections: 1 | 2;
  readonly encoderLayers: number;
  readonly decoderHiddenSize: number;
  readonly decoderLayers: number;
  readonly decoderStates: 1 | 2;
  readonly kind: BridgeKind;
  readonly projections: Linear[];

  constructor(options: BridgeOptions) {
    super();
    const op = 'Bridge';
    checkOptions(op, options, {
      encoderHiddenSize: true,
      encoderDirections: true,
      encoderLayers: true,
      decoderHiddenSize: true,
      decoderLayers: true,
      decoderStates: true,
      kind: true,
      dtype: true,
    });
    this.encoderHiddenSize = positiveInt(op, 'encoderHiddenSize', options.encoderHiddenSize);
    this.decoderHiddenSize = positiveInt(op, 'decoderHiddenSize', options.decoderHiddenSize);
    this.encoderLayers = positiveInt(op, 'encoderLayers', options.encoderLayers ?? 1);
    this.decoderLayers = positiveInt(op, 'decoderLayers', options.decoderLayers ?? 1);
    const directions = options.encoderDirections ?? 1;
    if (directions !== 1 && directions !== 2) throw new ValueError(`${op}: encoderDirections must be 1 or 2; got ${String(directions)}`);
    const states = options.decoderStates ?? 2;
    if (states !== 1 && states !== 2) throw new ValueError(`${op}: decoderStates must be 1 or 2; got ${String(states)}`);
    this.encoderDirections = directions;
    this.decoderStates = states;
    const kind = options.kind ?? 'linear';
    if (!BRIDGE_KINDS.includes(kind)) throw new ValueError(`${op}: kind must be one of ${BRIDGE_KINDS.join(', ')}; got ${String(kind)}`);
    this.kind = kind;
    if (this.decoderLayers > this.encoderLayers && kind !== 'zero') {
      throw new ValueError(`${op}: decoderLayers (${this.decoderLayers}) must be ≤ encoderLayers (${this.encoderLayers}) unless kind is 'zero'`);
    }
    const width = directions * this.encoderHiddenSize;
    if (kind === 'copy' && width !== this.decoderHiddenSize) {
      throw new ValueError(
        `${op}: 'copy' needs encoderDirections·encoderHiddenSize (${width}) = decoderHiddenSize (${this.decoderHiddenSize}); use kind 'linear'`,
      );
    }
    const dtype = paramDType(op, options.dtype);
    this.projections =
      kind === 'linear'
        ? (['h', 'c'] as const)
            .slice(0, states)
            .map((name) => this.registerModule(`${name}_proj`, new Linear({ inFeatures: width, outFeatures: this.decoderHiddenSize, dtype })))
        : [];
  }

  forward(states: readonly Tensor[]): Tensor[] {
    const op = 'Bridge';
    if (!Array.isArray(states) || states.length < 1 || states.length > 2) {
      throw new ValueError(`${op}: states must be [h] or [h, c]; got ${Array.isArray(states) ? `${states.length} tensors` : typeof states}`);
    }
    const D = this.encoderDirections;
    const want = [D * this.encoderLayers, -1, this.encoderHiddenSize];
    const merged = states.map((s, i) => {
      checkTensor(op, `states[${i}]`, s);
      if (s.ndim !== 3 || s.shape[0] !== want[0] || s.shape[2] !== want[2]) {
        throw new ShapeError(`${op}: states[${i}] must be (D·L_enc, N, H_enc) = (${want[0]}, N, ${want[2]}); got ${fmtShape(s.shape)}`);
      }
      const batch = s.shape[1]!;
      // (L·D, N, H) → (L, D, N, H) → (L, N, D, H) → (L, N, D·H), then the top L_dec layers.
      const layers = reshape(permute(reshape(s, [this.encoderLayers, D, batch, this.encoderHiddenSize]), [0, 2, 1, 3]), [
        this.encoderLayers,
        batch,
        D * this.encoderHiddenSize,
      ]);
      return this.kind === 'zero' ? layers : narrow(layers, 0, this.encoderLayers - this.decoderLayers, this.decoderLayers);
    });
    const batch = states[0]!.shape[1]!;
    const zeros = (): Tensor => zerosOf(states[0]!.dtype, [this.decoderLayers, batch, this.decoderHiddenSize]);
    const out: Tensor[] = [];
    for (let i = 0; i < this.decoderStates; i++) {
      if (this.kind === 'zero') out.push(zeros());
      else if (this.kind === 'copy') out.push(merged[i] ?? zeros());
      else {
        const projected = this.projections[i]!.forward(merged[i] ?? merged[0]!);
        out.push(i === 0 ? tanh(projected) : projected);
      }
    }
    return out;
  }
}
