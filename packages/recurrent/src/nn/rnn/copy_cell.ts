/**
 * A second cell like a given one, with its own parameters: what nn.Bidirectional builds its
 * backward direction from.
 *
 * - nn.RNNCell, nn.LSTMCell, nn.GRUCell: a new cell with the same options and freshly drawn
 *   parameters, as Keras (which rebuilds the layer from its config) and PyTorch (which draws each
 *   direction independently) do.
 * - Any other cell: a deep copy. Tensors are copied (parameters stay parameters, with the same
 *   values), submodules, arrays, Maps, Sets and plain objects are copied, tensors shared inside the
 *   cell stay shared in the copy, and other objects (functions, class instances that are not
 *   modules) are shared with the original.
 */
import { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import type { RecurrentCell } from './cell.js';
import { GRUCell, LSTMCell, RNNCell, type CellOptions } from './cells.js';

/** A cell like `cell` with its own parameters; see the file comment for what is copied. */
export function copyCell<C extends RecurrentCell>(cell: C): C {
  const same = (fresh: Module): boolean => {
    if (cell instanceof Module) fresh.training = cell.training;
    return Object.getPrototypeOf(fresh) === Object.getPrototypeOf(cell); // subclasses are deep-copied
  };
  if (cell instanceof RNNCell) {
    const fresh = new RNNCell({ ...options(cell), nonlinearity: cell.nonlinearity });
    if (same(fresh)) return fresh as typeof cell;
  } else if (cell instanceof LSTMCell) {
    const fresh = new LSTMCell({ ...options(cell), activation: cell.activation, recurrentActivation: cell.recurrentActivation });
    if (same(fresh)) return fresh as typeof cell;
  } else if (cell instanceof GRUCell) {
    const fresh = new GRUCell({ ...options(cell), resetAfter: cell.resetAfter, activation: cell.activation, recurrentActivation: cell.recurrentActivation });
    if (same(fresh)) return fresh as typeof cell;
  }
  return deepCopy(cell, new Map());
}

function options(cell: RNNCell | LSTMCell | GRUCell): CellOptions {
  return { inputSize: cell.inputSize, hiddenSize: cell.hiddenSize, bias: cell.bias, dtype: cell.weightHH.dtype };
}

function deepCopy<T>(value: T, memo: Map<object, unknown>): T {
  if (typeof value !== 'object' || value === null) return value;
  const seen = memo.get(value);
  if (seen !== undefined) return seen as T;
  if (value instanceof Tensor) {
    const t = new Tensor(value.data.slice(), value.shape);
    if (value.requiresGrad) t.requiresGrad = true;
    memo.set(value, t);
    return t as T;
  }
  if (ArrayBuffer.isView(value)) return value; // typed arrays outside tensors are treated as constants
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    memo.set(value, out);
    for (const v of value) out.push(deepCopy(v, memo));
    return out as T;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    memo.set(value, out);
    for (const [k, v] of value) out.set(k, deepCopy(v, memo));
    return out as T;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    memo.set(value, out);
    for (const v of value) out.add(deepCopy(v, memo));
    return out as T;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (!(value instanceof Module) && proto !== Object.prototype && proto !== null) return value;
  const out = Object.create(proto as object | null) as Record<PropertyKey, unknown>;
  memo.set(value, out);
  for (const key of Reflect.ownKeys(value)) {
    const desc = Object.getOwnPropertyDescriptor(value, key)!;
    if ('value' in desc) desc.value = deepCopy(desc.value, memo);
    Object.defineProperty(out, key, desc);
  }
  return out as T;
}
