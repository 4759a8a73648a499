/**
 * Every derivative, in one table: op name → function from the upstream gradients of the op's
 * outputs to the gradients of its inputs (null where an input gets none). Entries run under
 * noGrad and are written with ordinary tensor ops. What each op records for its entry is declared
 * in OpAttrs, below.
 */
import type { Tensor } from '../tensor.js';
import { add, div, eq, exp, ge, gt, le, log, lt, mul, neg, pow, sign, sub, where } from '../ops/elementwise.js';
import { cast } from '../ops/cast.js';
import { matmulWith } from '../ops/matmul.js';
import { sum, sumTo, unreduce } from '../ops/reduce.js';
import { crop, flip, narrow, permute, placeInZeros, reshape } from '../ops/view.js';
import { gather, indexAdd, scatterAdd } from '../ops/indexing.js';
import { concat } from '../ops/join.js';
import { zerosOf } from '../ops/common.js';
import { convBackward } from '../ops/conv.js';
import { cumprodBackward, cumsum } from '../ops/cumulative.js';
import type { ConvGeometry } from '../../backend/backend.js';
import type { GruCache, GruOptions } from '../../backend/cells/gru.js';
import type { LstmCache } from '../../backend/cells/lstm.js';
import type { RnnOptions } from '../../backend/cells/rnn.js';
import type { SequenceLayout } from '../../backend/recurrent_kernels.js';
import { recurrentGradients } from './recurrent_gradients.js';
// checkpoint.ts imports the tape, which imports this table: a cycle that is safe because the
// entry is a function declaration (initialised before any module body runs) used only in backward.
import { type CheckpointFn, checkpointGradient } from './checkpoint.js';

/** The attributes of an op that records none. */
export type NoAttrs = Readonly<Record<string, never>>;
type ConvAttrs = { geometry: ConvGeometry };

/**
 * What each op records for its backward, keyed by op name: the one place op attributes are
 * declared, kept beside the table (same order), whose keys it fixes. `record(op, …, attrs)` checks
 * attrs against it, and each entry receives its own op's attrs typed.
 */
export interface OpAttrs {
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  pow: NoAttrs;
  maximum: NoAttrs;
  minimum: NoAttrs;
  neg: NoAttrs;
  exp: NoAttrs;
  log: NoAttrs;
  log1p: NoAttrs;
  sqrt: NoAttrs;
  abs: NoAttrs;
  tanh: NoAttrs;
  sigmoid: NoAttrs;
  relu: NoAttrs;
  clamp: { min: number; max: number };
  where: NoAttrs;
  clone: NoAttrs;
  cast: NoAttrs;
  sum: { axes: readonly number[]; keepDim: boolean };
  cumsum: { axis: number };
  cumprod: { axis: number };
  amax: { axes: readonly number[]; keepDim: boolean };
  amin: { axes: readonly number[]; keepDim: boolean };
  /** `indices`: the position along `axis` of each output element in the input. */
  takeAlong: { axis: number; keepDim: boolean; indices: Tensor };
  logSumExp: { axes: readonly number[]; keepDim: boolean };
  softmax: { axis: number };
  logSoftmax: { axis: number };
  matmul: { transA: boolean; transB: boolean };
  linear: NoAttrs;
  reshape: NoAttrs;
  permute: { perm: readonly number[] };
  expand: NoAttrs;
  narrow: { axis: number; start: number };
  placeInZeros: { starts: readonly number[] };
  pad: { before: readonly number[] };
  flip: { axes: readonly number[] };
  /** `starts`: where each input begins along `axis` in the output. */
  concat: { axis: number; starts: readonly number[] };
  split: { axis: number };
  indexSelect: { axis: number; index: Tensor };
  gather: { axis: number; index: Tensor };
  scatterAdd: { axis: number; index: Tensor };
  conv1d: ConvAttrs;
  conv2d: ConvAttrs;
  /** `grad`: (T, N, C), each sequence's loss differentiated with respect to its log-probabilities. */
  ctcLoss: { grad: Tensor };
  rnnRecurrence: { layout: SequenceLayout; cache: null } & RnnOptions;
  gruRecurrence: { layout: SequenceLayout; cache: GruCache } & GruOptions;
  /** `present`: which of [xProj, h0, c0, wHH, bHH, wHR, peepholes] were given (absent ones are not inputs). */
  lstmRecurrence: { layout: SequenceLayout; cache: LstmCache; present: readonly boolean[] };
  /** `fn`: the checkpointed function, re-run in backward; `rngState`: the generator's state before its forward. */
  checkpoint: { fn: CheckpointFn; rngState: readonly number[] };
}
export type GradientOp = keyof OpAttrs;

/** What an entry sees of its node; `A` is its op's attributes. */
export interface GradContext<A> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
  readonly needs: readonly boolean[];
}
export type GradientFn<Op extends GradientOp> = (ctx: GradContext<OpAttrs[Op]>, grads: readonly (Tensor | null)[]) => readonly (Tensor | null)[];
export type GradientTable = { readonly [Op in GradientOp]: GradientFn<Op> };

/** d(a ⊙ b) routed to each operand and summed back to its own shape. */
function binaryGrads(ctx: GradContext<unknown>, ga: Tensor | null, gb: Tensor | null): (Tensor | null)[] {
  const [a, b] = ctx.inputs as [Tensor, Tensor];
  return [ga && ctx.needs[0] ? sumTo(ga, a.shape) : null, gb && ctx.needs[1] ? sumTo(gb, b.shape) : null];
}

/** Share of a tie: 1 where x wins, ½ where equal, 0 where it loses (PyTorch's maximum/minimum). */
function winShare(x: Tensor, y: Tensor, wins: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return add(wins(x, y), mul(eq(x, y), 0.5));
}

