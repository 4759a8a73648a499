/**
 * The figures of bench/curves.ts, one pair per swept axis: throughput (train and infer, ours and
 * PyTorch, log-log) and training peak memory above the process's baseline, drawn with the command
 * line's Vega-Lite renderer (recurrent-cli/plots) to SVG and PNG.
 */
import { REPORT_FONT, specToSvg, svgToPng, writeAtomically } from 'recurrent-cli/plots';
import type { TopLevelSpec } from 'vega-lite';

export interface ThroughputPoint {
  x: number;
  framework: string;
  figure: 'train' | 'infer';
  tokensPerSecond: number;
}

export interface MemoryPoint {
  x: number;
  framework: string;
  aboveBaselineMiB: number;
}

export interface AxisLabels {
  /** The x axis, e.g. 'sequence length T (time steps)'. */
  x: string;
  title: string;
  /** Lines under the title: what was held fixed, the frameworks, the repetitions. */
  subtitle: string[];
}

const COLORS: Record<string, string> = { recurrent: '#4c78a8', torch: '#f58518' };

/** The same colour for a framework in every figure; the legend lists only the frameworks drawn. */
function frameworkColors(frameworks: readonly string[]): { domain: string[]; range: string[] } {
  const domain = [...new Set(frameworks)].sort((a, b) => Object.keys(COLORS).indexOf(a) - Object.keys(COLORS).indexOf(b));
  return { domain, range: domain.map((f) => COLORS[f] ?? '#54a24b') };
}

function logTicks(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** tok/s against the axis, log-log: colour = framework, dash = train or infer. */
export function throughputSpec(points: readonly ThroughputPoint[], labels: AxisLabels): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: labels.title, subtitle: labels.subtitle },
    width: 640,
    height: 340,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: `${labels.x}, log scale`,
        scale: { type: 'log', nice: false },
        axis: { values: logTicks(points.map((p) => p.x)) },
      },
      y: { field: 'tokensPerSecond', type: 'quantitative', title: 'tokens per second, log scale', scale: { type: 'log' } },
      color: { field: 'framework', type: 'nominal', title: 'framework', scale: frameworkColors(points.map((p) => p.framework)) },
      strokeDash: {
        field: 'figure',
        type: 'nominal',
        title: 'figure',
        scale: {
          domain: ['train', 'infer'],
          range: [
            [1, 0],
            [6, 4],
          ],
        },
      },
      shape: {
        field: 'figure',
        type: 'nominal',
        title: 'figure',
        scale: { domain: ['train', 'infer'], range: ['circle', 'square'] },
        legend: { labelExpr: "datum.label === 'train' ? 'train (solid line)' : 'infer (dashed line)'" },
      },
      detail: { field: 'figure', type: 'nominal' },
    },
    config: { font: REPORT_FONT, background: 'white' },
  };
}

/** Training peak RSS above baseline against the axis (log x, linear y): colour = framework. */
export function memorySpec(points: readonly MemoryPoint[], labels: AxisLabels): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: labels.title, subtitle: labels.subtitle },
    width: 640,
    height: 340,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: `${labels.x}, log scale`,
        scale: { type: 'log', nice: false },
        axis: { values: logTicks(points.map((p) => p.x)) },
      },
      y: { field: 'aboveBaselineMiB', type: 'quantitative', title: 'training peak RSS above baseline (MiB)' },
      color: { field: 'framework', type: 'nominal', title: 'framework', scale: frameworkColors(points.map((p) => p.framework)) },
    },
    config: { font: REPORT_FONT, background: 'white' },
  };
}

/** Renders `spec` to `base`.svg and `base`.png; returns both paths. */
export async function writePlot(base: string, spec: TopLevelSpec): Promise<[string, string]> {
  const svg = await specToSvg(spec);
  writeAtomically(`${base}.svg`, svg);
  writeAtomically(`${base}.png`, await svgToPng(svg));
  return [`${base}.svg`, `${base}.png`];
}
