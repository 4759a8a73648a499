/** nn.Bidirectional: Keras's Bidirectional wrapper around an nn.Recurrent layer. */
import { checkOptions, ShapeError, ValueError } from '../../errors.js';
import { add, mul } from '../../tensor/ops/elementwise.js';
import { concat } from '../../tensor/ops/join.js';
import { flip } from '../../tensor/ops/view.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import type { RecurrentCell } from './cell.js';
import { copyCell } from './copy_cell.js';
import { Recurrent, type RecurrentForwardOptions } from './recurrent.js';

/** How the two directions' outputs combine; null returns both, [forward, backward]. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

export interface BidirectionalOptions<M extends MergeMode = MergeMode> {
  /** 'concat' (default: (…, 2·outputSize)), 'sum', 'mul', 'ave' (elementwise), or null for [forward, backward]. */
  mergeMode?: M;
  /**
   * The backward layer, instead of a copy of `layer` (Keras's `backward_layer`): it must have the
   * opposite goBackwards and the same returnSequences, returnState and stateful.
   */
  backwardLayer?: Recurrent<RecurrentCell, boolean>;
}

/** What forward returns: one tensor, or a list with returnState or mergeMode null. */
export type BidirectionalResult<S extends boolean, M extends MergeMode> = S extends true ? Tensor[] : M extends null ? Tensor[] : Tensor;

/**
 * Runs an nn.Recurrent layer over the sequence in both directions and merges the outputs, with
 * Keras's meanings.
 *
 * - `forwardLayer` is the layer given; `backwardLayer` is a copy with goBackwards flipped and its
 *   own parameters (freshly drawn for the built-in cells; see copyCell), or `options.backwardLayer`.
 * - With returnSequences the backward outputs, which the backward layer returns in processing
 *   order, are reversed back so that step t of both directions lines up before merging.
 * - Output: merged (N, outputSize·(2 if concat else 1)) or (N, T, …) with returnSequences; with
 *   mergeMode null, [forwardOutput, backwardOutput]. With returnState the forward layer's final
 *   states and then the backward layer's follow (LSTM: [output, h_f, c_f, h_b, c_b]).
 * - initialState: the forward layer's states, then the backward layer's.
 * - Masks go to both directions. With right padding the forward direction repeats its last real
 *   output over the padding (and returns it as the last output); the backward direction starts at
 *   the padding, carries its initial state (zeros by default) over it, and then reads the real
 *   steps from last to first, so its outputs at padded positions are that initial state. This is
 *   TensorFlow.js's behaviour; Python Keras additionally zeroes the outputs at padded steps when
 *   returning sequences from a Bidirectional layer (multiply by the mask to get that).
 * - stateful: both layers carry their states; resetStates() resets both.
 *
 * Parameters: `forward_layer.cell.*` and `backward_layer.cell.*`.
 *
 * @example
 * import { nn, randn } from 'recurrent';
 * const bi = new nn.Bidirectional(new nn.Recurrent(new nn.GRUCell({ inputSize: 8, hiddenSize: 16 }), { returnSequences: true }));
 * bi.forward(randn([4, 10, 8])).shape; // [4, 10, 32]
 */
export class Bidirectional<C extends RecurrentCell = RecurrentCell, S extends boolean = false, M extends MergeMode = 'concat'> extends Module {
  readonly forwardLayer: Recurrent<C, S>;
  readonly backwardLayer: Recurrent<RecurrentCell, S>;
  readonly mergeMode: M;
  readonly supportsMasking = true as const;

