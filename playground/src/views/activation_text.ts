/**
 * A passage coloured by one unit's activation at each character (Karpathy, Johnson & Fei-Fei,
 * "Visualizing and Understanding Recurrent Networks", 2015): red for positive, blue for negative.
 * Each character's value is also in its tooltip, and a line plot below shows the same values,
 * so the view reads without colour too.
 */
import { diverging, fmt, html, showChar, svg } from '../dom.js';

export function renderActivationText(
  container: HTMLElement,
  plot: SVGSVGElement,
  text: string,
  values: Float32Array,
  H: number,
  unit: number,
  name: string,
): void {
  container.replaceChildren();
  const series: number[] = [];
  for (let t = 0; t < text.length; t++) {
    const v = values[t * H + unit]!;
    series.push(v);
    const ch = text[t]!;
    if (ch === '\n') {
      container.append(html('span', { class: 'ch', title: `↵ ${fmt(v)}`, style: `background:${diverging(v)}` }, '↵'), html('br'));
      continue;
    }
    container.append(html('span', { class: 'ch', title: `'${showChar(ch)}' ${name}[${unit}] = ${fmt(v)}`, style: `background:${diverging(v)}` }, ch));
  }
  const W = 900;
  const Hh = 70;
  plot.replaceChildren();
  plot.setAttribute('viewBox', `0 0 ${W} ${Hh}`);
  const lo = Math.min(-1, ...series);
  const hi = Math.max(1, ...series);
  const y = (v: number): number => Hh - 4 - ((v - lo) / (hi - lo)) * (Hh - 8);
  const x = (t: number): number => (t / Math.max(1, series.length - 1)) * (W - 2) + 1;
  plot.append(svg('line', { x1: 0, x2: W, y1: y(0), y2: y(0), class: 'grid' }));
  plot.append(svg('path', { d: series.map((v, t) => `${t === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(''), class: 'spark' }));
}
