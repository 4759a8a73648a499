/**
 * The per-step gate arithmetic on the SIMD kernels of kernels/recurrent_gates.ts. Arrays must lie
 * in the runtime's memory (the recurrent kernels place them there); an argument outside it sends
 * the whole step to the reference implementation.
 */
import type { FloatArray } from '../../tensor/dtype.js';
import { type GateSteps, referenceGateSteps } from '../reference/reference_backend.js';
import type { WasmRuntime } from './runtime.js';

export function wasmGateSteps(rt: WasmRuntime): GateSteps {
  const K = rt.kernels;
  /** Byte address of element `at` of `x`, 0 for null; throws Outside when x is not in wasm memory. */
  const p = (x: FloatArray | null, at = 0): number => {
    if (x === null) return 0;
    if (!(x instanceof Float32Array) || !rt.owns(x)) throw OUTSIDE;
    return x.byteOffset + 4 * at;
  };
  const guard =
    <S>(run: (s: S) => void, fallback: (s: S) => void) =>
    (s: S): void => {
      try {
        run(s);
      } catch (e) {
        if (e !== OUTSIDE) throw e;
        fallback(s);
      }
    };
  const ref = referenceGateSteps;
  return {
    lstmForward: guard(
      (s) => K.lstm_step_forward(p(s.gates, s.at), p(s.xProj, s.at), p(s.bHH), p(s.peep), p(s.c), p(s.cells, s.rowAt), p(s.m, s.rowAt), p(s.h), s.rows, s.H),
      ref.lstmForward,
    ),
    lstmBackward: guard(
      (s) =>
        K.lstm_step_backward(
          p(s.dx, s.at),
          p(s.gates, s.at),
          p(s.cells, s.rowAt),
          p(s.prev, s.prevAt),
          s.prevRows,
          p(s.c0),
          p(s.dm),
          p(s.dc),
          p(s.peep),
          p(s.dPeep),
          s.rows,
          s.H,
        ),
      ref.lstmBackward,
    ),
    gruForwardAfter: guard(
      (s) => K.gru_step_forward_after(p(s.gates, s.at), p(s.hn, s.rowAt), p(s.xProj, s.at), p(s.gh), p(s.bHH), p(s.h), p(s.out, s.rowAt), s.rows, s.H),
      ref.gruForwardAfter,
    ),
    gruForwardBeforeRZ: guard(
      (s) => K.gru_step_forward_before_rz(p(s.gates, s.at), p(s.hn, s.rowAt), p(s.xProj, s.at), p(s.gh), p(s.bHH), p(s.h), s.rows, s.H),
      ref.gruForwardBeforeRZ,
    ),
    gruForwardBeforeN: guard(
      (s) => K.gru_step_forward_before_n(p(s.gates, s.at), p(s.xProj, s.at), p(s.gh), p(s.bHH), p(s.h), p(s.out, s.rowAt), s.rows, s.H),
      ref.gruForwardBeforeN,
    ),
    gruBackwardAfter: guard(
      (s) =>
        K.gru_step_backward_after(
          p(s.dx, s.at),
          p(s.dgh, s.at),
          p(s.gates, s.at),
          p(s.hn, s.rowAt),
          p(s.prev, s.prevAt),
          s.prevRows,
          p(s.h0),
          p(s.dh),
          p(s.dOut, s.rowAt),
          s.rows,
          s.H,
        ),
      ref.gruBackwardAfter,
    ),
    gruBackwardBefore1: guard(
      (s) => K.gru_step_backward_before_1(p(s.dx, s.at), p(s.gates, s.at), p(s.prev, s.prevAt), s.prevRows, p(s.h0), p(s.dh), p(s.dOut, s.rowAt), s.rows, s.H),
      ref.gruBackwardBefore1,
    ),
    gruBackwardBefore2: guard(
      (s) => K.gru_step_backward_before_2(p(s.dx, s.at), p(s.drh), p(s.gates, s.at), p(s.prev, s.prevAt), s.prevRows, p(s.h0), p(s.dh), s.rows, s.H),
      ref.gruBackwardBefore2,
    ),
    rnnForward: guard((s) => K.rnn_step_forward(p(s.out, s.at), p(s.xProj, s.at), p(s.bHH), p(s.h), s.rows, s.H, s.relu ? 1 : 0), ref.rnnForward),
    rnnBackward: guard((s) => K.rnn_step_backward(p(s.dx, s.at), p(s.out, s.at), p(s.dh), p(s.dOut, s.at), s.rows, s.H, s.relu ? 1 : 0), ref.rnnBackward),
  };
}

/** Thrown internally when an argument lies outside wasm memory. */
const OUTSIDE = new Error('array outside wasm memory');
