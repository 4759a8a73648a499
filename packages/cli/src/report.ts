/**
 * Loss curves and the run report: a Vega-Lite line chart rendered to SVG by Vega, to PNG by resvg
 * (WebAssembly, with DejaVu Sans for the labels), and a small HTML page embedding both. Files are
 * written atomically (temporary file, then rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg, initWasm } from '@resvg/resvg-wasm';

export interface CurvePoint {
  step: number;
  /** 'train' or 'validation'. */
  split: string;
  /** The measure the curve plots (bits per character, nats per token, …). */
  value: number;
}

export interface RunSummary {
  title: string;
  /** The y axis of the loss curve; default 'bits per character'. */
  measure?: string;
  rows: [string, string][];
  samples: string[];
  /** Further figures (an SVG document and its title), shown after the loss curve. */
  figures?: { title: string; svg: string }[];
}

const require = createRequire(import.meta.url);
let wasmReady: Promise<void> | null = null;
const FONT = 'DejaVu Sans';

function fontBytes(): Uint8Array {
  return readFileSync(join(require.resolve('dejavu-fonts-ttf/package.json'), '..', 'ttf', 'DejaVuSans.ttf'));
}

export function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The loss curves as an SVG document. */
export async function lossCurveSvg(points: readonly CurvePoint[], title: string, measure = 'bits per character'): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 640,
    height: 320,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: points.length < 60 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
      y: { field: 'value', type: 'quantitative', title: measure, scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: null },
    },
    config: { font: FONT, background: 'white' },
  };
  return specToSvg(spec);
}

/** A Vega-Lite spec rendered to an SVG document, in the report's font. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

/** The report's font, for specs made elsewhere. */
export const REPORT_FONT = FONT;

/** Renders an SVG document to PNG bytes. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  wasmReady ??= initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
  await wasmReady;
  const resvg = new Resvg(svg, { font: { fontBuffers: [fontBytes()], defaultFontFamily: FONT, loadSystemFonts: false }, fitTo: { mode: 'zoom', value: 2 } });
  return resvg.render().asPng();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Writes loss_curve.svg, loss_curve.png and report.html into `dir`. */
export async function writeReport(dir: string, points: readonly CurvePoint[], summary: RunSummary): Promise<void> {
  const svg = await lossCurveSvg(points, summary.title, summary.measure);
  writeAtomically(join(dir, 'loss_curve.svg'), svg);
  writeAtomically(join(dir, 'loss_curve.png'), await svgToPng(svg));
  const rows = summary.rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  const samples = summary.samples.map((s) => `<pre>${escapeHtml(s)}</pre>`).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(summary.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em}th{text-align:left;padding-right:1em}pre{white-space:pre-wrap;background:#f4f4f4;padding:.8em}</style>
</head><body>
<h1>${escapeHtml(summary.title)}</h1>
<table>
${rows}
</table>
<h2>Loss</h2>
${svg}
${(summary.figures ?? []).map((f) => `<h2>${escapeHtml(f.title)}</h2>\n${f.svg}`).join('\n')}
<h2>Samples</h2>
${samples}
</body></html>
`;
  writeAtomically(join(dir, 'report.html'), html);
}
