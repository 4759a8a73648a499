/**
 * TensorFlow.js's ModelArtifacts (what `tf.io.withSaveHandler` receives and `tf.io.fromMemory`
 * takes): the Keras topology as JSON, weight specs, and the weights' bytes, one buffer or several
 * (shards). Weights are read in spec order, each `numel × itemsize` bytes: float32, int32, bool,
 * or quantised as tfjs and tensorflowjs_converter write them (uint8 and uint16 with scale and min,
 * float16). Every size is checked against the bytes given.
 */
import { FormatError, ValueError } from '../../errors.js';
import { MAX_ARRAY_ELEMENTS } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { halfToFloat } from '../onnx/tensor_data.js';

/** One weight's description (tfjs's WeightsManifestEntry). */
export interface TfjsWeightSpec {
  name: string;
  shape: readonly number[];
  /** 'float32', 'int32' or 'bool' ('string' and 'complex64' are not read). */
  dtype: string;
  /** How the bytes are quantised: dtype 'uint8' or 'uint16' (value = q·scale + min) or 'float16'. */
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/**
 * TensorFlow.js's ModelArtifacts, the fields this library reads and writes. Compatible with
 * `tf.io.ModelArtifacts`: pass what a save handler receives to `fromTfjs`, and give `toTfjs`'s
 * result to `tf.loadLayersModel(tf.io.fromMemory(artifacts))`.
 */
export interface TfjsArtifacts {
  /** The Keras model as JSON: {class_name, config, keras_version, backend}, or {model_config, keras_version, …} as tensorflowjs_converter writes it. */
  modelTopology?: unknown;
  weightSpecs?: readonly TfjsWeightSpec[];
  /** The weights' bytes: one buffer, or the shards in order. */
  weightData?: ArrayBuffer | readonly ArrayBuffer[] | ArrayBufferView;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: Record<string, unknown>;
}

const QUANTISED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const PLAIN_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** The weights' bytes as one array. */
export function weightBytes(data: TfjsArtifacts['weightData']): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!Array.isArray(data)) throw new ValueError(`fromTfjs: weightData must be an ArrayBuffer or a list of them; got ${typeof data}`);
  const parts = (data as readonly unknown[]).map((part, i) => {
    if (!(part instanceof ArrayBuffer)) throw new ValueError(`fromTfjs: weightData[${i}] must be an ArrayBuffer; got ${typeof part}`);
    return new Uint8Array(part);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes every weight of `specs` from `bytes`, by name. `where` names the source in errors. */
export function decodeWeights(specs: readonly TfjsWeightSpec[], bytes: Uint8Array, where: string): Map<string, Tensor> {
  if (!Array.isArray(specs)) throw new FormatError(`${where}: weightSpecs must be a list`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Tensor>();
  let at = 0;
  for (const spec of specs) {
    const what = `${where}: weight ${JSON.stringify(spec?.name)}`;
    if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string') throw new FormatError(`${what}: a weight spec needs a name`);
    const shape: unknown = spec.shape;
    if (!Array.isArray(shape) || !shape.every((d: unknown) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new FormatError(`${what}: shape must be a list of non-negative integers; got ${JSON.stringify(shape)}`);
    }
    const n = (shape as number[]).reduce((a, d) => a * d, 1);
    if (n > MAX_ARRAY_ELEMENTS) throw new FormatError(`${what}: shape [${spec.shape.join(', ')}] has more than ${MAX_ARRAY_ELEMENTS} elements`);
    const q = spec.quantization;
    const item = q === undefined ? PLAIN_BYTES[spec.dtype] : QUANTISED_BYTES[q.dtype];
    if (item === undefined) {
      throw new FormatError(
        `${what}: ${q === undefined ? `dtype '${spec.dtype}'` : `quantization '${q.dtype}'`} is not supported; supported: float32, int32, bool, quantised uint8, uint16, float16`,
      );
    }
    if (at + n * item > bytes.length) {
      throw new FormatError(`${what} needs bytes [${at}, ${at + n * item}) but the weight data holds ${bytes.length} bytes`);
    }
    if (out.has(spec.name)) throw new FormatError(`${what} is listed twice`);
    const values = spec.dtype === 'float32' || q !== undefined ? new Float32Array(n) : new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = at + i * item;
      if (q === undefined)
        values[i] = spec.dtype === 'float32' ? view.getFloat32(p, true) : spec.dtype === 'int32' ? view.getInt32(p, true) : bytes[p]! !== 0 ? 1 : 0;
      else if (q.dtype === 'float16') values[i] = halfToFloat(view.getUint16(p, true));
      else values[i] = (q.dtype === 'uint8' ? bytes[p]! : view.getUint16(p, true)) * (q.scale ?? 1) + (q.min ?? 0);
    }
    out.set(spec.name, new Tensor(values, [...spec.shape]));
    at += n * item;
  }
  if (at !== bytes.length) throw new FormatError(`${where}: the weight data holds ${bytes.length} bytes but the weight specs describe ${at}`);
  return out;
}

/** Float32 tensors as weight specs and one little-endian buffer, in order. */
export function encodeWeights(weights: readonly (readonly [string, Tensor])[]): { weightSpecs: TfjsWeightSpec[]; weightData: ArrayBuffer } {
  const total = weights.reduce((n, [, t]) => n + 4 * t.size, 0);
  const data = new ArrayBuffer(total);
  const view = new DataView(data);
  let at = 0;
  const weightSpecs: TfjsWeightSpec[] = [];
  for (const [name, t] of weights) {
    for (let i = 0; i < t.size; i++) view.setFloat32(at + 4 * i, t.data[i]!, true);
    at += 4 * t.size;
    weightSpecs.push({ name, shape: [...t.shape], dtype: 'float32' });
  }
  return { weightSpecs, weightData: data };
}
