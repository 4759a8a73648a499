/** Identity, Flatten and Unflatten, as their torch.nn namesakes: shape-only modules for nn.Sequential. */
import { checkOptions, ShapeError, ValueError, fmtShape } from '../errors.js';
import { normalizeAxis, numel } from '../tensor/shape.js';
import { flatten, reshape } from '../tensor/ops/view.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** Returns its input unchanged: a placeholder, e.g. to switch a layer off without changing the tree. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

export interface FlattenOptions {
  /** First axis to merge; default 1 (the batch axis 0 stays). */
  startDim?: number;
  /** Last axis to merge; default −1. */
  endDim?: number;
}

/**
 * Merges axes startDim..endDim into one, as torch.nn.Flatten.
 *
 * Shapes: (N, *dims) → (N, ∏dims) with the defaults.
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(options: FlattenOptions = {}) {
    super();
    checkOptions('Flatten', options, { startDim: true, endDim: true });
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
    if (!Number.isInteger(this.startDim) || !Number.isInteger(this.endDim)) {
      throw new ValueError(`Flatten: startDim and endDim must be integers; got ${String(options.startDim)}, ${String(options.endDim)}`);
    }
  }

  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

export interface UnflattenOptions {
  /** The axis to split. */
  dim: number;
  /** The sizes it splits into; their product must equal the axis's size (one may be −1, inferred). */
  unflattenedSize: readonly number[];
}

/**
 * Splits axis `dim` into `unflattenedSize`, as torch.nn.Unflatten.
 *
 * Shapes: (*, S, *) → (*, U₁, …, Uₖ, *) with ∏U = S.
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  constructor(options: UnflattenOptions) {
    super();
    checkOptions('Unflatten', options, { dim: true, unflattenedSize: true });
    if (!Number.isInteger(options.dim)) throw new ValueError(`Unflatten: dim must be an integer; got ${String(options.dim)}`);
    const size = options.unflattenedSize;
    if (!Array.isArray(size) || size.length === 0 || size.some((d) => !Number.isInteger(d) || d < -1 || d === 0)) {
      throw new ValueError(`Unflatten: unflattenedSize must be a non-empty list of positive sizes (one may be -1); got ${String(size)}`);
    }
    this.dim = options.dim;
    this.unflattenedSize = Object.freeze([...size]);
  }

  forward(input: Tensor): Tensor {
    const axis = normalizeAxis('Unflatten', this.dim, input.ndim, 'dim');
    const size = input.shape[axis]!;
    const known = numel(this.unflattenedSize.filter((d) => d !== -1));
    const ok = this.unflattenedSize.includes(-1) ? size % known === 0 : known === size;
    if (!ok) {
      throw new ShapeError(
        `Unflatten: axis ${this.dim} of input ${fmtShape(input.shape)} has size ${size}, which unflattenedSize ${fmtShape(this.unflattenedSize)} does not split`,
      );
    }
    return reshape(input, [...input.shape.slice(0, axis), ...this.unflattenedSize, ...input.shape.slice(axis + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${fmtShape(this.unflattenedSize)}`;
  }
}
