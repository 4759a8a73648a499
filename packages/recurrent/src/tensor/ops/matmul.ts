/** Matrix products: matmul (2-D, batched, broadcast batch axes, 1-D promotion) and linear. */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import { ShapeError, fmtShape } from '../../errors.js';
import type { FloatArray } from '../dtype.js';
import { broadcastShapes, broadcastStrides, numel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkFloating, checkSameDType, checkTensor, zerosOf } from './common.js';
import { reshape } from './view.js';

/**
 * op(a) · op(b) for tensors of rank ≥ 2, where op transposes the last two axes when asked; the
 * batch axes broadcast. The differentiable core of matmul and linear.
 */
export function matmulWith(a: Tensor, b: Tensor, transA: boolean, transB: boolean, op = 'matmul'): Tensor {
  checkFloating(op, 'a', a);
  checkSameDType(op, a, b);
  const [ar, ac] = [a.shape[a.ndim - 2]!, a.shape[a.ndim - 1]!];
  const [br, bc] = [b.shape[b.ndim - 2]!, b.shape[b.ndim - 1]!];
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [k2, n] = transB ? [bc, br] : [br, bc];
  if (k !== k2) {
    throw new ShapeError(`${op}: inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const clash = aBatch.some((d, i) => {
    const e = bBatch[bBatch.length - aBatch.length + i] ?? 1;
    return d !== e && d !== 1 && e !== 1;
  });
  if (clash) {
    throw new ShapeError(`${op}: batch dimensions cannot be broadcast: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  const batch = broadcastShapes(op, aBatch, bBatch);
  const out = zerosOf(a.dtype, [...batch, m, n]);
  const count = numel(batch);
  const aStrides = broadcastStrides(a.shape.slice(0, -2), batch);
  const bStrides = broadcastStrides(b.shape.slice(0, -2), batch);
  const kernel = backend();
  for (let i = 0; i < count; i++) {
    // Batch offsets in matrices; a stride of 0 repeats a broadcast operand.
    let rest = i;
    let aAt = 0;
    let bAt = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      const idx = rest % batch[d]!;
      rest = Math.floor(rest / batch[d]!);
      aAt += idx * aStrides[d]!;
      bAt += idx * bStrides[d]!;
    }
    kernel.gemm({
      c: out.data as FloatArray,
      cOffset: i * m * n,
      ldc: n,
      a: a.data as FloatArray,
      aOffset: aAt * ar * ac,
      lda: ac,
      transA,
      b: b.data as FloatArray,
      bOffset: bAt * br * bc,
      ldb: bc,
      transB,
      m,
      k,
      n,
      accumulate: false,
    });
  }
  record('matmul', [a, b], [out], { transA, transB });
  return out;
}

/**
 * Matrix product with PyTorch's rules: 2-D × 2-D, batched with broadcast batch axes, and 1-D
 * operands promoted (a vector on the left is a row, on the right a column) and squeezed after.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both operands need at least one axis: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  if (a2.shape.at(-1) !== b2.shape.at(-2)) {
    throw new ShapeError(`matmul: inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  const out = matmulWith(a2, b2, false, false);
  if (a.ndim > 1 && b.ndim > 1) return out;
  const shape = [...out.shape];
  if (b.ndim === 1) shape.splice(-1, 1);
  if (a.ndim === 1) shape.splice(-(b.ndim === 1 ? 1 : 2), 1);
  return reshape(out, shape);
}

/**
 * y = x·Wᵀ + b, as torch.nn.functional.linear.
 *
 * x: (*, in), weight: (out, in), bias: (out) or omitted → (*, out). The leading axes fold into
 * one large product.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('linear', 'x', x);
  checkTensor('linear', 'weight', weight);
  checkFloating('linear', 'x', x);
  checkSameDType('linear', x, weight, ['x', 'weight']);
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D (out, in); got ${fmtShape(weight.shape)}`);
  const inF = weight.shape[1]!;
  const outF = weight.shape[0]!;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: x's last axis must be in_features ${inF} of weight ${fmtShape(weight.shape)}; x is ${fmtShape(x.shape)}`);
  }
  if (bias != null) {
    checkTensor('linear', 'bias', bias);
    checkSameDType('linear', x, bias, ['x', 'bias']);
    if (bias.ndim !== 1 || bias.shape[0] !== outF) {
      throw new ShapeError(`linear: bias must be (${outF}); got ${fmtShape(bias.shape)}`);
    }
  }
  const rows = reshape(x, [-1, inF]);
  const y = bias == null ? matmulWith(rows, weight, false, true, 'linear') : affine(rows, weight, bias);
  return reshape(y, [...x.shape.slice(0, -1), outF]);
}

/** rows (m, in) · weightᵀ + bias as one product with the bias added in place: no second pass over a copy. */
function affine(rows: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const [m, k] = rows.shape as [number, number];
  const n = weight.shape[0]!;
  const out = zerosOf(rows.dtype, [m, n]);
  backend().gemm({
    c: out.data as FloatArray,
    cOffset: 0,
    ldc: n,
    a: rows.data as FloatArray,
    aOffset: 0,
    lda: k,
    transA: false,
    b: weight.data as FloatArray,
    bOffset: 0,
    ldb: k,
    transB: true,
    m,
    k,
    n,
    accumulate: false,
    bias: bias.data as FloatArray,
  });
  record('linear', [rows, weight, bias], [out]);
  return out;
}
