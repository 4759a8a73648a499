/**
 * The backend interface: the primitive kernels the tensor layer calls.
 *
 * A kernel is a function over typed arrays and sizes, outputs first. Kernels never see a Tensor;
 * shapes arrive as plain numbers or arrays. Every array is contiguous row-major unless strides are
 * passed explicitly. Float kernels accept Float32Array and Float64Array alike; integer kernels
 * (copies, gathers, comparisons) accept Int32Array too.
 *
 * Reductions and softmax view their input as (outer, len, inner) and work along `len`.
 * The fused recurrent kernels, optional per backend, are documented in `recurrent_kernels.ts`.
 */
import type { FloatArray, TypedArray } from '../tensor/dtype.js';
import type { RecurrentKernels } from './recurrent_kernels.js';

export type UnaryOp = 'neg' | 'exp' | 'log' | 'log1p' | 'sqrt' | 'abs' | 'tanh' | 'sigmoid' | 'relu' | 'sign';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type ReduceOp = 'sum' | 'max' | 'min';

/**
 * C (m×n) = op(A) · op(B), or C += op(A) · op(B) with `accumulate`. op(A) is m×k: A is stored
 * m×k with row stride lda, or k×m when transA. op(B) is k×n: B is stored k×n with row stride ldb,
 * or n×k when transB. C has row stride ldc. Offsets locate each block inside its array.
 * With `bias` (n values), the bias is then added to every row of C: the product is rounded first,
 * exactly as a product followed by a broadcast add.
 */
export interface Gemm {
  c: FloatArray;
  cOffset: number;
  ldc: number;
  a: FloatArray;
  aOffset: number;
  lda: number;
  transA: boolean;
  b: FloatArray;
  bOffset: number;
  ldb: number;
  transB: boolean;
  m: number;
  k: number;
  n: number;
  accumulate: boolean;
  bias?: FloatArray | null;
}

/**
 * Geometry of a 2-D convolution (a 1-D one is the case H = R = P = 1), as PyTorch's conv2d
 * without groups. Legend: N batch, C input channels, K output channels, H×W input, R×S kernel,
 * P×Q output. Input position (p·strideH − padTop + r·dilationH, q·strideW − padLeft + s·dilationW)
 * feeds output (p, q) through kernel tap (r, s); positions outside the input read zero, so the
 * padding after the input (bottom, right) is whatever P and Q imply.
 */
export interface ConvGeometry {
  N: number;
  C: number;
  K: number;
  H: number;
  W: number;
  R: number;
  S: number;
  P: number;
  Q: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
}

/**
 * A backend. The fused recurrent kernels are optional: a backend without one runs that cell's
 * recurrence composed from its other kernels (`fusedRecurrenceAvailable` says which path runs).
 */
export interface Backend extends Partial<RecurrentKernels> {
  readonly name: string;

  /**
   * Zero-filled float32 storage that this backend's kernels use in place, for long-lived tensors
   * (parameters); null, or absent, where plain arrays serve as well.
   */
  residentF32?(n: number): Float32Array | null;

  /** out[i] = op(a[i]). */
  unary(op: UnaryOp, out: TypedArray, a: TypedArray): void;

  /** out[idx] = op(a[idx·aStrides], b[idx·bStrides]) for idx over `shape`; a stride of 0 broadcasts. */
  binary(op: BinaryOp, out: TypedArray, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], shape: readonly number[]): void;

  /** out[idx] = cond[idx] != 0 ? a[idx] : b[idx], each read through its own (broadcast) strides. */
  where(
    out: TypedArray,
    cond: TypedArray,
    condStrides: readonly number[],
    a: TypedArray,
    aStrides: readonly number[],
    b: TypedArray,
    bStrides: readonly number[],
    shape: readonly number[],
  ): void;

  /** out[i] = min(max(a[i], lo), hi). */
  clamp(out: TypedArray, a: TypedArray, lo: number, hi: number): void;

  /** Strided copy of a `shape`-shaped block: dst[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides]. */
  copy(
    dst: TypedArray,
    dstOffset: number,
    dstStrides: readonly number[],
    src: TypedArray,
    srcOffset: number,
    srcStrides: readonly number[],
    shape: readonly number[],
  ): void;

  /** out (outer, inner) = op over a (outer, len, inner) along len. */
  reduce(op: ReduceOp, out: TypedArray, a: TypedArray, outer: number, len: number, inner: number): void;

  /** Values and positions (first on ties) of the max or min along len. */
  argReduce(op: 'max' | 'min', values: TypedArray, indices: Int32Array, a: TypedArray, outer: number, len: number, inner: number): void;

  /** (Log-)softmax along len of a (outer, len, inner). */
  softmax(out: FloatArray, a: FloatArray, outer: number, len: number, inner: number, log: boolean): void;

  /** out (outer, inner) = log Σ exp(a) along len, computed stably. */
  logSumExp(out: FloatArray, a: FloatArray, outer: number, len: number, inner: number): void;

  /** General matrix product on row-major blocks with leading dimensions, as BLAS's gemm. */
  gemm(g: Gemm): void;

  /** out[idx] = src[idx with idx[axis] replaced by index[idx]]; out has index's shape. */
  gather(out: TypedArray, src: TypedArray, srcShape: readonly number[], index: Int32Array, indexShape: readonly number[], axis: number): void;

  /** dst[idx with idx[axis] replaced by index[idx]] += src[idx] for idx over index's shape. */
  scatterAdd(
    dst: TypedArray,
    dstShape: readonly number[],
    index: Int32Array,
    indexShape: readonly number[],
    src: TypedArray,
    srcShape: readonly number[],
    axis: number,
  ): void;

  /** out (outer, n, inner) = src (outer, len, inner) at positions index (n) along len. */
  indexSelect(out: TypedArray, src: TypedArray, index: Int32Array, outer: number, len: number, inner: number): void;

  /** dst (outer, len, inner) at positions index (n) along len += src (outer, n, inner). */
  indexAdd(dst: TypedArray, index: Int32Array, src: TypedArray, outer: number, len: number, inner: number): void;

  /** out (N, K, P, Q) = x (N, C, H, W) ⋆ weight (K, C, R, S) + bias (K) (cross-correlation, as PyTorch). */
  convForward(out: FloatArray, x: FloatArray, weight: FloatArray, bias: FloatArray | null, geom: ConvGeometry): void;

  /**
   * Gradients of convForward from dOut (N, K, P, Q): dx (N, C, H, W), dWeight (K, C, R, S) and
   * dBias (K), each overwritten, and skipped when null.
   */
  convBackward(
    dx: FloatArray | null,
    dWeight: FloatArray | null,
    dBias: FloatArray | null,
    dOut: FloatArray,
    x: FloatArray,
    weight: FloatArray,
    geom: ConvGeometry,
  ): void;
}
