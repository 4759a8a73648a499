/**
 * The next-character distribution at each position of the end of the window: a table with a
 * column per position (headed by the input character) and the likeliest characters as rows, each
 * with its probability as a number and a bar; the character that really came next is marked ✓.
 */
import { html, showChar } from '../dom.js';

const TOP = 5;

export function renderNextChar(table: HTMLTableElement, text: string, next: string, probs: Float32Array, vocab: string[], steps: number): void {
  const T = text.length;
  const V = vocab.length;
  const shown = Math.min(steps, T);
  table.replaceChildren();
  const head = html('tr');
  head.append(html('th', { scope: 'col' }, 'input →'));
  const columns: { t: number; order: number[]; actual: string }[] = [];
  for (let k = 0; k < shown; k++) {
    const t = T - shown + k;
    head.append(html('th', { scope: 'col', title: `t = ${t}` }, showChar(text[t]!)));
    const order = Array.from({ length: V }, (_, j) => j).sort((a, b) => probs[t * V + b]! - probs[t * V + a]!);
    columns.push({ t, order, actual: t + 1 < T ? text[t + 1]! : next });
  }
  const thead = html('thead');
  thead.append(head);
  const tbody = html('tbody');
  for (let rank = 0; rank < TOP; rank++) {
    const tr = html('tr');
    tr.append(html('th', { scope: 'row' }, `#${rank + 1}`));
    for (const { t, order, actual } of columns) {
      const j = order[rank]!;
      const p = probs[t * V + j]!;
      const hit = vocab[j] === actual;
      const td = html('td', { class: hit ? 'hit' : '' });
      td.append(
        html('span', { class: 'glyph' }, `${showChar(vocab[j]!)}${hit ? '✓' : ''}`),
        html('span', { class: 'bar', style: `width:${Math.round(p * 100)}%` }),
        html('span', { class: 'pct' }, `${(p * 100).toFixed(0)}%`),
      );
      tr.append(td);
    }
    tbody.append(tr);
  }
  const actualRow = html('tr', { class: 'actual' });
  actualRow.append(html('th', { scope: 'row' }, 'next was'));
  for (const { t, actual } of columns) {
    const j = vocab.indexOf(actual);
    actualRow.append(html('td', {}, `${showChar(actual)} ${j >= 0 ? `${(probs[t * V + j]! * 100).toFixed(0)}%` : ''}`));
  }
  tbody.append(actualRow);
  table.append(thead, tbody);
}
