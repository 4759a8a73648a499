/**
 * Every derivative, in one table: op name → function from the upstream gradients of the op's
 * outputs to the gradients of its inputs (null where an input gets none). Entries run under
 * noGrad and are written with ordinary tensor ops.
 */
import type { Tensor } from '../tensor.js';
import { add, div, eq, exp, ge, gt, le, log, lt, mul, neg, pow, sign, sub, where } from '../ops/elementwise.js';
import { cast } from '../ops/cast.js';
import { matmulWith } from '../ops/matmul.js';
import { sum, sumTo, unreduce } from '../ops/reduce.js';
import { crop, embed, flip, narrow, permute, reshape } from '../ops/view.js';
import { gather, indexAdd, scatterAdd } from '../ops/indexing.js';
import { empty } from '../ops/common.js';
import { convBackward } from '../ops/conv.js';
import type { ConvGeometry } from '../../backend/backend.js';
import { recurrentGradients } from './recurrent_gradients.js';

export interface GradContext {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly needs: readonly boolean[];
}
export type GradientFn = (ctx: GradContext, grads: readonly (Tensor | null)[]) => readonly (Tensor | null)[];

/** Reads a recorded attribute; the op that recorded it fixes its type. */
function at<T>(ctx: GradContext, key: string): T {
  return ctx.attrs[key] as T;
}

const zerosOf = (t: Tensor): Tensor => empty(t.dtype, t.shape);

/** d(a ⊙ b) routed to each operand and summed back to its own shape. */
function binaryGrads(ctx: GradContext, ga: Tensor | null, gb: Tensor | null): (Tensor | null)[] {
  const [a, b] = ctx.inputs as [Tensor, Tensor];
  return [ga && ctx.needs[0] ? sumTo(ga, a.shape) : null, gb && ctx.needs[1] ? sumTo(gb, b.shape) : null];
}

/** Share of a tie: 1 where x wins, ½ where equal, 0 where it loses (PyTorch's maximum/minimum). */
function winShare(x: Tensor, y: Tensor, wins: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return add(wins(x, y), mul(eq(x, y), 0.5));
}

/** Inputs [x, weight, bias?] of a convolution get their gradients from one backward kernel call. */
function convGrads(ctx: GradContext, g: Tensor): (Tensor | null)[] {
  const [x, weight, bias = null] = ctx.inputs as [Tensor, Tensor, Tensor?];
  const grads = convBackward(x, weight, bias, g, at<ConvGeometry>(ctx, 'geometry'), ctx.needs);
  return bias === null ? grads.slice(0, 2) : grads;
}

