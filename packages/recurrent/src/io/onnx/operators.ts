/**
 * The ONNX operators the importer runs, other than the recurrent ones (recurrent_ops.ts), each on
 * this library's tensor ops with ONNX's semantics (opset 7 to 18 forms: Unsqueeze, Squeeze,
 * ReduceMean and ReduceSum take their axes as an attribute or an input, Slice its bounds as
 * attributes or inputs, Softmax below opset 13 flattens to 2-D).
 *
 * INT64 values are held as int32 tensors (shapes, indices, token ids); BOOL as int32 0/1.
 */
import { IndexError, ValueError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { cast } from '../../tensor/ops/cast.js';
import { full, ones } from '../../tensor/ops/creation.js';
import { abs, add, div, exp, log, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh } from '../../tensor/ops/elementwise.js';
import { indexSelect } from '../../tensor/ops/indexing.js';
import { concat } from '../../tensor/ops/join.js';
import { matmul, matmulWith } from '../../tensor/ops/matmul.js';
import { mean, sum } from '../../tensor/ops/reduce.js';
import { logSoftmax, softmax } from '../../tensor/ops/softmax.js';
import { erf, leakyRelu } from '../../tensor/ops/special.js';
import { expand, narrow, permute, reshape } from '../../tensor/ops/view.js';
import { numel } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { layerNorm } from '../../nn/layer_norm.js';
import { DATA_TYPE } from './onnx_proto.js';
import { kernel, type BuildContext, type Kernel, type OperatorSpec } from './operator.js';
import { RECURRENT_OPERATORS } from './recurrent_ops.js';
import { DATA_TYPE_NAMES } from './tensor_data.js';

/** Input `i`, which the operator needs. */
function need(inputs: readonly (Tensor | null)[], i: number): Tensor {
  const x = inputs[i];
  if (x == null) throw new ValueError(`input ${i} is required`);
  return x;
}

/** An integer tensor's values (axes, shapes, indices). */
function intsOf(t: Tensor, what: string): number[] {
  if (t.dtype !== 'int32') throw new ValueError(`${what} must be an integer tensor; got ${t.dtype}`);
  return Array.from(t.data);
}

function axisOf(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new IndexError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

function unary(f: (x: Tensor) => Tensor): OperatorSpec {
  return { attributes: {}, inputs: [1, 1], build: () => kernel((i) => [f(need(i, 0))]) };
}

function binary(f: (a: Tensor, b: Tensor) => Tensor, integer?: (a: number, b: number) => number): OperatorSpec {
  return {
    attributes: {},
    inputs: [2, 2],
    build: () =>
      kernel((i) => {
        const a = need(i, 0);
        const b = need(i, 1);
        if (integer === undefined || a.dtype !== 'int32') return [f(a, b)];
        // Integer Div and Pow: computed elementwise on the broadcast operands.
        const shape = broadcast(a.shape, b.shape);
        const [x, y] = [expand(a, shape), expand(b, shape)].map((t) => reshape(t, [numel(shape)]));
        return [
          new Tensor(
            Int32Array.from(x!.data, (v, k) => integer(v, y!.data[k]!)),
            shape,
          ),
        ];
      }),
  };
}

/** NumPy broadcasting of two shapes (the checks are the ops'). */
function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/** Axes from the attribute `axes` before `inputSince`, else from input 1. */
function axesOf(ctx: BuildContext, inputSince: number): (inputs: readonly (Tensor | null)[]) => number[] | null {
  if (ctx.opset < inputSince) {
    const axes = ctx.attrs.ints('axes');
    return () => axes;
  }
  return (inputs) => (inputs[1] == null ? null : intsOf(inputs[1], 'axes'));
}

const DTYPE_OF_CAST: Record<number, DType> = {
  [DATA_TYPE.float]: 'float32',
  [DATA_TYPE.double]: 'float64',
  [DATA_TYPE.float16]: 'float32',
  [DATA_TYPE.int32]: 'int32',
  [DATA_TYPE.int64]: 'int32',
  [DATA_TYPE.int8]: 'int32',
  [DATA_TYPE.uint8]: 'int32',
  [DATA_TYPE.bool]: 'int32',
};

function softmaxOp(f: typeof softmax): OperatorSpec {
  return {
    attributes: { axis: 'int' },
    inputs: [1, 1],
    build: (ctx) => {
      const legacy = ctx.opset < 13;
      const axis = ctx.attrs.int('axis', legacy ? 1 : -1);
      return kernel((i) => {
        const x = need(i, 0);
        if (!legacy) return [f(x, axis)];
        // Before opset 13 the input is seen as 2-D: [prod(shape[:axis]), prod(shape[axis:])].
        const a = axis < 0 ? axis + x.ndim : axis;
        const flat = reshape(x, [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))]);
        return [reshape(f(flat, 1), x.shape)];
      });
    },
  };
}

