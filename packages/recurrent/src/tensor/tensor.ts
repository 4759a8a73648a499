/**
 * The Tensor: a contiguous row-major array with a shape, a dtype and, when it requires grad, a link
 * to the autograd node that produced it. Storage is an ordinary typed array owned by JavaScript, so
 * tensors are garbage-collected: there is nothing to dispose.
 *
 * Methods are thin aliases of the functions in `ops/`, so `a.add(b)` and `add(a, b)` are the same.
 */
import { DTypeError, ValueError, fmtShape } from '../errors.js';
import type { BackwardOptions, Node } from './autograd/tape.js';
import { backward as runBackward } from './autograd/tape.js';
import { type DType, type TypedArray, dtypeOfArray, isFloating } from './dtype.js';
import { numel } from './shape.js';
import * as ew from './ops/elementwise.js';
import * as rd from './ops/reduce.js';
import * as vw from './ops/view.js';
import * as jn from './ops/join.js';
import * as ix from './ops/indexing.js';
import * as mm from './ops/matmul.js';
import * as sm from './ops/softmax.js';
import { cast } from './ops/cast.js';
import * as srt from './ops/sort.js';
import * as cum from './ops/cumulative.js';
import * as rep from './ops/repeat.js';
import { multinomial } from './ops/multinomial.js';

export type NestedArray = number | NestedArray[];
export type Scalar = number;
export type TensorLike = Tensor | number;

export class Tensor {
  /** Sizes of the axes. */
  readonly shape: readonly number[];
  /** Element type: 'float32', 'float64' or 'int32'. */
  readonly dtype: DType;
  /** The elements, row-major. Writing into it changes the tensor (optimizers do). */
  readonly data: TypedArray;
  /** Accumulated gradient after `backward()`, or null. */
  grad: Tensor | null = null;
  private leafRequiresGrad = false;
  private node: Node | null = null;
  private nodeOutput = 0;

