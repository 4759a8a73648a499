/**
 * Time series from CSV with a header: the file format of forecasting. One row per time step, in
 * time order; a target column, optional covariate columns, an optional date column.
 */
import { FormatError } from '../../errors.js';
import { parseDate } from '../calendar.js';

/** A CSV file as text cells: the header's names and each row with the line it came from (1-based). */
export interface CsvTable {
  file: string;
  header: string[];
  rows: string[][];
  lines: number[];
}

/** Which columns of a table make a series. */
export interface SeriesColumns {
  /** The column to forecast. */
  target: string;
  /** Further numeric columns fed to the model as inputs (their past values); default none. */
  covariates?: readonly string[];
  /** A column of dates (YYYY-MM-DD or YYYY/MM/DD), strictly increasing; default none. */
  date?: string | null;
}

/**
 * A series read from a file: the target's values, the covariates' values, the dates as days since
 * 1970-01-01 (UTC) when there is a date column, and the line of each row (for messages).
 */
export interface TimeSeries {
  file: string;
  target: Float64Array;
  covariates: Float64Array[];
  covariateNames: string[];
  dates: Int32Array | null;
  lines: number[];
}

/** Cells of one line, split on commas; a field in double quotes may hold commas and "" for a quote. */
function splitLine(line: string, where: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new FormatError(`${where}: a quoted field is not closed (a field cannot span lines)`);
        cell += line.slice(i, q);
        if (line[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      if (i < line.length && line[i] !== ',') throw new FormatError(`${where}: text after the closing quote of a field`);
      cells.push(cell);
    } else {
      const comma = line.indexOf(',', i);
      cells.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return cells;
    i++; // the comma
    if (i === line.length) {
      cells.push('');
      return cells;
    }
  }
}

/**
 * Reads CSV text with a header line. Blank lines are skipped; a trailing CR (Windows line ends)
 * and a leading byte-order mark are dropped; cells are kept as text (see `readSeries`).
 *
 * Throws: FormatError naming `file`: an empty file (0 bytes) or one without a header; a duplicate
 * or empty column name; a row (with its line) whose number of cells differs from the header's.
 *
 * @example
 * import { parseCsv } from 'recurrent';
 * parseCsv('date,sales\n2024-01-01,5\n', 'sales.csv').rows; // [['2024-01-01', '5']]
 */
export function parseCsv(text: string, file: string): CsvTable {
  if (text.length === 0) throw new FormatError(`${file}: the file is empty (0 bytes); expected a header line, then one row per time step`);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new FormatError(`${file}: the file holds only blank lines; expected a header line, then one row per time step`);
  const header = splitLine(lines[first]!, `${file}:${first + 1}`).map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '') throw new FormatError(`${file}:${first + 1}: column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new FormatError(`${file}:${first + 1}: the header names column '${name}' twice`);
    seen.add(name);
  });
  const rows: string[][] = [];
  const rowLines: number[] = [];
  for (let i = first + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const cells = splitLine(lines[i]!, `${file}:${i + 1}`);
    if (cells.length !== header.length) {
      throw new FormatError(`${file}:${i + 1}: expected ${header.length} cells, as in the header (${header.join(', ')}); got ${cells.length}`);
    }
    rows.push(cells);
    rowLines.push(i + 1);
  }
  return { file, header, rows, lines: rowLines };
}

/** Cells read as missing values. */
const MISSING = new Set(['', 'na', 'nan', 'null', 'none', '?']);

/**
 * The series of `columns` in a table. Values are numbers (`Number` syntax: 12, -3.5, 1e3).
 *
 * Missing values are not filled in: an empty cell (or NA, NaN, null, ?) is a FormatError naming
 * the file, line and column, because any filling rule (previous value, interpolation, zero) changes
 * what the model learns, and the choice belongs to the user, before training.
 *
 * Throws: FormatError naming the file (and line): a column not in the header; a missing value; a
 * non-numeric cell; an unparsable date; dates not strictly increasing; no rows.
 *
 * @example
 * import { parseCsv, readSeries } from 'recurrent';
 * const table = parseCsv('date,sales,price\n2024-01-01,5,2\n2024-01-02,7,2.5\n', 'sales.csv');
 * const series = readSeries(table, { target: 'sales', covariates: ['price'], date: 'date' });
 * [...series.target]; // [5, 7]
 */
export function readSeries(table: CsvTable, columns: SeriesColumns): TimeSeries {
  const { file } = table;
  const index = (name: string, role: string): number => {
    const i = table.header.indexOf(name);
    if (i < 0) throw new FormatError(`${file}: no column '${name}' (the ${role}); the header has ${table.header.map((h) => `'${h}'`).join(', ')}`);
    return i;
  };
  if (table.rows.length === 0) throw new FormatError(`${file}: the file has a header but no rows`);
  const covariateNames = [...(columns.covariates ?? [])];
  if (covariateNames.includes(columns.target)) throw new FormatError(`${file}: the target '${columns.target}' is also named as a covariate`);
  const numeric = (name: string, role: string): Float64Array => {
    const c = index(name, role);
    return Float64Array.from(table.rows, (row, r) => {
      const cell = row[c]!.trim();
      const where = `${file}:${table.lines[r]}`;
      if (MISSING.has(cell.toLowerCase())) {
        throw new FormatError(
          `${where}: column '${name}' has a missing value (${cell === '' ? 'an empty cell' : `'${cell}'`}); missing values are not filled in: fill or drop the row before training (e.g. with the previous step's value)`,
        );
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) throw new FormatError(`${where}: column '${name}': expected a number; got '${row[c]}'`);
      return value;
    });
  };
  const target = numeric(columns.target, 'target');
  const covariates = covariateNames.map((name) => numeric(name, 'covariate'));
  let dates: Int32Array | null = null;
  if (columns.date !== undefined && columns.date !== null) {
    const c = index(columns.date, 'date');
    dates = Int32Array.from(table.rows, (row, r) => parseDate(row[c]!.trim(), `${file}:${table.lines[r]}: column '${columns.date}'`));
    for (let r = 1; r < dates.length; r++) {
      if (dates[r]! <= dates[r - 1]!) {
        throw new FormatError(
          `${file}:${table.lines[r]}: column '${columns.date}': the date ${table.rows[r]![c]!.trim()} does not come after the previous row's ${table.rows[r - 1]![c]!.trim()}; rows must be in time order, one per step`,
        );
      }
    }
  }
  return { file, target, covariates, covariateNames, dates, lines: [...table.lines] };
}
