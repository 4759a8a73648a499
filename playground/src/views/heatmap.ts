/**
 * Gate activations as heatmaps: one per gate, a row per hidden unit and a column per step of the
 * window, dark for 0 and light for 1 (a sequential scale, so it reads in greyscale). The chosen
 * unit's row is marked, and each heatmap's caption states its mean.
 */
import { html, sequential } from '../dom.js';
import type { GateValues } from '../protocol.js';

const CELL_W = 5;

export function drawGateHeatmaps(container: HTMLElement, gates: readonly GateValues[], T: number, H: number, unit: number): void {
  container.replaceChildren();
  if (gates.length === 0) {
    container.append(html('p', {}, 'An Elman RNN has no gates: its state is tanh(W_ih x_t + W_hh h_{t−1} + b).'));
    return;
  }
  const rowH = H <= 64 ? 4 : H <= 128 ? 2 : 1;
  for (const gate of gates) {
    let sum = 0;
    for (const v of gate.values) sum += v;
    const mean = sum / gate.values.length;
    const figure = html('figure', { class: 'heatmap' });
    const canvas = html('canvas', { width: String(T * CELL_W), height: String(H * rowH), role: 'img' });
    canvas.setAttribute('aria-label', `${gate.name} gate: ${H} units by ${T} steps, mean activation ${mean.toFixed(2)}`);
    const g = canvas.getContext('2d');
    if (g !== null) {
      for (let t = 0; t < T; t++) {
        for (let u = 0; u < H; u++) {
          g.fillStyle = sequential(gate.values[t * H + u]!);
          g.fillRect(t * CELL_W, u * rowH, CELL_W, rowH);
        }
      }
      g.strokeStyle = '#e0007a';
      g.lineWidth = 1;
      g.strokeRect(0.5, unit * rowH - 1.5, T * CELL_W - 1, rowH + 2);
    }
    const row = Array.from({ length: T }, (_, t) => gate.values[t * H + unit]!);
    const unitMean = row.reduce((s, v) => s + v, 0) / T;
    figure.append(
      canvas,
      html('figcaption', {}, `${gate.name}: mean ${mean.toFixed(2)}; unit ${unit} (marked) mean ${unitMean.toFixed(2)}, last ${row[T - 1]!.toFixed(2)}`),
    );
    container.append(figure);
  }
}
