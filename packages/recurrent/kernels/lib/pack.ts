/**
 * Packing of gemm operands into the contiguous panels the micro-kernels stream through.
 *
 * Legend: op(A) is m×k, op(B) is k×n; MR×NR is the register tile.
 * Packed A: panels of MR rows; inside a panel, for each p the MR values A(i..i+MR, p).
 * Packed B: panels of NR columns, `panelStride` bytes apart; inside a panel, for each p the NR
 * values B(p, j..j+NR). A partial last B panel is zero-filled to NR columns.
 * Pointers are byte addresses; leading dimensions count elements.
 */
export const MR = 4;
export const NR = 8;

/** Rows i0..i0+mc, columns p0..p0+kc of op(A), where A(i, p) = a[i·lda + p], or a[p·lda + i] when transA. */
export function packA(dst: usize, a: usize, lda: i32, transA: bool, i0: i32, p0: i32, mc: i32, kc: i32): void {
  const ld = <usize>lda << 2;
  for (let i = 0; i < mc; i += MR) {
    const rows = mc - i < MR ? mc - i : MR;
    const panel = dst + <usize>i * kc * 4;
    if (transA) {
      let src = a + <usize>p0 * ld + (<usize>(i0 + i) << 2);
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(panel + (<usize>p << 4), v128.load(src));
          src += ld;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const out = panel + (<usize>p << 4);
          for (let r = 0; r < MR; r++) store<f32>(out + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : 0);
          src += ld;
        }
      }
    } else {
      const r0 = a + <usize>(i0 + i) * ld + (<usize>p0 << 2);
      if (rows == MR) {
        const r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const off = <usize>p << 2;
          const x0 = v128.load(r0 + off), x1 = v128.load(r1 + off), x2 = v128.load(r2 + off), x3 = v128.load(r3 + off);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          const out = panel + (<usize>p << 4);
          v128.store(out, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
          v128.store(out, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
          v128.store(out, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
          v128.store(out, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
        }
        for (; p < kc; p++) {
          const off = <usize>p << 2;
          const out = panel + (<usize>p << 4);
          store<f32>(out, load<f32>(r0 + off));
          store<f32>(out, load<f32>(r1 + off), 4);
          store<f32>(out, load<f32>(r2 + off), 8);
          store<f32>(out, load<f32>(r3 + off), 12);
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const out = panel + (<usize>p << 4);
          for (let r = 0; r < MR; r++) {
            store<f32>(out + (<usize>r << 2), r < rows ? load<f32>(r0 + <usize>r * ld + (<usize>p << 2)) : 0);
          }
        }
      }
    }
  }
}

/** Rows p0..p0+kc, columns j0..j0+nc of op(B), where B(p, j) = b[p·ldb + j], or b[j·ldb + p] when transB. */
export function packB(dst: usize, panelStride: usize, b: usize, ldb: i32, transB: bool, p0: i32, j0: i32, kc: i32, nc: i32): void {
  const ld = <usize>ldb << 2;
  for (let j = 0; j < nc; j += NR) {
    const cols = nc - j < NR ? nc - j : NR;
    const panel = dst + <usize>(j / NR) * panelStride;
    if (!transB) {
      let src = b + <usize>p0 * ld + (<usize>(j0 + j) << 2);
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          const out = panel + (<usize>p << 5);
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
          src += ld;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const out = panel + (<usize>p << 5);
          for (let c = 0; c < NR; c++) store<f32>(out + (<usize>c << 2), c < cols ? load<f32>(src + (<usize>c << 2)) : 0);
          src += ld;
        }
      }
    } else {
      const r0 = b + <usize>(j0 + j) * ld + (<usize>p0 << 2);
      if (cols == NR) {
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const off = <usize>p << 2;
          const out = panel + (<usize>p << 5);
          transpose4(out, r0 + off, ld);
          transpose4(out + 16, r0 + 4 * ld + off, ld);
        }
        for (; p < kc; p++) {
          const out = panel + (<usize>p << 5);
          for (let c = 0; c < NR; c++) store<f32>(out + (<usize>c << 2), load<f32>(r0 + <usize>c * ld + (<usize>p << 2)));
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const out = panel + (<usize>p << 5);
          for (let c = 0; c < NR; c++) {
            store<f32>(out + (<usize>c << 2), c < cols ? load<f32>(r0 + <usize>c * ld + (<usize>p << 2)) : 0);
          }
        }
      }
    }
  }
}

/** Four rows of 4 floats (`ld` bytes apart) → written as 4 columns, 32 bytes apart (one NR row each). */
@inline function transpose4(out: usize, src: usize, ld: usize): void {
  const x0 = v128.load(src), x1 = v128.load(src + ld), x2 = v128.load(src + 2 * ld), x3 = v128.load(src + 3 * ld);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(out, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
  v128.store(out, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
  v128.store(out, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
}