  /** Wraps `data` (not copied) as a tensor of `shape`. Prefer `tensor(...)` from user code. */
  constructor(data: TypedArray, shape: readonly number[]) {
    if (data.length !== numel(shape)) {
      throw new ValueError(`Tensor: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${numel(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOfArray(data);
  }

  /**
   * @internal Moves the elements into `storage` (same dtype and length) and makes it the tensor's
   * data: how parameters come to live in a backend's memory. Earlier references to the old array
   * no longer alias the tensor.
   */
  moveStorage(storage: TypedArray): void {
    if (dtypeOfArray(storage) !== this.dtype || storage.length !== this.data.length) {
      throw new ValueError(`moveStorage: expected a ${this.dtype} array of ${this.data.length} elements, got ${dtypeOfArray(storage)} × ${storage.length}`);
    }
    storage.set(this.data);
    (this as { data: TypedArray }).data = storage;
  }

  /** Whether autograd tracks this tensor. Settable on leaves of floating dtype. */
  get requiresGrad(): boolean {
    return this.leafRequiresGrad || this.node !== null;
  }

  set requiresGrad(value: boolean) {
    if (this.node !== null) {
      throw new ValueError('requiresGrad: can only be set on leaf tensors; use detach() for a non-leaf');
    }
    if (value && !isFloating(this.dtype)) {
      throw new DTypeError(`requiresGrad: only floating tensors can require grad; this tensor is ${this.dtype}`);
    }
    this.leafRequiresGrad = value;
  }

  /** The autograd node that produced this tensor (null for leaves). */
  get gradNode(): Node | null {
    return this.node;
  }

  /** Which output of its node this tensor is. */
  get gradOutputIndex(): number {
    return this.nodeOutput;
  }

  /** @internal Called by the tape when an op records this tensor as its output. */
  setNode(node: Node, index: number): void {
    this.node = node;
    this.nodeOutput = index;
  }

  /** Whether this tensor was created by the user rather than by a recorded op. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The single element of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new ValueError(`item: the tensor must have exactly one element; its shape is ${fmtShape(this.shape)}`);
    }
    return this.data[0]!;
  }

  /** The elements as nested arrays (a plain number for a 0-d tensor). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset]!;
      const n = this.shape[axis]!;
      let step = 1;
      for (let d = axis + 1; d < this.shape.length; d++) step *= this.shape[d]!;
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(axis + 1, offset + i * step));
      return out;
    };
    return build(0, 0);
  }

  /** The elements as nested arrays, as torch.Tensor.tolist (the same as toArray). */
  tolist(): NestedArray {
    return this.toArray();
  }

  toString(): string {
    return `Tensor(${JSON.stringify(this.toArray())}, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
  }

  /** A new leaf sharing nothing with the graph (same data array). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage (differentiable). */
  clone(): Tensor {
    return ew.clone(this);
  }

  /** Converts to `dtype` (differentiable between floating dtypes). */
  to(dtype: DType): Tensor {
    return cast(this, dtype);
  }

  /** A float32 copy (this tensor itself if already float32), as torch.Tensor.float. */
  float(): Tensor {
    return cast(this, 'float32');
  }

  /** A float64 copy (this tensor itself if already float64), as torch.Tensor.double. */
  double(): Tensor {
    return cast(this, 'float64');
  }

  /** An int32 copy, fractions truncated toward zero (this tensor itself if already int32), as torch.Tensor.int. */
  int(): Tensor {
    return cast(this, 'int32');
  }

  /**
   * Computes gradients of this tensor with respect to every leaf that requires grad, adding them
   * into each leaf's `.grad`. A non-scalar tensor needs `gradient` (same shape): the upstream
   * gradient ∂L/∂self.
   *
   * The walk releases what the graph saved for backward, so a second backward through the same
   * ops raises AutogradError ("trying to backward through the graph a second time"), as in
   * PyTorch; pass `{ retainGraph: true }` to keep it. Either form works: `y.backward(g, options)`
   * or, for a scalar, `y.backward({ retainGraph: true })`.
   */
  backward(gradient?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    const [g, opts] = gradient instanceof Tensor || gradient === undefined ? [gradient, options] : [undefined, gradient];
    runBackward(
      this,
      g,
      (t) => ew.onesLikeOf(t),
      (a, b) => ew.add(a, b),
      opts,
    );
  }

  // Elementwise
  add(other: TensorLike): Tensor {
    return ew.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return ew.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return ew.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return ew.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return ew.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return ew.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return ew.minimum(this, other);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  log1p(): Tensor {
    return ew.log1p(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  tanh(): Tensor {
    return ew.tanh(this);
  }
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  relu(): Tensor {
    return ew.relu(this);
  }
  clamp(min?: number, max?: number): Tensor {
    return ew.clamp(this, min, max);
  }
  /** condition ? this : other, as torch.Tensor.where. */
  where(condition: Tensor, other: TensorLike): Tensor {
    return ew.where(condition, this, other);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return ew.maskedFill(this, mask, value);
  }
  eq(other: TensorLike): Tensor {
    return ew.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return ew.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return ew.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return ew.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return ew.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return ew.ge(this, other);
  }

  // Reductions
  sum(axes?: number | readonly number[], keepDim = false): Tensor {
    return rd.sum(this, axes, keepDim);
  }
  mean(axes?: number | readonly number[], keepDim = false): Tensor {
    return rd.mean(this, axes, keepDim);
  }
  max(axes?: number | readonly number[], keepDim = false): Tensor {
    return rd.max(this, axes, keepDim);
  }
  min(axes?: number | readonly number[], keepDim = false): Tensor {
    return rd.min(this, axes, keepDim);
  }
  maxWithIndices(axis: number, keepDim = false): [Tensor, Tensor] {
    return rd.maxWithIndices(this, axis, keepDim);
  }
  minWithIndices(axis: number, keepDim = false): [Tensor, Tensor] {
    return rd.minWithIndices(this, axis, keepDim);
  }
  argmax(axis?: number, keepDim = false): Tensor {
    return rd.argmax(this, axis, keepDim);
  }
  argmin(axis?: number, keepDim = false): Tensor {
    return rd.argmin(this, axis, keepDim);
  }
  cumsum(axis: number): Tensor {
    return cum.cumsum(this, axis);
  }
  cumprod(axis: number): Tensor {
    return cum.cumprod(this, axis);
  }
  sort(axis = -1, descending = false): [Tensor, Tensor] {
    return srt.sort(this, axis, descending);
  }
  argsort(axis = -1, descending = false): Tensor {
    return srt.argsort(this, axis, descending);
  }
  topk(k: number, options?: srt.TopkOptions): [Tensor, Tensor] {
    return srt.topk(this, k, options);
  }
  /** Category indices drawn from this tensor's rows of weights, as torch.Tensor.multinomial. */
  multinomial(numSamples: number, replacement = false): Tensor {
    return multinomial(this, numSamples, replacement);
  }
  logSumExp(axes?: number | readonly number[], keepDim = false): Tensor {
    return sm.logSumExp(this, axes, keepDim);
  }

  // Products and normalisers
  matmul(other: Tensor): Tensor {
    return mm.matmul(this, other);
  }
  softmax(axis = -1): Tensor {
    return sm.softmax(this, axis);
  }
  logSoftmax(axis = -1): Tensor {
    return sm.logSoftmax(this, axis);
  }

  // Shapes
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return vw.reshape(this, flatArgs(shape));
  }
  view(...shape: number[] | [readonly number[]]): Tensor {
    return vw.reshape(this, flatArgs(shape));
  }
  transpose(axis0 = -2, axis1 = -1): Tensor {
    return vw.transpose(this, axis0, axis1);
  }
  permute(...axes: number[] | [readonly number[]]): Tensor {
    return vw.permute(this, flatArgs(axes));
  }
  squeeze(axes?: number | readonly number[]): Tensor {
    return vw.squeeze(this, axes);
  }
  unsqueeze(axis: number): Tensor {
    return vw.unsqueeze(this, axis);
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return vw.expand(this, flatArgs(shape));
  }
  flatten(startAxis = 0, endAxis = -1): Tensor {
    return vw.flatten(this, startAxis, endAxis);
  }
  narrow(axis: number, start: number, length: number): Tensor {
    return vw.narrow(this, axis, start, length);
  }
  slice(axis: number, start?: number, end?: number): Tensor {
    return vw.slice(this, axis, start, end);
  }
  select(axis: number, index: number): Tensor {
    return vw.select(this, axis, index);
  }
  flip(axes: number | readonly number[]): Tensor {
    return vw.flip(this, axes);
  }
  split(sizes: number | readonly number[], axis = 0): Tensor[] {
    return jn.split(this, sizes, axis);
  }
  chunk(chunks: number, axis = 0): Tensor[] {
    return jn.chunk(this, chunks, axis);
  }
  unbind(axis = 0): Tensor[] {
    return jn.unbind(this, axis);
  }
  repeat(...reps: number[] | [readonly number[]]): Tensor {
    return rep.repeat(this, flatArgs(reps));
  }
  tile(...reps: number[] | [readonly number[]]): Tensor {
    return rep.tile(this, flatArgs(reps));
  }
  indexSelect(axis: number, index: Tensor | readonly number[]): Tensor {
    return ix.indexSelect(this, axis, index);
  }
  gather(axis: number, index: Tensor): Tensor {
    return ix.gather(this, axis, index);
  }
  scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor {
    return ix.scatterAdd(this, axis, index, src);
  }
}

function flatArgs(args: number[] | [readonly number[]]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : (args as number[]);
}
