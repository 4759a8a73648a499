/**
 * The playground page: its controls start a training worker (worker.ts) and its views draw what
 * the worker reports. The page itself never imports the library, so it stays small and responsive
 * while the worker computes.
 */
import { byId, fmt, html } from './dom.js';
import { bestUnits } from './interpretable.js';
import { CELL_NAMES, type CellKind, type FromWorker, type Insides, type Settings, type ToWorker } from './protocol.js';
import { renderSeq2seqTab } from './seq2seq_tab.js';
import { renderActivationText } from './views/activation_text.js';
import { drawGateHeatmaps } from './views/heatmap.js';
import { drawLineChart } from './views/line_chart.js';
import { renderNextChar } from './views/next_char.js';
import { drawUnrolled } from './views/unrolled.js';

/** Steps of the window drawn in the unrolled network and the next-character table. */
const SHOWN_STEPS = 14;

interface PageState {
  worker: Worker | null;
  running: boolean;
  paused: boolean;
  losses: Partial<Record<CellKind, [number, number][]>>;
  insides: Insides | null;
  excerpt: string;
}

const state: PageState = { worker: null, running: false, paused: false, losses: {}, insides: null, excerpt: '' };
// For the curious (and the tests): the page's state, to inspect from the console as `playground`.
(globalThis as { playground?: PageState }).playground = state;

/** Settings named in the address (?cell=gru&hidden=64&layers=2&lr=0.01&seqlen=25&compare=0), set in the form. */
function settingsFromAddress(q: URLSearchParams): void {
  for (const [param, id] of [
    ['cell', 'cell'],
    ['hidden', 'hidden'],
    ['layers', 'layers'],
    ['lr', 'lr'],
    ['seqlen', 'seqlen'],
  ] as const) {
    const value = q.get(param);
    const select = byId<HTMLSelectElement>(id);
    if (value !== null && Array.from(select.options).some((o) => o.value === value)) select.value = value;
  }
  if (q.get('compare') === '0') byId<HTMLInputElement>('compare').checked = false;
}

function settingsFromForm(): Settings {
  const value = (id: string): string => byId<HTMLInputElement | HTMLSelectElement>(id).value;
  const own = byId<HTMLInputElement>('source-own').checked;
  return {
    cell: value('cell') as CellKind,
    hiddenSize: Number(value('hidden')),
    numLayers: Number(value('layers')),
    learningRate: Number(value('lr')),
    seqLen: Number(value('seqlen')),
    compare: byId<HTMLInputElement>('compare').checked,
    text: own ? value('own-text') : state.excerpt,
    temperature: Number(value('temperature')),
  };
}

function send(message: ToWorker): void {
  state.worker?.postMessage(message);
}

function setStatus(text: string): void {
  byId('status').textContent = text;
}

function start(): void {
  const settings = settingsFromForm();
  if (settings.text.length < 200) {
    setStatus('The text is too short: paste at least 200 characters.');
    return;
  }
  state.worker ??= createWorker();
  state.losses = {};
  state.insides = null;
  state.running = true;
  state.paused = false;
  byId('pause').removeAttribute('disabled');
  byId('pause').textContent = 'Pause';
  byId('start').textContent = 'Restart';
  setStatus('Starting…');
  send({ type: 'start', settings });
}

function createWorker(): Worker {
  const worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => setStatus(`The worker failed: ${event.message}`);
  return worker;
}

function onMessage(m: FromWorker): void {
  switch (m.type) {
    case 'ready':
      byId('engine').textContent =
        `${m.backend} backend, ${m.threads} thread${m.threads === 1 ? '' : 's'} in the worker${m.threadsNote !== null ? ` — ${m.threadsNote}` : ''}`;
      setStatus(`Training on ${m.characters.toLocaleString('en-US')} characters (${m.vocabSize} distinct).`);
      break;
    case 'progress':
      for (const [cell, loss] of Object.entries(m.losses) as [CellKind, number][]) (state.losses[cell] ??= []).push([m.step, loss]);
      drawLoss();
      byId('speed').textContent = `step ${m.step} · ${Math.round(m.tokensPerSecond).toLocaleString('en-US')} characters/s`;
      byId('loss-now').textContent = (Object.entries(m.losses) as [CellKind, number][])
        .map(([cell, loss]) => `${CELL_NAMES[cell]} ${fmt(loss)} nats (${fmt(loss / Math.LN2)} bits) per character`)
        .join(' · ');
      break;
    case 'insides':
      state.insides = m;
      drawInsides();
      break;
    case 'sample':
      byId('sample').textContent = m.text;
      byId('sample-caption').textContent = `${CELL_NAMES[m.cell]}, temperature ${m.temperature}`;
      break;
    case 'error':
      setStatus(`Error: ${m.message}`);
      break;
  }
}

function drawLoss(): void {
  const series = (Object.entries(state.losses) as [CellKind, [number, number][]][]).map(([cell, points]) => ({
    name: CELL_NAMES[cell],
    points: smooth(points),
  }));
  drawLineChart(byId('loss-chart') as unknown as SVGSVGElement, series, { width: 640, height: 260, xLabel: 'training step', yLabel: 'loss (nats/char)' });
}

