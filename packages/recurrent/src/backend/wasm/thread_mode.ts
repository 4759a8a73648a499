/**
 * Whether jobs should use the worker threads or run on the calling thread alone, decided by
 * measuring both on the machine as it is now.
 *
 * On a busy machine (another process wants a core) more threads than free cores make every
 * thread, the caller included, wait its turn for a core; a job then finishes later with workers
 * than without them, though no single wait looks like a stall. So the chooser compares speeds:
 * it times every job in the mode in use and keeps, per kind of job (its kernel, or a product's
 * shape), an average of milliseconds per unit of work (the caller's estimate, multiply-adds). Now
 * and then the other mode runs for a while: SETTLE_MS of jobs unmeasured, then EXPLORE_MS
 * measured; if those jobs took less than the mode in use predicts for them by more than MARGIN, the
 * modes swap. The unmeasured start matters: a worker that wakes from a long sleep is first served
 * ahead of the busy process (the scheduler credits sleepers), so its first milliseconds look
 * faster than threads will be. An exploration that confirms the mode in use doubles the wait
 * before the next one (up to MAX_INTERVAL windows of WINDOW_MS), so that on a quiet machine the
 * slower mode costs almost nothing; a swap resets it.
 */

/** Milliseconds of jobs in one window of the mode in use. */
const WINDOW_MS = 20;
/** Milliseconds of jobs at the start of an exploration that are not measured, then those measured. */
const SETTLE_MS = 20;
const EXPLORE_MS = 40;
/** Windows in the mode in use between explorations, at first and after a swap. */
const MIN_INTERVAL = 4;
const MAX_INTERVAL = 256;
/** The other mode must be faster by this fraction to be adopted (noise guard). */
const MARGIN = 0.1;
/** Weight of the newest job in a kind's average. */
const ALPHA = 0.2;

export class ThreadModeChooser {
  /** The mode in use: offer jobs to the workers (true) or run them on the caller alone. */
  private threaded = true;
  private exploring = false;
  /** Per kind of job, the average ms per unit of work in the mode in use. */
  private rates = new Map<string, number>();
  /** The current window: ms of its jobs, and (exploring) what the mode in use predicts for them. */
  private windowMs = 0;
  private predictedMs = 0;
  /** Milliseconds of the current exploration still to pass unmeasured. */
  private settleMs = 0;
  private windowsLeft = MIN_INTERVAL;
  private interval = MIN_INTERVAL;
  /** Swaps so far (for tests and diagnostics). */
  swaps = 0;

  /** Whether the next job should be offered to the workers. */
  useThreads(): boolean {
    return this.exploring !== this.threaded;
  }

  /** A finished job of `kind`: whether it ran on workers, its wall time (ms) and its work (> 0). */
  record(kind: string, ranThreaded: boolean, ms: number, work: number): void {
    // A job that ran otherwise than chosen (workers not started yet) tells nothing about the choice.
    if (ranThreaded !== this.useThreads() || !(work > 0)) return;
    const rate = ms / work;
    const known = this.rates.get(kind);
    if (this.exploring) {
      if (this.settleMs > 0) {
        this.settleMs -= ms;
        return;
      }
      if (known === undefined) return;
      this.predictedMs += known * work;
    } else {
      this.rates.set(kind, known === undefined ? rate : known + ALPHA * (rate - known));
    }
    this.windowMs += ms;
    if (this.windowMs < (this.exploring ? EXPLORE_MS : WINDOW_MS)) return;
    if (this.exploring) {
      this.decide();
    } else if (--this.windowsLeft === 0) {
      this.exploring = true;
      this.settleMs = SETTLE_MS;
    }
    this.windowMs = 0;
    this.predictedMs = 0;
  }

  private decide(): void {
    this.exploring = false;
    if (this.windowMs < (1 - MARGIN) * this.predictedMs) {
      this.threaded = !this.threaded;
      this.swaps++;
      this.rates.clear(); // the averages were of the mode left behind
      this.interval = MIN_INTERVAL;
    } else {
      this.interval = Math.min(MAX_INTERVAL, this.interval * 2);
    }
    this.windowsLeft = this.interval;
  }
}
