/** nn.Dropout. */
import { checkOptions, ValueError } from '../errors.js';
import { dropout } from '../tensor/ops/dropout.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * During training, zeroes each element with probability `p` and scales the rest by 1/(1−p); the
 * identity in eval mode. As torch.nn.Dropout. Shapes: any → same.
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(options: { p?: number } = {}) {
    super();
    checkOptions('Dropout', options, { p: true });
    this.p = options.p ?? 0.5;
    if (!(this.p >= 0 && this.p <= 1)) throw new ValueError(`Dropout: p must be in [0, 1]; got ${options.p}`);
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