/** d amax and d amin: the gradient goes to the elements equal to the result, ties sharing it evenly. */
function extremumGrad(ctx: GradContext<OpAttrs['amax' | 'amin']>, g: Tensor): Tensor {
  const x = ctx.inputs[0]!;
  const { axes } = ctx.attrs;
  const winners = eq(x, unreduce(ctx.outputs[0]!, x.shape, axes));
  const count = sum(winners, axes, true);
  return mul(winners, unreduce(div(reshape(g, count.shape), count), x.shape, axes));
}

/** Inputs [x, weight, bias?] of a convolution get their gradients from one backward kernel call. */
function convGrads(ctx: GradContext<ConvAttrs>, g: Tensor): (Tensor | null)[] {
  const [x, weight, bias = null] = ctx.inputs as [Tensor, Tensor, Tensor?];
  const grads = convBackward(x, weight, bias, g, ctx.attrs.geometry, ctx.needs);
  return bias === null ? grads.slice(0, 2) : grads;
}

export const GRADIENTS: GradientTable = {
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
    return [mul(g!, mul(ge(x, ctx.attrs.min), le(x, ctx.attrs.max)))];
  },
  where: (ctx, [g]) => {
    const [cond, a, b] = ctx.inputs as [Tensor, Tensor, Tensor];
    const zero = zerosOf(g!.dtype, g!.shape);
    return [null, ctx.needs[1] ? sumTo(where(cond, g!, zero), a.shape) : null, ctx.needs[2] ? sumTo(where(cond, zero, g!), b.shape) : null];
  },
  clone: (_, [g]) => [g ?? null],
  cast: (ctx, [g]) => [cast(g!, ctx.inputs[0]!.dtype)],
  sum: (ctx, [g]) => [unreduce(g!, ctx.inputs[0]!.shape, ctx.attrs.axes)],
  // Each input feeds every later output: the gradient is the reversed running sum of g.
  cumsum: (ctx, [g]) => [flip(cumsum(flip(g!, ctx.attrs.axis), ctx.attrs.axis), ctx.attrs.axis)],
  cumprod: (ctx, [g]) => [cumprodBackward(ctx.inputs[0]!, g!, ctx.attrs.axis)],
  amax: (ctx, [g]) => [extremumGrad(ctx, g!)],
  amin: (ctx, [g]) => [extremumGrad(ctx, g!)],
  takeAlong: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    const { axis, indices } = ctx.attrs;
    const shape = x.shape.map((d, i) => (i === axis ? 1 : d));
    return [scatterAdd(zerosOf(x.dtype, x.shape), axis, reshape(indices, shape), reshape(g!, shape))];
  },
  logSumExp: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    const { axes } = ctx.attrs;
    return [mul(unreduce(g!, x.shape, axes), exp(sub(x, unreduce(ctx.outputs[0]!, x.shape, axes))))];
  },
  softmax: (ctx, [g]) => {
    const y = ctx.outputs[0]!;
    return [mul(y, sub(g!, sum(mul(g!, y), ctx.attrs.axis, true)))];
  },
  logSoftmax: (ctx, [g]) => [sub(g!, mul(exp(ctx.outputs[0]!), sum(g!, ctx.attrs.axis, true)))],
  matmul: (ctx, [g]) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    const { transA: tA, transB: tB } = ctx.attrs;
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
    const { perm } = ctx.attrs;
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [permute(g!, inverse)];
  },
  expand: (ctx, [g]) => [sumTo(g!, ctx.inputs[0]!.shape)],
  narrow: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    const { axis, start } = ctx.attrs;
    const starts = x.shape.map((_, i) => (i === axis ? start : 0));
    return [placeInZeros(g!, x.shape, starts)];
  },
  placeInZeros: (ctx, [g]) => [crop(g!, ctx.inputs[0]!.shape, ctx.attrs.starts)],
  pad: (ctx, [g]) => [crop(g!, ctx.inputs[0]!.shape, ctx.attrs.before)],
  flip: (ctx, [g]) => [flip(g!, ctx.attrs.axes)],
  concat: (ctx, [g]) => {
    const { axis, starts } = ctx.attrs;
    return ctx.inputs.map((t, i) => (ctx.needs[i] ? narrow(g!, axis, starts[i]!, t.shape[axis]!) : null));
  },
  // A piece whose output got no gradient contributes zeros.
  split: (ctx, grads) => [
    concat(
      ctx.outputs.map((piece, i) => grads[i] ?? zerosOf(piece.dtype, piece.shape)),
      ctx.attrs.axis,
    ),
  ],
  indexSelect: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    return [indexAdd(zerosOf(x.dtype, x.shape), ctx.attrs.axis, ctx.attrs.index, g!)];
  },
  gather: (ctx, [g]) => {
    const x = ctx.inputs[0]!;
    return [scatterAdd(zerosOf(x.dtype, x.shape), ctx.attrs.axis, ctx.attrs.index, g!)];
  },
  scatterAdd: (ctx, [g]) => {
    const src = ctx.inputs[1]!;
    const { axis, index } = ctx.attrs;
    const picked = ctx.needs[1] ? gather(g!, axis, index) : null;
    return [
      g ?? null,
      picked &&
        (picked.shape.every((d, i) => d === src.shape[i])
          ? picked
          : placeInZeros(
              picked,
              src.shape,
              src.shape.map(() => 0),
            )),
    ];
  },
  conv1d: (ctx, [g]) => convGrads(ctx, g!),
  conv2d: (ctx, [g]) => convGrads(ctx, g!),
  ctcLoss: (ctx, [g]) => [mul(ctx.attrs.grad, reshape(g!, [1, g!.size, 1]))],
  ...recurrentGradients,
  checkpoint: checkpointGradient,
};
