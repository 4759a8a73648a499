/**
 * Validation of optimizer and schedule options. Every check names its owner, the option, what was
 * expected and what was given, e.g. `Adam: betas[0] must be in [0, 1); got 1.2`.
 */
import { ValueError, fmtValue } from '../errors.js';

export { fmtValue, rejectUnknown } from '../errors.js';

/** Validates one option: returns the value with its proper type, or throws a ValueError. */
export type Check<T> = (owner: string, key: string, value: unknown) => T;

/** One check per option of `O`. */
export type Checks<O> = { [K in keyof O]-?: Check<O[K]> };

function fail(owner: string, key: string, expected: string, value: unknown): never {
  if (value === undefined) throw new ValueError(`${owner}: ${key} is required (${expected})`);
  throw new ValueError(`${owner}: ${key} must be ${expected}; got ${fmtValue(value)}`);
}

/** A finite number ≥ 0. */
export const nonNegative: Check<number> = (owner, key, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(owner, key, 'a finite number >= 0', value);
  return value;
};

/** A finite number > 0. */
export const positive: Check<number> = (owner, key, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(owner, key, 'a finite number > 0', value);
  return value;
};

/** A number in [0, 1]. */
export const unitClosed: Check<number> = (owner, key, value) => {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(owner, key, 'in [0, 1]', value);
  return value;
};

/** A number in [0, 1). */
export const unitHalfOpen: Check<number> = (owner, key, value) => {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) fail(owner, key, 'in [0, 1)', value);
  return value;
};

/** A finite number (of either sign). */
export const finite: Check<number> = (owner, key, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(owner, key, 'a finite number', value);
  return value;
};

/** An integer ≥ 1. */
export const positiveInt: Check<number> = (owner, key, value) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(owner, key, 'an integer >= 1', value);
  return value;
};

/** An integer ≥ 0. */
export const nonNegativeInt: Check<number> = (owner, key, value) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(owner, key, 'an integer >= 0', value);
  return value;
};

/** true or false. */
export const bool: Check<boolean> = (owner, key, value) => {
  if (typeof value !== 'boolean') fail(owner, key, 'true or false', value);
  return value;
};

/** Adam's `[beta1, beta2]`, each in [0, 1). Returns a fresh pair. */
export const betas: Check<[number, number]> = (owner, key, value) => {
  if (!Array.isArray(value) || value.length !== 2) fail(owner, key, 'a pair [beta1, beta2]', value);
  const pair = value as unknown[];
  return [unitHalfOpen(owner, `${key}[0]`, pair[0]), unitHalfOpen(owner, `${key}[1]`, pair[1])];
};

/** One of the strings in `choices`. */
export function oneOf<T extends string>(choices: readonly T[]): Check<T> {
  return (owner, key, value) => {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      fail(owner, key, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
    }
    return value as T;
  };
}

/**
 * Checks inferred from example values, for optimizers that give none: `lr` a finite number >= 0,
 * other numbers finite, booleans booleans, arrays arrays of finite numbers; anything else is kept.
 */
export function checksLike<O>(defaults: object): Checks<O> {
  const checks: Record<string, Check<unknown>> = {};
  for (const [key, example] of Object.entries(defaults)) {
    if (key === 'lr') checks[key] = nonNegative;
    else if (typeof example === 'number') checks[key] = finite;
    else if (typeof example === 'boolean') checks[key] = bool;
    else if (Array.isArray(example)) {
      checks[key] = (owner, k, value) => {
        if (!Array.isArray(value)) fail(owner, k, 'an array of numbers', value);
        return (value as unknown[]).map((v, i) => finite(owner, `${k}[${i}]`, v));
      };
    } else checks[key] = (_owner, _k, value) => value;
  }
  if (!('lr' in checks)) checks.lr = nonNegative;
  return checks as Checks<O>;
}

/** Copies `base`, then the entries of `extra` that are not undefined (so `{ momentum: undefined }` keeps the default). */
export function withDefaults(owner: string, base: object, extra: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  if (extra === undefined) return out;
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    throw new ValueError(`${owner}: options must be an object; got ${fmtValue(extra)}`);
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key] = value;
  return out;
}

/** Runs every check of `checks` on the entries of `raw`, returning the typed options. */
export function validate<O>(owner: string, raw: Record<string, unknown>, checks: Checks<O>): O {
  const out: Partial<O> = {};
  for (const key of Object.keys(checks) as (keyof O & string)[]) {
    out[key] = checks[key](owner, key, raw[key]);
  }
  return out as O;
}
