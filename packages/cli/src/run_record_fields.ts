/**
 * Checks of a run's config.json (untrusted input) shared by every task's checkpoint loader: the
 * field tests of its training record and a value's description for the error that names it.
 */
import { FormatError } from 'recurrent';

/** A value as an error message shows it. */
export const fmt = (v: unknown): string =>
  v === undefined ? 'undefined' : typeof v === 'object' && v !== null && !Array.isArray(v) ? 'an object' : JSON.stringify(v);
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** A field's test and what the error says it must be. */
export type FieldCheck = [test: (v: unknown) => boolean, expected: string];
export const nonNegativeInt: FieldCheck = [(v) => isInt(v) && v >= 0, 'a non-negative integer'];
export const positiveInt: FieldCheck = [(v) => isInt(v) && v > 0, 'a positive integer'];
export const finite: FieldCheck = [(v) => typeof v === 'number' && Number.isFinite(v), 'a finite number'];
export const text: FieldCheck = [(v) => typeof v === 'string', 'a string'];
export const textOrNull: FieldCheck = [(v) => v === null || typeof v === 'string', 'a string or null'];
export const objectOrNull: FieldCheck = [(v) => v === null || (typeof v === 'object' && !Array.isArray(v)), 'an object or null'];

/** Throws a FormatError naming `file` and the first field of `training` that fails its check in `fields`. */
export function checkTrainingRecord(file: string, training: unknown, fields: Record<string, FieldCheck>): void {
  if (typeof training !== 'object' || training === null || Array.isArray(training))
    throw new FormatError(`${file}: training must be an object; got ${fmt(training)}`);
  for (const [name, [valid, expected]] of Object.entries(fields)) {
    const value: unknown = (training as Record<string, unknown>)[name];
    if (!valid(value)) throw new FormatError(`${file}: training.${name} must be ${expected}; got ${fmt(value)}`);
  }
}
