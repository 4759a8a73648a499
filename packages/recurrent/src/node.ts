/**
 * `recurrent/node`: everything in `recurrent`, plus what needs Node.js's file system —
 * atomic checkpoints, verified against their manifest of SHA-256 hashes (node:crypto), and
 * TensorFlow.js models read from model.json and weight files.
 */
export * from './index.js';
export { saveCheckpoint, loadCheckpoint, resolveCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './train/checkpoint.js';
export type { Checkpoint, LoadedCheckpoint, LoadCheckpointOptions } from './train/checkpoint.js';
export { MANIFEST_FILE } from './train/checkpoint_manifest.js';
export { loadTfjsModel, saveTfjsModel, MAX_MODEL_JSON_BYTES, TFJS_WEIGHTS_FILE } from './io/tfjs/model_files.js';
