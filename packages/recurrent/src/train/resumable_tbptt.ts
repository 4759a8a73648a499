/**
 * Resumable truncated BPTT: where a streamed language-model run stands — the epoch, the windows of
 * it already trained on, the recurrent state carried into the next window, the random generator's
 * state — kept during `fit`, saved with a checkpoint and restored from one, so that a run stopped
 * and resumed ends bit-identical to an uninterrupted one.
 *
 * Shape legend: L = steps per stream, B = streams (batch), T = window length, H = hidden size.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { RecurrentState } from '../nn/language_model.js';
import { getRngState, setRngState } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { FitContext } from './callbacks.js';
import type { LanguageModelTask } from './language_model_task.js';
import { type Window, windowCount, windows } from './tbptt.js';

/** Where a run stands; JSON-serialisable, for a checkpoint's config. */
export interface TbpttPosition {
  /** Optimizer steps taken, over the whole run (resumes included). */
  step: number;
  /** The epoch in progress, or the next one when the last ended. */
  epoch: number;
  /** Windows of `epoch` already trained on; 0 at an epoch boundary. */
  window: number;
  /** Seconds of training, over every invocation of the run. */
  seconds: number;
}

/** What a checkpoint needs to resume a run exactly. */
export interface TbpttSnapshot {
  position: TbpttPosition;
  /**
   * The state carried into the next window as named tensors, for `Checkpoint.extra`: `h`, and `c`
   * for an LSTM, each (numLayers, B, H). Null at an epoch boundary (the next epoch starts from zeros).
   */
  state: Record<string, Tensor> | null;
  /** The random generator's words (`getRngState()`), so dropout masks continue their sequence. */
  rng: number[];
}

/** A saved snapshot as read back: state and RNG may be absent (then the state starts from zeros, the generator as it is). */
export interface TbpttResume {
  position: TbpttPosition;
  state?: Record<string, Tensor> | null;
  rng?: readonly number[] | null;
}

export interface ResumableTbpttOptions {
  /** The training task whose state is carried (`languageModelTask(model)`); validate with another task. */
  task: LanguageModelTask;
  /** (L, B) token ids, as laid out by `toStreams`. */
  streams: Int32Array;
  /** L, steps per stream (`toStreams(...).steps`). */
  steps: number;
  /** B, the number of streams. */
  batchSize: number;
  /** T, steps per window (the truncation length). */
  seqLen: number;
  /** Where to continue from (see `restore`); default: a new run at step 0, epoch 0. */
  resume?: TbpttResume | null;
}

/** The `fit` options a resumable run supplies. */
export interface TbpttFitOptions {
  trainData: (epoch: number) => Iterable<Window>;
  startStep: number;
  startEpoch: number;
}

function nonNegativeInt(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new ValueError(`ResumableTbptt: ${what} must be a non-negative integer; got ${value}`);
  return value;
}

/**
 * Truncated BPTT over B streams in windows of T steps, resumable at any step. Each epoch reads the
 * streams' `windowsPerEpoch` windows in order, starting from a zero state; a resumed run skips the
 * windows its epoch already trained on and carries the saved state into the next one.
 *
 * `fitOptions()` gives `fit` its `trainData`, `startStep` and `startEpoch`; `snapshot(ctx)` (from any
 * callback, e.g. a `CheckpointCallback`'s save) says what to write; `restore` (or the `resume`
 * option) reads it back. The model's parameters and the optimizer's state are saved and loaded as
 * usual, beside the snapshot.
 *
 * @example
 * ```ts
 * import { charTokenize, fit, languageModelTask, manualSeed, nn, optim, ResumableTbptt, toStreams, Vocabulary } from 'recurrent';
 *
 * manualSeed(0);
 * const chars = charTokenize('the cat sat on the mat. '.repeat(20));
 * const vocab = Vocabulary.build(chars);
 * const model = new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 16, embeddingDim: 8 });
 * const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
 * const { streams, steps } = toStreams(vocab.encode(chars), 4); // (L, B) = (120, 4)
 * const task = languageModelTask(model);
 * const run = new ResumableTbptt({ task, streams, steps, batchSize: 4, seqLen: 16 });
 * let saved = run.snapshot({ step: 0, elapsed: 0 });
 * fit({
 *   model, optimizer, ...run.fitOptions(), step: (w, training) => task.step(w, training), maxSteps: 3,
 *   callbacks: [{ onTrainEnd: (ctx) => { saved = run.snapshot(ctx); } }],
 * });
 * saved.position.window; // 3
 * saved.state?.h?.shape; // [1, 4, 16]
 * // Later, with the model and optimizer loaded from the checkpoint:
 * const resumed = new ResumableTbptt({ task, streams, steps, batchSize: 4, seqLen: 16, resume: saved });
 * fit({ model, optimizer, ...resumed.fitOptions(), step: (w, training) => task.step(w, training), maxSteps: 6 });
 * ```
 */
