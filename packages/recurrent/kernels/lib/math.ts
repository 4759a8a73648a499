/**
 * Float32 SIMD approximations of exp, log, tanh and sigmoid (Cephes single-precision polynomials),
 * each within a few ulp of the correctly rounded result; IEEE special values (±Inf, NaN, 0) and
 * denormal results follow Math.*.
 */
import { fma } from './simd';

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/** e^x. Arguments beyond the float32 range saturate to 0 or +Inf; NaN stays NaN. */
@inline export function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-104)), f32x4.splat(89));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = fma(n, f32x4.splat(-LN2_HI), x);
  r = fma(n, f32x4.splat(-LN2_LO), r);
  let p = f32x4.splat(1.9875691500e-4);
  p = fma(p, r, f32x4.splat(1.3981999507e-3));
  p = fma(p, r, f32x4.splat(8.3334519073e-3));
  p = fma(p, r, f32x4.splat(4.1665795894e-2));
  p = fma(p, r, f32x4.splat(1.6666665459e-1));
  p = fma(p, r, f32x4.splat(5.0000001201e-1));
  p = fma(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  // 2^n in two factors so that n ∈ [-150, 129] stays within normal exponents.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Natural logarithm: −Inf at 0, NaN below 0, +Inf at +Inf. */
@inline export function logv(x: v128): v128 {
  const zero = f32x4.splat(0);
  // Denormals: scale into the normal range first.
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  // Mantissa in [0.5, 1).
  let m = v128.or(v128.and(xs, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, small); // small lanes are −1
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let y = f32x4.splat(7.0376836292e-2);
  y = fma(y, m, f32x4.splat(-1.1514610310e-1));
  y = fma(y, m, f32x4.splat(1.1676998740e-1));
  y = fma(y, m, f32x4.splat(-1.2420140846e-1));
  y = fma(y, m, f32x4.splat(1.4249322787e-1));
  y = fma(y, m, f32x4.splat(-1.6668057665e-1));
  y = fma(y, m, f32x4.splat(2.0000714765e-1));
  y = fma(y, m, f32x4.splat(-2.4999993993e-1));
  y = fma(y, m, f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = fma(ef, f32x4.splat(LN2_LO), y);
  y = fma(z, f32x4.splat(-0.5), y);
  let r = fma(ef, f32x4.splat(LN2_HI), f32x4.add(m, y));
  // Special values: 0 → −Inf, < 0 or NaN → NaN, +Inf → +Inf.
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, zero));
  r = v128.bitselect(f32x4.splat(NaN), r, v128.not(f32x4.ge(x, zero)));
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
}

/** log(1 + x), accurate for small x: log(u)·x/(u − 1) with u = 1 + x (Goldberg). */
@inline export function log1pv(x: v128): v128 {
  const one = f32x4.splat(1);
  const u = f32x4.add(x, one);
  const d = f32x4.sub(u, one);
  let r = f32x4.mul(logv(u), f32x4.div(x, d));
  r = v128.bitselect(x, r, f32x4.eq(d, f32x4.splat(0)));
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
}

/** tanh: an odd polynomial below |x| = 0.625, 1 − 2/(e^{2|x|} + 1) above; ±1 for large |x|. */
@inline export function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = fma(p, z, f32x4.splat(2.06390887954e-2));
  p = fma(p, z, f32x4.splat(-5.37397155531e-2));
  p = fma(p, z, f32x4.splat(1.33314422036e-1));
  p = fma(p, z, f32x4.splat(-3.33332819422e-1));
  const small = fma(f32x4.mul(p, z), x, x);
  const t = expv(f32x4.add(ax, ax));
  let large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(t, f32x4.splat(1))));
  large = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** 1 / (1 + e^−x), computed from e^−|x| so that neither tail loses relative accuracy. */
@inline export function sigmoidv(x: v128): v128 {
  const e = expv(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0)));
}
