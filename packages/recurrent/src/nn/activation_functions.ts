/**
 * Activations by name, as Keras and TensorFlow.js layers name them in their `activation` and
 * `recurrent_activation` options, and nn.Activation, Keras's Activation layer.
 *
 * Two hard sigmoids exist under one Keras name, and files say which by their Keras version:
 * - 'hardSigmoid': clip(0.2·x + 0.5, 0, 1) — TensorFlow.js and Keras 2;
 * - 'hardSigmoidKeras3': relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1) — Keras 3 (and PyTorch's Hardsigmoid).
 */
import { checkOptions, ValueError } from '../errors.js';
import { abs, add, clamp, div, exp, log1p, mul, neg, relu, sigmoid, tanh, where, gt, sub } from '../tensor/ops/elementwise.js';
import { logSoftmax, softmax } from '../tensor/ops/softmax.js';
import { gelu } from '../tensor/ops/special.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export const ACTIVATION_NAMES = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'hardSigmoid',
  'hardSigmoidKeras3',
  'softmax',
  'logSoftmax',
  'softplus',
  'softsign',
  'swish',
  'gelu',
  'exponential',
] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function elu(x: Tensor, alpha = 1): Tensor {
  return where(gt(x, 0), x, mul(sub(exp(clamp(x, undefined, 0)), 1), alpha));
}

const FUNCTIONS: Record<ActivationName, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu,
  relu6: (x) => clamp(x, 0, 6),
  elu: (x) => elu(x),
  selu: (x) => mul(elu(x, SELU_ALPHA), SELU_SCALE),
  tanh,
  sigmoid,
  hardSigmoid: (x) => clamp(add(mul(x, 0.2), 0.5), 0, 1),
  hardSigmoidKeras3: (x) => div(clamp(add(x, 3), 0, 6), 6),
  softmax: (x) => softmax(x, -1),
  logSoftmax: (x) => logSoftmax(x, -1),
  // log(1 + e^x) = max(x, 0) + log(1 + e^−|x|), which does not overflow.
  softplus: (x) => add(relu(x), log1p(exp(neg(abs(x))))),
  softsign: (x) => div(x, add(abs(x), 1)),
  swish: (x) => mul(x, sigmoid(x)),
  gelu: (x) => gelu(x, 'none'),
  exponential: exp,
};

/** Whether `name` is an ActivationName. */
export function isActivationName(name: unknown): name is ActivationName {
  return typeof name === 'string' && (ACTIVATION_NAMES as readonly string[]).includes(name);
}

/** The function of the activation `name`; `owner` names the caller in the error for an unknown name. */
export function activationFunction(name: ActivationName, owner = 'activation'): (x: Tensor) => Tensor {
  if (!isActivationName(name)) throw new ValueError(`${owner}: unknown activation ${JSON.stringify(name)}; known: ${ACTIVATION_NAMES.join(', ')}`);
  return FUNCTIONS[name];
}

export interface ActivationOptions {
  /** The activation's name (see ACTIVATION_NAMES). */
  activation: ActivationName;
}

/**
 * Applies an activation by name, as Keras's Activation layer. Softmax and logSoftmax act on the
 * last axis. Shapes: any → same.
 *
 * @example
 * import { nn, tensor } from 'recurrent';
 * new nn.Activation({ activation: 'hardSigmoid' }).forward(tensor([-3, 0, 1])); // [0, 0.5, 0.7]
 * new nn.Activation({ activation: 'hardSigmoidKeras3' }).forward(tensor([-3, 0, 3])); // [0, 0.5, 1]
 */
export class Activation extends Module {
  readonly activation: ActivationName;
  private readonly fn: (x: Tensor) => Tensor;

  constructor(options: ActivationOptions) {
    super();
    checkOptions('Activation', options, { activation: true });
    this.fn = activationFunction(options.activation, 'Activation');
    this.activation = options.activation;
  }

  forward(input: Tensor): Tensor {
    return this.fn(input);
  }

  override extraRepr(): string {
    return `'${this.activation}'`;
  }
}
