/** Index ops: indexSelect, gather, scatterAdd. Indices are int32 tensors. */
import { record } from '../autograd/tape.js';
import { backend } from '../../backend/select.js';
import { IndexError, ShapeError, fmtShape } from '../../errors.js';
import { normalizeAxis, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkInt, checkSameDType, checkTensor, zerosOf } from './common.js';

function checkRange(op: string, index: Int32Array, size: number, axis: number): void {
  for (const i of index) {
    if (i < 0 || i >= size) throw new IndexError(`${op}: index ${i} is out of range for axis ${axis} of size ${size}`);
  }
}

/** Rows of `x` at positions `index` (a 1-D int32 tensor or number[]) along `axis`. */
export function indexSelect(x: Tensor, axis: number, index: Tensor | readonly number[]): Tensor {
  checkTensor('indexSelect', 'x', x);
  if (x.ndim === 0) throw new ShapeError('indexSelect: x must have at least one axis; it is 0-d');
  const idx = index instanceof Tensor ? index : new Tensor(Int32Array.from(index), [index.length]);
  checkInt('indexSelect', 'index', idx);
  if (idx.ndim !== 1) throw new ShapeError(`indexSelect: index must be 1-D; got ${fmtShape(idx.shape)}`);
  const a = normalizeAxis('indexSelect', axis, x.ndim);
  const len = x.shape[a]!;
  checkRange('indexSelect', idx.data as Int32Array, len, a);
  const shape = [...x.shape];
  shape[a] = idx.size;
  const out = zerosOf(x.dtype, shape);
  const outer = numel(x.shape.slice(0, a));
  const inner = numel(x.shape.slice(a + 1));
  backend().indexSelect(out.data, x.data, idx.data as Int32Array, outer, len, inner);
  record('indexSelect', [x], [out], { axis: a, index: idx });
  return out;
}

/** Adds rows of `src` into a copy of `x` at positions `index` along `axis` (the backward of indexSelect). */
export function indexAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const a = normalizeAxis('indexAdd', axis, x.ndim);
  const out = new Tensor(x.data.slice(), x.shape);
  backend().indexAdd(out.data, index.data as Int32Array, src.data, numel(x.shape.slice(0, a)), x.shape[a]!, numel(x.shape.slice(a + 1)));
  return out;
}

function checkIndexShape(op: string, x: Tensor, index: Tensor, axis: number, other: string): void {
  checkInt(op, 'index', index);
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== axis && d > x.shape[i]!)) {
    throw new ShapeError(`${op}: index ${fmtShape(index.shape)} must have the rank of ${other} ${fmtShape(x.shape)} and no larger size off axis ${axis}`);
  }
}

/** out[i][j] = x[i][index[i][j]] for axis 1 (and likewise for any axis); out has index's shape. */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  checkTensor('gather', 'x', x);
  if (x.ndim === 0) throw new ShapeError('gather: x must have at least one axis; it is 0-d');
  const a = normalizeAxis('gather', axis, x.ndim);
  checkIndexShape('gather', x, index, a, 'x');
  checkRange('gather', index.data as Int32Array, x.shape[a]!, a);
  const out = zerosOf(x.dtype, index.shape);
  backend().gather(out.data, x.data, x.shape, index.data as Int32Array, index.shape, a);
  record('gather', [x], [out], { axis: a, index });
  return out;
}

/** A copy of `x` with src[i][j] added at x[i][index[i][j]] for axis 1 (and likewise for any axis). */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('scatterAdd', 'x', x);
  if (x.ndim === 0) throw new ShapeError('scatterAdd: x must have at least one axis; it is 0-d');
  checkTensor('scatterAdd', 'src', src);
  checkSameDType('scatterAdd', x, src, ['x', 'src']);
  const a = normalizeAxis('scatterAdd', axis, x.ndim);
  checkIndexShape('scatterAdd', x, index, a, 'x');
  if (src.ndim !== index.ndim || index.shape.some((d, i) => d > src.shape[i]!)) {
    throw new ShapeError(`scatterAdd: index ${fmtShape(index.shape)} must be no larger than src ${fmtShape(src.shape)} on every axis`);
  }
  checkRange('scatterAdd', index.data as Int32Array, x.shape[a]!, a);
  const out = new Tensor(x.data.slice(), x.shape);
  backend().scatterAdd(out.data, x.shape, index.data as Int32Array, index.shape, src.data, src.shape, a);
  record('scatterAdd', [x, src], [out], { axis: a, index });
  return out;
}
