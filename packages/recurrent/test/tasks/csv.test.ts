// Reading time series from CSV: what is accepted, and the errors naming the file and line for each
// kind of bad input (an empty file, a non-numeric cell, a missing value, an unparsable date).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, parseCsv, readSeries, type SeriesColumns } from '../../src/index.js';

const read = (text: string, columns: SeriesColumns = { target: 'y', covariates: ['x'], date: 'd' }) => readSeries(parseCsv(text, 'data.csv'), columns);
const fails = (make: () => unknown, message: RegExp): void => {
  assert.throws(make, (e: unknown) => e instanceof FormatError && message.test(e.message));
};

test('a header, rows, their lines; Windows line ends, a byte-order mark, quoted cells and blank lines', () => {
  const table = parseCsv('\ufeffd,"y",x\r\n2024-01-01,"1,5",2\r\n\r\n2024-01-03,2,"say ""hi"""\r\n', 'data.csv');
  assert.deepEqual(table.header, ['d', 'y', 'x']);
  assert.deepEqual(table.rows, [
    ['2024-01-01', '1,5', '2'],
    ['2024-01-03', '2', 'say "hi"'],
  ]);
  assert.deepEqual(table.lines, [2, 4]);
  const series = read('d,y,x\n2024-01-01,1.5,2\n2024/01/03, -2e1 ,3\n');
  assert.deepEqual([...series.target], [1.5, -20]);
  assert.deepEqual([...series.covariates[0]!], [2, 3]);
  assert.deepEqual([...series.dates!], [19723, 19725]);
  assert.deepEqual(series.lines, [2, 3]);
  assert.equal(read('y\n1\n2\n', { target: 'y', covariates: [], date: null }).dates, null);
});

for (const [name, text, message] of [
  ['a 0-byte file', '', /^data\.csv: the file is empty \(0 bytes\); expected a header line, then one row per time step$/],
  ['only blank lines', '\n \n', /^data\.csv: the file holds only blank lines/],
  ['a header without rows', 'd,y,x\n', /^data\.csv: the file has a header but no rows$/],
  ['a non-numeric cell', 'd,y,x\n2024-01-01,1,2\n2024-01-02,abc,3\n', /^data\.csv:3: column 'y': expected a number; got 'abc'$/],
  [
    'a missing value',
    'd,y,x\n2024-01-01,1,2\n2024-01-02,2,\n',
    /^data\.csv:3: column 'x' has a missing value \(an empty cell\); missing values are not filled in: fill or drop the row before training/,
  ],
  ['an NA', 'd,y,x\n2024-01-01,NA,2\n', /^data\.csv:2: column 'y' has a missing value \('NA'\)/],
  [
    'an unparsable date',
    'd,y,x\n2024-01-01,1,2\n2024-02-30,1,2\n',
    /^data\.csv:3: column 'd': expected a date YYYY-MM-DD \(or YYYY\/MM\/DD\); got "2024-02-30"$/,
  ],
  ['a date in another format', 'd,y,x\n01/02/2024,1,2\n', /^data\.csv:2: column 'd': expected a date YYYY-MM-DD/],
  [
    'dates out of order',
    'd,y,x\n2024-01-02,1,2\n2024-01-01,1,2\n',
    /^data\.csv:3: column 'd': the date 2024-01-01 does not come after the previous row's 2024-01-02/,
  ],
  ['a short row', 'd,y,x\n2024-01-01,1\n', /^data\.csv:2: expected 3 cells, as in the header \(d, y, x\); got 2$/],
  ['an unknown column', 'd,z,x\n2024-01-01,1,2\n', /^data\.csv: no column 'y' \(the target\); the header has 'd', 'z', 'x'$/],
  ['a duplicate column', 'd,y,y\n', /^data\.csv:1: the header names column 'y' twice$/],
] as const) {
  test(`${name}: a FormatError naming the file (and line)`, () => fails(() => read(text), message));
}
