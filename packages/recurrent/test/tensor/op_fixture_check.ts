// One foundation-op fixture of test/fixtures/ops (written by tools/generate_fixtures.py; the format
// is in test/fixtures/README.md) checked forward and backward against PyTorch 1.13. Shared by
// torch_fixtures.test.ts (Node) and the browser tests (test/browser), which pass the file's bytes.
import assert from 'node:assert/strict';
import {
  type Tensor,
  add,
  argmax,
  argmin,
  argsort,
  cat,
  clamp,
  cumprod,
  cumsum,
  exp,
  expand,
  flatten,
  gather,
  logSoftmax,
  logSumExp,
  maskedFill,
  matmul,
  max,
  maxWithIndices,
  mean,
  min,
  minWithIndices,
  mul,
  oneHot,
  readSafetensorsFile,
  repeat,
  scatterAdd,
  softmax,
  sort,
  sum,
  tanh,
  tile,
  topk,
  unbind,
  where,
} from '../../src/index.js';

interface Args {
  /** One axis, a list of axes, or null for all. */
  dim: number | number[] | null;
  keepdim: boolean;
  expr: string;
  /** Every argument, for the ops that take more than dim and keepdim. */
  raw: Record<string, unknown>;
}

function parseArgs(json: string | undefined): Args {
  assert.ok(json !== undefined, 'metadata "args" is missing');
  const raw: unknown = JSON.parse(json);
  assert.ok(typeof raw === 'object' && raw !== null && !Array.isArray(raw), 'metadata "args" must be a JSON object');
  const r = raw as Record<string, unknown>;
  const dim = r.dim ?? null;
  const isAxes = Array.isArray(dim) && dim.every((d) => Number.isInteger(d));
  assert.ok(dim === null || Number.isInteger(dim) || isAxes, `args.dim ${JSON.stringify(dim)} is not an axis or list of axes`);
  return {
    dim: dim as number | number[] | null,
    keepdim: r.keepdim === true,
    expr: typeof r.expr === 'string' ? r.expr : '',
    raw: r,
  };
}

function num(args: Args, key: string): number {
  const v = args.raw[key];
  assert.ok(typeof v === 'number', `args.${key} must be a number; got ${JSON.stringify(v)}`);
  return v;
}

function optionalNum(args: Args, key: string): number | undefined {
  return args.raw[key] === undefined || args.raw[key] === null ? undefined : num(args, key);
}

function flag(args: Args, key: string): boolean {
  const v = args.raw[key];
  assert.ok(typeof v === 'boolean', `args.${key} must be a boolean; got ${JSON.stringify(v)}`);
  return v;
}

function ints(args: Args, key: string): number[] {
  const v = args.raw[key];
  assert.ok(Array.isArray(v) && v.every((d) => Number.isInteger(d)), `args.${key} must be a list of integers; got ${JSON.stringify(v)}`);
  return v as number[];
}

function axis(args: Args): number {
  assert.ok(typeof args.dim === 'number', `this op needs a single integer dim; got ${JSON.stringify(args.dim)}`);
  return args.dim;
}

function axes(args: Args): number[] | undefined {
  if (args.dim === null) return undefined;
  return typeof args.dim === 'number' ? [args.dim] : args.dim;
}

function argAxis(args: Args): number | undefined {
  return args.dim === null ? undefined : axis(args);
}

function input(xs: Tensor[], k: number): Tensor {
  const x = xs[k];
  assert.ok(x !== undefined, `fixture lacks in.${k}`);
  return x;
}

type Composed = (xs: Tensor[]) => Tensor;

/** The expressions of tools/generate_fixtures.py's COMPOSED, keyed by the same strings. */
const COMPOSED: Record<string, Composed> = {
  'log_softmax(exp(tanh(a @ b + c)) * d, -1)': (xs) => logSoftmax(mul(exp(tanh(add(matmul(input(xs, 0), input(xs, 1)), input(xs, 2)))), input(xs, 3)), -1),
  'logsumexp(softmax(a @ b, 1) * c + amax(d, -1, keepdim), -1)': (xs) =>
    logSumExp(add(mul(softmax(matmul(input(xs, 0), input(xs, 1)), 1), input(xs, 2)), max(input(xs, 3), -1, true)), -1),
  'mean(tanh(a @ v) * w, [0, 2]) + sum(exp(c), 1)': (xs) =>
    add(mean(mul(tanh(matmul(input(xs, 0), input(xs, 1))), input(xs, 2)), [0, 2]), sum(exp(input(xs, 3)), 1)),
};

type Op = (xs: Tensor[], args: Args) => Tensor[];

