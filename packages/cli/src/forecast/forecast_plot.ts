/**
 * Forecast against actual: the actual values and the one-step-ahead forecasts as two lines over
 * the dates (or row numbers), with the prediction interval as a band when there are quantiles.
 * Written as SVG and PNG, atomically.
 */
import type { ForecastRow } from 'recurrent';
import type { TopLevelSpec } from 'vega-lite';
import { REPORT_FONT, specToSvg, svgToPng, writeAtomically } from '../report.js';

/** The figure as an SVG document; `target` names the y axis. */
export async function forecastSvg(rows: readonly ForecastRow[], title: string, target: string): Promise<string> {
  const dated = rows.every((r) => r.date !== null);
  const x = (r: ForecastRow, i: number): string | number => (dated ? r.date! : i + 1);
  const lines = rows.flatMap((r, i) => [
    ...(Number.isNaN(r.actual) ? [] : [{ x: x(r, i), value: r.actual, series: 'actual' }]),
    { x: x(r, i), value: r.forecast, series: 'forecast' },
  ]);
  const band = rows.filter((r) => r.quantiles.length > 1).map((r, i) => ({ x: x(r, i), lower: r.quantiles[0]!, upper: r.quantiles.at(-1)! }));
  const xEncoding = dated ? { field: 'x', type: 'temporal' as const, title: 'date' } : { field: 'x', type: 'quantitative' as const, title: 'row' };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 900,
    height: 320,
    layer: [
      ...(band.length > 0
        ? [
            {
              data: { values: band },
              mark: { type: 'area' as const, opacity: 0.25, color: '#f58518' },
              encoding: { x: xEncoding, y: { field: 'lower', type: 'quantitative' as const }, y2: { field: 'upper' } },
            },
          ]
        : []),
      {
        data: { values: lines },
        mark: { type: 'line' as const, strokeWidth: rows.length > 200 ? 0.8 : 1.5 },
        encoding: {
          x: xEncoding,
          y: { field: 'value', type: 'quantitative' as const, title: target, scale: { zero: false } },
          color: { field: 'series', type: 'nominal' as const, title: null, scale: { domain: ['actual', 'forecast'], range: ['#4c78a8', '#f58518'] } },
        },
      },
    ],
    config: { font: REPORT_FONT, background: 'white' },
  };
  return specToSvg(spec);
}

/** Writes the figure to `path` (.png; or .svg) and its sibling of the other format; returns both paths. */
export async function writeForecastPlot(path: string, rows: readonly ForecastRow[], title: string, target: string): Promise<[string, string]> {
  const base = path.replace(/\.(png|svg)$/i, '');
  const svg = await forecastSvg(rows, title, target);
  writeAtomically(`${base}.svg`, svg);
  writeAtomically(`${base}.png`, await svgToPng(svg));
  return [`${base}.png`, `${base}.svg`];
}
