/**
 * Reductions of the wasm backend on float32: sums over (outer, len, inner) blocks, and softmax,
 * log-softmax and log-sum-exp along a last axis (inner = 1). Sums accumulate in float64 like the
 * reference kernels. Other ops, dtypes and small arrays run the reference kernel.
 */
import type { ReduceOp } from '../backend.js';
import { logSumExp as referenceLogSumExp, reduce as referenceReduce, softmax as referenceSoftmax } from '../reference/reduce.js';
import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import { MIN_ELEMENTS } from './elementwise.js';
import type { WasmRuntime } from './runtime.js';

type Reduce = (op: ReduceOp, out: TypedArray, a: TypedArray, outer: number, len: number, inner: number) => void;
type Softmax = (out: FloatArray, a: FloatArray, outer: number, len: number, inner: number, log: boolean) => void;
type LogSumExp = (out: FloatArray, a: FloatArray, outer: number, len: number, inner: number) => void;

function worthIt(a: TypedArray, outer: number, len: number, inner: number): a is Float32Array {
  return a instanceof Float32Array && a.length >= MIN_ELEMENTS && a.length === outer * len * inner;
}

export function wasmReduce(rt: WasmRuntime): Reduce {
  return (op, out, a, outer, len, inner) => {
    if (op !== 'sum' || !(out instanceof Float32Array) || !worthIt(a, outer, len, inner)) {
      referenceReduce(op, out, a, outer, len, inner);
      return;
    }
    rt.scope(() => {
      const pa = rt.copyIn(a);
      const po = rt.allocF32(outer * inner);
      if (inner === 1) rt.kernels.row_sums_f64acc(po, pa, outer, len);
      else rt.kernels.sum_middle_f64acc(po, pa, outer, len, inner, rt.alloc(8 * inner));
      rt.copyOut(po, out);
    });
  };
}

export function wasmSoftmax(rt: WasmRuntime): Softmax {
  return (out, a, outer, len, inner, log) => {
    if (inner !== 1 || !(out instanceof Float32Array) || !worthIt(a, outer, len, inner)) {
      referenceSoftmax(out, a, outer, len, inner, log);
      return;
    }
    rt.scope(() => {
      const p = rt.copyIn(a);
      rt.kernels.softmax_rows_f32(p, p, outer, len, +log);
      rt.copyOut(p, out);
    });
  };
}

export function wasmLogSumExp(rt: WasmRuntime): LogSumExp {
  return (out, a, outer, len, inner) => {
    if (inner !== 1 || !(out instanceof Float32Array) || !worthIt(a, outer, len, inner)) {
      referenceLogSumExp(out, a, outer, len, inner);
      return;
    }
    rt.scope(() => {
      const pa = rt.copyIn(a);
      const po = rt.allocF32(outer);
      rt.kernels.logsumexp_rows_f32(po, pa, outer, len);
      rt.copyOut(po, out);
    });
  };
}
