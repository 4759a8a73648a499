/** KerasModel: a Keras model read from TensorFlow.js artifacts, as a chain of this library's layers. */
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { consumesMask, forwardMasked } from '../../nn/mask_flow.js';
import { Module } from '../../nn/module.js';

/** A layer of the chain: one tensor in, one tensor or a list (returnState, mergeMode null) out. */
export interface KerasLayerModule extends Module {
  forward(input: Tensor, options?: { mask?: Tensor | null }): Tensor | Tensor[];
}

/** What `hard_sigmoid` means in a file: TensorFlow.js and Keras 2's clip(0.2x + 0.5, 0, 1), or Keras 3's relu6(x + 3) / 6. */
export type HardSigmoidKind = 'keras2' | 'keras3';

export interface KerasModelInfo {
  /** The file's `keras_version` ('' when absent). */
  kerasVersion: string;
  /** Which hard sigmoid the file's `hard_sigmoid` activations were read as. */
  hardSigmoid: HardSigmoidKind;
  /** The model input's element type: int32 for token ids into an Embedding, else float32. */
  inputDType: 'float32' | 'int32';
  /** Indices into the last layer's outputs that the model returns (several with return_state). */
  outputs: readonly number[];
  /** The input's shape without the batch axis (null for any size), as the file declared it, or null. */
  inputShape: readonly (number | null)[] | null;
}

/**
 * A Keras model (Sequential, or a functional single-input chain) made of this library's modules,
 * registered under the Keras layer names: nn.Embedding, nn.Recurrent over nn.LSTMCell /
 * nn.GRUCell / nn.RNNCell, nn.Bidirectional, nn.Masking, nn.Linear (Dense and TimeDistributed
 * Dense, followed by nn.Activation when Dense has one), nn.Dropout, nn.Activation, nn.Flatten.
 * Masks flow from layer to layer as in Keras (nn.Sequential's rules).
 *
 * Shapes are Keras's: batch first, int32 ids into an Embedding. `forward(x)` returns the model's
 * (first) output, as `model.predict(x)`; `forwardAll(x)` every output of a model with several
 * (a last layer with return_state, or a Bidirectional with merge_mode None).
 * The model is in eval mode (dropout off) when read; `train()` switches dropout on.
 */
export class KerasModel extends Module {
  readonly layers: readonly KerasLayerModule[];
  readonly layerNames: readonly string[];
  readonly info: KerasModelInfo;
  readonly supportsMasking = true as const;

  constructor(layers: readonly (readonly [string, KerasLayerModule])[], info: KerasModelInfo) {
    super();
    if (layers.length === 0) throw new ValueError('KerasModel: a model needs at least one layer');
    for (const [name, layer] of layers) this.registerModule(name.replace(/\./g, '_'), layer);
    this.layers = layers.map(([, l]) => l);
    this.layerNames = layers.map(([n]) => n);
    this.info = info;
  }

  /** The model's first output for `input` (N, …), Keras's layout. */
  forward(input: Tensor, options: { mask?: Tensor | null } = {}): Tensor {
    return this.forwardAll(input, options)[0]!;
  }

  /** Every output of the model, in the file's order. */
  forwardAll(input: Tensor, options: { mask?: Tensor | null } = {}): Tensor[] {
    let x = input;
    let mask = options.mask ?? null;
    const last = this.layers.length - 1;
    this.layers.slice(0, last).forEach((layer, i) => {
      [x, mask] = forwardMasked(`KerasModel (layer '${this.layerNames[i]}')`, layer, x, mask);
    });
    const final = this.layers[last]!;
    const out = mask !== null && consumesMask(final) ? final.forward(x, { mask }) : final.forward(x);
    const list = Array.isArray(out) ? out : [out];
    return this.info.outputs.map((k) => {
      const t = list[k];
      if (t === undefined) throw new ValueError(`KerasModel: output ${k} of layer '${this.layerNames[last]}' does not exist; it returns ${list.length}`);
      return t;
    });
  }
}