/** Exponential moving average of the losses, for a readable curve. */
function smooth(points: [number, number][]): [number, number][] {
  let ema = NaN;
  return points.map(([x, y]) => {
    ema = Number.isNaN(ema) ? y : 0.9 * ema + 0.1 * y;
    return [x, ema];
  });
}

function chosenUnit(H: number): number {
  const input = byId<HTMLInputElement>('unit');
  input.max = String(H - 1);
  const u = Math.max(0, Math.min(H - 1, Math.floor(Number(input.value) || 0)));
  if (String(u) !== input.value) input.value = String(u);
  return u;
}

function drawInsides(): void {
  const m = state.insides;
  if (m === null) return;
  const H = m.hiddenSize;
  const unit = chosenUnit(H);
  const kindSelect = byId<HTMLSelectElement>('state-kind');
  kindSelect.querySelector('option[value="c"]')?.toggleAttribute('disabled', m.window.c === null);
  const useCell = kindSelect.value === 'c' && m.window.c !== null;
  const name = useCell ? 'c' : 'h';
  const layerNote = m.numLayers > 1 ? ` of the top layer (of ${m.numLayers})` : '';
  byId('inside-caption').textContent = `${CELL_NAMES[m.cell]} at step ${m.step}: unit ${unit} of ${H}${layerNote}, state ${name}`;
  drawUnrolled(
    byId('unrolled') as unknown as SVGSVGElement,
    {
      text: m.window.text,
      next: m.window.next,
      states: useCell ? m.window.c! : m.window.h,
      probs: m.window.probs,
      vocab: m.vocab,
      hiddenSize: H,
      unit,
      stateName: name,
    },
    SHOWN_STEPS,
  );
  const readValues = useCell ? m.reading.c! : m.reading.h;
  renderActivationText(byId('activation-text'), byId('activation-plot') as unknown as SVGSVGElement, m.reading.text, readValues, H, unit, name);
  renderUnitFinder(m.reading.text, readValues, H);
  drawGateHeatmaps(byId('gates'), m.window.gates, m.window.text.length, H, unit);
  drawLineChart(
    byId('gradient-chart') as unknown as SVGSVGElement,
    m.gradients.map((g) => ({ name: CELL_NAMES[g.cell], points: g.norms.map((n, t) => [t - (g.norms.length - 1), n] as [number, number]) })),
    { width: 640, height: 260, xLabel: 'step t relative to the last (0)', yLabel: '‖∂L/∂h_t‖ (log scale)', logY: true },
  );
  renderNextChar(byId<HTMLTableElement>('next-char'), m.window.text, m.window.next, m.window.probs, m.vocab, SHOWN_STEPS);
}

function renderUnitFinder(text: string, values: Float32Array, H: number): void {
  const list = byId('unit-finder');
  list.replaceChildren();
  for (const { feature, units } of bestUnits(text, values, H)) {
    const item = html('li', {}, `${feature}: `);
    for (const { unit, r } of units) {
      const button = html('button', { type: 'button', class: 'unit-link' }, `unit ${unit} (r = ${r.toFixed(2)})`);
      button.addEventListener('click', () => {
        byId<HTMLInputElement>('unit').value = String(unit);
        drawInsides();
      });
      item.append(button, ' ');
    }
    list.append(item);
  }
}

function setUpTabs(): void {
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
  const select = (tab: HTMLButtonElement): void => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      byId(t.getAttribute('aria-controls')!).hidden = !selected;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
      select(next);
      next.focus();
    });
  });
  renderSeq2seqTab(byId('panel-seq2seq'));
}

async function main(): Promise<void> {
  setUpTabs();
  byId('start').addEventListener('click', start);
  byId('pause').addEventListener('click', () => {
    state.paused = !state.paused;
    send({ type: state.paused ? 'pause' : 'resume' });
    byId('pause').textContent = state.paused ? 'Resume' : 'Pause';
    setStatus(state.paused ? 'Paused.' : 'Training.');
  });
  const temperature = byId<HTMLInputElement>('temperature');
  temperature.addEventListener('input', () => {
    byId('temperature-value').textContent = temperature.value;
    send({ type: 'temperature', value: Number(temperature.value) });
  });
  for (const id of ['unit', 'state-kind']) byId(id).addEventListener('input', drawInsides);
  byId('own-text').addEventListener('input', () => (byId<HTMLInputElement>('source-own').checked = true));
  state.excerpt = await (await fetch('moby_dick_excerpt.txt')).text();
  byId('excerpt-size').textContent = `${Math.round(state.excerpt.length / 1000)}k characters`;
  byId('start').removeAttribute('disabled');
  setStatus('Ready: choose the settings and press Start.');
  const q = new URLSearchParams(location.search);
  settingsFromAddress(q);
  if (q.has('autostart')) start();
}

void main();