export class ResumableTbptt {
  /** Windows in one epoch: ⌈(L − 1) / T⌉. */
  readonly windowsPerEpoch: number;
  private readonly task: LanguageModelTask;
  private readonly streams: Int32Array;
  private readonly steps: number;
  private readonly batchSize: number;
  private readonly seqLen: number;
  private startStep = 0;
  private startSeconds = 0;
  private epoch = 0;
  private window = 0;
  /** The next epoch continues a restored one: keep its state and skip its trained windows. */
  private continuing = false;

  constructor(options: ResumableTbpttOptions) {
    const { streams, steps, batchSize, seqLen } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`ResumableTbptt: batchSize must be a positive integer; got ${batchSize}`);
    if (!Number.isInteger(seqLen) || seqLen <= 0) throw new ValueError(`ResumableTbptt: seqLen must be a positive integer; got ${seqLen}`);
    if (!Number.isInteger(steps) || steps < 2) throw new ValueError(`ResumableTbptt: steps must be an integer ≥ 2; got ${steps}`);
    if (streams.length !== steps * batchSize)
      throw new ShapeError(`ResumableTbptt: streams hold ${streams.length} ids; expected steps × batchSize = ${steps} × ${batchSize}`);
    this.task = options.task;
    this.streams = streams;
    this.steps = steps;
    this.batchSize = batchSize;
    this.seqLen = seqLen;
    this.windowsPerEpoch = windowCount(steps, seqLen);
    if (options.resume) this.restore(options.resume);
  }

  /** `trainData`, `startStep` and `startEpoch` for `fit`. */
  fitOptions(): TbpttFitOptions {
    return { trainData: (epoch) => this.trainData(epoch), startStep: this.startStep, startEpoch: this.epoch };
  }

  /**
   * The windows of `epoch` not yet trained on. Starts the epoch from a zero state, unless it
   * continues a restored one. Counting happens as windows are handed out, so a snapshot taken in
   * any callback sees the window just trained.
   */
  trainData(epoch: number): Iterable<Window> {
    const skip = this.continuing ? this.window : 0;
    if (!this.continuing) this.task.reset();
    this.continuing = false;
    this.epoch = epoch;
    this.window = skip;
    return this.windowsFrom(skip);
  }

  private *windowsFrom(skip: number): Generator<Window> {
    let index = 0;
    for (const w of windows(this.streams, this.steps, this.batchSize, this.seqLen)) {
      if (index++ < skip) continue;
      this.window = index;
      yield w;
    }
  }

  /** Where the run stands after `ctx.step` steps, `ctx.elapsed` seconds into this invocation. */
  snapshot(ctx: Pick<FitContext, 'step' | 'elapsed'>): TbpttSnapshot {
    const ended = this.window >= this.windowsPerEpoch;
    const state = this.task.state;
    return {
      position: {
        step: ctx.step,
        epoch: ended ? this.epoch + 1 : this.epoch,
        window: ended ? 0 : this.window,
        seconds: this.startSeconds + ctx.elapsed,
      },
      state: ended || state === null ? null : Array.isArray(state) ? { h: state[0], c: state[1] } : { h: state },
      rng: getRngState(),
    };
  }

  /**
   * Continues from a snapshot (call before `fitOptions()` and `fit`): the position, the carried
   * state (validated against B) and the random generator's state.
   */
  restore(resume: TbpttResume): void {
    const { position } = resume;
    const step = nonNegativeInt('position.step', position.step);
    const epoch = nonNegativeInt('position.epoch', position.epoch);
    const window = nonNegativeInt('position.window', position.window);
    if (window >= this.windowsPerEpoch) {
      throw new ValueError(
        `ResumableTbptt: position.window ${window} is past the ${this.windowsPerEpoch} windows of an epoch; were the streams or seqLen different when it was saved?`,
      );
    }
    if (!(Number.isFinite(position.seconds) && position.seconds >= 0))
      throw new ValueError(`ResumableTbptt: position.seconds must be a non-negative number; got ${position.seconds}`);
    const state = resume.state ? this.carriedState(resume.state) : null;
    this.startStep = step;
    this.startSeconds = position.seconds;
    this.epoch = epoch;
    this.window = window;
    this.continuing = window > 0;
    this.task.state = this.continuing ? state : null;
    if (resume.rng) setRngState(resume.rng);
  }

  private carriedState(tensors: Record<string, Tensor>): RecurrentState | null {
    const { h, c } = tensors;
    if (h === undefined) {
      if (c !== undefined) throw new ValueError('ResumableTbptt: the saved state has c but no h');
      return null;
    }
    if (h.ndim !== 3 || h.shape[1] !== this.batchSize) {
      throw new ShapeError(`ResumableTbptt: the saved state h must be (numLayers, B = ${this.batchSize}, H); got (${h.shape.join(', ')})`);
    }
    if (c === undefined) return h;
    if (c.ndim !== 3 || c.shape.some((n, i) => n !== h.shape[i])) {
      throw new ShapeError(`ResumableTbptt: the saved state c must have h's shape (${h.shape.join(', ')}); got (${c.shape.join(', ')})`);
    }
    return [h, c];
  }
}
