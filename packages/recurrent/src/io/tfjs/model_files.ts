/** TensorFlow.js models on disk (Node): model.json and its weight files, read and written. */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { FormatError, ValueError } from '../../errors.js';
import { JsonTextError, parseJsonText } from '../json_text.js';
import type { TfjsWeightSpec } from './artifacts.js';
import type { TfjsModelArtifacts } from './to_tfjs.js';
import { fromTfjs } from './from_tfjs.js';
import type { KerasModel } from './keras_model.js';
import { isRecord } from './keras_topology.js';

/** model.json files beyond this are refused (a model's topology is kilobytes). */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
const MAX_WEIGHT_BYTES = 2 ** 32;

/**
 * Reads `model.json` (the path to it, or to its folder) and the weight files its
 * `weightsManifest` lists, in order, as tensorflowjs_converter and tfjs's file save handlers
 * write them; returns `fromTfjs` of the result. Weight paths must stay inside model.json's folder.
 * Errors name the file.
 *
 * @example
 * import { loadTfjsModel } from 'recurrent/node';
 * // const model = loadTfjsModel('web_model/model.json');
 * // model.forward(ids); // = the Keras model's predict(ids)
 * typeof loadTfjsModel; // 'function'
 */
export function loadTfjsModel(path: string): KerasModel {
  if (typeof path !== 'string' || path === '') throw new ValueError(`loadTfjsModel: path must be a file or folder name; got ${String(path)}`);
  const file = statSync(path).isDirectory() ? join(path, 'model.json') : path;
  const size = statSync(file).size;
  if (size > MAX_MODEL_JSON_BYTES) throw new FormatError(`${file}: ${size} bytes, over the ${MAX_MODEL_JSON_BYTES}-byte limit of a model.json`);
  let json: unknown;
  try {
    json = parseJsonText(readFileSync(file, 'utf8'), { maxDepth: 64 });
  } catch (e) {
    if (e instanceof JsonTextError) throw new FormatError(`${file}: not valid JSON: ${e.message}`);
    throw e;
  }
  if (!isRecord(json)) throw new FormatError(`${file}: expected a JSON object {modelTopology, weightsManifest}`);
  const manifest = json['weightsManifest'] ?? [];
  if (!Array.isArray(manifest)) throw new FormatError(`${file}: weightsManifest must be a list of {paths, weights}`);
  const folder = dirname(file);
  const specs: TfjsWeightSpec[] = [];
  const shards: string[] = [];
  for (const [g, group] of manifest.entries()) {
    if (!isRecord(group) || !Array.isArray(group['paths']) || !Array.isArray(group['weights'])) {
      throw new FormatError(`${file}: weightsManifest[${g}] must be {paths: [...], weights: [...]}`);
    }
    for (const p of group['paths'] as unknown[]) {
      if (typeof p !== 'string' || p === '' || isAbsolute(p) || normalize(p).split(sep).includes('..')) {
        throw new FormatError(`${file}: weight path ${JSON.stringify(p)} must be a relative path inside the model's folder`);
      }
      shards.push(join(folder, p));
    }
    specs.push(...(group['weights'] as TfjsWeightSpec[]));
  }
  let total = 0;
  for (const shard of shards) {
    total += statSync(shard).size;
    if (total > MAX_WEIGHT_BYTES) throw new FormatError(`${file}: the weight files hold more than ${MAX_WEIGHT_BYTES} bytes`);
  }
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const shard of shards) {
    const bytes = readFileSync(shard);
    weightData.set(bytes.subarray(0, total - at), at);
    at += bytes.length;
  }
  return fromTfjs({ modelTopology: json['modelTopology'], weightSpecs: specs, weightData }, { where: file });
}

/** The weight file saveTfjsModel writes beside model.json. */
export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';

/**
 * Writes `artifacts` (from `toTfjs`) into the folder `dir` as TensorFlow.js's file format:
 * `model.json` (topology, weights manifest, and `metadata` as userDefinedMetadata) and one weight
 * file, which `tf.loadLayersModel('file://dir/model.json')` in tfjs-node, a web server for the
 * browser, and `loadTfjsModel(dir)` read. Each file is written to a temporary name and renamed.
 *
 * @example
 * import { nn, toTfjs } from 'recurrent';
 * import { saveTfjsModel } from 'recurrent/node';
 * const model = new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 2 }));
 * // saveTfjsModel(toTfjs(model), 'web_model'); // web_model/model.json, web_model/group1-shard1of1.bin
 * typeof saveTfjsModel; // 'function'
 */
export function saveTfjsModel(artifacts: TfjsModelArtifacts, dir: string, metadata: Readonly<Record<string, string>> = {}): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, data: string | Uint8Array): void => {
    const target = join(dir, name);
    writeFileSync(`${target}.tmp`, data);
    renameSync(`${target}.tmp`, target);
  };
  write(TFJS_WEIGHTS_FILE, new Uint8Array(artifacts.weightData));
  const json = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    ...(Object.keys(metadata).length > 0 ? { userDefinedMetadata: { ...metadata } } : {}),
  };
  write('model.json', JSON.stringify(json));
}
