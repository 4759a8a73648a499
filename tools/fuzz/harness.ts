// Runs a seeded fuzzer and classifies every input's outcome:
//   typed    — refused with a RecurrentError that has a message (the parser's contract);
//   accepted — parsed, and the result passed the fuzzer's usability check;
//   other    — anything else: an untyped error, an unusable result, more than 1 s on one input,
//              or the process's memory past a limit. A fuzzer passes when `other` is zero.
// A true infinite loop cannot be interrupted from inside one thread: the run then never ends,
// which is just as visible.
import { RecurrentError } from 'recurrent';

/** A small, fast, seedable generator (mulberry32), so that a run is reproducible from its seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform on [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer on [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Thrown by a usability check: an accepted input whose result is not usable. */
export class UnusableResult extends Error {}

export interface Fuzzer<I> {
  name: string;
  /** The input numbered `index` of the run seeded by `rng` (called in order). */
  generate(rng: Rng, index: number): I;
  /** Parses `input`; throws if it is refused; checks that an accepted result is usable (UnusableResult). */
  run(input: I): void;
}

export type Outcome = 'typed' | 'accepted' | 'other';

export interface Tally {
  typed: number;
  accepted: number;
  other: number;
  /** The first few `other` outcomes: input index and reason. */
  failures: { index: number; reason: string }[];
  seconds: number;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Longest time one input may take, in ms. Default 1000. */
  maxMs?: number;
  /** Largest resident memory of the process, in bytes, checked every 1000 inputs. Default 4 GB. */
  maxRss?: number;
  /** Called every `every` inputs with the tally so far. */
  progress?: (done: number, tally: Tally) => void;
  every?: number;
  /** Called on each of the first 20 `other` outcomes. */
  onFailure?: (index: number, reason: string) => void;
}

export function classify(run: () => void): { outcome: Outcome; reason: string } {
  try {
    run();
    return { outcome: 'accepted', reason: '' };
  } catch (e) {
    if (e instanceof RecurrentError && e.message.length > 0) return { outcome: 'typed', reason: '' };
    const reason = e instanceof Error ? `${e.constructor.name}: ${e.message}` : `non-error thrown: ${String(e)}`;
    return { outcome: 'other', reason: reason.slice(0, 300) };
  }
}

export function fuzz<I>(fuzzer: Fuzzer<I>, options: FuzzOptions): Tally {
  const rng = new Rng(options.seed);
  const maxMs = options.maxMs ?? 1000;
  const maxRss = options.maxRss ?? 4e9;
  const tally: Tally = { typed: 0, accepted: 0, other: 0, failures: [], seconds: 0 };
  const t0 = performance.now();
  for (let index = 0; index < options.count; index++) {
    const input = fuzzer.generate(rng, index);
    const start = performance.now();
    let { outcome, reason } = classify(() => fuzzer.run(input));
    const ms = performance.now() - start;
    if (ms > maxMs) [outcome, reason] = ['other', `took ${Math.round(ms)} ms`];
    if (index % 1000 === 999 && process.memoryUsage.rss() > maxRss) [outcome, reason] = ['other', `resident memory ${process.memoryUsage.rss()} bytes`];
    tally[outcome]++;
    if (outcome === 'other' && tally.failures.length < 20) {
      tally.failures.push({ index, reason });
      options.onFailure?.(index, reason);
    }
    if (options.progress && options.every && (index + 1) % options.every === 0) options.progress(index + 1, tally);
  }
  tally.seconds = (performance.now() - t0) / 1000;
  return tally;
}

/** The command-line entry of a fuzzer script: `--count N --seed S`; prints the tally as JSON, exit 1 on any `other`. */
export function main<I>(fuzzer: Fuzzer<I>, argv: readonly string[]): void {
  const flag = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    const value = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
    return value;
  };
  const count = flag('count', 100_000);
  const seed = flag('seed', 1);
  const tally = fuzz(fuzzer, {
    seed,
    count,
    every: 50_000,
    onFailure: (index, reason) => console.error(`${fuzzer.name}: input ${index}: ${reason}`),
    progress: (done, t) => console.error(`${fuzzer.name}: ${done}/${count} typed ${t.typed} accepted ${t.accepted} other ${t.other}`),
  });
  console.log(JSON.stringify({ fuzzer: fuzzer.name, seed, count, ...tally, seconds: Math.round(tally.seconds) }));
  process.exitCode = tally.other === 0 ? 0 : 1;
}
