/**
 * Calendar features of dates, for forecasting: what is known of a day in advance. Dates are whole
 * days, held as days since 1970-01-01 (UTC), so that no time zone moves a day.
 */
import { FormatError, ValueError } from '../errors.js';
import { usFederalHolidays } from './us_holidays.js';

/** Which holidays the features mark: none, or the US federal holidays and their observed days. */
export type HolidayCalendar = 'none' | 'us';
export const HOLIDAY_CALENDARS: readonly HolidayCalendar[] = ['none', 'us'];

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a calendar date (month 1–12; a day or month past its end rolls over). */
export function epochDay(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The weekday of an epoch day: 0 Sunday … 6 Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** An epoch day as YYYY-MM-DD. */
export function formatDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A date written YYYY-MM-DD or YYYY/MM/DD (a real day of a real month) as an epoch day; `where` names the cell in errors. */
export function parseDate(text: string, where: string): number {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(text);
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const d = epochDay(year, month, day);
  if (!m || month < 1 || month > 12 || day < 1 || formatDate(d) !== `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`) {
    throw new FormatError(`${where}: expected a date YYYY-MM-DD (or YYYY/MM/DD); got ${JSON.stringify(text)}`);
  }
  return d;
}

/**
 * The names of the calendar features, in their order: weekday one-hot (Monday first, 7), month
 * one-hot (12), the day of the year as sin and cos of 2π·(day − 1)/365.25 (2); with 'us' holidays
 * also `holiday` (a federal holiday's own date), `dayOff` (its observed day off), `beforeDayOff`
 * and `afterDayOff` (the days either side of a day off).
 */
export function calendarFeatureNames(holidays: HolidayCalendar): string[] {
  const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  return [...days, ...months, 'yearSin', 'yearCos', ...(holidays === 'us' ? ['holiday', 'dayOff', 'beforeDayOff', 'afterDayOff'] : [])];
}

/**
 * The calendar features of each date (see `calendarFeatureNames` for their order and meaning).
 *
 * Shapes: days (N) epoch days; output (N × F) row-major, F = 21, or 25 with holidays 'us'.
 *
 * @example
 * import { calendarFeatures, calendarFeatureNames } from 'recurrent';
 * const christmas = Date.UTC(2024, 11, 25) / 86_400_000;
 * const f = calendarFeatures(Int32Array.of(christmas), 'us');
 * f[calendarFeatureNames('us').indexOf('holiday')]; // 1
 */
export function calendarFeatures(days: ArrayLike<number>, holidays: HolidayCalendar): Float64Array {
  if (!HOLIDAY_CALENDARS.includes(holidays)) throw new ValueError(`calendarFeatures: holidays must be 'none' or 'us'; got ${JSON.stringify(holidays)}`);
  const F = calendarFeatureNames(holidays).length;
  const out = new Float64Array(days.length * F);
  const marks = holidays === 'us' ? holidayMarks(days) : null;
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    const date = new Date(day * DAY_MS);
    const row = i * F;
    out[row + ((weekday(day) + 6) % 7)] = 1;
    out[row + 7 + date.getUTCMonth()] = 1;
    const angle = (2 * Math.PI * (day - epochDay(date.getUTCFullYear(), 1, 1))) / 365.25;
    out[row + 19] = Math.sin(angle);
    out[row + 20] = Math.cos(angle);
    if (marks) {
      out[row + 21] = marks.dates.has(day) ? 1 : 0;
      out[row + 22] = marks.off.has(day) ? 1 : 0;
      out[row + 23] = marks.off.has(day + 1) ? 1 : 0;
      out[row + 24] = marks.off.has(day - 1) ? 1 : 0;
    }
  }
  return out;
}

/** The holidays' dates and observed days off of every year the days touch (and the years either side). */
function holidayMarks(days: ArrayLike<number>): { dates: Set<number>; off: Set<number> } {
  const dates = new Set<number>();
  const off = new Set<number>();
  const years = new Set<number>();
  for (let i = 0; i < days.length; i++) years.add(new Date(days[i]! * DAY_MS).getUTCFullYear());
  const all = new Set([...years].flatMap((y) => [y - 1, y, y + 1]));
  for (const year of all) {
    for (const h of usFederalHolidays(year)) {
      dates.add(h.date);
      off.add(h.observed);
    }
  }
  return { dates, off };
}