  constructor(layer: Recurrent<C, S>, options: BidirectionalOptions<M> = {}) {
    super();
    checkOptions('Bidirectional', options, { mergeMode: true, backwardLayer: true });
    if (!(layer instanceof Recurrent)) throw new ValueError('Bidirectional: layer must be an nn.Recurrent');
    const mode = (options.mergeMode === undefined ? 'concat' : options.mergeMode) as M;
    if (mode !== null && !['concat', 'sum', 'mul', 'ave'].includes(mode)) {
      throw new ValueError(`Bidirectional: mergeMode must be 'concat', 'sum', 'mul', 'ave' or null; got ${String(mode)}`);
    }
    this.mergeMode = mode;
    this.forwardLayer = this.registerModule('forward_layer', layer);
    const backward = options.backwardLayer ?? new Recurrent(copyCell(layer.cell), { ...layer.config, goBackwards: !layer.goBackwards });
    if (!(backward instanceof Recurrent)) throw new ValueError('Bidirectional: backwardLayer must be an nn.Recurrent');
    if (backward === layer) throw new ValueError('Bidirectional: backwardLayer must be a different layer from the forward one');
    if (backward.goBackwards === layer.goBackwards)
      throw new ValueError('Bidirectional: backwardLayer must have the opposite goBackwards of the forward layer');
    for (const key of ['returnSequences', 'returnState', 'stateful'] as const) {
      if (backward[key] !== layer[key])
        throw new ValueError(`Bidirectional: backwardLayer.${key} (${backward[key]}) must equal the forward layer's (${layer[key]})`);
    }
    if (backward.outputSize !== layer.outputSize && mode !== null && mode !== 'concat') {
      throw new ShapeError(`Bidirectional: mergeMode '${mode}' needs equal output sizes; forward ${layer.outputSize}, backward ${backward.outputSize}`);
    }
    this.backwardLayer = this.registerModule('backward_layer', backward as Recurrent<RecurrentCell, S>);
  }

  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }
  get returnState(): S {
    return this.forwardLayer.returnState;
  }
  get stateful(): boolean {
    return this.forwardLayer.stateful;
  }

  /** Size of the merged output's last axis (per direction with mergeMode null). */
  get outputSize(): number {
    return this.mergeMode === 'concat' ? this.forwardLayer.outputSize + this.backwardLayer.outputSize : this.forwardLayer.outputSize;
  }

  /** Resets both directions' carried states (stateful layers only). */
  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  /** Shapes: input (N, T, F), mask (N, T); see the class comment for the result. */
  forward(input: Tensor, options: RecurrentForwardOptions = {}): BidirectionalResult<S, M> {
    const mask = options.mask ?? null;
    let forwardInit: Tensor[] | null = null;
    let backwardInit: Tensor[] | null = null;
    if (options.initialState != null) {
      const all = Array.isArray(options.initialState) ? options.initialState : [options.initialState as Tensor];
      const nf = this.forwardLayer.cell.stateSize.length;
      const nb = this.backwardLayer.cell.stateSize.length;
      if (all.length !== nf + nb) {
        throw new ValueError(`Bidirectional: initialState must list the forward layer's ${nf} state(s) then the backward layer's ${nb}; got ${all.length}`);
      }
      forwardInit = all.slice(0, nf);
      backwardInit = all.slice(nf);
    }
    const f = this.forwardLayer.forward(input, { mask, initialState: forwardInit }) as Tensor | Tensor[];
    const b = this.backwardLayer.forward(input, { mask, initialState: backwardInit }) as Tensor | Tensor[];
    const [y, forwardStates] = Array.isArray(f) ? [f[0]!, f.slice(1)] : [f, []];
    const [yb, backwardStates] = Array.isArray(b) ? [b[0]!, b.slice(1)] : [b, []];
    const yRev = this.returnSequences ? flip(yb, 1) : yb;
    const merged = this.merge(y, yRev);
    const outputs = Array.isArray(merged) ? merged : [merged];
    const result = this.returnState || this.mergeMode === null ? [...outputs, ...forwardStates, ...backwardStates] : merged;
    return result as BidirectionalResult<S, M>;
  }

  /** The (N, T) mask of the output: the input mask with returnSequences, none otherwise. */
  computeMask(_input: Tensor, mask?: Tensor | null): Tensor | null {
    return this.returnSequences ? (mask ?? null) : null;
  }

  private merge(y: Tensor, yRev: Tensor): Tensor | Tensor[] {
    switch (this.mergeMode) {
      case 'sum':
        return add(y, yRev);
      case 'mul':
        return mul(y, yRev);
      case 'ave':
        return mul(add(y, yRev), 0.5);
      case null:
        return [y, yRev];
      default:
        return concat([y, yRev], -1);
    }
  }
}
