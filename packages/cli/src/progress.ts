/**
 * Progress of long work: on a terminal a live bar (cli-progress) with loss, bits/char, tokens/s and
 * ETA; otherwise (CI, a pipe, a log file) a plain line every `interval` seconds. Messages such as
 * samples print above the bar.
 */
import cliProgress from 'cli-progress';
import { type BatchLogs, type Callback, type FitContext, type Metrics } from 'recurrent';
import { formatDuration } from './duration.js';

export interface ProgressOptions {
  /** Total optimizer steps when known (epochs or --steps), for the bar and the ETA. */
  totalSteps?: number;
  /** Time budget in seconds, when the run is bounded by time. */
  maxTime?: number;
  /** Seconds between plain lines; default 10. */
  interval?: number;
  /** Force plain lines (default: plain unless stdout is a terminal). */
  plain?: boolean;
  /** Steps already done before this run (resume). */
  startStep?: number;
  /** What the loss is averaged over: 'char' (default: also shows bits per character), 'token', 'text' (a classifier's) or 'window' (a forecaster's, in normalised units). */
  unit?: 'char' | 'token' | 'text' | 'window';
}

export class ProgressDisplay implements Callback {
  private readonly plain: boolean;
  private bar: cliProgress.SingleBar | null = null;
  private lastPrint = 0;
  private windowLoss = 0;
  private windowItems = 0;
  private windowSeconds = 0;
  private rate = 0;

  constructor(private readonly options: ProgressOptions = {}) {
    this.plain = options.plain ?? !process.stdout.isTTY;
  }

  /** Prints a message (above the bar on a terminal: the bar's line is cleared and redrawn on the next update). */
  /** What the throughput counts: tokens, or a classifier's texts, or a forecaster's windows. */
  private itemName(): string {
    return this.options.unit === 'text' ? 'texts' : this.options.unit === 'window' ? 'windows' : 'tok';
  }

  log(message: string): void {
    if (this.bar) process.stdout.write(`\r\x1b[2K${message}\n`);
    else console.log(message);
  }

  private total(): number {
    if (this.options.maxTime !== undefined) return Math.round(this.options.maxTime);
    return this.options.totalSteps ?? 0;
  }

  private eta(ctx: FitContext): number {
    const byTime = this.options.maxTime !== undefined ? this.options.maxTime - ctx.elapsed : Infinity;
    const doneHere = ctx.step - (this.options.startStep ?? 0);
    const bySteps = this.options.totalSteps !== undefined && doneHere > 0 ? ((this.options.totalSteps - ctx.step) * ctx.elapsed) / doneHere : Infinity;
    return Math.min(byTime, bySteps);
  }

  onTrainBegin(ctx: FitContext): void {
    this.lastPrint = ctx.elapsed;
    if (this.plain) return;
    // A single bar redraws synchronously on update(): training blocks the event loop, so a timer-driven bar would not.
    const bits = (this.options.unit ?? 'char') !== 'char' ? '' : ' | {bpc} bits/char';
    this.bar = new cliProgress.SingleBar(
      {
        format: `train |{bar}| {percentage}% | step {step} | loss {loss}${bits} | {tps} ${this.itemName()}/s | ETA {etaText}`,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 24,
        synchronousUpdate: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(Math.max(this.total(), 1), 0, { step: ctx.step, loss: '-', bpc: '-', tps: '-', etaText: '?' });
  }

  onBatchEnd(logs: BatchLogs, ctx: FitContext): void {
    this.windowLoss += logs.loss * logs.count;
    this.windowItems += logs.count;
    this.windowSeconds += logs.count / logs.itemsPerSecond;
    const loss = this.windowLoss / this.windowItems;
    this.rate = this.windowItems / Math.max(this.windowSeconds, 1e-9);
    const fields = {
      step: ctx.step,
      loss: loss.toFixed(3),
      bpc: (loss / Math.LN2).toFixed(3),
      tps: Math.round(this.rate).toLocaleString('en-US'),
      etaText: formatDuration(this.eta(ctx)),
    };
    if (this.bar) {
      const value = this.options.maxTime !== undefined ? Math.min(Math.round(ctx.elapsed), this.total()) : ctx.step;
      this.bar.update(value, fields);
    }
    const interval = this.options.interval ?? 10;
    if (ctx.elapsed - this.lastPrint >= interval) {
      const bits = (this.options.unit ?? 'char') !== 'char' ? '' : ` | ${fields.bpc} bits/char`;
      if (this.plain)
        console.log(
          `step ${fields.step} | loss ${fields.loss}${bits} | ${fields.tps} ${this.itemName()}/s | elapsed ${formatDuration(ctx.elapsed)} | ETA ${fields.etaText}`,
        );
      this.lastPrint = ctx.elapsed;
      this.windowLoss = 0;
      this.windowItems = 0;
      this.windowSeconds = 0;
    }
  }

  onValidationEnd(metrics: Metrics, ctx: FitContext): void {
    const accuracy = `accuracy ${((metrics.accuracy ?? NaN) * 100).toFixed(1)}%`;
    if (this.options.unit === 'window') return this.log(`validation at step ${ctx.step}: loss ${metrics.loss.toFixed(4)}`);
    this.log(
      this.options.unit === 'text'
        ? `validation at step ${ctx.step}: loss ${metrics.loss.toFixed(4)} nats/text, ${accuracy}`
        : this.options.unit === 'token'
          ? `validation at step ${ctx.step}: loss ${metrics.loss.toFixed(4)} nats/token, token ${accuracy}`
          : `validation at step ${ctx.step}: loss ${metrics.loss.toFixed(4)} nats/char, ${metrics.bitsPerChar.toFixed(4)} bits/char, ${accuracy}`,
    );
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
