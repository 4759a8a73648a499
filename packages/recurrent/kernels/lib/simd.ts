/**
 * SIMD helpers shared by the kernels. `fma` is one fused instruction in the relaxed-SIMD build and
 * a multiply then an add in the plain SIMD build; each build is deterministic on its own.
 */

/** a·b + c, lane-wise. */
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** c − a·b, lane-wise. */
@inline export function fnma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

@inline export function min32(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