function reduceOp(f: typeof mean, axesInputSince: number): OperatorSpec {
  return {
    attributes: { axes: 'ints', keepdims: 'int', noop_with_empty_axes: 'int' },
    inputs: [1, 2],
    build: (ctx) => {
      const axes = axesOf(ctx, axesInputSince);
      const keep = ctx.attrs.int('keepdims', 1) !== 0;
      const noop = ctx.attrs.int('noop_with_empty_axes', 0) !== 0;
      return kernel((i) => {
        const x = need(i, 0);
        const given = axes(i);
        if ((given === null || given.length === 0) && noop) return [x];
        const list = given === null || given.length === 0 ? x.shape.map((_, k) => k) : given.map((a) => axisOf(a, x.ndim));
        return [f(x, list, keep)];
      });
    },
  };
}

function sliceIndices(dim: number, start: number, end: number, step: number): number[] {
  if (step === 0) throw new ValueError('Slice: a step of 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  const out: number[] = [];
  for (let k = s; step > 0 ? k < e : k > e; k += step) out.push(k);
  return out;
}

const SLICE: OperatorSpec = {
  attributes: { starts: 'ints', ends: 'ints', axes: 'ints' },
  inputs: [1, 5],
  build: (ctx) => {
    const legacy = ctx.opset < 10;
    const attrs = ctx.attrs;
    return kernel((i) => {
      let x = need(i, 0);
      const starts = legacy ? (attrs.ints('starts') ?? []) : intsOf(need(i, 1), 'starts');
      const ends = legacy ? (attrs.ints('ends') ?? []) : intsOf(need(i, 2), 'ends');
      const axes = legacy ? attrs.ints('axes') : i[3] == null ? null : intsOf(i[3], 'axes');
      const steps = !legacy && i[4] != null ? intsOf(i[4], 'steps') : null;
      if (starts.length !== ends.length) throw new ValueError(`Slice: ${starts.length} starts but ${ends.length} ends`);
      starts.forEach((start, k) => {
        const axis = axisOf(axes?.[k] ?? k, x.ndim);
        const step = steps?.[k] ?? 1;
        const picks = sliceIndices(x.shape[axis]!, start, ends[k]!, step);
        const contiguous = step === 1 && picks.length > 0;
        x = contiguous ? narrow(x, axis, picks[0]!, picks.length) : indexSelect(x, axis, picks);
      });
      return [x];
    });
  },
};

const GATHER: OperatorSpec = {
  attributes: { axis: 'int' },
  inputs: [2, 2],
  build: (ctx) => {
    const axis = ctx.attrs.int('axis', 0);
    return kernel((i) => {
      const x = need(i, 0);
      const indices = need(i, 1);
      const a = axisOf(axis, x.ndim);
      const size = x.shape[a]!;
      const flat = intsOf(indices, 'Gather indices').map((k) => (k < 0 ? k + size : k));
      const rows = indexSelect(x, a, flat);
      return [reshape(rows, [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)])];
    });
  },
};

const UNSQUEEZE: OperatorSpec = {
  attributes: { axes: 'ints' },
  inputs: [1, 2],
  build: (ctx) => {
    const axes = axesOf(ctx, 13);
    return kernel((i) => {
      const x = need(i, 0);
      const list = axes(i) ?? [];
      const rank = x.ndim + list.length;
      const at = new Set(list.map((a) => axisOf(a, rank, 'Unsqueeze axis')));
      const shape: number[] = [];
      let k = 0;
      for (let d = 0; d < rank; d++) shape.push(at.has(d) ? 1 : x.shape[k++]!);
      return [reshape(x, shape)];
    });
  },
};

