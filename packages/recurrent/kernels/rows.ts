/**
 * Row-wise float32 kernels: bias rows, column and row sums, softmax along rows.
 *
 * Legend: a (rows, cols) or (rows, len) row-major; (outer, len, inner) for the middle-axis sum.
 * Pointers are byte addresses. Sums named *_f64acc accumulate in float64, like the reference
 * backend; sum_rows accumulates in float32, row by row in order (as the reference's column sums).
 */
import { expv } from './lib/math';

/** Loads the last `rest` (< 4) floats at p into a vector whose other lanes hold `fill`. */
function loadTail(p: usize, rest: i32, fill: f32): v128 {
  let v = f32x4.splat(fill);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (rest > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rest > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

function storeTail(p: usize, v: v128, rest: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rest > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rest > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Sum of the four lanes of v, in float64. */
@inline function sum4(v: v128): f64 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** out (rows, cols) += bias (cols), row by row. */
export function add_bias_rows(out: usize, bias: usize, rows: i32, cols: i32): void {
  const end = <usize>(cols & ~3) << 2;
  const stop = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const row = out + <usize>r * stop;
    for (let j: usize = 0; j < end; j += 16) v128.store(row + j, f32x4.add(v128.load(row + j), v128.load(bias + j)));
    for (let j = end; j < stop; j += 4) store<f32>(row + j, load<f32>(row + j) + load<f32>(bias + j));
  }
}

/** out (cols) = Σ over rows of a (rows, cols): the column sums, e.g. bias gradients. */
export function sum_rows(out: usize, a: usize, rows: i32, cols: i32): void {
  const stop = <usize>cols << 2;
  memory.fill(out, 0, stop);
  const end = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>r * stop;
    for (let j: usize = 0; j < end; j += 16) v128.store(out + j, f32x4.add(v128.load(out + j), v128.load(row + j)));
    for (let j = end; j < stop; j += 4) store<f32>(out + j, load<f32>(out + j) + load<f32>(row + j));
  }
}

/** out (rows) = Σ along each row of a (rows, len). */
export function row_sums_f64acc(out: usize, a: usize, rows: i32, len: i32): void {
  const stop = <usize>len << 2;
  const end = <usize>(len & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>r * stop;
    let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
    for (let j: usize = 0; j < end; j += 16) {
      const v = v128.load(row + j);
      acc0 = f64x2.add(acc0, f64x2.promote_low_f32x4(v));
      acc1 = f64x2.add(acc1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
    }
    const s = f64x2.add(acc0, acc1);
    let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (let j = end; j < stop; j += 4) total += <f64>load<f32>(row + j);
    store<f32>(out + (<usize>r << 2), <f32>total);
  }
}

/**
 * out (outer, inner) = Σ along len of a (outer, len, inner), each column summed in order in
 * float64. Rows are read in order, adding into ws (inner float64s): walking down columns instead
 * would touch a new page at every step once rows are a page wide.
 */
export function sum_middle_f64acc(out: usize, a: usize, outer: i32, len: i32, inner: i32, ws: usize): void {
  const width = <usize>inner << 2;
  const body = <usize>(inner & ~3) << 2;
  for (let o = 0; o < outer; o++) {
    const block = a + <usize>o * len * width;
    memory.fill(ws, 0, <usize>inner << 3);
    for (let i = 0; i < len; i++) {
      const row = block + <usize>i * width;
      let acc = ws;
      for (let j: usize = 0; j < body; j += 16) {
        const v = v128.load(row + j);
        v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(v)));
        v128.store(acc, f64x2.add(v128.load(acc, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))), 16);
        acc += 32;
      }
      for (let j = body; j < width; j += 4) {
        store<f64>(acc, load<f64>(acc) + <f64>load<f32>(row + j));
        acc += 8;
      }
    }
    const dst = out + <usize>o * width;
    for (let j = 0; j < inner; j++) store<f32>(dst + (<usize>j << 2), <f32>load<f64>(ws + (<usize>j << 3)));
  }
}

function rowMax(row: usize, len: i32): f32 {
  const end = <usize>(len & ~3) << 2;
  let m = f32x4.splat(-Infinity);
  for (let j: usize = 0; j < end; j += 16) m = f32x4.max(m, v128.load(row + j));
  const rest = len & 3;
  if (rest != 0) m = f32x4.max(m, loadTail(row + end, rest, -Infinity));
  return max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
}

/** dst = e^(row − shift), returning Σ dst in float64; dst = 0 skips the stores. */
function expShiftSum(dst: usize, row: usize, len: i32, shift: f32): f64 {
  const sv = f32x4.splat(shift);
  const end = <usize>(len & ~3) << 2;
  let total: f64 = 0;
  for (let j: usize = 0; j < end; j += 16) {
    const e = expv(f32x4.sub(v128.load(row + j), sv));
    if (dst != 0) v128.store(dst + j, e);
    total += sum4(e);
  }
  const rest = len & 3;
  if (rest != 0) {
    const e = expv(f32x4.sub(loadTail(row + end, rest, -Infinity), sv));
    if (dst != 0) storeTail(dst + end, e, rest);
    total += sum4(e);
  }
  return total;
}

/** (Log-)softmax along each row of a (rows, len) into out (rows, len); out may alias a. */
export function softmax_rows_f32(out: usize, a: usize, rows: i32, len: i32, log: i32): void {
  const stride = <usize>len << 2;
  const end = <usize>(len & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>r * stride;
    const dst = out + <usize>r * stride;
    let m = rowMax(row, len);
    if (m == -Infinity) m = 0;
    if (log != 0) {
      // x − lse in float64: near the maximum the difference is far below float32 resolution of lse.
      const lse: f64 = <f64>m + Math.log(expShiftSum(0, row, len, m));
      const l2 = f64x2.splat(lse);
      for (let j: usize = 0; j < end; j += 16) {
        const v = v128.load(row + j);
        const lo = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(v), l2));
        const hi = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), l2));
        v128.store(dst + j, v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
      }
      for (let j = end; j < stride; j += 4) store<f32>(dst + j, <f32>(<f64>load<f32>(row + j) - lse));
    } else {
      const total = expShiftSum(dst, row, len, m);
      const inv = f32x4.splat(<f32>(1 / total));
      for (let j: usize = 0; j < end; j += 16) v128.store(dst + j, f32x4.mul(v128.load(dst + j), inv));
      for (let j = end; j < stride; j += 4) store<f32>(dst + j, load<f32>(dst + j) * f32x4.extract_lane(inv, 0));
    }
  }
}

/** out (rows) = log Σ e^a along each row of a (rows, len), computed stably. */
export function logsumexp_rows_f32(out: usize, a: usize, rows: i32, len: i32): void {
  const stride = <usize>len << 2;
  for (let r = 0; r < rows; r++) {
    const row = a + <usize>r * stride;
    const m = rowMax(row, len);
    let v: f32 = m;
    if (m - m == 0) v = <f32>(<f64>m + Math.log(expShiftSum(0, row, len, m)));
    store<f32>(out + (<usize>r << 2), v);
  }
}
