/**
 * Mask propagation between layers, as Keras does it. A mask is an (N, T) tensor over the time steps
 * of an (N, T, …) batch: nonzero marks a real step, 0 a padding step.
 *
 * Two optional capabilities make a module take part:
 * - `computeMask(input, mask)` (Keras's `compute_mask`): the mask of the module's output.
 *   nn.Embedding with `maskZero` and nn.Masking create a mask; nn.Recurrent passes it on with
 *   `returnSequences` and consumes it otherwise.
 * - `supportsMasking: true` with `forward(input, { mask })`: the module uses the mask
 *   (nn.Recurrent, nn.Bidirectional, nn.Residual, nn.Sequential).
 *
 * A module with neither (nn.Linear applied per time step, nn.Dropout, a user's own) leaves the
 * mask as it is when its output keeps the (N, T) leading axes of a rank ≥ 3 tensor, as Keras's
 * Dense and TimeDistributed do, and drops it otherwise.
 */
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** A module that computes the mask of its output (Keras's `compute_mask`). */
export interface MaskProducer {
  /** The (N, T) mask of the output for `input` with the incoming `mask` (null: none); null for no mask. */
  computeMask(input: Tensor, mask?: Tensor | null): Tensor | null;
}

/** A module whose forward uses a mask (Keras's `supports_masking` with a `mask` call argument). */
export interface MaskConsumer {
  readonly supportsMasking: true;
  forward(input: Tensor, options?: { mask?: Tensor | null }): unknown;
}

/** Whether `m` implements MaskProducer. */
export function producesMask(m: unknown): m is MaskProducer {
  return typeof m === 'object' && m !== null && typeof (m as Partial<MaskProducer>).computeMask === 'function';
}

/** Whether `m` implements MaskConsumer. */
export function consumesMask(m: unknown): m is MaskConsumer {
  return typeof m === 'object' && m !== null && (m as Partial<MaskConsumer>).supportsMasking === true;
}

/** Anything with a one-tensor forward. */
interface Forward {
  forward(input: Tensor): unknown;
}

/**
 * Runs `layer` on `input` with the incoming `mask` and returns its output and the output's mask,
 * by the rules above. `owner` names the caller in errors.
 */
export function forwardMasked(owner: string, layer: Forward, input: Tensor, mask: Tensor | null): [Tensor, Tensor | null] {
  const output = mask !== null && consumesMask(layer) ? layer.forward(input, { mask }) : layer.forward(input);
  if (!(output instanceof Tensor)) {
    throw new ValueError(
      `${owner}: ${layer.constructor.name} returned ${Array.isArray(output) ? 'a list' : typeof output}, not one tensor (returnState and mergeMode: null give lists; call such a layer directly)`,
    );
  }
  if (producesMask(layer)) return [output, layer.computeMask(input, mask)];
  return [output, passMask(mask, output)];
}

/** `mask` when `output` is an (N, T, …) tensor of rank ≥ 3 with the mask's (N, T); otherwise null. */
export function passMask(mask: Tensor | null, output: Tensor): Tensor | null {
  if (mask === null || output.ndim < 3) return null;
  return output.shape[0] === mask.shape[0] && output.shape[1] === mask.shape[1] ? mask : null;
}

/** Checks that `mask` is an (N, T) tensor for an (N, T, …) input. */
export function checkMask(owner: string, mask: unknown, batch: number, steps: number): Tensor {
  if (!(mask instanceof Tensor)) throw new ValueError(`${owner}: mask must be a Tensor; got ${mask === null ? 'null' : typeof mask}`);
  if (mask.ndim !== 2 || mask.shape[0] !== batch || mask.shape[1] !== steps) {
    throw new ShapeError(`${owner}: mask must be (N, T) = ${fmtShape([batch, steps])} for this input; got ${fmtShape(mask.shape)}`);
  }
  return mask;
}
