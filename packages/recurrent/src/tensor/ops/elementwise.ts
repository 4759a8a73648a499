/** Elementwise ops with NumPy broadcasting, and comparisons returning 0/1 masks. */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import type { BinaryOp, UnaryOp } from '../../backend/backend.js';
import { DTypeError, ValueError, fmtShape } from '../../errors.js';
import { broadcastShapes, broadcastStrides, shapesEqual } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { asTensor, checkFloating, checkSameDType, checkTensor, zerosOf } from './common.js';

type DifferentiableBinary = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';

/** A number operand takes the other operand's dtype; an int32 tensor cannot hold a fraction. */
function checkNumber(op: string, arg: string, value: number, other: Tensor): number {
  if (other.dtype === 'int32' && !Number.isInteger(value)) {
    throw new DTypeError(`${op}: ${arg} is ${value}, not an integer, but the other operand is int32`);
  }
  return value;
}

function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new ValueError(`${op}: at least one operand must be a Tensor`);
  }
  const ta = typeof a === 'number' ? asTensor(checkNumber(op, 'a', a, checkTensor(op, 'b', b)), b as Tensor) : checkTensor(op, 'a', a);
  const tb = typeof b === 'number' ? asTensor(checkNumber(op, 'b', b, ta), ta) : checkTensor(op, 'b', b);
  checkSameDType(op, ta, tb);
  if ((op === 'div' || op === 'pow') && ta.dtype === 'int32') checkFloating(op, 'a', ta);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  const out = zerosOf(ta.dtype, shape);
  backend().binary(op, out.data, ta.data, broadcastStrides(ta.shape, shape), tb.data, broadcastStrides(tb.shape, shape), shape);
  if (op === 'add' || op === 'sub' || op === 'mul' || op === 'div' || op === 'pow' || op === 'maximum' || op === 'minimum') {
    record(op satisfies DifferentiableBinary, [ta, tb], [out]);
  }
  return out;
}

function unary(op: UnaryOp, x: Tensor, floatOnly: boolean): Tensor {
  checkTensor(op, 'x', x);
  if (floatOnly) checkFloating(op, 'x', x);
  const out = zerosOf(x.dtype, x.shape);
  backend().unary(op, out.data, x.data);
  if (op !== 'sign') record(op, [x], [out]);
  return out;
}

/** a + b, broadcast. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary('add', a, b);
}
/** a − b, broadcast. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary('sub', a, b);
}
/** a ⊙ b, broadcast. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary('mul', a, b);
}
/** a / b, broadcast (floating dtypes). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary('div', a, b);
}
/** a ** b, broadcast (floating dtypes). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary('pow', a, b);
}
/** Elementwise maximum; on ties the gradient is split evenly, as PyTorch does. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary('maximum', a, b);
}
/** Elementwise minimum; on ties the gradient is split evenly. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary('minimum', a, b);
}

/** Comparisons: a 0/1 mask of the operands' dtype, not differentiable. */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return binary('eq', a, b);
}
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return binary('ne', a, b);
}
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return binary('lt', a, b);
}
export function le(a: TensorLike, b: TensorLike): Tensor {
  return binary('le', a, b);
}
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return binary('gt', a, b);
}
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return binary('ge', a, b);
}

export function neg(x: Tensor): Tensor {
  return unary('neg', x, false);
}
export function abs(x: Tensor): Tensor {
  return unary('abs', x, false);
}
export function relu(x: Tensor): Tensor {
  return unary('relu', x, false);
}
export function exp(x: Tensor): Tensor {
  return unary('exp', x, true);
}
export function log(x: Tensor): Tensor {
  return unary('log', x, true);
}
export function log1p(x: Tensor): Tensor {
  return unary('log1p', x, true);
}
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', x, true);
}
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, true);
}
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, true);
}
/** −1, 0 or 1 per element (not differentiable). */
export function sign(x: Tensor): Tensor {
  return unary('sign', x, false);
}

/** Limits every element to [min, max]; either bound may be omitted. Gradient 1 inside, 0 outside. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  checkTensor('clamp', 'x', x);
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new ValueError(`clamp: min must not exceed max; got min=${min}, max=${max}`);
  }
  const out = zerosOf(x.dtype, x.shape);
  backend().clamp(out.data, x.data, lo, hi);
  record('clamp', [x], [out], { min: lo, max: hi });
  return out;
}

/** condition ? a : b elementwise, all three broadcast together; `condition` is any 0/1 (nonzero) mask. */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', 'condition', condition);
  if (typeof a === 'number' && typeof b === 'number') {
    throw new ValueError('where: at least one of a and b must be a Tensor');
  }
  const ta = typeof a === 'number' ? asTensor(checkNumber('where', 'a', a, checkTensor('where', 'b', b)), b as Tensor) : checkTensor('where', 'a', a);
  const tb = typeof b === 'number' ? asTensor(checkNumber('where', 'b', b, ta), ta) : checkTensor('where', 'b', b);
  checkSameDType('where', ta, tb);
  const shape = broadcastShapes('where', broadcastShapes('where', condition.shape, ta.shape, ['condition', 'a']), tb.shape, ['condition and a', 'b']);
  const out = zerosOf(ta.dtype, shape);
  backend().where(
    out.data,
    condition.data,
    broadcastStrides(condition.shape, shape),
    ta.data,
    broadcastStrides(ta.shape, shape),
    tb.data,
    broadcastStrides(tb.shape, shape),
    shape,
  );
  record('where', [condition, ta, tb], [out]);
  return out;
}

/**
 * `x` with `value` wherever `mask` (any dtype; nonzero means true) is set, `mask` broadcast to x's
 * shape (torch.Tensor.masked_fill). The gradient flows to x where the mask is clear.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', 'x', x);
  checkTensor('maskedFill', 'mask', mask);
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape, ['x', 'mask']);
  if (!shapesEqual(shape, x.shape)) {
    throw new ValueError(`maskedFill: mask ${fmtShape(mask.shape)} must broadcast to x's shape ${fmtShape(x.shape)}`);
  }
  return where(mask, checkNumber('maskedFill', 'value', value, x), x);
}

/** A copy with its own storage. */
export function clone(x: Tensor): Tensor {
  const out = new Tensor(x.data.slice(), x.shape);
  record('clone', [x], [out]);
  return out;
}

/** Ones with the shape and dtype of `x`. */
export function onesLikeOf(x: Tensor): Tensor {
  const out = zerosOf(x.dtype, x.shape);
  out.data.fill(1);
  return out;
}

/**
 * Whether two tensors have equal shapes and every element within atol + rtol·|b|, as
 * torch.allclose: NaN is close to nothing, an infinity only to the same infinity.
 */
export function allClose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
  for (const [name, tol] of [
    ['rtol', rtol],
    ['atol', atol],
  ] as const) {
    if (!(tol >= 0)) throw new ValueError(`allClose: ${name} must be a number ≥ 0; got ${tol}`);
  }
  if (!shapesEqual(a.shape, b.shape)) return false;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    // Otherwise |x − ∞| ≤ rtol·∞ would hold for any x.
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (x !== y) return false;
      continue;
    }
    if (Math.abs(x - y) > atol + rtol * Math.abs(y)) return false;
  }
  return true;
}
