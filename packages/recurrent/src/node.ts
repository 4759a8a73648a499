/**
 * `recurrent/node`: everything in `recurrent`, plus what needs Node.js's file system —
 * atomic checkpoints.
 */
export * from './index.js';
export { saveCheckpoint, loadCheckpoint, resolveCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './train/checkpoint.js';
export type { Checkpoint } from './train/checkpoint.js';
