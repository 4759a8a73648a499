/**
 * Parsers of option values. Each names its flag, what it expected and what it got, e.g.
 * `--hidden: expected an integer ≥ 1; got 'abc'`; commander prints the message and exits.
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { RecurrentError } from 'recurrent';
import { parseDuration } from './duration.js';

/** Allowed values of a number: each bound inclusive unless marked open. */
export interface NumberRange {
  min?: number;
  max?: number;
  /** Exclude `min` itself. */
  minOpen?: boolean;
  /** Exclude `max` itself. */
  maxOpen?: boolean;
}

function describe(kind: string, r: NumberRange): string {
  const { min, max } = r;
  if (min !== undefined && max !== undefined) return `${kind} in ${r.minOpen ? '(' : '['}${min}, ${max}${r.maxOpen ? ')' : ']'}`;
  if (min !== undefined) return `${kind} ${r.minOpen ? '>' : '≥'} ${min}`;
  if (max !== undefined) return `${kind} ${r.maxOpen ? '<' : '≤'} ${max}`;
  return kind;
}

function inRange(n: number, r: NumberRange): boolean {
  if (r.min !== undefined && (r.minOpen ? n <= r.min : n < r.min)) return false;
  if (r.max !== undefined && (r.maxOpen ? n >= r.max : n > r.max)) return false;
  return true;
}

/** `Number(text)`, except that blank text is not 0. */
function toNumber(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

/** A finite number within `range` (default: any). */
export function num(flag: string, range: NumberRange = {}): (value: string) => number {
  const expected = describe('a number', range);
  return (value) => {
    const n = toNumber(value);
    if (!Number.isFinite(n) || !inRange(n, range)) throw new InvalidArgumentError(`${flag}: expected ${expected}; got '${value}'`);
    return n;
  };
}

/** An integer ≥ `min` (default 0). */
export function int(flag: string, min = 0): (value: string) => number {
  const expected = describe('an integer', { min });
  return (value) => {
    const n = toNumber(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag}: expected ${expected}; got '${value}'`);
    return n;
  };
}

/** A duration such as 90s, 5m or 1h30m (a bare number is seconds), in seconds; longer than 0. */
export function duration(flag: string): (value: string) => number {
  return (value) => {
    let seconds: number;
    try {
      seconds = parseDuration(value, flag);
    } catch (e) {
      if (e instanceof RecurrentError) throw new InvalidArgumentError(e.message);
      throw e;
    }
    if (!(seconds > 0)) throw new InvalidArgumentError(`${flag}: expected a duration longer than 0; got '${value}'`);
    return seconds;
  };
}

/** Quantiles such as 0.1,0.5,0.9: numbers in (0, 1), increasing, separated by commas. */
export function quantileList(flag: string): (value: string) => number[] {
  return (value) => {
    const list = value.split(',').map(toNumber);
    if (list.some((q, i) => !(q > 0 && q < 1) || (i > 0 && q <= list[i - 1]!)))
      throw new InvalidArgumentError(`${flag}: expected increasing numbers in (0, 1) separated by commas, e.g. 0.1,0.5,0.9; got '${value}'`);
    return list;
  };
}
