/**
 * The alignment heatmap of one translation: source tokens along x, output tokens along y (EOS
 * last), each cell the attention weight of that output step on that source token. Written as SVG
 * and PNG, atomically.
 */
import type { TopLevelSpec } from 'vega-lite';
import { REPORT_FONT, specToSvg, svgToPng, writeAtomically } from '../report.js';

/** Labels made distinct (a repeated token gets zero-width spaces), so that an ordinal axis keeps every position. */
function distinct(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const shown = label === ' ' ? '␣' : label;
    const k = seen.get(shown) ?? 0;
    seen.set(shown, k + 1);
    return shown + '\u200b'.repeat(k);
  });
}

/** The heatmap as an SVG document. `weights[i][j]`: output step i on source token j. */
export async function attentionSvg(
  sourceTokens: readonly string[],
  outputTokens: readonly string[],
  weights: readonly (readonly number[])[],
  title: string,
): Promise<string> {
  const xs = distinct(sourceTokens);
  const ys = distinct([...outputTokens, '</s>'].slice(0, weights.length));
  const values = weights.flatMap((row, i) => row.map((w, j) => ({ source: xs[j]!, output: ys[i]!, weight: w })));
  const cell = 22;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: Math.max(120, cell * xs.length),
    height: Math.max(60, cell * ys.length),
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'source', type: 'ordinal', sort: xs, title: 'source', axis: { labelAngle: 0, orient: 'top' } },
      y: { field: 'output', type: 'ordinal', sort: ys, title: 'output' },
      color: { field: 'weight', type: 'quantitative', scale: { domain: [0, 1], range: ['#ffffff', '#08306b'] }, title: 'attention' },
      tooltip: [{ field: 'weight', type: 'quantitative', format: '.3f' }],
    },
    config: { font: REPORT_FONT, background: 'white', view: { stroke: null } },
  };
  return specToSvg(spec);
}

/** Writes the heatmap to `path` (.png; or .svg) and its sibling of the other format; returns both paths. */
export async function writeAttentionPlot(
  path: string,
  sourceTokens: readonly string[],
  outputTokens: readonly string[],
  weights: readonly (readonly number[])[],
  title: string,
): Promise<[string, string]> {
  const base = path.replace(/\.(png|svg)$/i, '');
  const svg = await attentionSvg(sourceTokens, outputTokens, weights, title);
  writeAtomically(`${base}.svg`, svg);
  writeAtomically(`${base}.png`, await svgToPng(svg));
  return [`${base}.png`, `${base}.svg`];
}
