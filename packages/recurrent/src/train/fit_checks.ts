/** The checks of fit's numeric options: each bound and cadence, before any training starts. */
import { ValueError } from '../errors.js';
import type { FitOptions } from './fit.js';

const positiveInt = (x: number): boolean => Number.isInteger(x) && x > 0;
const nonNegativeInt = (x: number): boolean => Number.isInteger(x) && x >= 0;

const CHECKS: [keyof FitOptions<unknown>, (x: number) => boolean, string][] = [
  ['epochs', positiveInt, 'a positive integer'],
  // NaN or a fraction here would never end (or end) a run as asked.
  ['maxSteps', positiveInt, 'a positive integer'],
  ['maxTime', (x) => x > 0, 'a number of seconds > 0'],
  ['validateEvery', positiveInt, 'a positive integer'],
  ['startStep', nonNegativeInt, 'a non-negative integer'],
  ['startEpoch', nonNegativeInt, 'a non-negative integer'],
];

/** Throws a ValueError naming the first numeric option of `options` out of its range. */
export function checkFitOptions<B>(options: FitOptions<B>): void {
  for (const [name, valid, expected] of CHECKS) {
    const value: unknown = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !valid(value)) throw new ValueError(`fit: ${name} must be ${expected}; got ${String(value)}`);
  }
}
