// Calendar features and the US federal holidays, on dates checked against the Office of Personnel
// Management's published lists (and the history of the Uniform Monday Holiday Act).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, calendarFeatureNames, calendarFeatures, epochDay, formatDate, parseDate, usFederalHolidays, weekday } from '../../src/index.js';

const day = (text: string): number => parseDate(text, 'test');
const holidays = (year: number): Record<string, [string, string]> =>
  Object.fromEntries(usFederalHolidays(year).map((h) => [h.name, [formatDate(h.date), formatDate(h.observed)]]));

test('dates: days since 1970-01-01, weekdays, round trips', () => {
  assert.equal(day('1970-01-01'), 0);
  assert.equal(day('2024-02-29'), epochDay(2024, 2, 29));
  assert.equal(formatDate(day('1969-12-31')), '1969-12-31');
  assert.equal(weekday(day('2024-07-04')), 4); // a Thursday
  assert.equal(weekday(day('1969-07-20')), 0); // a Sunday
  assert.throws(
    () => parseDate('2023-02-29', 'f.csv:3'),
    (e: unknown) => e instanceof FormatError && /^f\.csv:3: expected a date/.test(e.message),
  );
});

test('the federal holidays of 2024 and their observed days', () => {
  assert.deepEqual(holidays(2024), {
    "New Year's Day": ['2024-01-01', '2024-01-01'],
    'Martin Luther King Jr. Day': ['2024-01-15', '2024-01-15'],
    "Washington's Birthday": ['2024-02-19', '2024-02-19'],
    'Memorial Day': ['2024-05-27', '2024-05-27'],
    'Juneteenth National Independence Day': ['2024-06-19', '2024-06-19'],
    'Independence Day': ['2024-07-04', '2024-07-04'],
    'Labor Day': ['2024-09-02', '2024-09-02'],
    'Columbus Day': ['2024-10-14', '2024-10-14'],
    'Veterans Day': ['2024-11-11', '2024-11-11'],
    'Thanksgiving Day': ['2024-11-28', '2024-11-28'],
    'Christmas Day': ['2024-12-25', '2024-12-25'],
  });
});

test('a Saturday holiday is observed the Friday before, a Sunday one the Monday after', () => {
  assert.deepEqual(holidays(2022)["New Year's Day"], ['2022-01-01', '2021-12-31']);
  assert.deepEqual(holidays(2023)["New Year's Day"], ['2023-01-01', '2023-01-02']);
  assert.deepEqual(holidays(2022)['Juneteenth National Independence Day'], ['2022-06-19', '2022-06-20']);
  assert.deepEqual(holidays(2020)['Independence Day'], ['2020-07-04', '2020-07-03']);
  assert.deepEqual(holidays(2021)['Christmas Day'], ['2021-12-25', '2021-12-24']);
});

test('history: fixed dates before 1971, Veterans Day in October 1971–1977, MLK Day from 1986, Juneteenth from 2021', () => {
  assert.deepEqual(holidays(1970)["Washington's Birthday"], ['1970-02-22', '1970-02-23']);
  assert.deepEqual(holidays(1970)['Memorial Day'], ['1970-05-30', '1970-05-29']);
  assert.deepEqual(holidays(1971)['Memorial Day'], ['1971-05-31', '1971-05-31']);
  assert.deepEqual(holidays(1975)['Veterans Day'], ['1975-10-27', '1975-10-27']);
  assert.deepEqual(holidays(1978)['Veterans Day'], ['1978-11-11', '1978-11-10']);
  assert.equal(holidays(1985)['Martin Luther King Jr. Day'], undefined);
  assert.deepEqual(holidays(1986)['Martin Luther King Jr. Day'], ['1986-01-20', '1986-01-20']);
  assert.equal(holidays(2020)['Juneteenth National Independence Day'], undefined);
  assert.equal(usFederalHolidays(1980).length, 9);
});

test('features: weekday and month one-hot, the season as sin/cos, holiday marks around a day off', () => {
  const names = calendarFeatureNames('us');
  assert.equal(names.length, 25);
  assert.equal(calendarFeatureNames('none').length, 21);
  const dates = ['2021-12-30', '2021-12-31', '2022-01-01', '2022-01-03', '2022-07-01'].map(day);
  const f = calendarFeatures(dates, 'us');
  const at = (i: number, name: string): number => f[i * names.length + names.indexOf(name)]!;
  assert.equal(at(0, 'thursday'), 1);
  assert.equal(at(0, 'dec'), 1);
  assert.equal(
    names.slice(0, 19).reduce((s, n) => s + at(2, n), 0),
    2,
  ); // one weekday, one month
  assert.equal(at(2, 'saturday'), 1);
  assert.equal(at(2, 'jan'), 1);
  assert.ok(Math.abs(at(2, 'yearSin')) < 1e-12 && Math.abs(at(2, 'yearCos') - 1) < 1e-12);
  assert.ok(at(4, 'yearCos') < -0.99); // mid-year
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => ['holiday', 'dayOff', 'beforeDayOff', 'afterDayOff'].map((n) => at(i, n))),
    [
      [0, 0, 1, 0], // the day before the observed day off
      [0, 1, 0, 0], // New Year's Day 2022 observed on Friday, 31 December 2021
      [1, 0, 0, 1], // the holiday itself, a Saturday
      [0, 0, 0, 0],
    ],
  );
});
