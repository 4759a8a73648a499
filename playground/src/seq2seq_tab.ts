/**
 * The second tab: a small encoder–decoder with attention learns to read dates in its own worker
 * (seq2seq_worker.ts), and shows, as the user types a date, where it looks in the input while it
 * writes each character of the ISO form: the attention weights as a table of shaded cells, each
 * with its value, so that the alignment reads without colour too.
 */
import { fmt, html, sequential, showChar, svg } from './dom.js';
import type { Alignment, FromSeq2seqWorker, ToSeq2seqWorker } from './seq2seq_protocol.js';
import { drawLineChart } from './views/line_chart.js';

interface TabState {
  worker: Worker | null;
  paused: boolean;
  losses: [number, number][];
  accuracy: [number, number][];
  alignment: Alignment | null;
}

const tab: TabState = { worker: null, paused: false, losses: [], accuracy: [], alignment: null };
// Beside `playground`, for the console and the tests.
(globalThis as { seq2seqTab?: TabState }).seq2seqTab = tab;

/** The alignment as a table: a column per input character, a row per output character. */
function alignmentTable(a: Alignment): HTMLTableElement {
  const table = html('table', {
    class: 'alignment',
    'aria-label': `Attention of each output character of ${a.outputTokens.join('')} over the input ${a.input}`,
  });
  const head = html('tr');
  head.append(html('th', { scope: 'col' }, 'output ↓ · input →'));
  for (const s of a.sourceTokens) head.append(html('th', { scope: 'col' }, showChar(s)));
  table.append(html('thead'), html('tbody'));
  table.tHead!.append(head);
  const rows = [...a.outputTokens, '</s>'];
  a.weights.forEach((row, i) => {
    const tr = html('tr');
    tr.append(html('th', { scope: 'row' }, rows[i] ?? ''));
    row.forEach((w, j) => {
      const cell = html('td', { title: `${rows[i]} ← ${showChar(a.sourceTokens[j] ?? '')}: ${w.toFixed(3)}` }, w >= 0.1 ? w.toFixed(1) : '');
      cell.style.background = sequential(w);
      cell.style.color = w > 0.55 ? '#000' : '#fff';
      tr.append(cell);
    });
    table.tBodies[0]!.append(tr);
  });
  return table;
}

export function renderSeq2seqTab(panel: HTMLElement): void {
  const start = html('button', { type: 'button', id: 's2s-start' }, 'Start training');
  const status = html(
    'p',
    { id: 's2s-status', role: 'status' },
    'A model of about 40,000 parameters learns to read dates, written the ways people write them, into their ISO form.',
  );
  const chart = svg('svg', { id: 's2s-loss', role: 'img', 'aria-label': 'Training loss and held-out exact match' });
  const input = html('input', { id: 's2s-input', type: 'text', value: 'Tuesday, March 7, 1995', size: '32', 'aria-label': 'A date to read' });
  const output = html('p', { id: 's2s-output', 'aria-live': 'polite' }, 'Start training, then type a date.');
  const table = html('div', { id: 's2s-alignment', class: 'scroll' });
  panel.replaceChildren(
    html('h2', {}, 'Sequence to sequence: reading dates'),
    html(
      'p',
      {},
      'A bidirectional LSTM reads the characters of the date; an LSTM decoder writes the ISO form character by character, attending over the input (Luong’s general score). The table shows, for each character it writes, how much weight it gives each input character.',
    ),
    html('div', { class: 'buttons' }),
    status,
    chart,
    html('label', { for: 's2s-input' }, 'Type a date: '),
    input,
    output,
    table,
  );
  panel.querySelector('.buttons')!.append(start);
  const send = (message: ToSeq2seqWorker): void => tab.worker?.postMessage(message);
  const draw = (): void =>
    drawLineChart(
      chart,
      [
        { name: 'loss', points: tab.losses },
        { name: 'accuracy', points: tab.accuracy },
      ],
      { width: 640, height: 220, xLabel: 'training step', yLabel: 'loss (nats per character) · held-out accuracy' },
    );
  const showAlignment = (a: Alignment): void => {
    tab.alignment = a;
    output.textContent = `${a.input} → ${a.outputTokens.join('')}`;
    table.replaceChildren(alignmentTable(a));
  };
  const onMessage = (m: FromSeq2seqWorker): void => {
    if (m.type === 'ready')
      status.textContent = `Training on ${m.trainingPairs.toLocaleString('en-US')} dates: ${m.parameters.toLocaleString('en-US')} parameters, ${m.backend} backend, ${m.threads} thread(s).`;
    else if (m.type === 'progress') {
      tab.losses.push([m.step, m.loss]);
      status.textContent = `step ${m.step} · loss ${fmt(m.loss)} · ${Math.round(m.pairsPerSecond)} dates/s${tab.accuracy.length > 0 ? ` · held-out exact match ${(tab.accuracy.at(-1)![1] * 100).toFixed(0)}%` : ''}`;
      draw();
    } else if (m.type === 'accuracy') {
      tab.accuracy.push([m.step, m.exactMatch]);
      send({ type: 'translate', text: input.value });
    } else if (m.type === 'alignment') showAlignment(m);
    else status.textContent = `Error: ${m.message}`;
  };
  start.addEventListener('click', () => {
    if (tab.worker === null) {
      tab.worker = new Worker('seq2seq_worker.js', { type: 'module' });
      tab.worker.onmessage = (e: MessageEvent<FromSeq2seqWorker>) => onMessage(e.data);
      send({ type: 'start' });
      start.textContent = 'Pause';
      return;
    }
    tab.paused = !tab.paused;
    send({ type: tab.paused ? 'pause' : 'resume' });
    start.textContent = tab.paused ? 'Resume' : 'Pause';
  });
  input.addEventListener('input', () => send({ type: 'translate', text: input.value }));
}