/** torch op name → our implementation; outputs in the fixture's order (out, or out.0, out.1, ...). */
const OPS: Record<string, Op> = {
  matmul: (xs) => [matmul(input(xs, 0), input(xs, 1))],
  softmax: (xs, a) => [softmax(input(xs, 0), axis(a))],
  log_softmax: (xs, a) => [logSoftmax(input(xs, 0), axis(a))],
  sum: (xs, a) => [sum(input(xs, 0), axes(a), a.keepdim)],
  mean: (xs, a) => [mean(input(xs, 0), axes(a), a.keepdim)],
  amax: (xs, a) => [max(input(xs, 0), axes(a), a.keepdim)],
  amin: (xs, a) => [min(input(xs, 0), axes(a), a.keepdim)],
  logsumexp: (xs, a) => [logSumExp(input(xs, 0), axes(a), a.keepdim)],
  max_dim: (xs, a) => maxWithIndices(input(xs, 0), axis(a), a.keepdim),
  min_dim: (xs, a) => minWithIndices(input(xs, 0), axis(a), a.keepdim),
  argmax: (xs, a) => [argmax(input(xs, 0), argAxis(a), a.keepdim)],
  argmin: (xs, a) => [argmin(input(xs, 0), argAxis(a), a.keepdim)],
  gather: (xs, a) => [gather(input(xs, 0), axis(a), input(xs, 1))],
  scatter_add: (xs, a) => [scatterAdd(input(xs, 0), axis(a), input(xs, 1), input(xs, 2))],
  sort: (xs, a) => sort(input(xs, 0), axis(a), flag(a, 'descending')),
  argsort: (xs, a) => [argsort(input(xs, 0), axis(a), flag(a, 'descending'))],
  topk: (xs, a) => topk(input(xs, 0), num(a, 'k'), { axis: axis(a), largest: flag(a, 'largest') }),
  cumsum: (xs, a) => [cumsum(input(xs, 0), axis(a))],
  cumprod: (xs, a) => [cumprod(input(xs, 0), axis(a))],
  masked_fill: (xs, a) => [maskedFill(input(xs, 0), input(xs, 1), num(a, 'value'))],
  where: (xs) => [where(input(xs, 0), input(xs, 1), input(xs, 2))],
  clamp: (xs, a) => [clamp(input(xs, 0), optionalNum(a, 'min'), optionalNum(a, 'max'))],
  repeat: (xs, a) => [repeat(input(xs, 0), ints(a, 'reps'))],
  tile: (xs, a) => [tile(input(xs, 0), ints(a, 'reps'))],
  expand: (xs, a) => [expand(input(xs, 0), ints(a, 'size'))],
  flatten: (xs, a) => [flatten(input(xs, 0), num(a, 'start_dim'), num(a, 'end_dim'))],
  cat: (xs, a) => [cat(xs, axis(a))],
  unbind: (xs, a) => unbind(input(xs, 0), axis(a)),
  one_hot: (xs, a) => [oneHot(input(xs, 0), num(a, 'num_classes'))],
  composed: (xs, a) => {
    const f = COMPOSED[a.expr];
    assert.ok(f !== undefined, `unknown composed expression ${JSON.stringify(a.expr)}`);
    return [f(xs)];
  },
};

/** Absolute and relative tolerance per dtype; float64 runs in float64 on both sides, so it is tight. */
const TOLERANCE = { float32: 1e-5, float64: 1e-12, int32: 0 } as const;

function assertClose(what: string, ours: Tensor | null, ref: Tensor): void {
  assert.ok(ours !== null, `${what}: we produced nothing`);
  assert.deepEqual(ours.shape, ref.shape, `${what}: shape`);
  assert.equal(ours.dtype, ref.dtype, `${what}: dtype`);
  const tol = TOLERANCE[ref.dtype];
  const bad: string[] = [];
  for (let i = 0; i < ref.size; i++) {
    const [o, r] = [ours.data[i]!, ref.data[i]!];
    if (!(Math.abs(o - r) <= tol + tol * Math.abs(r))) bad.push(`[${i}] ours ${o}, torch ${r}`);
  }
  assert.equal(bad.length, 0, `${what}: ${bad.length} of ${ref.size} elements differ: ${bad.slice(0, 5).join('; ')}`);
}

/** Checks one fixture file's bytes: every output and input gradient within the dtype's tolerance. */
export function checkOpFixture(bytes: Uint8Array): void {
  const { tensors, metadata } = readSafetensorsFile(bytes);
  const opName = metadata.op;
  assert.ok(opName !== undefined, 'metadata "op" is missing');
  const op = OPS[opName];
  assert.ok(op !== undefined, `op ${JSON.stringify(opName)} is unknown to this test`);
  const args = parseArgs(metadata.args);

  const names = Object.keys(tensors);
  const unknown = names.filter((n) => !/^(in\.\d+|out|out\.\d+|grad_out|grad\.in\.\d+)$/.test(n));
  assert.deepEqual(unknown, [], 'tensors this test does not understand');
  const xs: Tensor[] = [];
  for (let k = 0; tensors[`in.${k}`] !== undefined; k++) {
    const x = tensors[`in.${k}`]!;
    if (tensors[`grad.in.${k}`] !== undefined) x.requiresGrad = true;
    xs.push(x);
  }
  assert.ok(xs.length > 0, 'fixture has no inputs');

  const outs = op(xs, args);
  const single = tensors.out;
  const refs = single !== undefined ? [single] : names.filter((n) => n.startsWith('out.')).map((_, i) => tensors[`out.${i}`]!);
  assert.equal(outs.length, refs.length, 'number of outputs');
  refs.forEach((ref, i) => assertClose(single !== undefined ? 'out' : `out.${i}`, outs[i]!, ref));

  const gradOut = tensors.grad_out;
  const expectsGrad = xs.some((x) => x.requiresGrad);
  assert.equal(gradOut !== undefined, expectsGrad, 'grad_out and grad.in.K come together');
  if (gradOut === undefined) return;
  // The differentiable output is the first (values, for max_dim, min_dim, sort and topk; the first slice for unbind).
  outs[0]!.backward(gradOut);
  xs.forEach((x, k) => {
    const ref = tensors[`grad.in.${k}`];
    if (ref !== undefined) assertClose(`grad.in.${k}`, x.grad, ref);
  });
}
