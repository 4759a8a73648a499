/**
 * Float32 matrix–vector products for single-row products (batch-1 steps: generation, online
 * learning), where packing B for the gemm would cost more than the product itself. They read B in
 * place, so weights already in wasm memory are used with no copy and no packing.
 *
 *   gemv_n_f32: y (n) [+]= x (k) · B,   B stored k×n (row stride ldb)     — op(B) = B
 *   gemv_t_f32: y (n) [+]= x (k) · Bᵀ,  B stored n×k (row stride ldb)     — op(B) = Bᵀ
 *
 * gemv_n_f32 sums each element as the gemm does (from zero, one multiply-add per p in order, in
 * slices of KC = 256 added to y), so a batch-1 row equals the same row of a batched product.
 * gemv_t_f32 sums dot products in four lanes, for speed: it agrees with the gemm to rounding.
 */
import { fma, min32 } from './lib/simd';

const KC = 256;

/** y [+]= x · B for B stored k×n: columns in blocks of 16, then 4, then one. */
export function gemv_n_f32(y: usize, x: usize, b: usize, ldb: i32, k: i32, n: i32, accumulate: i32): void {
  if (n <= 0) return;
  const ldbBytes = <usize>ldb << 2;
  for (let p0 = 0; p0 < k || p0 == 0; p0 += KC) {
    const pEnd = min32(k, p0 + KC);
    const add = accumulate != 0 || p0 > 0;
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let row = b + <usize>p0 * ldbBytes + (<usize>j << 2);
      for (let p = p0; p < pEnd; p++) {
        const s = v128.load32_splat(x + (<usize>p << 2));
        a0 = fma(s, v128.load(row), a0);
        a1 = fma(s, v128.load(row, 16), a1);
        a2 = fma(s, v128.load(row, 32), a2);
        a3 = fma(s, v128.load(row, 48), a3);
        row += ldbBytes;
      }
      const out = y + (<usize>j << 2);
      if (add) {
        a0 = f32x4.add(v128.load(out), a0);
        a1 = f32x4.add(v128.load(out, 16), a1);
        a2 = f32x4.add(v128.load(out, 32), a2);
        a3 = f32x4.add(v128.load(out, 48), a3);
      }
      v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      let a0 = f32x4.splat(0);
      let row = b + <usize>p0 * ldbBytes + (<usize>j << 2);
      for (let p = p0; p < pEnd; p++) {
        a0 = fma(v128.load32_splat(x + (<usize>p << 2)), v128.load(row), a0);
        row += ldbBytes;
      }
      const out = y + (<usize>j << 2);
      if (add) a0 = f32x4.add(v128.load(out), a0);
      v128.store(out, a0);
    }
    for (; j < n; j++) {
      let a: f32 = 0;
      let at = b + <usize>p0 * ldbBytes + (<usize>j << 2);
      for (let p = p0; p < pEnd; p++) {
        a = fmaScalar(load<f32>(x + (<usize>p << 2)), load<f32>(at), a);
        at += ldbBytes;
      }
      const out = y + (<usize>j << 2);
      store<f32>(out, add ? load<f32>(out) + a : a);
    }
    if (k <= 0) break;
  }
}

/**
 * y [+]= x · Bᵀ for B stored n×k: eight rows of B at a time (eight streams keep more loads in
 * flight than four), then four, then one; each row a four-lane dot product reduced the same way
 * whichever group it falls in, so a row's result does not depend on where a split puts it.
 */
