/**
 * Float32 matrix product on row-major blocks, as BLAS's sgemm with alpha = 1 and beta ∈ {0, 1}:
 *   C (m×n) = op(A) · op(B),  or  C += op(A) · op(B)  with `accumulate`.
 *
 * Legend: op(A) is m×k; A is stored m×k (row stride lda), or k×m when transA.
 *         op(B) is k×n; B is stored k×n (row stride ldb), or n×k when transB.
 *         C has row stride ldc. Pointers are byte addresses; strides count elements.
 *         ws: workspace of gemm_workspace_bytes(m, k, n) bytes, private to the calling thread.
 *
 * Blocking (Goto/BLIS): for each NC-wide column block and KC-deep slice, B is packed once; for each
 * MC-tall row block A is packed; the 4×8 micro-kernel then walks B panels (held in L1) over A
 * panels (held in L2). Every element sums its KC slices in the same order whatever the block
 * sizes, edges or thread split, so results do not depend on them.
 *
 * A pre-packed B (pack_b_f32, then gemm_packed_f32) serves products that reuse one B many times,
 * such as the recurrent weights at every time step.
 */
import { MR, NR, packA, packB } from './lib/pack';
import { mergeEdge, micro1x32, micro1x8, micro4x8 } from './lib/micro';

const KC = 256;
const MC = 128;
const NC = 2048;
const TMP_BYTES: usize = MR * NR * 4;

function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/** Bytes of workspace gemm_f32 and gemm_packed_f32 need for an m×k by k×n product. */
export function gemm_workspace_bytes(m: i32, k: i32, n: i32): usize {
  const kc = k < KC ? k : KC;
  const mc = roundUp(m < MC ? m : MC, MR);
  const nc = roundUp(n < NC ? n : NC, NR);
  return (<usize>mc * kc + <usize>kc * nc) * 4 + TMP_BYTES;
}

/** Bytes of a B pre-packed by pack_b_f32 (k×n, columns padded to a multiple of 8). */
export function packed_b_bytes(k: i32, n: i32): usize {
  return <usize>roundUp(n, NR) * k * 4;
}

/** Byte offset, inside a pre-packed B, of column j (a multiple of 8): where a column block starts. */
export function packed_b_offset(k: i32, j: i32): usize {
  return <usize>(j / NR) * k * NR * 4;
}

/** Packs op(B) (k×n) whole: NR-column panels of k rows each, k·NR·4 bytes apart. */
export function pack_b_f32(dst: usize, b: usize, ldb: i32, transB: i32, k: i32, n: i32): void {
  packB(dst, <usize>k * NR * 4, b, ldb, transB != 0, 0, 0, k, n);
}

export function gemm_f32(
  c: usize, ldc: i32, a: usize, lda: i32, transA: i32, b: usize, ldb: i32, transB: i32,
  m: i32, k: i32, n: i32, accumulate: i32, ws: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (accumulate == 0) zeroBlock(c, ldc, m, n);
    return;
  }
  const kcMax = k < KC ? k : KC;
  const pa = ws;
  const pb = ws + <usize>roundUp(m < MC ? m : MC, MR) * kcMax * 4;
  const tmp = pb + <usize>kcMax * roundUp(n < NC ? n : NC, NR) * 4;
  const ldcB = <usize>ldc << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = n - jc < NC ? n - jc : NC;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = k - pc < KC ? k - pc : KC;
      packB(pb, <usize>kc * NR * 4, b, ldb, transB != 0, pc, jc, kc, nc);
      const add = accumulate != 0 || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = m - ic < MC ? m - ic : MC;
        packA(pa, a, lda, transA != 0, ic, pc, mc, kc);
        macro(mc, nc, kc, pa, pb, <usize>kc * NR * 4, c + <usize>ic * ldcB + (<usize>jc << 2), ldcB, add, tmp);
      }
    }
  }
}

/** As gemm_f32, with op(B) already packed by pack_b_f32 (for the same k and n). */
export function gemm_packed_f32(
  c: usize, ldc: i32, a: usize, lda: i32, transA: i32, packedB: usize,
  m: i32, k: i32, n: i32, accumulate: i32, ws: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (accumulate == 0) zeroBlock(c, ldc, m, n);
    return;
  }
  const kcMax = k < KC ? k : KC;
  const pa = ws;
  const tmp = ws + <usize>roundUp(m < MC ? m : MC, MR) * kcMax * 4;
  const ldcB = <usize>ldc << 2;
  const panelStride = <usize>k * NR * 4;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = k - pc < KC ? k - pc : KC;
    const add = accumulate != 0 || pc > 0;
    for (let ic = 0; ic < m; ic += MC) {
      const mc = m - ic < MC ? m - ic : MC;
      packA(pa, a, lda, transA != 0, ic, pc, mc, kc);
      macro(mc, n, kc, pa, packedB + (<usize>pc << 5), panelStride, c + <usize>ic * ldcB, ldcB, add, tmp);
    }
  }
}

/** C block (mc×nc) [+]= packed A (mc×kc) · packed B (kc×nc). */
function macro(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, ps: usize, c: usize, ldc: usize, add: bool, tmp: usize): void {
  const fullRows = mc & ~(MR - 1);
  const fullPanels = nc / NR;
  const tail = pa + <usize>fullRows * kc * 4;
  for (let q = 0; q < fullPanels; q += 4) {
    const group = fullPanels - q < 4 ? fullPanels - q : 4;
    for (let t = 0; t < group; t++) {
      const pbq = pb + <usize>(q + t) * ps;
      const cq = c + (<usize>(q + t) << 5);
      for (let i = 0; i < fullRows; i += MR) micro4x8(kc, pa + <usize>i * kc * 4, pbq, cq + <usize>i * ldc, ldc, add);
    }
    for (let r = fullRows; r < mc; r++) {
      const row = tail + (<usize>(r - fullRows) << 2);
      const cr = c + <usize>r * ldc + (<usize>q << 5);
      if (group == 4) micro1x32(kc, row, pb + <usize>q * ps, ps, cr, add);
      else for (let t = 0; t < group; t++) micro1x8(kc, row, pb + <usize>(q + t) * ps, cr + (<usize>t << 5), add);
    }
  }
  const cols = nc - fullPanels * NR;
  if (cols > 0) {
    const pbq = pb + <usize>fullPanels * ps;
    const cq = c + (<usize>fullPanels << 5);
    for (let i = 0; i < fullRows; i += MR) {
      micro4x8(kc, pa + <usize>i * kc * 4, pbq, tmp, NR * 4, false);
      mergeEdge(cq + <usize>i * ldc, ldc, tmp, MR, cols, add);
    }
    for (let r = fullRows; r < mc; r++) {
      micro1x8(kc, tail + (<usize>(r - fullRows) << 2), pbq, tmp, false);
      mergeEdge(cq + <usize>r * ldc, ldc, tmp, 1, cols, add);
    }
  }
}

function zeroBlock(c: usize, ldc: i32, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) memory.fill(c + (<usize>i * ldc << 2), 0, <usize>n << 2);
}
