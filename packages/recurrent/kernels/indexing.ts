/**
 * Row gathers and scatter-adds along one axis of float32 blocks: an embedding's lookup
 * (index_select_f32) and its gradient (index_add_f32).
 *
 * Legend: src/dst (outer, len, inner); index (n) int32 positions along len, all in [0, len) (the
 * caller checks); out/src rows (outer, n, inner). Pointers are byte addresses.
 */

/** out (outer, n, inner) = src (outer, len, inner) at positions index along len. */
export function index_select_f32(out: usize, src: usize, index: usize, outer: i32, len: i32, inner: i32, n: i32): void {
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const from = src + <usize>o * len * rowBytes;
    const to = out + <usize>o * n * rowBytes;
    for (let r = 0; r < n; r++) {
      const at = <usize>load<i32>(index + (<usize>r << 2));
      memory.copy(to + <usize>r * rowBytes, from + at * rowBytes, rowBytes);
    }
  }
}

/**
 * dst (outer, len, inner) at positions index along len += src (outer, n, inner). Rows are added in
 * index order, each element in float32, so repeated positions sum as the reference does.
 */
export function index_add_f32(dst: usize, index: usize, src: usize, outer: i32, len: i32, inner: i32, n: i32): void {
  const rowBytes = <usize>inner << 2;
  const body = <usize>(inner & ~3) << 2;
  for (let o = 0; o < outer; o++) {
    const to = dst + <usize>o * len * rowBytes;
    const from = src + <usize>o * n * rowBytes;
    for (let r = 0; r < n; r++) {
      const d = to + <usize>load<i32>(index + (<usize>r << 2)) * rowBytes;
      const s = from + <usize>r * rowBytes;
      for (let j: usize = 0; j < body; j += 16) v128.store(d + j, f32x4.add(v128.load(d + j), v128.load(s + j)));
      for (let j = body; j < rowBytes; j += 4) store<f32>(d + j, load<f32>(d + j) + load<f32>(s + j));
    }
  }
}
