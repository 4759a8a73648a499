/**
 * The US federal holidays (5 U.S.C. 6103) of a year, as they stood that year: the Monday holidays
 * of the Uniform Monday Holiday Act from 1971 (Washington's Birthday, Memorial Day, Columbus Day;
 * Veterans Day on the fourth Monday of October from 1971 to 1977), Martin Luther King Jr. Day from
 * 1986, Juneteenth from 2021. A holiday on a Saturday is observed on the Friday before, one on a
 * Sunday on the Monday after (so New Year's Day on a Saturday is observed on December 31).
 */
import { epochDay, weekday } from './calendar.js';

/** One holiday: its name, its date and the day off it gives, as days since 1970-01-01. */
export interface Holiday {
  name: string;
  date: number;
  observed: number;
}

/** The `n`-th (1-based; -1: the last) given weekday (0 Sunday … 6 Saturday) of a month, as an epoch day. */
function nthWeekday(year: number, month: number, day: number, n: number): number {
  if (n > 0) {
    const first = epochDay(year, month, 1);
    return first + ((day - weekday(first) + 7) % 7) + 7 * (n - 1);
  }
  const last = epochDay(year, month + 1, 1) - 1;
  return last - ((weekday(last) - day + 7) % 7);
}

const MONDAY = 1;
const THURSDAY = 4;

/**
 * The federal holidays of `year`, in calendar order, each with its observed day off.
 *
 * @example
 * import { usFederalHolidays } from 'recurrent';
 * usFederalHolidays(2024).map((h) => h.name).length; // 11
 */
export function usFederalHolidays(year: number): Holiday[] {
  const fixed = (name: string, month: number, day: number): [string, number] => [name, epochDay(year, month, day)];
  const mondays = year >= 1971;
  const list: [string, number][] = [
    fixed("New Year's Day", 1, 1),
    ...(year >= 1986 ? [['Martin Luther King Jr. Day', nthWeekday(year, 1, MONDAY, 3)] as [string, number]] : []),
    mondays ? ["Washington's Birthday", nthWeekday(year, 2, MONDAY, 3)] : fixed("Washington's Birthday", 2, 22),
    mondays ? ['Memorial Day', nthWeekday(year, 5, MONDAY, -1)] : fixed('Memorial Day', 5, 30),
    ...(year >= 2021 ? [fixed('Juneteenth National Independence Day', 6, 19)] : []),
    fixed('Independence Day', 7, 4),
    ['Labor Day', nthWeekday(year, 9, MONDAY, 1)],
    mondays ? ['Columbus Day', nthWeekday(year, 10, MONDAY, 2)] : fixed('Columbus Day', 10, 12),
    year >= 1971 && year <= 1977 ? ['Veterans Day', nthWeekday(year, 10, MONDAY, 4)] : fixed('Veterans Day', 11, 11),
    ['Thanksgiving Day', nthWeekday(year, 11, THURSDAY, 4)],
    fixed('Christmas Day', 12, 25),
  ];
  return list
    .map(([name, date]) => {
      const day = weekday(date);
      return { name, date, observed: day === 6 ? date - 1 : day === 0 ? date + 1 : date };
    })
    .sort((a, b) => a.date - b.date);
}
