/**
 * The sequence-to-sequence tab's data: dates written the ways people write them, paired with their
 * ISO form — `Tuesday, March 7, 1995` → `1995-03-07`. Every written form names the month and
 * orders its parts unambiguously, so the ISO date follows from the text alone; the model must find
 * the year, the month and the day wherever each form puts them: what attention is for.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface DatePair {
  source: string;
  target: string;
}

const two = (n: number): string => String(n).padStart(2, '0');
const ordinal = (d: number): string => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`;

/** The written forms of one date. */
const FORMS: ((d: { y: number; m: number; day: number; weekday: number }) => string)[] = [
  ({ y, m, day }) => `${MONTHS[m]} ${day}, ${y}`,
  ({ y, m, day }) => `${day} ${MONTHS[m]} ${y}`,
  ({ y, m, day }) => `${MONTHS[m]!.slice(0, 3)} ${day} ${y}`,
  ({ y, m, day }) => `${day} ${MONTHS[m]!.slice(0, 3).toLowerCase()} ${y}`,
  ({ y, m, day, weekday }) => `${DAYS[weekday]}, ${MONTHS[m]} ${day}, ${y}`,
  ({ y, m, day }) => `the ${ordinal(day)} of ${MONTHS[m]} ${y}`,
  ({ y, m, day }) => `${y} ${MONTHS[m]} ${day}`,
  ({ y, m, day }) => `${MONTHS[m]!.toUpperCase()} ${two(day)} ${y}`,
];

/** `count` random dates from 1950 to 2049 in random written forms, from a seeded generator (mulberry32). */
export function datePairs(count: number, seed: number): DatePair[] {
  let state = seed >>> 0;
  const rand = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const first = Date.UTC(1950, 0, 1);
  const span = Date.UTC(2050, 0, 1) - first;
  return Array.from({ length: count }, () => {
    const date = new Date(first + Math.floor(rand() * (span / 86400000)) * 86400000);
    const d = { y: date.getUTCFullYear(), m: date.getUTCMonth(), day: date.getUTCDate(), weekday: date.getUTCDay() };
    const form = FORMS[Math.floor(rand() * FORMS.length)]!;
    return { source: form(d), target: `${d.y}-${two(d.m + 1)}-${two(d.day)}` };
  });
}