export function gemv_t_f32(y: usize, x: usize, b: usize, ldb: i32, k: i32, n: i32, accumulate: i32): void {
  if (n <= 0) return;
  const ldbBytes = <usize>ldb << 2;
  const k4 = k & ~3;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const r0 = b + <usize>j * ldbBytes;
    const r1 = r0 + ldbBytes, r2 = r1 + ldbBytes, r3 = r2 + ldbBytes;
    const r4 = r3 + ldbBytes, r5 = r4 + ldbBytes, r6 = r5 + ldbBytes, r7 = r6 + ldbBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    for (let p = 0; p < k4; p += 4) {
      const off = <usize>p << 2;
      const xv = v128.load(x + off);
      a0 = fma(xv, v128.load(r0 + off), a0);
      a1 = fma(xv, v128.load(r1 + off), a1);
      a2 = fma(xv, v128.load(r2 + off), a2);
      a3 = fma(xv, v128.load(r3 + off), a3);
      a4 = fma(xv, v128.load(r4 + off), a4);
      a5 = fma(xv, v128.load(r5 + off), a5);
      a6 = fma(xv, v128.load(r6 + off), a6);
      a7 = fma(xv, v128.load(r7 + off), a7);
    }
    const out = y + (<usize>j << 2);
    finish4(out, x, r0, ldbBytes, k4, k, laneSums(a0, a1, a2, a3), accumulate);
    finish4(out + 16, x, r4, ldbBytes, k4, k, laneSums(a4, a5, a6, a7), accumulate);
  }
  for (; j + 4 <= n; j += 4) {
    const r0 = b + <usize>j * ldbBytes;
    const r1 = r0 + ldbBytes, r2 = r1 + ldbBytes, r3 = r2 + ldbBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let p = 0; p < k4; p += 4) {
      const off = <usize>p << 2;
      const xv = v128.load(x + off);
      a0 = fma(xv, v128.load(r0 + off), a0);
      a1 = fma(xv, v128.load(r1 + off), a1);
      a2 = fma(xv, v128.load(r2 + off), a2);
      a3 = fma(xv, v128.load(r3 + off), a3);
    }
    finish4(y + (<usize>j << 2), x, r0, ldbBytes, k4, k, laneSums(a0, a1, a2, a3), accumulate);
  }
  for (; j < n; j++) {
    const r = b + <usize>j * ldbBytes;
    let a: f32 = 0;
    for (let p = 0; p < k; p++) a += load<f32>(x + (<usize>p << 2)) * load<f32>(r + (<usize>p << 2));
    const out = y + (<usize>j << 2);
    store<f32>(out, accumulate != 0 ? load<f32>(out) + a : a);
  }
}

/** (Σ lanes of a0, Σ lanes of a1, Σ lanes of a2, Σ lanes of a3), each summed (l0 + l2) + (l1 + l3). */
@inline function laneSums(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const t23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t01, t23, 0, 1, 4, 5), v128.shuffle<f32>(t01, t23, 2, 3, 6, 7));
}

/** Adds the depths k4 … k − 1 of rows r0 … r0 + 3·ldb to s, then stores (or adds) s at out. */
@inline function finish4(out: usize, x: usize, r0: usize, ldbBytes: usize, k4: i32, k: i32, s: v128, accumulate: i32): void {
  const r1 = r0 + ldbBytes, r2 = r1 + ldbBytes, r3 = r2 + ldbBytes;
  for (let p = k4; p < k; p++) {
    const off = <usize>p << 2;
    const xs = load<f32>(x + off);
    s = f32x4.replace_lane(s, 0, f32x4.extract_lane(s, 0) + xs * load<f32>(r0 + off));
    s = f32x4.replace_lane(s, 1, f32x4.extract_lane(s, 1) + xs * load<f32>(r1 + off));
    s = f32x4.replace_lane(s, 2, f32x4.extract_lane(s, 2) + xs * load<f32>(r2 + off));
    s = f32x4.replace_lane(s, 3, f32x4.extract_lane(s, 3) + xs * load<f32>(r3 + off));
  }
  if (accumulate != 0) s = f32x4.add(v128.load(out), s);
  v128.store(out, s);
}

/** The scalar counterpart of `fma`'s lane operation, so that edge columns round as the SIMD ones. */
@inline function fmaScalar(a: f32, b: f32, c: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  return a * b + c;
}
