/**
 * Strips of handwritten digits from the `mnist` package's 10,000 images.
 *
 * The split: the 10,000 images (class files 0–9 of the package, in their order) are put in one
 * order by a fixed seeded shuffle (seed 14, whatever --seed says); digits 0–7,999 of that order
 * make training strips, digits 8,000–9,999 test strips, so no image is on both sides.
 *
 * A strip: 1–5 digits side by side, each cropped to its inked columns, with a random gap of
 * GAP_MIN–GAP_MAX columns between digits (negative: they touch or overlap slightly), a random
 * vertical offset of 0–MAX_OFFSET rows and a margin of MARGIN columns at both ends, on a canvas of
 * HEIGHT = 28 + MAX_OFFSET rows. Pixels in [0, 1] (overlaps take the maximum). The model reads the
 * strip column by column: each column of HEIGHT pixels is one frame.
 */
import { createRequire } from 'node:module';

export const DIGIT_SIZE = 28;
export const MAX_OFFSET = 8;
export const HEIGHT = DIGIT_SIZE + MAX_OFFSET;
export const GAP_MIN = -2;
export const GAP_MAX = 8;
export const MARGIN = 3;
export const MIN_DIGITS = 1;
export const MAX_DIGITS = 5;
/** Digits 0–(TRAIN_DIGITS − 1) of the split order are training digits; the rest test digits. */
export const TRAIN_DIGITS = 8_000;
const SPLIT_SEED = 14;

/** One 28 × 28 image and its class. */
export interface Digit {
  label: number;
  /** Row-major 28 × 28 pixels in [0, 1]. */
  pixels: Float32Array;
}

/** A strip: its pixels (HEIGHT × width, row-major), its width and the digits it shows. */
export interface Strip {
  pixels: Float32Array;
  width: number;
  labels: number[];
}

/** A small seeded generator (mulberry32), apart from the library's one for weights. */
export function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface MnistDigitClass {
  length: number;
  get(i: number): number[];
}

/** All 10,000 digits of the `mnist` package in the split order: training digits first. */
export function loadDigits(): { train: Digit[]; test: Digit[] } {
  const mnist = createRequire(import.meta.url)('mnist') as MnistDigitClass[];
  const all: Digit[] = [];
  for (let label = 0; label < 10; label++) {
    const cls = mnist[label]!;
    for (let i = 0; i < cls.length; i++) all.push({ label, pixels: Float32Array.from(cls.get(i)) });
  }
  if (all.length !== 10_000) throw new Error(`mnist: expected 10,000 digits; the package holds ${all.length}`);
  const rng = makeRng(SPLIT_SEED);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return { train: all.slice(0, TRAIN_DIGITS), test: all.slice(TRAIN_DIGITS) };
}

/** The first and one-past-last inked columns of a digit (its whole width when blank). */
function inkedColumns(d: Digit): [number, number] {
  let first = DIGIT_SIZE;
  let last = -1;
  for (let y = 0; y < DIGIT_SIZE; y++) {
    for (let x = 0; x < DIGIT_SIZE; x++) {
      if (d.pixels[y * DIGIT_SIZE + x]! > 0.05) {
        if (x < first) first = x;
        if (x > last) last = x;
      }
    }
  }
  return last < 0 ? [0, DIGIT_SIZE] : [first, last + 1];
}

/**
 * The digit under a small random affine map about its centre (training augmentation): each output
 * pixel p reads the input at c + M·(p − c) bilinearly, M's diagonal in [1 − a, 1 + a] (scale) and
 * its off-diagonal in [−a, a] (shear and rotation), a = DISTORTION.
 */
export const DISTORTION = 0.15;
export function distort(d: Digit, rng: () => number): Digit {
  const u = (): number => (rng() * 2 - 1) * DISTORTION;
  const [m00, m01, m10, m11] = [1 + u(), u(), u(), 1 + u()];
  const c = (DIGIT_SIZE - 1) / 2;
  const out = new Float32Array(DIGIT_SIZE * DIGIT_SIZE);
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= DIGIT_SIZE || y >= DIGIT_SIZE ? 0 : d.pixels[y * DIGIT_SIZE + x]!);
  for (let y = 0; y < DIGIT_SIZE; y++) {
    for (let x = 0; x < DIGIT_SIZE; x++) {
      const sx = c + m00 * (x - c) + m01 * (y - c);
      const sy = c + m10 * (x - c) + m11 * (y - c);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      out[y * DIGIT_SIZE + x] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    }
  }
  return { label: d.label, pixels: out };
}

/** One strip of 1–5 random digits from `pool`, each distorted by `distort` when `augment`. */
export function makeStrip(rng: () => number, pool: readonly Digit[], augment = false): Strip {
  const count = MIN_DIGITS + Math.floor(rng() * (MAX_DIGITS - MIN_DIGITS + 1));
  const digits = Array.from({ length: count }, () => {
    const d = pool[Math.floor(rng() * pool.length)]!;
    return augment ? distort(d, rng) : d;
  });
  const placements: { digit: Digit; x: number; y: number; from: number; to: number }[] = [];
  let x = MARGIN;
  for (const [i, digit] of digits.entries()) {
    if (i > 0) x += GAP_MIN + Math.floor(rng() * (GAP_MAX - GAP_MIN + 1));
    const [from, to] = inkedColumns(digit);
    placements.push({ digit, x, y: Math.floor(rng() * (MAX_OFFSET + 1)), from, to });
    x += to - from;
  }
  const width = x + MARGIN;
  const pixels = new Float32Array(HEIGHT * width);
  for (const p of placements) {
    for (let r = 0; r < DIGIT_SIZE; r++) {
      for (let c = p.from; c < p.to; c++) {
        const at = (p.y + r) * width + p.x + c - p.from;
        pixels[at] = Math.max(pixels[at]!, p.digit.pixels[r * DIGIT_SIZE + c]!);
      }
    }
  }
  return { pixels, width, labels: digits.map((d) => d.label) };
}

/** `count` strips drawn from `pool` with the generator seeded by `seed` (digits distorted when `augment`). */
export function makeStrips(seed: number, count: number, pool: readonly Digit[], augment = false): Strip[] {
  const rng = makeRng(seed);
  return Array.from({ length: count }, () => makeStrip(rng, pool, augment));
}

/**
 * A batch of strips as frames: (N, 1, HEIGHT, W) images, zero-padded on the right to the widest
 * strip W, with each strip's width.
 */
export function imageBatch(strips: readonly Strip[]): { images: Float32Array; shape: [number, number, number, number]; widths: number[] } {
  const W = Math.max(...strips.map((s) => s.width));
  const images = new Float32Array(strips.length * HEIGHT * W);
  strips.forEach((s, n) => {
    for (let r = 0; r < HEIGHT; r++) images.set(s.pixels.subarray(r * s.width, (r + 1) * s.width), (n * HEIGHT + r) * W);
  });
  return { images, shape: [strips.length, 1, HEIGHT, W], widths: strips.map((s) => s.width) };
}
