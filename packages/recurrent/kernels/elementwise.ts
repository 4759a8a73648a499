/**
 * Elementwise float32 kernels over contiguous arrays: out[i] = f(a[i]) or f(a[i], b[i]).
 *
 * Legend: n = element count; pointers are byte addresses. out may alias an input (in-place).
 * Full 4-lane vectors run in SIMD; the last n mod 4 elements go through the same vector code on a
 * zero-padded copy, so every element gets the same arithmetic.
 */
import { expv, log1pv, logv, sigmoidv, tanhv } from './lib/math';

// Unary op codes, shared with the TypeScript side (src/backend/wasm/elementwise.ts).
const EXP = 0, LOG = 1, LOG1P = 2, TANH = 3, SIGMOID = 4, RELU = 5, NEG = 6, ABS = 7, SQRT = 8;

@inline function unaryv(op: i32, x: v128): v128 {
  switch (op) {
    case EXP: return expv(x);
    case LOG: return logv(x);
    case LOG1P: return log1pv(x);
    case TANH: return tanhv(x);
    case SIGMOID: return sigmoidv(x);
    case RELU: return f32x4.pmax(f32x4.splat(0), x);
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    default: return f32x4.sqrt(x);
  }
}

/** Loads the last `rest` (< 4) floats at p, zero-padded to a vector. */
@inline function loadTail(p: usize, rest: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (rest > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rest > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline function storeTail(p: usize, v: v128, rest: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rest > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rest > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

@inline function unaryLoop(op: i32, out: usize, a: usize, n: i32): void {
  const end = <usize>(n & ~3) << 2;
  for (let i: usize = 0; i < end; i += 16) v128.store(out + i, unaryv(op, v128.load(a + i)));
  const rest = n & 3;
  if (rest != 0) storeTail(out + end, unaryv(op, loadTail(a + end, rest)), rest);
}

/** out = op(a) for the op codes above. */
export function unary_f32(op: i32, out: usize, a: usize, n: i32): void {
  switch (op) {
    case EXP: unaryLoop(EXP, out, a, n); break;
    case LOG: unaryLoop(LOG, out, a, n); break;
    case LOG1P: unaryLoop(LOG1P, out, a, n); break;
    case TANH: unaryLoop(TANH, out, a, n); break;
    case SIGMOID: unaryLoop(SIGMOID, out, a, n); break;
    case RELU: unaryLoop(RELU, out, a, n); break;
    case NEG: unaryLoop(NEG, out, a, n); break;
    case ABS: unaryLoop(ABS, out, a, n); break;
    default: unaryLoop(SQRT, out, a, n);
  }
}

/** out = 1 / (1 + e^−in). Max relative error ≈ 2e-7. */
export function sigmoid_f32(out: usize, a: usize, n: i32): void {
  unaryLoop(SIGMOID, out, a, n);
}

/** out = tanh(in). Max relative error ≈ 2e-7; ±1 for large |in|. */
export function tanh_f32(out: usize, a: usize, n: i32): void {
  unaryLoop(TANH, out, a, n);
}

/** out = e^in. */
export function exp_f32(out: usize, a: usize, n: i32): void {
  unaryLoop(EXP, out, a, n);
}

// Binary op codes, shared with the TypeScript side.
const ADD = 0, SUB = 1, MUL = 2, DIV = 3;

@inline function binaryv(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(x, y);
    case SUB: return f32x4.sub(x, y);
    case MUL: return f32x4.mul(x, y);
    default: return f32x4.div(x, y);
  }
}

@inline function binaryLoop(op: i32, out: usize, a: usize, b: usize, n: i32): void {
  const end = <usize>(n & ~3) << 2;
  for (let i: usize = 0; i < end; i += 16) v128.store(out + i, binaryv(op, v128.load(a + i), v128.load(b + i)));
  for (let i = end, stop = <usize>n << 2; i < stop; i += 4) {
    store<f32>(out + i, f32x4.extract_lane(binaryv(op, f32x4.splat(load<f32>(a + i)), f32x4.splat(load<f32>(b + i))), 0));
  }
}

@inline function scalarLoop(op: i32, out: usize, a: usize, s: f32, scalarFirst: bool, n: i32): void {
  const sv = f32x4.splat(s);
  const end = <usize>(n & ~3) << 2;
  if (scalarFirst) {
    for (let i: usize = 0; i < end; i += 16) v128.store(out + i, binaryv(op, sv, v128.load(a + i)));
  } else {
    for (let i: usize = 0; i < end; i += 16) v128.store(out + i, binaryv(op, v128.load(a + i), sv));
  }
  for (let i = end, stop = <usize>n << 2; i < stop; i += 4) {
    const x = f32x4.splat(load<f32>(a + i));
    store<f32>(out + i, f32x4.extract_lane(scalarFirst ? binaryv(op, sv, x) : binaryv(op, x, sv), 0));
  }
}

/** out = a op b, all n long (op: 0 add, 1 sub, 2 mul, 3 div). */
export function binary_f32(op: i32, out: usize, a: usize, b: usize, n: i32): void {
  switch (op) {
    case ADD: binaryLoop(ADD, out, a, b, n); break;
    case SUB: binaryLoop(SUB, out, a, b, n); break;
    case MUL: binaryLoop(MUL, out, a, b, n); break;
    default: binaryLoop(DIV, out, a, b, n);
  }
}

/** out = a op s, or s op a when scalarFirst. */
export function binary_scalar_f32(op: i32, out: usize, a: usize, s: f32, scalarFirst: i32, n: i32): void {
  const first = scalarFirst != 0;
  switch (op) {
    case ADD: scalarLoop(ADD, out, a, s, first, n); break;
    case SUB: scalarLoop(SUB, out, a, s, first, n); break;
    case MUL: scalarLoop(MUL, out, a, s, first, n); break;
    default: scalarLoop(DIV, out, a, s, first, n);
  }
}

@inline function rowsLoop(op: i32, out: usize, a: usize, row: usize, rows: i32, cols: i32, rowFirst: bool): void {
  const width = <usize>cols << 2;
  const end = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const src = a + <usize>r * width;
    const dst = out + <usize>r * width;
    for (let j: usize = 0; j < end; j += 16) {
      const x = v128.load(src + j);
      const y = v128.load(row + j);
      v128.store(dst + j, rowFirst ? binaryv(op, y, x) : binaryv(op, x, y));
    }
    for (let j = end; j < width; j += 4) {
      const x = f32x4.splat(load<f32>(src + j));
      const y = f32x4.splat(load<f32>(row + j));
      store<f32>(dst + j, f32x4.extract_lane(rowFirst ? binaryv(op, y, x) : binaryv(op, x, y), 0));
    }
  }
}

/** out (rows, cols) = a (rows, cols) op row (cols) broadcast over rows, or row op a when rowFirst. */
export function binary_rows_f32(op: i32, out: usize, a: usize, row: usize, rows: i32, cols: i32, rowFirst: i32): void {
  const first = rowFirst != 0;
  switch (op) {
    case ADD: rowsLoop(ADD, out, a, row, rows, cols, first); break;
    case SUB: rowsLoop(SUB, out, a, row, rows, cols, first); break;
    case MUL: rowsLoop(MUL, out, a, row, rows, cols, first); break;
    default: rowsLoop(DIV, out, a, row, rows, cols, first);
  }
}