const SQUEEZE: OperatorSpec = {
  attributes: { axes: 'ints' },
  inputs: [1, 2],
  build: (ctx) => {
    const axes = axesOf(ctx, 13);
    return kernel((i) => {
      const x = need(i, 0);
      const list = axes(i);
      const drop = new Set(list === null ? x.shape.flatMap((d, k) => (d === 1 ? [k] : [])) : list.map((a) => axisOf(a, x.ndim, 'Squeeze axis')));
      for (const a of drop) if (x.shape[a] !== 1) throw new ValueError(`Squeeze: axis ${a} of [${x.shape.join(', ')}] is not of size 1`);
      return [
        reshape(
          x,
          x.shape.filter((_, k) => !drop.has(k)),
        ),
      ];
    });
  },
};

const RESHAPE: OperatorSpec = {
  attributes: { allowzero: 'int' },
  inputs: [2, 2],
  build: (ctx) => {
    const allowZero = ctx.attrs.int('allowzero', 0) !== 0;
    return kernel((i) => {
      const x = need(i, 0);
      const shape = intsOf(need(i, 1), 'Reshape shape').map((d, k) => (d === 0 && !allowZero ? x.shape[k]! : d));
      return [reshape(x, shape)];
    });
  },
};

const CONSTANT: OperatorSpec = {
  attributes: { value: 'tensor', value_float: 'float', value_floats: 'floats', value_int: 'int', value_ints: 'ints' },
  inputs: [0, 0],
  build: ({ attrs }) => {
    let value: Tensor | null = attrs.tensor('value');
    if (attrs.has('value_float')) value = full([], attrs.float('value_float', 0));
    if (attrs.has('value_int')) value = full([], attrs.int('value_int', 0), { dtype: 'int32' });
    const floats = attrs.floats('value_floats');
    if (floats !== null) value = new Tensor(Float32Array.from(floats), [floats.length]);
    const ints = attrs.ints('value_ints');
    if (ints !== null) value = new Tensor(Int32Array.from(ints), [ints.length]);
    if (value === null) throw attrs.error('a Constant needs one of value, value_float(s), value_int(s)');
    const v = value;
    return kernel(() => [v]);
  },
};

const CONSTANT_OF_SHAPE: OperatorSpec = {
  attributes: { value: 'tensor' },
  inputs: [1, 1],
  build: ({ attrs }) => {
    const value = attrs.tensor('value');
    if (value !== null && value.size !== 1) throw attrs.error(`its value must hold one element; it holds ${value.size}`);
    return kernel((i) => {
      const shape = intsOf(need(i, 0), 'ConstantOfShape shape');
      return [full(shape, value?.data[0] ?? 0, { dtype: value?.dtype ?? 'float32' })];
    });
  },
};

const CAST: OperatorSpec = {
  attributes: { to: 'int', saturate: 'int' },
  inputs: [1, 1],
  build: ({ attrs }) => {
    const to = attrs.int('to', 0);
    const dtype = DTYPE_OF_CAST[to];
    if (dtype === undefined) throw attrs.error(`casting to ${DATA_TYPE_NAMES[to] ?? to} is not supported`);
    return kernel((i) => {
      const x = need(i, 0);
      if (to === DATA_TYPE.bool)
        return [
          new Tensor(
            Int32Array.from(x.data, (v) => (v !== 0 ? 1 : 0)),
            x.shape,
          ),
        ];
      return [x.dtype === dtype ? x : cast(x, dtype)];
    });
  },
};