const table = {
  add: (ctx, [g]) => binaryGrads(ctx, g!, g!),
  sub: (ctx, [g]) => binaryGrads(ctx, g!, neg(g!)),
  mul: (ctx, [g]) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    return binaryGrads(ctx, ctx.needs[0] ? mul(g!, b) : null, ctx.needs[1] ? mul(g!, a) : null);
  },
  div: (ctx, [g]) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    const ga = div(g!, b);
    return binaryGrads(ctx, ga, ctx.needs[1] ? neg(div(mul(ga, a), b)) : null);
  },
  pow: (ctx, [g]) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    const y = ctx.outputs[0]!;
    // d/da a^b = b·a^(b−1), taken as 0 where b = 0; d/db a^b = a^b·log a, taken as 0 where a = 0 (as PyTorch).
    const ga = ctx.needs[0] ? where(eq(b, 0), 0, mul(g!, mul(b, pow(a, sub(b, 1))))) : null;
    const gb = ctx.needs[1] ? where(eq(a, 0), 0, mul(g!, mul(y, log(a)))) : null;
    return binaryGrads(ctx, ga, gb);
  },
  maximum: (ctx, [g]) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    return binaryGrads(ctx, mul(g!, winShare(a, b, gt)), mul(g!, winShare(b, a, gt)));
  },
  minimum: (ctx, [g]) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    return binaryGrads(ctx, mul(g!, winShare(a, b, lt)), mul(g!, winShare(b, a, lt)));
  },
  neg: (_, [g]) => [neg(g!)],
  exp: (ctx, [g]) => [mul(g!, ctx.outputs[0]!)],
  log: (ctx, [g]) => [div(g!, ctx.inputs[0]!)],
  log1p: (ctx, [g]) => [div(g!, add(ctx.inputs[0]!, 1))],
  sqrt: (ctx, [g]) => [div(g!, mul(ctx.outputs[0]!, 2))],
  abs: (ctx, [g]) => [mul(g!, sign(ctx.inputs[0]!))],
  tanh: (ctx, [g]) => {
    const y = ctx.outputs[0]!;
    return [mul(g!, sub(1, mul(y, y)))];
  },
  sigmoid: (ctx, [g]) => {
    const y = ctx.outputs[0]!;
    return [mul(g!, mul(y, sub(1, y)))];
  },
  relu: (ctx, [g]) => [mul(g!, gt(ctx.inputs[0]!, 0))],
  clamp: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    return [mul(g!, mul(ge(x, at<number>(ctx, 'min')), le(x, at<number>(ctx, 'max'))))];
  },
  where: (ctx, [g]) => {
    const [cond, a, b] = ctx.inputs as [Tensor, Tensor, Tensor];
    const zero = zerosOf(g!);
    return [
      null,
      ctx.needs[1] ? sumTo(where(cond, g!, zero), a.shape) : null,
      ctx.needs[2] ? sumTo(where(cond, zero, g!), b.shape) : null,
    ];
  },
  clone: (_, [g]) => [g ?? null],
  cast: (ctx, [g]) => [cast(g!, ctx.inputs[0]!.dtype)],
  sum: (ctx, [g]) => [unreduce(g!, ctx.inputs[0]!.shape, at<number[]>(ctx, 'axes'))],
  amax: (ctx, [g]) => {
    // Ties share the gradient evenly.
    const x = ctx.inputs[0]!;
    const axes = at<number[]>(ctx, 'axes');
    const winners = eq(x, unreduce(ctx.outputs[0]!, x.shape, axes));
    const count = sum(winners, axes, true);
    return [mul(winners, unreduce(div(reshape(g!, count.shape), count), x.shape, axes))];
  },
  takeAlong: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    const axis = at<number>(ctx, 'axis');
    const idx = at<Tensor>(ctx, 'indices');
    const shape = x.shape.map((d, i) => (i === axis ? 1 : d));
    return [scatterAdd(zerosOf(x), axis, reshape(idx, shape), reshape(g!, shape))];
  },
  logSumExp: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    const axes = at<number[]>(ctx, 'axes');
    return [mul(unreduce(g!, x.shape, axes), exp(sub(x, unreduce(ctx.outputs[0]!, x.shape, axes))))];
  },
  softmax: (ctx, [g]) => {
    const y = ctx.outputs[0]!;
    const axis = at<number>(ctx, 'axis');
    return [mul(y, sub(g!, sum(mul(g!, y), axis, true)))];
  },
  logSoftmax: (ctx, [g]) => {
    const axis = at<number>(ctx, 'axis');
    return [sub(g!, mul(exp(ctx.outputs[0]!), sum(g!, axis, true)))];
  },
  matmul: (ctx, [g]) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    const tA = at<boolean>(ctx, 'transA');
    const tB = at<boolean>(ctx, 'transB');
    const ga = !ctx.needs[0] ? null : tA ? matmulWith(b, g!, tB, true) : matmulWith(g!, b, false, !tB);
    const gb = !ctx.needs[1] ? null : tB ? matmulWith(g!, a, true, tA) : matmulWith(a, g!, !tA, false);
    return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
  },
  linear: (ctx, [g]) => {
    // y = x·Wᵀ + b for x (m, in), W (out, in), b (out).
    const [x, w] = ctx.inputs as [Tensor, Tensor];
    return [
      ctx.needs[0] ? matmulWith(g!, w, false, false) : null,
      ctx.needs[1] ? matmulWith(g!, x, true, false) : null,
      ctx.needs[2] ? sum(g!, [0], false) : null,
    ];
  },
  reshape: (ctx, [g]) => [reshape(g!, ctx.inputs[0]!.shape)],
  permute: (ctx, [g]) => {
    const perm = at<number[]>(ctx, 'perm');
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [permute(g!, inverse)];
  },
  expand: (ctx, [g]) => [sumTo(g!, ctx.inputs[0]!.shape)],
  narrow: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    const starts = x.shape.map((_, i) => (i === at<number>(ctx, 'axis') ? at<number>(ctx, 'start') : 0));
    return [embed(g!, x.shape, starts)];
  },
  embed: (ctx, [g]) => [crop(g!, ctx.inputs[0]!.shape, at<number[]>(ctx, 'starts'))],
  pad: (ctx, [g]) => [crop(g!, ctx.inputs[0]!.shape, at<number[]>(ctx, 'before'))],
  flip: (ctx, [g]) => [flip(g!, at<number[]>(ctx, 'axes'))],
  concat: (ctx, [g]) => {
    const axis = at<number>(ctx, 'axis');
    const starts = at<number[]>(ctx, 'starts');
    return ctx.inputs.map((t, i) => (ctx.needs[i] ? narrow(g!, axis, starts[i]!, t.shape[axis]!) : null));
  },
  indexSelect: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    return [indexAdd(zerosOf(x), at<number>(ctx, 'axis'), at<Tensor>(ctx, 'index'), g!)];
  },
  gather: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    return [scatterAdd(zerosOf(x), at<number>(ctx, 'axis'), at<Tensor>(ctx, 'index'), g!)];
  },
  scatterAdd: (ctx, [g]) => {
    const src = ctx.inputs[1]!;
    const index = at<Tensor>(ctx, 'index');
    const picked = ctx.needs[1] ? gather(g!, at<number>(ctx, 'axis'), index) : null;
    return [g ?? null, picked && (picked.shape.every((d, i) => d === src.shape[i]) ? picked : embed(picked, src.shape, src.shape.map(() => 0)))];
  },
  conv1d: (ctx, [g]) => convGrads(ctx, g!),
  conv2d: (ctx, [g]) => convGrads(ctx, g!),
  ...recurrentGradients,
} satisfies Record<string, GradientFn>;

export type GradientOp = keyof typeof table;
export const GRADIENTS: Record<GradientOp, GradientFn> = table;
