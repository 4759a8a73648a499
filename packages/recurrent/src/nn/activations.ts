/**
 * Activation modules, as torch.nn.ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softmax and LogSoftmax:
 * stateless elementwise (or per-axis) maps, for nn.Sequential and module fields. Each takes any
 * shape and returns the same shape.
 */
import { checkOptions, ValueError } from '../errors.js';
import { relu, sigmoid, tanh } from '../tensor/ops/elementwise.js';
import { logSoftmax, softmax } from '../tensor/ops/softmax.js';
import { gelu, leakyRelu } from '../tensor/ops/special.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** max(0, x). */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

/** tanh(x). */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/** σ(x) = 1 / (1 + e^(−x)). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

export interface GELUOptions {
  /** 'none' (default): the exact x·Φ(x) through erf; 'tanh': the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/** GELU(x) = x·Φ(x), Φ the standard normal CDF (see `gelu` for the two forms). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(options: GELUOptions = {}) {
    super();
    checkOptions('GELU', options, { approximate: true });
    this.approximate = options.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new ValueError(`GELU: approximate must be 'none' or 'tanh'; got ${String(options.approximate)}`);
    }
  }

  forward(input: Tensor): Tensor {
    return gelu(input, this.approximate);
  }

  override extraRepr(): string {
    return this.approximate === 'none' ? '' : `approximate='${this.approximate}'`;
  }
}

export interface LeakyReLUOptions {
  /** Slope for x < 0; default 0.01. */
  negativeSlope?: number;
}

/** x for x > 0, negativeSlope·x otherwise. */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(options: LeakyReLUOptions = {}) {
    super();
    checkOptions('LeakyReLU', options, { negativeSlope: true });
    this.negativeSlope = options.negativeSlope ?? 0.01;
    if (typeof this.negativeSlope !== 'number' || !Number.isFinite(this.negativeSlope)) {
      throw new ValueError(`LeakyReLU: negativeSlope must be a finite number; got ${String(options.negativeSlope)}`);
    }
  }

  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export interface SoftmaxOptions {
  /** The axis that sums to one (PyTorch's `dim`); default −1, the last. */
  dim?: number;
}

function readDim(owner: string, options: SoftmaxOptions): number {
  checkOptions(owner, options, { dim: true });
  const dim = options.dim ?? -1;
  if (!Number.isInteger(dim)) throw new ValueError(`${owner}: dim must be an integer; got ${String(options.dim)}`);
  return dim;
}

/** exp(x) / Σ exp(x) along `dim`. */
export class Softmax extends Module {
  readonly dim: number;

  constructor(options: SoftmaxOptions = {}) {
    super();
    this.dim = readDim('Softmax', options);
  }

  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** x − log Σ exp(x) along `dim`: log-probabilities, as NLLLoss takes. */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(options: SoftmaxOptions = {}) {
    super();
    this.dim = readDim('LogSoftmax', options);
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
