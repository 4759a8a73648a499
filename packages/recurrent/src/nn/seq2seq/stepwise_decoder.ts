/**
 * What greedy decoding, sampling and beam search need of a model that generates one token per
 * step from a state: any encoder–decoder (nn.Seq2Seq, an image-to-words captioner, a decoder
 * conditioned on a context vector) implements it, and the decoding functions serve them all.
 *
 * Shapes: N rows (inputs, or inputs × hypotheses), V vocabulary, S source positions.
 */
import type { Tensor } from '../../tensor/tensor.js';

export interface StepwiseDecoderStep<S> {
  /** Next-token logits (N, V). */
  readonly logits: Tensor;
  /** The state after this step, row for row. */
  readonly state: S;
  /** This step's attention weights over the source (N, S), or null. */
  readonly attention: Tensor | null;
}

export interface StepwiseDecoder<S> {
  /** N: rows of the initial state (one per input). */
  readonly batch: number;
  /** The state before the first step. */
  readonly initial: S;
  /** The token fed at the first step. */
  readonly bosId: number;
  /** The token that ends an output. */
  readonly eosId: number;
  /** One step: the previous token of each row (N) → logits, state, attention. */
  step(tokens: Int32Array, state: S): StepwiseDecoderStep<S>;
  /** The state whose row r is row `rows[r]` of `state` (PyTorch's index_select on the batch). */
  reorder(state: S, rows: Int32Array): S;
}
