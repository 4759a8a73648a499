/** A CSV file of a series, read for a flag: its text checked, its SHA-256 for --resume, its rows as the task reads them. */
import { parseCsv, readSeries, type SeriesColumns, type TimeSeries, ValueError } from 'recurrent';
import { readTextFile, sha256Hex } from '../corpus.js';

export interface SeriesFile {
  path: string;
  sha256: string;
  series: TimeSeries;
}

/** The series of `columns` in the CSV file at `path` (named `flag` in errors about the file itself). */
export function readSeriesFile(flag: string, path: string, columns: SeriesColumns): SeriesFile {
  const { text, bytes } = readTextFile(flag, path);
  return { path, sha256: sha256Hex(bytes), series: readSeries(parseCsv(text, path), columns) };
}

/** Rows [from, to) of a series. */
export function sliceSeries(s: TimeSeries, from: number, to: number, file = s.file): TimeSeries {
  return {
    file,
    target: s.target.slice(from, to),
    covariates: s.covariates.map((c) => c.slice(from, to)),
    covariateNames: s.covariateNames,
    dates: s.dates === null ? null : s.dates.slice(from, to),
    lines: s.lines.slice(from, to),
  };
}

/** `--covariates A,B` as names; an empty name is an error. */
export function covariateList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new ValueError(`--covariates: expected column names separated by commas; got '${text}'`);
  return names;
}
