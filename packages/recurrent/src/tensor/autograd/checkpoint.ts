/**
 * Gradient checkpointing, as torch.utils.checkpoint: trade compute for memory by keeping a
 * function's inputs and outputs only, and running the function a second time during backward to
 * rebuild the graph it would otherwise have kept alive.
 *
 * `checkpoint` is recorded as one op, 'checkpoint', whose attributes hold the function and the
 * random generator's state before it ran; its entry in the gradient table (`checkpointGradient`)
 * re-runs the function with recording on and back-propagates through that fresh graph.
 */
import { AutogradError, ShapeError, ValueError, fmtShape, fmtValue } from '../../errors.js';
import { add } from '../ops/elementwise.js';
import { getRngState, setRngState } from '../random.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import type { GradContext, OpAttrs } from './gradients.js';
import { enableGrad, noGrad } from './no_grad.js';
import { backwardFrom, record, willRecord } from './tape.js';

/** What `checkpoint` runs: tensors in, one tensor or an array of tensors out. */
export type CheckpointFn<A extends Tensor[] = Tensor[], R extends Tensor | readonly Tensor[] = Tensor | readonly Tensor[]> = (...inputs: A) => R;

/** fn's result as a list of tensors, with an error naming what is wrong with it. */
function resultTensors(op: string, result: unknown): Tensor[] {
  const list = Array.isArray(result) ? (result as unknown[]) : [result];
  if (Array.isArray(result) && list.length === 0) throw new ValueError(`${op}: fn must return a Tensor or a non-empty array of Tensors; got []`);
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) {
      const where = Array.isArray(result) ? `element ${i} of the array fn returned` : 'fn';
      throw new ValueError(`${op}: fn must return a Tensor or an array of Tensors; ${where} is ${fmtValue(t)}`);
    }
  });
  return list as Tensor[];
}

/**
 * Runs `fn(...inputs)` without recording its operations, and records one node in their place:
 * during backward, that node runs `fn` again, with recording on, on detached copies of the
 * inputs (each requiring grad where the original does), back-propagates the outputs' gradients
 * through the recomputed graph, and hands the inputs' gradients on. Only the inputs and the
 * outputs stay alive between forward and backward, instead of every intermediate tensor of `fn`;
 * the price is a second forward of `fn` during backward (torch.utils.checkpoint, reentrant form).
 *
 * - Leaf tensors `fn` uses without receiving them (module parameters) get their `.grad`
 *   accumulated by the recomputation's backward, as in PyTorch.
 * - A tensor `fn` closes over that is not a leaf (the result of an earlier recorded op) gets no
 *   gradient through the checkpoint, and neither does anything it came from: pass such tensors
 *   as inputs.
 * - The node is recorded only when grad mode is on and an input requires grad, as PyTorch's
 *   reentrant checkpoint: when only closed-over parameters require grad, pass them as inputs too,
 *   or their gradient is silently lost.
 * - The random generator's state is saved before `fn` runs and restored around the recomputation,
 *   so dropout inside `fn` draws the same masks twice; the generator continues afterwards as if
 *   the recomputation had not happened.
 * - `fn` must be deterministic apart from the generator, and synchronous.
 *
 * @param fn (...inputs) → Tensor or Tensor[]
 * @param inputs the tensors `fn` receives, in order
 * @returns what `fn` returned: the same tensors' values, as new tensors recorded on the tape
 *
 * @example
 * import { checkpoint, matmul, randn, tanh } from 'recurrent';
 * const x = randn([4, 8]);
 * const w = randn([8, 8]);
 * w.requiresGrad = true;
 * const y = checkpoint((a, b) => tanh(matmul(tanh(matmul(a, b)), b)), x, w);
 * y.sum().backward(); // runs both products and tanh again, then fills w.grad
 * w.grad!.shape; // [8, 8]
 */
export function checkpoint<A extends Tensor[], R extends Tensor | readonly Tensor[]>(fn: CheckpointFn<A, R>, ...inputs: A): R {
  const op = 'checkpoint';
  if (typeof fn !== 'function') throw new ValueError(`${op}: fn must be a function; got ${fmtValue(fn)}`);
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: inputs[${i}] must be a Tensor; got ${fmtValue(t)}`);
  });
  const rngState = getRngState();
  const result = noGrad(() => fn(...inputs));
  const outputs = resultTensors(op, result);
  if (!willRecord(inputs)) return result;
  // New tensors over the same data: fn may return an input or a tensor made outside it, and
  // recording must mark only this op's own outputs.
  const own = outputs.map((t) => t.detach());
  record(op, inputs, own, { fn: fn as unknown as CheckpointFn, rngState });
  return (Array.isArray(result) ? own : own[0]!) as unknown as R;
}

/** The gradient entry of 'checkpoint' (gradients.ts): recompute, then back-propagate through it. */
export function checkpointGradient(ctx: GradContext<OpAttrs['checkpoint']>, grads: readonly (Tensor | null)[]): (Tensor | null)[] {
  const op = 'checkpoint';
  const { fn, rngState } = ctx.attrs;
  const inputs = ctx.inputs.map((t, i) => {
    const copy = t.detach();
    if (ctx.needs[i]) copy.requiresGrad = true;
    return copy;
  });
  const after = getRngState();
  setRngState(rngState);
  let result: unknown;
  try {
    result = enableGrad(() => fn(...inputs));
  } finally {
    setRngState(after);
  }
  const outputs = resultTensors(op, result);
  if (outputs.length !== ctx.outputs.length) {
    throw new AutogradError(
      `${op}: fn returned ${outputs.length} tensors when recomputed in backward but ${ctx.outputs.length} in forward; fn must be deterministic`,
    );
  }
  const roots: Tensor[] = [];
  const seeds: Tensor[] = [];
  outputs.forEach((out, i) => {
    const expected = ctx.outputs[i]!;
    if (!shapesEqual(out.shape, expected.shape) || out.dtype !== expected.dtype) {
      throw new ShapeError(
        `${op}: output ${i} of fn is ${out.dtype} ${fmtShape(out.shape)} when recomputed in backward but was ${expected.dtype} ${fmtShape(expected.shape)} in forward; fn must be deterministic`,
      );
    }
    const g = grads[i] ?? null;
    if (g === null || !out.requiresGrad) return;
    roots.push(out);
    seeds.push(g);
  });
  if (roots.length > 0) backwardFrom(roots, seeds, add);
  return inputs.map((t, i) => (ctx.needs[i] ? t.grad : null));
}
