/** nn.Residual: a skip connection around a layer. */
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { add } from '../tensor/ops/elementwise.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { forwardMasked, producesMask } from './mask_flow.js';
import { Module, type TensorModule } from './module.js';

/**
 * output = layer(x) + x: a residual (skip) connection, e.g. around a recurrent layer in a stack
 * (as in GNMT and deep stacked LSTMs) or around a per-step nn.Linear.
 *
 * The layer's output must have the input's shape (for an nn.Recurrent: `returnSequences: true`
 * and outputSize equal to the input's feature size). Masks pass through: the layer receives the
 * incoming mask when it takes one (nn.Recurrent, nn.Bidirectional), and the output's mask is the
 * layer's (computeMask) or else the incoming one, so nn.Residual composes in nn.Sequential like
 * any other layer. Note that at masked steps the output is the layer's (carried) output plus the
 * input at that step. The layer is registered as `layer` (keys `layer.cell.weight_ih`, …).
 *
 * Shapes: input (N, T, F) (or any shape the layer keeps) → output of the same shape.
 *
 * @example
 * import { nn } from 'recurrent';
 * const stack = new nn.Sequential(
 *   new nn.Recurrent(new nn.LSTMCell({ inputSize: 8, hiddenSize: 32 }), { returnSequences: true }),
 *   new nn.Residual(new nn.Recurrent(new nn.LSTMCell({ inputSize: 32, hiddenSize: 32 }), { returnSequences: true })),
 *   new nn.Recurrent(new nn.LSTMCell({ inputSize: 32, hiddenSize: 32 })),
 * );
 */
export class Residual<L extends TensorModule = TensorModule> extends Module {
  readonly layer: L;
  readonly supportsMasking = true as const;

  constructor(layer: L) {
    super();
    if (!(layer instanceof Module)) throw new ValueError('Residual: layer must be a Module');
    this.layer = this.registerModule('layer', layer);
  }

  forward(input: Tensor, options: { mask?: Tensor | null } = {}): Tensor {
    const [y] = forwardMasked('Residual', this.layer, input, options.mask ?? null);
    if (!shapesEqual(y.shape, input.shape)) {
      throw new ShapeError(
        `Residual: ${this.layer.constructor.name} must keep the input's shape ${fmtShape(input.shape)} to add it; it returned ${fmtShape(y.shape)}`,
      );
    }
    return add(y, input);
  }

  /** The layer's output mask (its computeMask), or the incoming mask. */
  computeMask(input: Tensor, mask?: Tensor | null): Tensor | null {
    return producesMask(this.layer) ? this.layer.computeMask(input, mask ?? null) : (mask ?? null);
  }
}
