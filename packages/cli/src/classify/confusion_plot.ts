/**
 * The confusion matrix of a classifier as a heatmap: true labels along y, predicted labels along
 * x, each cell the count (and its share of the true label's row, by its shade). Written as SVG and
 * PNG, atomically.
 */
import type { TopLevelSpec } from 'vega-lite';
import { REPORT_FONT, specToSvg, svgToPng, writeAtomically } from '../report.js';

/** The heatmap as an SVG document. `confusion[t][p]`: items of true label t predicted as p. */
export async function confusionSvg(labels: readonly string[], confusion: readonly (readonly number[])[], title: string): Promise<string> {
  const values = confusion.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ truth: labels[t]!, predicted: labels[p]!, count, share: total === 0 ? 0 : count / total }));
  });
  const cell = Math.max(24, Math.min(60, Math.floor(600 / Math.max(1, labels.length))));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: cell * labels.length,
    height: cell * labels.length,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: [...labels], title: 'predicted', axis: { labelAngle: -45, orient: 'top' } },
      y: { field: 'truth', type: 'ordinal', sort: [...labels], title: 'true label' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'share', type: 'quantitative', scale: { domain: [0, 1], range: ['#ffffff', '#08306b'] }, title: 'share of row' },
          tooltip: [{ field: 'count', type: 'quantitative' }],
        },
      },
      ...(labels.length <= 20
        ? [
            {
              mark: { type: 'text' as const, fontSize: 11 },
              encoding: {
                text: { field: 'count', type: 'quantitative' as const },
                color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
              },
            },
          ]
        : []),
    ],
    config: { font: REPORT_FONT, background: 'white', view: { stroke: null } },
  };
  return specToSvg(spec);
}

/** Writes the heatmap to `path` (.png or .svg, or no extension) and its sibling of the other format; returns both paths. */
export async function writeConfusionPlot(
  path: string,
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
  title: string,
): Promise<[string, string]> {
  const base = path.replace(/\.(png|svg)$/i, '');
  const svg = await confusionSvg(labels, confusion, title);
  writeAtomically(`${base}.svg`, svg);
  writeAtomically(`${base}.png`, await svgToPng(svg));
  return [`${base}.png`, `${base}.svg`];
}
