// TensorFlow.js (cpu backend) as the oracle for Keras meanings: conversions between its tensors and
// ours, and a scope that frees every tfjs tensor a test makes.
import * as tf from '@tensorflow/tfjs';
import { Tensor, nn, tensor } from '../../src/index.js';

await tf.setBackend('cpu');

export { tf };

/** A tfjs tensor as one of ours (float32, or int32 for int32 tensors). */
export function fromTf(t: tf.Tensor): Tensor {
  const data = t.dataSync();
  return tensor(data instanceof Int32Array ? data : Float32Array.from(data), [...t.shape]);
}

/** One of our tensors as a tfjs tensor (float32, or int32 for int32 tensors). */
export function toTf(t: Tensor): tf.Tensor {
  return t.dtype === 'int32' ? tf.tensor(Int32Array.from(t.data), [...t.shape], 'int32') : tf.tensor(Float32Array.from(t.data), [...t.shape]);
}

/** A tfjs result (one tensor or a list) as ours. */
export function fromTfAll(r: tf.Tensor | tf.Tensor[]): Tensor[] {
  return (Array.isArray(r) ? r : [r]).map(fromTf);
}

/** Runs `fn`, then disposes every tfjs tensor it created (our tensors are returned untouched). */
export function tfScope<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}

/** The [kernel, recurrentKernel, bias?] of a Keras recurrent layer's getWeights(), as ours. */
export function kerasWeights(weights: readonly tf.Tensor[]): nn.KerasRecurrentWeights {
  const [kernel, recurrentKernel, bias] = weights.map(fromTf);
  return { kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias ?? null };
}

/** A seeded uniform initializer, so that biases are not zero. */
export function uniformInit(seed: number, limit = 0.6): ReturnType<typeof tf.initializers.randomUniform> {
  return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed });
}
