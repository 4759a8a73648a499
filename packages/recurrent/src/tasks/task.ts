/**
 * A task bundles what a user with a data file needs: reading the file format, the vocabularies,
 * the model with good defaults, the loss of a batch, the metrics, prediction, and the JSON that
 * rebuilds it. Training loops, checkpoints and the command line work with any task through this.
 */
import type { Module } from '../nn/module.js';
import type { StepResult } from '../train/fit.js';

/** The tasks the library bundles. */
export type TaskKind = 'lm' | 'seq2seq' | 'classify' | 'tag' | 'forecast';
export const TASK_KINDS: readonly TaskKind[] = ['lm', 'seq2seq', 'classify', 'tag', 'forecast'];

/** A task's JSON form: what, with the model's state dict, rebuilds it. */
export interface TaskJSON {
  kind: TaskKind;
}

export interface Task<Batch> {
  readonly kind: TaskKind;
  /** The model the task trains (its state dict is the rest of a checkpoint). */
  readonly model: Module;
  /** The loss of one batch, a mean over `count` items (and optionally how many were right); `training` is false during validation. */
  step(batch: Batch, training: boolean): StepResult;
  /** Model options, vocabularies and task options, as JSON. */
  toJSON(): TaskJSON;
}
