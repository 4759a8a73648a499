/**
 * Row gathers and scatter-adds of the wasm backend (an embedding's lookup and its gradient) on
 * float32 blocks. A table already in wasm memory (a resident parameter) is read in place; other
 * operands are copied in, so a block much larger than the rows it contributes (a large vocabulary
 * looked up for a few tokens) stays on the reference kernel, which touches only those rows.
 */
import type { TypedArray } from '../../tensor/dtype.js';
import { indexAdd as referenceIndexAdd, indexSelect as referenceIndexSelect } from '../reference/indexing.js';
import { MIN_ELEMENTS } from './elementwise.js';
import type { WasmRuntime } from './runtime.js';

/** A block copied in is worth it up to this many times the rows moved. */
const MAX_COPY_RATIO = 4;

type IndexKernel = (dst: TypedArray, index: Int32Array, src: TypedArray, outer: number, len: number, inner: number) => void;
type SelectKernel = (out: TypedArray, src: TypedArray, index: Int32Array, outer: number, len: number, inner: number) => void;

/** Whether every position lies in [0, len): the kernels would otherwise write outside their blocks. */
function inRange(index: Int32Array, len: number): boolean {
  for (let i = 0; i < index.length; i++) {
    const p = index[i]!;
    if (p < 0 || p >= len) return false;
  }
  return true;
}

export function wasmIndexSelect(rt: WasmRuntime): SelectKernel {
  return (out, src, index, outer, len, inner) => {
    const moved = out.length;
    if (
      !(out instanceof Float32Array) ||
      !(src instanceof Float32Array) ||
      moved < MIN_ELEMENTS ||
      (!rt.owns(src) && src.length > MAX_COPY_RATIO * moved) ||
      !inRange(index, len)
    ) {
      referenceIndexSelect(out, src, index, outer, len, inner);
      return;
    }
    rt.scope(() => {
      const ps = rt.owns(src) ? src.byteOffset : rt.copyIn(src);
      const pi = rt.alloc(4 * index.length);
      new Int32Array(rt.memory.f32().buffer, pi, index.length).set(index);
      const po = rt.allocF32(moved);
      rt.kernels.index_select_f32(po, ps, pi, outer, len, inner, index.length);
      rt.copyOut(po, out);
    });
  };
}

export function wasmIndexAdd(rt: WasmRuntime): IndexKernel {
  return (dst, index, src, outer, len, inner) => {
    const moved = src.length;
    if (
      !(dst instanceof Float32Array) ||
      !(src instanceof Float32Array) ||
      moved < MIN_ELEMENTS ||
      dst.length > MAX_COPY_RATIO * moved ||
      !inRange(index, len)
    ) {
      referenceIndexAdd(dst, index, src, outer, len, inner);
      return;
    }
    rt.scope(() => {
      const pd = rt.copyIn(dst);
      const pi = rt.alloc(4 * index.length);
      new Int32Array(rt.memory.f32().buffer, pi, index.length).set(index);
      const ps = rt.copyIn(src);
      rt.kernels.index_add_f32(pd, pi, ps, outer, len, inner, index.length);
      rt.copyOut(pd, dst);
    });
  };
}
