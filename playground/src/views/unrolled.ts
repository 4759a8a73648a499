/**
 * The unrolled network over the end of the last training window, drawn as in the textbooks: the
 * input characters x_t below, the hidden states h_t across (each showing the chosen unit's value,
 * as a number and a shade), and the predictions y_t above (the likeliest next character and its
 * probability, with the character that came next).
 */
import { diverging, fmt, showChar, svg } from '../dom.js';

export interface UnrolledView {
  text: string;
  next: string;
  /** (T, H) values of the chosen state kind. */
  states: Float32Array;
  probs: Float32Array;
  vocab: string[];
  hiddenSize: number;
  unit: number;
  stateName: string;
}

const STEP = 64;
const ROWS = { y: 24, h: 110, x: 196 };

export function drawUnrolled(target: SVGSVGElement, v: UnrolledView, steps: number): void {
  const T = v.text.length;
  const V = v.vocab.length;
  const shown = Math.min(steps, T);
  const width = shown * STEP + 40;
  target.replaceChildren();
  target.setAttribute('viewBox', `0 0 ${width} 240`);
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' });
  marker.append(svg('path', { d: 'M0,0L10,5L0,10z', class: 'arrow-head' }));
  defs.append(marker);
  target.append(defs);
  target.append(svg('text', { x: 4, y: ROWS.h + 4, class: 'row-label' }, `${v.stateName}`));
  for (let k = 0; k < shown; k++) {
    const t = T - shown + k;
    const cx = 40 + k * STEP + STEP / 2;
    const value = v.states[t * v.hiddenSize + v.unit]!;
    const nextChar = t + 1 < T ? v.text[t + 1]! : v.next;
    let best = 0;
    for (let j = 1; j < V; j++) if (v.probs[t * V + j]! > v.probs[t * V + best]!) best = j;
    const p = v.probs[t * V + best]!;
    const right = v.vocab[best] === nextChar;
    const g = svg('g', { class: 'step' });
    g.append(
      svg(
        'title',
        {},
        `t = ${t}: input '${showChar(v.text[t]!)}', ${v.stateName}[${v.unit}] = ${fmt(value)}, predicts '${showChar(v.vocab[best]!)}' (${(p * 100).toFixed(0)}%), next was '${showChar(nextChar)}'`,
      ),
    );
    // x_t
    g.append(svg('rect', { x: cx - 16, y: ROWS.x - 16, width: 32, height: 32, class: 'box input' }));
    g.append(svg('text', { x: cx, y: ROWS.x + 5, 'text-anchor': 'middle', class: 'char' }, showChar(v.text[t]!)));
    g.append(svg('line', { x1: cx, y1: ROWS.x - 16, x2: cx, y2: ROWS.h + 24, class: 'edge', 'marker-end': 'url(#arrow)' }));
    // h_t
    g.append(svg('rect', { x: cx - 24, y: ROWS.h - 22, width: 48, height: 44, rx: 6, class: 'box hidden', fill: diverging(value) }));
    g.append(svg('text', { x: cx, y: ROWS.h + 5, 'text-anchor': 'middle', class: 'value' }, fmt(value, 2)));
    if (k > 0) g.append(svg('line', { x1: cx - STEP + 24, y1: ROWS.h, x2: cx - 26, y2: ROWS.h, class: 'edge', 'marker-end': 'url(#arrow)' }));
    g.append(svg('line', { x1: cx, y1: ROWS.h - 22, x2: cx, y2: ROWS.y + 22, class: 'edge', 'marker-end': 'url(#arrow)' }));
    // y_t
    g.append(svg('rect', { x: cx - 24, y: ROWS.y - 20, width: 48, height: 40, class: `box output${right ? ' right' : ''}` }));
    g.append(svg('text', { x: cx, y: ROWS.y - 2, 'text-anchor': 'middle', class: 'char' }, showChar(v.vocab[best]!)));
    g.append(svg('text', { x: cx, y: ROWS.y + 14, 'text-anchor': 'middle', class: 'small' }, `${(p * 100).toFixed(0)}%${right ? ' ✓' : ''}`));
    g.append(svg('text', { x: cx, y: ROWS.x + 34, 'text-anchor': 'middle', class: 'small' }, `t=${t}`));
    target.append(g);
  }
  target.append(svg('text', { x: 4, y: ROWS.y + 4, class: 'row-label' }, 'y'));
  target.append(svg('text', { x: 4, y: ROWS.x + 4, class: 'row-label' }, 'x'));
}
