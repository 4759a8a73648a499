/**
 * The command line's figures for programs of one's own (`recurrent-cli/plots`): loss curves and
 * attention heatmaps and forecasts against actual values as SVG (Vega-Lite) and PNG (resvg), written
 * atomically; specToSvg renders any Vega-Lite spec in the same font, for figures of one's own.
 */
export { lossCurveSvg, specToSvg, svgToPng, writeAtomically, writeReport, REPORT_FONT } from './report.js';
export type { CurvePoint, RunSummary } from './report.js';
export { attentionSvg, writeAttentionPlot } from './seq2seq/attention_plot.js';
export { forecastSvg, writeForecastPlot } from './forecast/forecast_plot.js';
