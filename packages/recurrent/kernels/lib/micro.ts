/**
 * Register-tile micro-kernels of the gemm. Every output element is accumulated the same way
 * whichever kernel computes it: from zero, one multiply-add per p in order, then stored (add =
 * false) or added to C (add = true). That makes results independent of tiling and of how the
 * product is split across threads.
 *
 * Legend: kc = depth; pa = packed A (MR = 4 floats per p, `rowOff` selects one row of a panel);
 * pb = packed B panel (NR = 8 floats per p), panels `ps` bytes apart; c = output, ldc in bytes.
 */
import { fma } from './simd';

/** C (4×8) [+]= A-panel · B-panel. */
export function micro4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let s = v128.load32_splat(pa);
    c00 = fma(s, b0, c00); c01 = fma(s, b1, c01);
    s = v128.load32_splat(pa, 4);
    c10 = fma(s, b0, c10); c11 = fma(s, b1, c11);
    s = v128.load32_splat(pa, 8);
    c20 = fma(s, b0, c20); c21 = fma(s, b1, c21);
    s = v128.load32_splat(pa, 12);
    c30 = fma(s, b0, c30); c31 = fma(s, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (add) {
    c00 = f32x4.add(v128.load(c), c00); c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + ldc), c10); c11 = f32x4.add(v128.load(c + ldc, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * ldc), c20); c21 = f32x4.add(v128.load(c + 2 * ldc, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * ldc), c30); c31 = f32x4.add(v128.load(c + 3 * ldc, 16), c31);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16);
  c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16);
  c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/** One row: C (1×32) [+]= A-row · four adjacent B panels. Keeps 8 accumulators busy for thin products. */
export function micro1x32(kc: i32, pa: usize, pb: usize, ps: usize, c: usize, add: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const p1 = pb + ps, p2 = pb + 2 * ps, p3 = pb + 3 * ps;
  for (let p: usize = 0, end = <usize>kc << 5; p < end; p += 32) {
    const s = v128.load32_splat(pa);
    c0 = fma(s, v128.load(pb + p), c0); c1 = fma(s, v128.load(pb + p, 16), c1);
    c2 = fma(s, v128.load(p1 + p), c2); c3 = fma(s, v128.load(p1 + p, 16), c3);
    c4 = fma(s, v128.load(p2 + p), c4); c5 = fma(s, v128.load(p2 + p, 16), c5);
    c6 = fma(s, v128.load(p3 + p), c6); c7 = fma(s, v128.load(p3 + p, 16), c7);
    pa += 16;
  }
  if (add) {
    c0 = f32x4.add(v128.load(c), c0); c1 = f32x4.add(v128.load(c, 16), c1);
    c2 = f32x4.add(v128.load(c, 32), c2); c3 = f32x4.add(v128.load(c, 48), c3);
    c4 = f32x4.add(v128.load(c, 64), c4); c5 = f32x4.add(v128.load(c, 80), c5);
    c6 = f32x4.add(v128.load(c, 96), c6); c7 = f32x4.add(v128.load(c, 112), c7);
  }
  v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
  v128.store(c, c4, 64); v128.store(c, c5, 80); v128.store(c, c6, 96); v128.store(c, c7, 112);
}

/** One row: C (1×8) [+]= A-row · B-panel. */
export function micro1x8(kc: i32, pa: usize, pb: usize, c: usize, add: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  const end = pb + (<usize>kc << 5);
  while (pb < end) {
    const s = v128.load32_splat(pa);
    c0 = fma(s, v128.load(pb), c0);
    c1 = fma(s, v128.load(pb, 16), c1);
    pa += 16;
    pb += 32;
  }
  if (add) {
    c0 = f32x4.add(v128.load(c), c0);
    c1 = f32x4.add(v128.load(c, 16), c1);
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

/** C (rows × cols, ldc bytes) [+]= tmp (rows × 8): the partial-width edge of a product. */
export function mergeEdge(c: usize, ldc: usize, tmp: usize, rows: i32, cols: i32, add: bool): void {
  for (let r = 0; r < rows; r++) {
    const cr = c + <usize>r * ldc;
    const tr = tmp + (<usize>r << 5);
    for (let j = 0; j < cols; j++) {
      const at = <usize>j << 2;
      const v = load<f32>(tr + at);
      store<f32>(cr + at, add ? load<f32>(cr + at) + v : v);
    }
  }
}
