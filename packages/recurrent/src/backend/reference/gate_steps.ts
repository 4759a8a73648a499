/**
 * Per-step gate arithmetic of the fused recurrent kernels, behind an interface so that a fast
 * backend can run it in SIMD (kernels/recurrent_gates.ts) while the step loops stay shared.
 *
 * Legend: rows = sequences active at the step, H = hidden size, G = gates·H. `at` offsets (in
 * elements) locate the step's first packed row in a packed array: gate arrays at off·G, per-unit
 * arrays (cells, hn, out, dOut) at `rowAt` = off·H. State arrays (c, h, dh, dc, dm) start at row 0.
 * `prev` arrays hold the previous step's packed rows at `prevAt` (a row offset·H): the first
 * `prevRows` rows come from there, the rest from the initial state.
 */
import type { FloatArray } from '../../tensor/dtype.js';
import { sigmoid } from './sequence_steps.js';

interface Step { rows: number; H: number }
interface Prev { prev: FloatArray; prevAt: number; prevRows: number }

export interface LstmStepForward extends Step {
  gates: FloatArray; xProj: FloatArray; at: number; bHH: FloatArray | null; peep: FloatArray | null;
  c: FloatArray; cells: FloatArray; m: FloatArray; rowAt: number; h: FloatArray | null;
}
export interface LstmStepBackward extends Step, Prev {
  dx: FloatArray; gates: FloatArray; at: number; cells: FloatArray; rowAt: number; c0: FloatArray;
  dm: FloatArray; dc: FloatArray; peep: FloatArray | null; dPeep: FloatArray | null;
}
export interface GruStepForward extends Step {
  gates: FloatArray; xProj: FloatArray; at: number; gh: FloatArray; bHH: FloatArray | null;
  hn: FloatArray; out: FloatArray; rowAt: number; h: FloatArray;
}
export interface GruStepBackward extends Step, Prev {
  dx: FloatArray; dgh: FloatArray; gates: FloatArray; at: number; hn: FloatArray; rowAt: number;
  h0: FloatArray; dh: FloatArray; dOut: FloatArray; drh: FloatArray;
}
export interface RnnStepForward extends Step {
  out: FloatArray; at: number; xProj: FloatArray; bHH: FloatArray | null; h: FloatArray; relu: boolean;
}
export interface RnnStepBackward extends Step {
  dx: FloatArray; out: FloatArray; at: number; dh: FloatArray; dOut: FloatArray; relu: boolean;
}

export interface GateSteps {
  /** gates ← i, f, g, o from (gates + xProj + b_hh [+ peepholes]); c, cells ← c'; m (and h) ← o⊙tanh(c'). */
  lstmForward(s: LstmStepForward): void;
  /** dx ← gate gradients; dc ← ∂L/∂c; dPeep += … (dm = ∂L/∂m, dc = ∂L/∂c' on entry). */
  lstmBackward(s: LstmStepBackward): void;
  /** Reset after: gates ← r, z, n; hn ← h·W_hnᵀ + b_hn (gh's n block + bias); out, h ← h'. */
  gruForwardAfter(s: GruStepForward): void;
  /** Reset before, part 1: gates ← r, z; hn ← r⊙h. */
  gruForwardBeforeRZ(s: GruStepForward): void;
  /** Reset before, part 2: gates' n from gh's n block (= (r⊙h)·W_hnᵀ) + b_hn; out, h ← h'. */
  gruForwardBeforeN(s: GruStepForward): void;
  /** Reset after: dx, dgh (recurrent pre-activation gradients), dh ← d⊙z. */
  gruBackwardAfter(s: GruStepBackward): void;
  /** Reset before, part 1: dx's z, n blocks; dh ← d⊙z. */
  gruBackwardBefore1(s: GruStepBackward): void;
  /** Reset before, part 2: dx's r block from drh = ∂L/∂(r⊙h); dh += drh⊙r. */
  gruBackwardBefore2(s: GruStepBackward): void;
  /** out, h ← act(out + xProj + b_hh). */
  rnnForward(s: RnnStepForward): void;
  /** dx ← (dh + dOut)·act'(out). */
  rnnBackward(s: RnnStepBackward): void;
}

