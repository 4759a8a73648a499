// ONNX Runtime (onnxruntime-node, CPU) as the oracle for exported models: runs ONNX bytes on our
// tensors and returns ours.
import * as ort from 'onnxruntime-node';
import { Tensor, tensor } from '../../src/index.js';

/** Runs `model` in ONNX Runtime with `feeds` (int32 tensors fed as int32); returns every output by name. */
export async function runOnnxRuntime(model: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      inputs[name] =
        t.dtype === 'int32'
          ? new ort.Tensor('int32', Int32Array.from(t.data), [...t.shape])
          : new ort.Tensor('float32', Float32Array.from(t.data), [...t.shape]);
    }
    const results = await session.run(inputs);
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) {
      const data = value.data;
      if (!(data instanceof Float32Array || data instanceof Int32Array)) throw new Error(`onnxruntime: output ${name} is ${value.type}`);
      out[name] = tensor(data, [...value.dims]);
    }
    return out;
  } finally {
    await session.release();
  }
}
