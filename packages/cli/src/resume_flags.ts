/**
 * On --resume the checkpoint decides the model and training settings: a flag given on the command
 * line that says otherwise is an error naming both values, rather than silently ignored; and a
 * state file the save wrote but that is gone is an error naming it, unless --allow-partial-resume.
 */
import { join } from 'node:path';
import { type LoadedCheckpoint, ValueError } from 'recurrent/node';

/** A flag (its options key), the config.json field it was saved as, the value given, the value saved. */
export type SavedFlag = readonly [key: string, field: string, value: unknown, kept: unknown];

/** `--seq-len` for the options key `seqLen`. */
export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Throws naming every flag in `given` whose value differs from the checkpoint's (`dir` holds its config.json). */
export function checkFlagClashes(given: ReadonlySet<string>, saved: readonly SavedFlag[], dir: string): void {
  const clashes = saved
    .filter(([key, , value, kept]) => given.has(key) && value !== kept)
    .map(([key, field, value, kept]) => `${flagName(key)} ${String(value)} contradicts the checkpoint's ${field} ${JSON.stringify(kept)}`);
  if (clashes.length > 0) {
    throw new ValueError(
      `--resume: ${clashes.join('; ')} (${join(dir, 'config.json')}); drop the flag to continue with the saved value, or train into a new --out`,
    );
  }
}

/**
 * The state files of `checkpoint` that its save wrote but are gone: an error naming each and what
 * would restart (`restarts[file](step)`), or with `allowPartial` a warning saying so.
 */
export function checkMissingState(
  checkpoint: LoadedCheckpoint,
  step: number,
  allowPartial: boolean,
  restarts: Partial<Record<LoadedCheckpoint['missing'][number], (step: number) => string>>,
): void {
  const lost = checkpoint.missing.map((file) => `${join(checkpoint.dir, file)} is missing: ${restarts[file]?.(step) ?? 'its state restarts'}`);
  if (lost.length > 0 && !allowPartial) {
    throw new ValueError(
      `--resume: ${lost.join('; ')}, though config.json records that the save wrote it; restore it, or pass --allow-partial-resume to continue without it`,
    );
  }
  for (const line of lost) console.warn(`warning: ${line}`);
}
