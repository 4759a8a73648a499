/**
 * Where the attention reader looks: for one strip, one row per output step (each digit read, then
 * EOS), each row the strip image in grey with that step's attention weights over the image columns
 * drawn over it in orange (opacity ∝ weight / the row's largest weight), the step's weights also
 * as a bar profile under the image. Written as SVG and PNG.
 */
import { svgToPng } from 'recurrent-cli/plots';
import { writeFileSync, renameSync } from 'node:fs';
import { HEIGHT, type Strip } from './data.js';

const SCALE = 4;
const BAR = 14;
const LABEL = 70;

/** The SVG of one strip's attention: `weights[i][t]` of output step i on frame t, a frame covering `columnsPerFrame` columns. */
export function attentionStripSvg(strip: Strip, outputs: readonly string[], weights: readonly (readonly number[])[], columnsPerFrame: number): string {
  const w = strip.width * SCALE;
  const rowHeight = HEIGHT * SCALE + BAR + 10;
  const parts: string[] = [];
  const image: string[] = [];
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < strip.width; x++) {
      const v = strip.pixels[y * strip.width + x]!;
      if (v <= 0.02) continue;
      const grey = Math.round(255 * (1 - v));
      image.push(`<rect x="${x * SCALE}" y="${y * SCALE}" width="${SCALE}" height="${SCALE}" fill="rgb(${grey},${grey},${grey})"/>`);
    }
  }
  const imageGroup = image.join('');
  weights.forEach((row, i) => {
    const top = 24 + i * rowHeight;
    const peak = Math.max(...row, 1e-9);
    const overlay: string[] = [];
    const bars: string[] = [];
    row.forEach((a, t) => {
      const x = t * columnsPerFrame * SCALE;
      const width = Math.min(columnsPerFrame * SCALE, w - x);
      if (width <= 0) return;
      const share = a / peak;
      if (share > 0.01)
        overlay.push(`<rect x="${x}" y="0" width="${width}" height="${HEIGHT * SCALE}" fill="#f16913" fill-opacity="${(0.75 * share).toFixed(3)}"/>`);
      bars.push(`<rect x="${x}" y="${HEIGHT * SCALE + 2 + BAR * (1 - share)}" width="${width}" height="${BAR * share}" fill="#08306b"/>`);
    });
    parts.push(
      `<g transform="translate(${LABEL},${top})"><rect x="0" y="0" width="${w}" height="${HEIGHT * SCALE}" fill="white" stroke="#bbb"/>${imageGroup}${overlay.join('')}${bars.join('')}</g>`,
      `<text x="${LABEL - 8}" y="${top + (HEIGHT * SCALE) / 2 + 5}" text-anchor="end" font-size="16">${escape(outputs[i] ?? '')}</text>`,
    );
  });
  const height = 24 + weights.length * rowHeight;
  const title = `reads "${outputs.filter((o) => o !== '</s>').join('')}" (true "${strip.labels.join('')}")`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL + w + 10}" height="${height}" viewBox="0 0 ${LABEL + w + 10} ${height}">` +
    `<rect width="100%" height="100%" fill="white"/><text x="${LABEL}" y="17" font-size="14">${escape(title)}</text>${parts.join('')}</svg>`
  );
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Writes `<base>.svg` and `<base>.png` (each atomically); returns the PNG's path. */
export async function writeAttentionStrip(
  base: string,
  strip: Strip,
  outputs: readonly string[],
  weights: readonly (readonly number[])[],
  columnsPerFrame: number,
): Promise<string> {
  const svg = attentionStripSvg(strip, outputs, weights, columnsPerFrame);
  const write = (path: string, data: string | Uint8Array): void => {
    writeFileSync(`${path}.tmp`, data);
    renameSync(`${path}.tmp`, path);
  };
  write(`${base}.svg`, svg);
  write(`${base}.png`, await svgToPng(svg));
  return `${base}.png`;
}
