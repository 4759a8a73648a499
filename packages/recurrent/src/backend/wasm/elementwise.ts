/**
 * Elementwise ops of the wasm backend: float32 unary ops, and binary add/sub/mul/div on
 * contiguous same-shape operands, a scalar, or a row broadcast over the leading axes (a bias).
 * Everything else — other dtypes, other strided or broadcast operands, small arrays where copying
 * costs more than it saves — runs the reference kernel.
 */
import type { BinaryOp, UnaryOp } from '../backend.js';
import { binary as referenceBinary, isContiguous, isTrailingBlock, unary as referenceUnary } from '../reference/elementwise.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { WasmRuntime } from './runtime.js';

/** Below this many elements the reference kernel is faster than a copy in and out. */
export const MIN_ELEMENTS = 1024;

// Op codes of kernels/elementwise.ts.
const UNARY_CODE: Partial<Record<UnaryOp, number>> = {
  exp: 0,
  log: 1,
  log1p: 2,
  tanh: 3,
  sigmoid: 4,
  relu: 5,
  neg: 6,
  abs: 7,
  sqrt: 8,
};
const BINARY_CODE: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };

export function wasmUnary(rt: WasmRuntime): (op: UnaryOp, out: TypedArray, a: TypedArray) => void {
  return (op, out, a) => {
    const code = UNARY_CODE[op];
    const n = out.length;
    if (code === undefined || !(out instanceof Float32Array) || !(a instanceof Float32Array) || n < MIN_ELEMENTS || a.length !== n) {
      referenceUnary(op, out, a);
      return;
    }
    rt.scope(() => {
      const p = rt.copyIn(a);
      rt.kernels.unary_f32(code, p, p, n);
      rt.copyOut(p, out);
    });
  };
}

type BinaryKernel = (
  op: BinaryOp,
  out: TypedArray,
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  shape: readonly number[],
) => void;

export function wasmBinary(rt: WasmRuntime): BinaryKernel {
  return (op, out, a, aStrides, b, bStrides, shape) => {
    const code = BINARY_CODE[op];
    const n = out.length;
    if (code === undefined || !(out instanceof Float32Array) || !(a instanceof Float32Array) || !(b instanceof Float32Array) || n < MIN_ELEMENTS) {
      referenceBinary(op, out, a, aStrides, b, bStrides, shape);
      return;
    }
    const aFull = a.length === n && isContiguous(aStrides, shape);
    const bFull = b.length === n && isContiguous(bStrides, shape);
    if (aFull && bFull) {
      rt.scope(() => {
        const pa = rt.copyIn(a);
        const pb = rt.copyIn(b);
        rt.kernels.binary_f32(code, pa, pa, pb, n);
        rt.copyOut(pa, out);
      });
    } else if ((aFull && b.length === 1) || (bFull && a.length === 1)) {
      const scalarFirst = !aFull;
      rt.scope(() => {
        const p = rt.copyIn(scalarFirst ? b : a);
        rt.kernels.binary_scalar_f32(code, p, p, scalarFirst ? a[0]! : b[0]!, +scalarFirst, n);
        rt.copyOut(p, out);
      });
    } else if (
      (aFull && b.length > 1 && n % b.length === 0 && isTrailingBlock(bStrides, shape, b.length)) ||
      (bFull && a.length > 1 && n % a.length === 0 && isTrailingBlock(aStrides, shape, a.length))
    ) {
      const rowFirst = !aFull;
      const row = rowFirst ? a : b;
      rt.scope(() => {
        const p = rt.copyIn(rowFirst ? b : a);
        const pr = rt.copyIn(row);
        rt.kernels.binary_rows_f32(code, p, p, pr, n / row.length, row.length, +rowFirst);
        rt.copyOut(p, out);
      });
    } else {
      referenceBinary(op, out, a, aStrides, b, bStrides, shape);
    }
  };
}
