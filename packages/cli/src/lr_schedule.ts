/**
 * The learning-rate schedule of `recurrent train`: constant, or the library's BudgetCosineSchedule.
 * A run is bounded by time, steps or epochs, so the cosine follows the fraction of the budget used
 * rather than a step count fixed in advance: with `--time` alone nobody knows how many steps will fit.
 */
import { ValueError } from 'recurrent';

export type LrScheduleKind = 'constant' | 'cosine';

export function lrScheduleKind(value: string): LrScheduleKind {
  if (value !== 'constant' && value !== 'cosine') throw new ValueError(`--lr-schedule: expected constant or cosine; got '${value}'`);
  return value;
}
