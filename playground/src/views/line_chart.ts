/**
 * An SVG line chart for the loss curve and the gradient norms: several named series, each drawn
 * with its own dash pattern and labelled at its end, so that lines are told apart without colour.
 */
import { svg } from '../dom.js';

export interface Series {
  name: string;
  points: [number, number][];
}

export interface ChartOptions {
  width: number;
  height: number;
  xLabel: string;
  yLabel: string;
  /** Logarithmic y axis (values ≤ 0 are dropped). */
  logY?: boolean;
}

const DASHES = ['', '6 3', '2 3'];
const COLOURS = ['#1f5fa8', '#b3401f', '#2f7d32'];
const M = { left: 56, right: 84, top: 10, bottom: 36 };

function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= count) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(v);
  return out;
}

const label = (v: number): string => (Math.abs(v) >= 1000 ? `${Math.round(v / 1000)}k` : Number(v.toPrecision(3)).toString());

/** Draws `series` into the <svg> `target`, replacing what it held. */
export function drawLineChart(target: SVGSVGElement, series: readonly Series[], o: ChartOptions): void {
  target.replaceChildren();
  target.setAttribute('viewBox', `0 0 ${o.width} ${o.height}`);
  const f = (y: number): number => (o.logY ? Math.log10(y) : y);
  const pts = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(f(y)));
  if (pts.length === 0) return;
  const [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => f(p[1]))), Math.max(...pts.map((p) => f(p[1])))];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const w = o.width - M.left - M.right;
  const h = o.height - M.top - M.bottom;
  const sx = (x: number): number => M.left + (x1 > x0 ? ((x - x0) / (x1 - x0)) * w : w / 2);
  const sy = (y: number): number => M.top + h - ((f(y) - y0) / (y1 - y0)) * h;
  const axis = svg('g', { class: 'axis' });
  axis.append(svg('line', { x1: M.left, y1: M.top + h, x2: M.left + w, y2: M.top + h }), svg('line', { x1: M.left, y1: M.top, x2: M.left, y2: M.top + h }));
  for (const v of ticks(x0, x1, 6)) axis.append(svg('text', { x: sx(v), y: M.top + h + 14, 'text-anchor': 'middle' }, label(v)));
  const yTicks = o.logY ? ticks(Math.floor(y0), Math.ceil(y1), 6).map((e) => 10 ** e) : ticks(y0, y1, 5);
  for (const v of yTicks) {
    if (f(v) < y0 - 1e-9 || f(v) > y1 + 1e-9) continue;
    axis.append(svg('line', { class: 'grid', x1: M.left, y1: sy(v), x2: M.left + w, y2: sy(v) }));
    axis.append(svg('text', { x: M.left - 6, y: sy(v) + 4, 'text-anchor': 'end' }, o.logY ? `1e${Math.round(Math.log10(v))}` : label(v)));
  }
  axis.append(svg('text', { x: M.left + w / 2, y: o.height - 4, 'text-anchor': 'middle' }, o.xLabel));
  axis.append(svg('text', { x: 12, y: M.top + h / 2, transform: `rotate(-90 12 ${M.top + h / 2})`, 'text-anchor': 'middle' }, o.yLabel));
  target.append(axis);
  series.forEach((s, i) => {
    const good = s.points.filter(([, y]) => Number.isFinite(f(y)));
    if (good.length === 0) return;
    const d = good.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    target.append(svg('path', { d, fill: 'none', stroke: COLOURS[i % 3]!, 'stroke-width': 2, 'stroke-dasharray': DASHES[i % 3]! }));
  });
  // The legend: each series' name beside a sample of its line.
  series.forEach((s, i) => {
    const y = M.top + 12 + i * 16;
    const x = o.width - M.right + 6;
    target.append(svg('line', { x1: x, y1: y - 4, x2: x + 22, y2: y - 4, stroke: COLOURS[i % 3]!, 'stroke-width': 2, 'stroke-dasharray': DASHES[i % 3]! }));
    target.append(svg('text', { x: x + 26, y, class: 'series-label', fill: COLOURS[i % 3]! }, s.name));
  });
}
