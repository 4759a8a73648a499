/**
 * Per-step gate kernels of the fused recurrent ops: everything a step does besides its matrix
 * products, in SIMD. The step loops live in TypeScript (src/backend/cells/*.ts) and
 * call these once per time step on the step's rows.
 *
 * Legend: rows = sequences active at the step, H = hidden size. Packed arrays (gates, xproj,
 * cells, out, dx, …) point at the step's first row; state arrays (c, h, dh, dc, dm) at row 0.
 * Gate blocks are [q·H, (q+1)·H) within a row of G·H. A pointer of 0 means "absent" (no bias, no
 * peepholes, no second output). `prev` rows: the first prevRows rows of the previous step's block,
 * the rest from the initial state.
 */
import { sigmoidv, tanhv } from './lib/math';
import { gemm_packed_f32, packed_b_offset } from './gemm';

@inline function ld(p: usize, j: i32, w: i32): v128 {
  return w == 4 ? v128.load(p + (<usize>j << 2)) : f32x4.splat(load<f32>(p + (<usize>j << 2)));
}

@inline function ldOr0(p: usize, j: i32, w: i32): v128 {
  return p == 0 ? f32x4.splat(0) : ld(p, j, w);
}

@inline function st(p: usize, j: i32, v: v128, w: i32): void {
  if (w == 4) v128.store(p + (<usize>j << 2), v);
  else store<f32>(p + (<usize>j << 2), f32x4.extract_lane(v, 0));
}

@inline function row(p: usize, r: i32, width: i32): usize {
  return p == 0 ? 0 : p + (<usize>(r * width) << 2);
}