const bias = (b: FloatArray | null, i: number): number => (b ? b[i]! : 0);
const prevOf = (s: Prev & { H: number }, init: FloatArray, r: number, j: number): number =>
  r < s.prevRows ? s.prev[s.prevAt + r * s.H + j]! : init[r * s.H + j]!;

export const referenceGateSteps: GateSteps = {
  lstmForward(s) {
    const { rows, H, gates, xProj, bHH, peep, c, cells, m, h } = s;
    const G = 4 * H;
    for (let r = 0; r < rows; r++) {
      const gb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const cp = c[r * H + j]!;
        const at = gb + j;
        const i = sigmoid(gates[at]! + xProj[at]! + bias(bHH, j) + (peep ? peep[j]! * cp : 0));
        const f = sigmoid(gates[at + H]! + xProj[at + H]! + bias(bHH, H + j) + (peep ? peep[H + j]! * cp : 0));
        const g = Math.tanh(gates[at + 2 * H]! + xProj[at + 2 * H]! + bias(bHH, 2 * H + j));
        const cn = f * cp + i * g;
        const o = sigmoid(gates[at + 3 * H]! + xProj[at + 3 * H]! + bias(bHH, 3 * H + j) + (peep ? peep[2 * H + j]! * cn : 0));
        gates[at] = i;
        gates[at + H] = f;
        gates[at + 2 * H] = g;
        gates[at + 3 * H] = o;
        cells[s.rowAt + r * H + j] = cn;
        c[r * H + j] = cn;
        const mv = o * Math.tanh(cn);
        m[s.rowAt + r * H + j] = mv;
        if (h) h[r * H + j] = mv;
      }
    }
  },
  lstmBackward(s) {
    const { rows, H, dx, gates, cells, c0, dm, dc, peep, dPeep } = s;
    const G = 4 * H;
    for (let r = 0; r < rows; r++) {
      const gb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const cp = prevOf(s, c0, r, j);
        const i = gates[gb + j]!;
        const f = gates[gb + H + j]!;
        const g = gates[gb + 2 * H + j]!;
        const o = gates[gb + 3 * H + j]!;
        const cn = cells[s.rowAt + r * H + j]!;
        const tc = Math.tanh(cn);
        const dmv = dm[r * H + j]!;
        const dGo = dmv * tc * o * (1 - o);
        const dcn = dc[r * H + j]! + dmv * o * (1 - tc * tc) + (peep ? dGo * peep[2 * H + j]! : 0);
        const dGi = dcn * g * i * (1 - i);
        const dGf = dcn * cp * f * (1 - f);
        const dGg = dcn * i * (1 - g * g);
        dc[r * H + j] = dcn * f + (peep ? dGi * peep[j]! + dGf * peep[H + j]! : 0);
        if (dPeep) {
          dPeep[j]! += dGi * cp;
          dPeep[H + j]! += dGf * cp;
          dPeep[2 * H + j]! += dGo * cn;
        }
        dx[gb + j] = dGi;
        dx[gb + H + j] = dGf;
        dx[gb + 2 * H + j] = dGg;
        dx[gb + 3 * H + j] = dGo;
      }
    }
  },
  gruForwardAfter(s) {
    const { rows, H, gates, xProj, gh, bHH, hn, out, h } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const rr = sigmoid(xProj[xb + j]! + gh[r * G + j]! + bias(bHH, j));
        const z = sigmoid(xProj[xb + H + j]! + gh[r * G + H + j]! + bias(bHH, H + j));
        const hnv = gh[r * G + 2 * H + j]! + bias(bHH, 2 * H + j);
        const n = Math.tanh(xProj[xb + 2 * H + j]! + rr * hnv);
        const v = (1 - z) * n + z * h[r * H + j]!;
        gates[xb + j] = rr;
        gates[xb + H + j] = z;
        gates[xb + 2 * H + j] = n;
        hn[s.rowAt + r * H + j] = hnv;
        out[s.rowAt + r * H + j] = v;
        h[r * H + j] = v;
      }
    }
  },
  gruForwardBeforeRZ(s) {
    const { rows, H, gates, xProj, gh, bHH, hn, h } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const rr = sigmoid(xProj[xb + j]! + gh[r * G + j]! + bias(bHH, j));
        gates[xb + j] = rr;
        gates[xb + H + j] = sigmoid(xProj[xb + H + j]! + gh[r * G + H + j]! + bias(bHH, H + j));
        hn[s.rowAt + r * H + j] = rr * h[r * H + j]!;
      }
    }
  },
  gruForwardBeforeN(s) {
    const { rows, H, gates, xProj, gh, bHH, out, h } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const z = gates[xb + H + j]!;
        const n = Math.tanh(xProj[xb + 2 * H + j]! + gh[r * G + 2 * H + j]! + bias(bHH, 2 * H + j));
        const v = (1 - z) * n + z * h[r * H + j]!;
        gates[xb + 2 * H + j] = n;
        out[s.rowAt + r * H + j] = v;
        h[r * H + j] = v;
      }
    }
  },
  gruBackwardAfter(s) {
    const { rows, H, dx, dgh, gates, hn, h0, dh, dOut } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const d = dh[r * H + j]! + dOut[s.rowAt + r * H + j]!;
        const rr = gates[xb + j]!;
        const z = gates[xb + H + j]!;
        const n = gates[xb + 2 * H + j]!;
        const dnp = d * (1 - z) * (1 - n * n);
        const dGz = d * (prevOf(s, h0, r, j) - n) * z * (1 - z);
        const dGr = dnp * hn[s.rowAt + r * H + j]! * rr * (1 - rr);
        dx[xb + j] = dGr;
        dx[xb + H + j] = dGz;
        dx[xb + 2 * H + j] = dnp;
        dgh[xb + j] = dGr;
        dgh[xb + H + j] = dGz;
        dgh[xb + 2 * H + j] = dnp * rr;
        dh[r * H + j] = d * z;
      }
    }
  },
  gruBackwardBefore1(s) {
    const { rows, H, dx, gates, h0, dh, dOut } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const d = dh[r * H + j]! + dOut[s.rowAt + r * H + j]!;
        const z = gates[xb + H + j]!;
        const n = gates[xb + 2 * H + j]!;
        dx[xb + H + j] = d * (prevOf(s, h0, r, j) - n) * z * (1 - z);
        dx[xb + 2 * H + j] = d * (1 - z) * (1 - n * n);
        dh[r * H + j] = d * z;
      }
    }
  },
  gruBackwardBefore2(s) {
    const { rows, H, dx, drh, gates, h0, dh } = s;
    const G = 3 * H;
    for (let r = 0; r < rows; r++) {
      const xb = s.at + r * G;
      for (let j = 0; j < H; j++) {
        const rr = gates[xb + j]!;
        const q = drh[r * H + j]!;
        dx[xb + j] = q * prevOf(s, h0, r, j) * rr * (1 - rr);
        dh[r * H + j]! += q * rr;
      }
    }
  },
  rnnForward(s) {
    const { rows, H, out, xProj, bHH, h, relu } = s;
    for (let k = 0; k < rows * H; k++) {
      const pre = out[s.at + k]! + xProj[s.at + k]! + bias(bHH, k % H);
      const v = relu ? (pre > 0 ? pre : 0) : Math.tanh(pre);
      out[s.at + k] = v;
      h[k] = v;
    }
  },
  rnnBackward(s) {
    const { rows, H, dx, out, dh, dOut, relu } = s;
    for (let k = 0; k < rows * H; k++) {
      const d = dh[k]! + dOut[s.at + k]!;
      const y = out[s.at + k]!;
      dx[s.at + k] = relu ? (y > 0 ? d : 0) : d * (1 - y * y);
    }
  },
};