const GEMM: OperatorSpec = {
  attributes: { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' },
  inputs: [2, 3],
  build: ({ attrs }) => {
    const alpha = attrs.float('alpha', 1);
    const beta = attrs.float('beta', 1);
    const [ta, tb] = [attrs.int('transA', 0) !== 0, attrs.int('transB', 0) !== 0];
    return kernel((i) => {
      let y = matmulWith(need(i, 0), need(i, 1), ta, tb, 'Gemm');
      if (alpha !== 1) y = mul(y, alpha);
      const c = i[2];
      if (c != null) y = add(y, beta === 1 ? c : mul(c, beta));
      return [y];
    });
  },
};

const LAYER_NORMALIZATION: OperatorSpec = {
  attributes: { axis: 'int', epsilon: 'float', stash_type: 'int' },
  inputs: [2, 3],
  build: (ctx) => {
    if (ctx.outputUsed(1) || ctx.outputUsed(2)) throw ctx.attrs.error('its Mean and InvStdDev outputs are not supported');
    const axis = ctx.attrs.int('axis', -1);
    const eps = ctx.attrs.float('epsilon', 1e-5);
    return kernel((i) => {
      const x = need(i, 0);
      const shape = x.shape.slice(axisOf(axis, x.ndim));
      return [layerNorm(x, shape, reshape(need(i, 1), shape), i[2] == null ? null : reshape(i[2], shape), eps)];
    });
  },
};

function simple(
  run: (ctx: BuildContext) => (inputs: readonly (Tensor | null)[]) => Tensor[],
  attributes: OperatorSpec['attributes'],
  inputs: [number, number],
): OperatorSpec {
  return { attributes, inputs, build: (ctx): Kernel => kernel(run(ctx)) };
}

/** Every operator the importer runs, by op_type (default domain). */
export const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  ...RECURRENT_OPERATORS,
  Identity: unary((x) => x),
  Neg: unary(neg),
  Abs: unary(abs),
  Sqrt: unary(sqrt),
  Exp: unary(exp),
  Log: unary(log),
  Erf: unary(erf),
  Tanh: unary(tanh),
  Sigmoid: unary(sigmoid),
  Relu: unary(relu),
  Add: binary(add),
  Sub: binary(sub),
  Mul: binary(mul),
  Div: binary(div, (a, b) => Math.trunc(a / b)),
  Pow: binary(pow, (a, b) => Math.trunc(a ** b)),
  MatMul: simple(() => (i) => [matmul(need(i, 0), need(i, 1))], {}, [2, 2]),
  Gemm: GEMM,
  LeakyRelu: simple(
    (ctx) => {
      const alpha = ctx.attrs.float('alpha', 0.01);
      return (i) => [leakyRelu(need(i, 0), alpha)];
    },
    { alpha: 'float' },
    [1, 1],
  ),
  Softmax: softmaxOp(softmax),
  LogSoftmax: softmaxOp(logSoftmax),
  ReduceMean: reduceOp(mean, 18),
  ReduceSum: reduceOp(sum, 13),
  LayerNormalization: LAYER_NORMALIZATION,
  Dropout: simple(() => (i) => [need(i, 0), ones(need(i, 0).shape, { dtype: 'int32' })], { seed: 'int', ratio: 'float' }, [1, 3]),
  Constant: CONSTANT,
  ConstantOfShape: CONSTANT_OF_SHAPE,
  Cast: CAST,
  Shape: simple(
    (ctx) => {
      const start = ctx.attrs.int('start', 0);
      const end = ctx.attrs.has('end') ? ctx.attrs.int('end', 0) : null;
      return (i) => {
        const shape = need(i, 0).shape;
        const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + shape.length : v, 0), shape.length);
        const dims = shape.slice(clamp(start), end === null ? shape.length : clamp(end));
        return [new Tensor(Int32Array.from(dims), [dims.length])];
      };
    },
    { start: 'int', end: 'int' },
    [1, 1],
  ),
  Gather: GATHER,
  Unsqueeze: UNSQUEEZE,
  Squeeze: SQUEEZE,
  Concat: simple(
    (ctx) => {
      const axis = ctx.attrs.int('axis', 0);
      return (i) => {
        const parts = i.map((_, k) => need(i, k));
        return [concat(parts, axisOf(axis, parts[0]!.ndim))];
      };
    },
    { axis: 'int' },
    [1, Infinity],
  ),
  Slice: SLICE,
  Reshape: RESHAPE,
  Transpose: simple(
    (ctx) => {
      const perm = ctx.attrs.ints('perm');
      return (i) => {
        const x = need(i, 0);
        return [permute(x, perm ?? x.shape.map((_, k) => x.ndim - 1 - k))];
      };
    },
    { perm: 'ints' },
    [1, 1],
  ),
  Flatten: simple(
    (ctx) => {
      const axis = ctx.attrs.int('axis', 1);
      return (i) => {
        const x = need(i, 0);
        const a = axis < 0 ? axis + x.ndim : axis;
        if (a < 0 || a > x.ndim) throw new IndexError(`Flatten: axis ${axis} is out of range for rank ${x.ndim}`);
        return [reshape(x, [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))])];
      };
    },
    { axis: 'int' },
    [1, 1],
  ),
  Expand: simple(
    () => (i) => {
      const x = need(i, 0);
      return [expand(x, broadcast(x.shape, intsOf(need(i, 1), 'Expand shape')))];
    },
    {},
    [2, 2],
  ),
};