@inline function mul(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
@inline function add(a: v128, b: v128): v128 { return f32x4.add(a, b); }
@inline function sub(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
/** x·(1 − x): the derivative of σ at its output x. */
@inline function dsig(x: v128): v128 { return mul(x, sub(f32x4.splat(1), x)); }
/** 1 − x²: the derivative of tanh at its output x. */
@inline function dtanh(x: v128): v128 { return sub(f32x4.splat(1), mul(x, x)); }

// ---- LSTM -------------------------------------------------------------------------------------

@inline function lstmForwardAt(g: usize, x: usize, bhh: usize, peep: usize, c: usize, cells: usize, m: usize, h: usize, H: i32, j: i32, w: i32): void {
  const cp = ld(c, j, w);
  let pi = add(add(ld(g, j, w), ld(x, j, w)), ldOr0(bhh, j, w));
  let pf = add(add(ld(g, j + H, w), ld(x, j + H, w)), ldOr0(bhh, j + H, w));
  const pg = add(add(ld(g, j + 2 * H, w), ld(x, j + 2 * H, w)), ldOr0(bhh, j + 2 * H, w));
  let po = add(add(ld(g, j + 3 * H, w), ld(x, j + 3 * H, w)), ldOr0(bhh, j + 3 * H, w));
  if (peep != 0) {
    pi = add(pi, mul(ld(peep, j, w), cp));
    pf = add(pf, mul(ld(peep, j + H, w), cp));
  }
  const i = sigmoidv(pi);
  const f = sigmoidv(pf);
  const gg = tanhv(pg);
  const cn = add(mul(f, cp), mul(i, gg));
  if (peep != 0) po = add(po, mul(ld(peep, j + 2 * H, w), cn));
  const o = sigmoidv(po);
  st(g, j, i, w);
  st(g, j + H, f, w);
  st(g, j + 2 * H, gg, w);
  st(g, j + 3 * H, o, w);
  st(cells, j, cn, w);
  st(c, j, cn, w);
  const mv = mul(o, tanhv(cn));
  st(m, j, mv, w);
  if (h != 0) st(h, j, mv, w);
}

/**
 * The recurrent products of hidden units [u0, u1) for each of `gates` gate blocks: columns
 * q·H + u0 … q·H + u1 of dst (rows, gates·H) ← hPrev (rows, H) · the same columns of the packed
 * W_hhᵀ (u0 and H multiples of 8). ws: gemm workspace for (rows, H, u1 − u0).
 */
function unitProducts(dst: usize, gates: i32, hPrev: usize, packedW: usize, rows: i32, H: i32, u0: i32, u1: i32, ws: usize): void {
  for (let q = 0; q < gates; q++) {
    const col = q * H + u0;
    gemm_packed_f32(dst + (<usize>col << 2), gates * H, hPrev, H, 0, packedW + packed_b_offset(H, col), rows, H, u1 - u0, 0, ws);
  }
}

/**
 * LSTM step forward. In: gates (rows, 4H) holding h·W_hhᵀ, xproj (rows, 4H), bhh (4H), peep (3H),
 * c (rows, H). Out: gates ← activations i, f, g, o; cells (rows, H) and c ← c'; m (rows, H) ←
 * o⊙tanh(c'), also written to h (rows, H) when h ≠ 0 (no projection).
 */
export function lstm_step_forward(gates: usize, xproj: usize, bhh: usize, peep: usize, c: usize, cells: usize, m: usize, h: usize, rows: i32, H: i32): void {
  const G = 4 * H;
  for (let r = 0; r < rows; r++) {
    const g = row(gates, r, G), x = row(xproj, r, G), cr = row(c, r, H), cl = row(cells, r, H), mr = row(m, r, H), hr = row(h, r, H);
    let j = 0;
    for (; j + 4 <= H; j += 4) lstmForwardAt(g, x, bhh, peep, cr, cl, mr, hr, H, j, 4);
    for (; j < H; j++) lstmForwardAt(g, x, bhh, peep, cr, cl, mr, hr, H, j, 1);
  }
}

/**
 * One LSTM step (no projection) for hidden units [u0, u1) of every row, so that threads given
 * disjoint unit ranges split a step with one barrier after it: the four gate products of those
 * units, hPrev (rows, H) · the columns q·H + u0 … q·H + u1 of the packed W_hhᵀ (u0 and H multiples
 * of 8), then their gate arithmetic as lstm_step_forward. Threads only read hPrev and write their
 * own units of gates, c, cells, out and hNext. Each product element is computed as in the full
 * product, so the result does not depend on the split. ws: gemm workspace for (rows, H, u1 − u0).
 */
export function lstm_units_step_forward(
  gates: usize, xproj: usize, bhh: usize, peep: usize, c: usize, cells: usize, out: usize,
  hPrev: usize, hNext: usize, packedW: usize, rows: i32, H: i32, u0: i32, u1: i32, ws: usize,
): void {
  const G = 4 * H;
  unitProducts(gates, 4, hPrev, packedW, rows, H, u0, u1, ws);
  for (let r = 0; r < rows; r++) {
    const g = row(gates, r, G), x = row(xproj, r, G), cr = row(c, r, H), cl = row(cells, r, H), mr = row(out, r, H), hr = row(hNext, r, H);
    let j = u0;
    for (; j + 4 <= u1; j += 4) lstmForwardAt(g, x, bhh, peep, cr, cl, mr, hr, H, j, 4);
    for (; j < u1; j++) lstmForwardAt(g, x, bhh, peep, cr, cl, mr, hr, H, j, 1);
  }
}

@inline function lstmBackwardAt(dx: usize, g: usize, cell: usize, cp: usize, dm: usize, dc: usize, peep: usize, dpeep: usize, H: i32, j: i32, w: i32): void {
  const one = f32x4.splat(1);
  const i = ld(g, j, w), f = ld(g, j + H, w), gg = ld(g, j + 2 * H, w), o = ld(g, j + 3 * H, w);
  const cn = ld(cell, j, w);
  const c0 = ld(cp, j, w);
  const tc = tanhv(cn);
  const dmv = ld(dm, j, w);
  const dGo = mul(mul(dmv, tc), dsig(o));
  let dcn = add(ld(dc, j, w), mul(mul(dmv, o), sub(one, mul(tc, tc))));
  if (peep != 0) dcn = add(dcn, mul(dGo, ld(peep, j + 2 * H, w)));
  const dGi = mul(mul(dcn, gg), dsig(i));
  const dGf = mul(mul(dcn, c0), dsig(f));
  const dGg = mul(mul(dcn, i), dtanh(gg));
  let dcp = mul(dcn, f);
  if (peep != 0) {
    dcp = add(dcp, add(mul(dGi, ld(peep, j, w)), mul(dGf, ld(peep, j + H, w))));
    st(dpeep, j, add(ld(dpeep, j, w), mul(dGi, c0)), w);
    st(dpeep, j + H, add(ld(dpeep, j + H, w), mul(dGf, c0)), w);
    st(dpeep, j + 2 * H, add(ld(dpeep, j + 2 * H, w), mul(dGo, cn)), w);
  }
  st(dc, j, dcp, w);
  st(dx, j, dGi, w);
  st(dx, j + H, dGf, w);
  st(dx, j + 2 * H, dGg, w);
  st(dx, j + 3 * H, dGo, w);
}

/** lstmBackwardAt over units [u0, u1) of every row. */
@inline function lstmBackwardRows(dx: usize, gates: usize, cells: usize, prev: usize, prevRows: i32, c0: usize, dm: usize, dc: usize, peep: usize, dpeep: usize, rows: i32, H: i32, u0: i32, u1: i32): void {
  const G = 4 * H;
  for (let r = 0; r < rows; r++) {
    const cp = r < prevRows ? row(prev, r, H) : row(c0, r, H);
    const d = row(dx, r, G), g = row(gates, r, G), cl = row(cells, r, H), dmr = row(dm, r, H), dcr = row(dc, r, H);
    let j = u0;
    for (; j + 4 <= u1; j += 4) lstmBackwardAt(d, g, cl, cp, dmr, dcr, peep, dpeep, H, j, 4);
    for (; j < u1; j++) lstmBackwardAt(d, g, cl, cp, dmr, dcr, peep, dpeep, H, j, 1);
  }
}

/**
 * LSTM step backward. In: gates (activations), cells (rows, H) c', previous cells (prev rows, then
 * c0), dm (rows, H) = ∂L/∂m, dc (rows, H) = ∂L/∂c' so far. Out: dx (rows, 4H) gate gradients,
 * dc ← ∂L/∂c, dpeep (3H) accumulated.
 */
export function lstm_step_backward(dx: usize, gates: usize, cells: usize, prev: usize, prevRows: i32, c0: usize, dm: usize, dc: usize, peep: usize, dpeep: usize, rows: i32, H: i32): void {
  lstmBackwardRows(dx, gates, cells, prev, prevRows, c0, dm, dc, peep, dpeep, rows, H, 0, H);
}

/** dh (rows, H) += dout (rows, H) on units [u0, u1). */
@inline function addUnits(dh: usize, dout: usize, rows: i32, H: i32, u0: i32, u1: i32): void {
  for (let r = 0; r < rows; r++) {
    const d = row(dh, r, H), o = row(dout, r, H);
    let j = u0;
    for (; j + 4 <= u1; j += 4) st(d, j, add(ld(d, j, 4), ld(o, j, 4)), 4);
    for (; j < u1; j++) st(d, j, add(ld(d, j, 1), ld(o, j, 1)), 1);
  }
}

/**
 * One LSTM step backward (no projection) for hidden units [u0, u1) of every row, so that threads
 * given disjoint unit ranges split a step with one barrier after it (see
 * lstm_units_step_forward). First, when dxNext ≠ 0, the recurrent gradient of the step processed
 * before (the next one in time): dh (nextRows, H) ← dxNext (nextRows, 4H) · W_hh, columns u0 … u1
 * of W_hh packed whole (k = 4H, n = H); then dh += dout (rows, H) and the gate arithmetic of
 * lstm_step_backward with dm = dh. Threads read all of dxNext and write only their own units of
 * dh, dc, dx and dpeep. rows = 0 runs the product alone (the last one, for dh0).
 * ws: gemm workspace for (nextRows, 4H, u1 − u0).
 */
export function lstm_units_step_backward(
  dx: usize, gates: usize, cells: usize, prev: usize, prevRows: i32, c0: usize, dout: usize, dh: usize, dc: usize,
  peep: usize, dpeep: usize, dxNext: usize, nextRows: i32, packedW: usize, rows: i32, H: i32, u0: i32, u1: i32, ws: usize,
): void {
  const G = 4 * H;
  if (dxNext != 0) gemm_packed_f32(dh + (<usize>u0 << 2), H, dxNext, G, 0, packedW + packed_b_offset(G, u0), nextRows, G, u1 - u0, 0, ws);
  addUnits(dh, dout, rows, H, u0, u1);
  lstmBackwardRows(dx, gates, cells, prev, prevRows, c0, dh, dc, peep, dpeep, rows, H, u0, u1);
}

// ---- GRU --------------------------------------------------------------------------------------

/**
 * GRU step forward, reset after the product. In: gh (rows, 3H) = h·W_hhᵀ, xproj (rows, 3H), bhh,
 * h (rows, H). Out: gates (rows, 3H) ← r, z, n; hn (rows, H) ← h·W_hnᵀ + b_hn; out and h ← h'.
 */
export function gru_step_forward_after(gates: usize, hn: usize, xproj: usize, gh: usize, bhh: usize, h: usize, out: usize, rows: i32, H: i32): void {
  const G = 3 * H;
  for (let r = 0; r < rows; r++) {
    const g = row(gates, r, G), x = row(xproj, r, G), q = row(gh, r, G), hnr = row(hn, r, H), hr = row(h, r, H), o = row(out, r, H);
    let k = 0;
    for (; k + 4 <= H; k += 4) gruForwardAfterAt(g, x, q, bhh, hnr, hr, hr, o, H, k, 4);
    for (; k < H; k++) gruForwardAfterAt(g, x, q, bhh, hnr, hr, hr, o, H, k, 1);
  }
}

/** One unit (w = 1) or four (w = 4) of a reset-after GRU step: reads the state from hp, writes h' to hNext and o. */
@inline function gruForwardAfterAt(g: usize, x: usize, q: usize, bhh: usize, hnr: usize, hp: usize, hNext: usize, o: usize, H: i32, k: i32, w: i32): void {
  const rr = sigmoidv(add(add(ld(x, k, w), ld(q, k, w)), ldOr0(bhh, k, w)));
  const z = sigmoidv(add(add(ld(x, k + H, w), ld(q, k + H, w)), ldOr0(bhh, k + H, w)));
  const hnv = add(ld(q, k + 2 * H, w), ldOr0(bhh, k + 2 * H, w));
  const n = tanhv(add(ld(x, k + 2 * H, w), mul(rr, hnv)));
  const v = add(n, mul(z, sub(ld(hp, k, w), n)));
  st(g, k, rr, w); st(g, k + H, z, w); st(g, k + 2 * H, n, w);
  st(hnr, k, hnv, w); st(o, k, v, w); st(hNext, k, v, w);
}

/**
 * One reset-after GRU step for hidden units [u0, u1) of every row (see lstm_units_step_forward):
 * the three gate products of those units into gh, then their gate arithmetic, reading the state
 * from hPrev and writing h' to hNext and out.
 */
export function gru_units_step_forward_after(
  gates: usize, hn: usize, xproj: usize, gh: usize, bhh: usize, out: usize,
  hPrev: usize, hNext: usize, packedW: usize, rows: i32, H: i32, u0: i32, u1: i32, ws: usize,
): void {
  const G = 3 * H;
  unitProducts(gh, 3, hPrev, packedW, rows, H, u0, u1, ws);
  for (let r = 0; r < rows; r++) {
    const g = row(gates, r, G), x = row(xproj, r, G), q = row(gh, r, G), hnr = row(hn, r, H), o = row(out, r, H);
    const hp = row(hPrev, r, H), hx = row(hNext, r, H);
    let k = u0;
    for (; k + 4 <= u1; k += 4) gruForwardAfterAt(g, x, q, bhh, hnr, hp, hx, o, H, k, 4);
    for (; k < u1; k++) gruForwardAfterAt(g, x, q, bhh, hnr, hp, hx, o, H, k, 1);
  }
}

/** GRU reset-before, first half: gates r, z from gh (rows, 3H; first 2H used) and hn ← r⊙h. */
export function gru_step_forward_before_rz(gates: usize, hn: usize, xproj: usize, gh: usize, bhh: usize, h: usize, rows: i32, H: i32): void {
  const G = 3 * H;
  for (let r = 0; r < rows; r++) {
    const g = row(gates, r, G), x = row(xproj, r, G), q = row(gh, r, G), hnr = row(hn, r, H), hr = row(h, r, H);
    for (let j = 0; j < H; j += 4) {
      const w = j + 4 <= H ? 4 : 1;
      const end = w == 4 ? j + 4 : H;
      for (let k = j; k < end; k += w) {
        const rr = sigmoidv(add(add(ld(x, k, w), ld(q, k, w)), ldOr0(bhh, k, w)));
        const z = sigmoidv(add(add(ld(x, k + H, w), ld(q, k + H, w)), ldOr0(bhh, k + H, w)));
        st(g, k, rr, w); st(g, k + H, z, w);
        st(hnr, k, mul(rr, ld(hr, k, w)), w);
      }
    }
  }
}

/** GRU reset-before, second half: n from gh's n block (= (r⊙h)·W_hnᵀ) and h' into out and h. */
export function gru_step_forward_before_n(gates: usize, xproj: usize, gh: usize, bhh: usize, h: usize, out: usize, rows: i32, H: i32): void {
  const G = 3 * H;
  for (let r = 0; r < rows; r++) {
    const g = row(gates, r, G), x = row(xproj, r, G), q = row(gh, r, G), hr = row(h, r, H), o = row(out, r, H);
    for (let j = 0; j < H; j += 4) {
      const w = j + 4 <= H ? 4 : 1;
      const end = w == 4 ? j + 4 : H;
      for (let k = j; k < end; k += w) {
        const z = ld(g, k + H, w);
        const n = tanhv(add(add(ld(x, k + 2 * H, w), ld(q, k + 2 * H, w)), ldOr0(bhh, k + 2 * H, w)));
        const v = add(n, mul(z, sub(ld(hr, k, w), n)));
        st(g, k + 2 * H, n, w); st(o, k, v, w); st(hr, k, v, w);
      }
    }
  }
}

/** One unit (w = 1) or four (w = 4) of a reset-after GRU step backward (see gru_step_backward_after). */
@inline function gruBackwardAfterAt(a: usize, b: usize, g: usize, hnr: usize, hp: usize, dhr: usize, dor: usize, H: i32, k: i32, w: i32): void {
  const d = add(ld(dhr, k, w), ld(dor, k, w));
  const rr = ld(g, k, w), z = ld(g, k + H, w), n = ld(g, k + 2 * H, w);
  const dnp = mul(mul(d, sub(f32x4.splat(1), z)), dtanh(n));
  const dGz = mul(mul(d, sub(ld(hp, k, w), n)), dsig(z));
  const dGr = mul(mul(dnp, ld(hnr, k, w)), dsig(rr));
  st(a, k, dGr, w); st(a, k + H, dGz, w); st(a, k + 2 * H, dnp, w);
  st(b, k, dGr, w); st(b, k + H, dGz, w); st(b, k + 2 * H, mul(dnp, rr), w);
  st(dhr, k, mul(d, z), w);
}

/** gruBackwardAfterAt over units [u0, u1) of every row. */
@inline function gruBackwardAfterRows(dx: usize, dgh: usize, gates: usize, hn: usize, prev: usize, prevRows: i32, h0: usize, dh: usize, dout: usize, rows: i32, H: i32, u0: i32, u1: i32): void {
  const G = 3 * H;
  for (let r = 0; r < rows; r++) {
    const hp = r < prevRows ? row(prev, r, H) : row(h0, r, H);
    const a = row(dx, r, G), b = row(dgh, r, G), g = row(gates, r, G), hnr = row(hn, r, H), dhr = row(dh, r, H), dor = row(dout, r, H);
    let k = u0;
    for (; k + 4 <= u1; k += 4) gruBackwardAfterAt(a, b, g, hnr, hp, dhr, dor, H, k, 4);
    for (; k < u1; k++) gruBackwardAfterAt(a, b, g, hnr, hp, dhr, dor, H, k, 1);
  }
}

/**
 * GRU step backward, reset after. In: dh (rows, H) so far, dout rows, gates, hn, previous h (prev
 * rows, then h0). Out: dx (rows, 3H) for xproj, dgh (rows, 3H) for the recurrent pre-activations,
 * dh ← the direct part d⊙z (the caller adds dgh·W_hh).
 */
export function gru_step_backward_after(dx: usize, dgh: usize, gates: usize, hn: usize, prev: usize, prevRows: i32, h0: usize, dh: usize, dout: usize, rows: i32, H: i32): void {
  gruBackwardAfterRows(dx, dgh, gates, hn, prev, prevRows, h0, dh, dout, rows, H, 0, H);
}

/**
 * One reset-after GRU step backward for hidden units [u0, u1) of every row (see
 * lstm_units_step_backward): when dghNext ≠ 0, dh (nextRows, H) += dghNext (nextRows, 3H) · W_hh on
 * columns u0 … u1 (W_hh packed whole, k = 3H, n = H), completing the state gradient of the step
 * processed before; then the gate arithmetic of gru_step_backward_after on those units.
 * ws: gemm workspace for (nextRows, 3H, u1 − u0).
 */
export function gru_units_step_backward_after(
  dx: usize, dgh: usize, gates: usize, hn: usize, prev: usize, prevRows: i32, h0: usize, dh: usize, dout: usize,
  dghNext: usize, nextRows: i32, packedW: usize, rows: i32, H: i32, u0: i32, u1: i32, ws: usize,
): void {
  const G = 3 * H;
  if (dghNext != 0) gemm_packed_f32(dh + (<usize>u0 << 2), H, dghNext, G, 0, packedW + packed_b_offset(G, u0), nextRows, G, u1 - u0, 1, ws);
  gruBackwardAfterRows(dx, dgh, gates, hn, prev, prevRows, h0, dh, dout, rows, H, u0, u1);
}

/** GRU reset-before backward, first half: dx's z and n blocks, dh ← d⊙z. */
export function gru_step_backward_before_1(dx: usize, gates: usize, prev: usize, prevRows: i32, h0: usize, dh: usize, dout: usize, rows: i32, H: i32): void {
  const G = 3 * H;
  for (let r = 0; r < rows; r++) {
    const hp = r < prevRows ? row(prev, r, H) : row(h0, r, H);
    const a = row(dx, r, G), g = row(gates, r, G), dhr = row(dh, r, H), dor = row(dout, r, H);
    for (let j = 0; j < H; j += 4) {
      const w = j + 4 <= H ? 4 : 1;
      const end = w == 4 ? j + 4 : H;
      for (let k = j; k < end; k += w) {
        const d = add(ld(dhr, k, w), ld(dor, k, w));
        const z = ld(g, k + H, w), n = ld(g, k + 2 * H, w);
        st(a, k + H, mul(mul(d, sub(ld(hp, k, w), n)), dsig(z)), w);
        st(a, k + 2 * H, mul(mul(d, sub(f32x4.splat(1), z)), dtanh(n)), w);
        st(dhr, k, mul(d, z), w);
      }
    }
  }
}

/** GRU reset-before backward, second half: from drh (rows, H) = ∂L/∂(r⊙h), dx's r block and dh += drh⊙r. */
export function gru_step_backward_before_2(dx: usize, drh: usize, gates: usize, prev: usize, prevRows: i32, h0: usize, dh: usize, rows: i32, H: i32): void {
  const G = 3 * H;
  for (let r = 0; r < rows; r++) {
    const hp = r < prevRows ? row(prev, r, H) : row(h0, r, H);
    const a = row(dx, r, G), g = row(gates, r, G), dr = row(drh, r, H), dhr = row(dh, r, H);
    for (let j = 0; j < H; j += 4) {
      const w = j + 4 <= H ? 4 : 1;
      const end = w == 4 ? j + 4 : H;
      for (let k = j; k < end; k += w) {
        const rr = ld(g, k, w);
        const q = ld(dr, k, w);
        st(a, k, mul(mul(q, ld(hp, k, w)), dsig(rr)), w);
        st(dhr, k, add(ld(dhr, k, w), mul(q, rr)), w);
      }
    }
  }
}

// ---- Elman RNN --------------------------------------------------------------------------------

/** RNN step forward: out (rows, H) holds h·W_hhᵀ; out and h ← act(out + xproj + bhh). relu ≠ 0 for ReLU, else tanh. */
export function rnn_step_forward(out: usize, xproj: usize, bhh: usize, h: usize, rows: i32, H: i32, relu: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = row(out, r, H), x = row(xproj, r, H), hr = row(h, r, H);
    for (let j = 0; j < H; j += 4) {
      const w = j + 4 <= H ? 4 : 1;
      const end = w == 4 ? j + 4 : H;
      for (let k = j; k < end; k += w) {
        const pre = add(add(ld(o, k, w), ld(x, k, w)), ldOr0(bhh, k, w));
        const v = relu != 0 ? f32x4.pmax(f32x4.splat(0), pre) : tanhv(pre);
        st(o, k, v, w); st(hr, k, v, w);
      }
    }
  }
}

/** RNN step backward: dx (rows, H) ← (dh + dout)·act'(out). */
export function rnn_step_backward(dx: usize, out: usize, dh: usize, dout: usize, rows: i32, H: i32, relu: i32): void {
  for (let r = 0; r < rows; r++) {
    const a = row(dx, r, H), o = row(out, r, H), dhr = row(dh, r, H), dor = row(dout, r, H);
    for (let j = 0; j < H; j += 4) {
      const w = j + 4 <= H ? 4 : 1;
      const end = w == 4 ? j + 4 : H;
      for (let k = j; k < end; k += w) {
        const d = add(ld(dhr, k, w), ld(dor, k, w));
        const y = ld(o, k, w);
        const v = relu != 0 ? v128.and(d, f32x4.gt(y, f32x4.splat(0))) : mul(d, dtanh(y));
        st(a, k, v, w);
      }
    }
  }
}
