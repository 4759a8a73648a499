/** Small DOM helpers for the page: elements by id, new HTML and SVG elements, number formats. */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`playground: no element #${id}`);
  return found as T;
}

export function html<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A character as the views print it: visible stand-ins for space and newline. */
export function showChar(ch: string): string {
  return ch === ' ' ? '␣' : ch === '\n' ? '↵' : ch === '\t' ? '⇥' : ch;
}

/** A diverging colour for v in [−1, 1]: blue below zero, white at zero, red above. */
export function diverging(v: number): string {
  const x = Math.max(-1, Math.min(1, v));
  const a = Math.round(255 * (1 - Math.abs(x)));
  return x >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
}

/** A sequential colour for v in [0, 1]: dark blue to yellow (readable in greyscale: dark to light). */
export function sequential(v: number): string {
  const x = Math.max(0, Math.min(1, v));
  const r = Math.round(20 + 235 * x);
  const g = Math.round(30 + 200 * x);
  const b = Math.round(90 + 20 * (1 - x));
  return `rgb(${r},${g},${b})`;
}

export function fmt(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}
