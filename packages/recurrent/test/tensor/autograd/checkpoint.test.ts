// checkpoint (torch.utils.checkpoint): the same values and gradients as running fn directly, with
// only the inputs and outputs kept between forward and backward; dropout recomputed with the same
// masks; parameters fn closes over get their gradients; clear errors for bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutogradError,
  checkpoint,
  dropout,
  getRngState,
  gradcheck,
  manualSeed,
  matmul,
  noGrad,
  randn,
  rand,
  tanh,
  type Tensor,
  ValueError,
} from '../../../src/index.js';
import { assertClose } from '../../helpers/close.js';

function leaf(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64', requiresGrad: true });
}

/** A small composite: two products, tanh, an elementwise product and a sum over an axis. */
const composite = (x: Tensor, w: Tensor, b: Tensor): Tensor => tanh(matmul(x, w).add(b)).mul(x.sum(1, true)).matmul(w);

/** The ops reachable from `t` through the tape. */
function opsBehind(t: Tensor): string[] {
  const ops: string[] = [];
  const seen = new Set<unknown>();
  const stack = t.gradNode ? [t.gradNode] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    ops.push(node.op);
    for (const input of node.saved?.inputs ?? []) if (input.gradNode) stack.push(input.gradNode);
  }
  return ops;
}

test('checkpoint passes gradcheck on a composite function of several inputs', () => {
  const x = leaf([3, 4], 1);
  const w = leaf([4, 4], 2);
  const b = leaf([4], 3);
  assert.equal(
    gradcheck((a, c, d) => checkpoint(composite, a, c, d), [x, w, b]),
    true,
  );
});

test('checkpoint gives the values and gradients of the plain function, and records one node', () => {
  const run = (wrapped: boolean): [Tensor, Tensor[]] => {
    const x = leaf([3, 4], 4);
    const w = leaf([4, 4], 5);
    const b = leaf([4], 6);
    const y = wrapped ? checkpoint(composite, x, w, b) : composite(x, w, b);
    if (wrapped) assert.deepEqual(opsBehind(y), ['checkpoint']);
    y.mul(y).sum().backward();
    return [y, [x.grad!, w.grad!, b.grad!]];
  };
  const [y1, g1] = run(true);
  const [y2, g2] = run(false);
  assertClose(y1, y2, 'output', 0, 0);
  g1.forEach((g, i) => assertClose(g, g2[i]!, `grad of input ${i}`, 1e-12, 1e-12));
});

test('checkpoint with several outputs: outputs without a gradient are skipped, the others summed', () => {
  const x = leaf([2, 3], 7);
  const [a, b, c] = checkpoint((t: Tensor) => [t.mul(2), t.exp(), t.mul(t)], x);
  a.add(c.mul(3)).sum().backward();
  void b;
  const expected = x.detach().mul(6).add(2);
  assertClose(x.grad!, expected, 'grad of x', 1e-12, 1e-12);
});

test('parameters fn closes over get their .grad from the recomputation', () => {
  const x = leaf([3, 4], 8);
  const w = leaf([4, 2], 9);
  const y = checkpoint((t: Tensor) => tanh(matmul(t, w)), x);
  y.sum().backward();
  const x2 = leaf([3, 4], 8);
  const w2 = leaf([4, 2], 9);
  tanh(matmul(x2, w2)).sum().backward();
  assertClose(w.grad!, w2.grad!, 'closed-over w', 1e-12, 1e-12);
  assertClose(x.grad!, x2.grad!, 'x', 1e-12, 1e-12);
});

test('dropout inside fn is recomputed with the same masks, and the generator continues as without checkpoint', () => {
  const run = (wrapped: boolean): [Tensor, Tensor, number[]] => {
    const x = leaf([8, 16], 10);
    manualSeed(42);
    const fn = (t: Tensor): Tensor => dropout(t.mul(t), 0.5, true).mul(t);
    const y = wrapped ? checkpoint(fn, x) : fn(x);
    y.sum().backward();
    return [y, x.grad!, getRngState()];
  };
  const [y1, g1, rng1] = run(true);
  const [y2, g2, rng2] = run(false);
  assertClose(y1, y2, 'output', 0, 0);
  assertClose(g1, g2, 'grad (same masks in the recomputation)', 1e-12, 1e-12);
  assert.deepEqual(rng1, rng2, 'the generator after backward');
  // A recomputation with different masks would give another gradient: the masks do matter here.
  const zeros = Array.from(y1.data).filter((v) => v === 0).length;
  assert.ok(zeros > 0 && zeros < y1.size, `dropout zeroed ${zeros} of ${y1.size} elements`);
});

test('a random draw in backward between forward and recomputation does not change the masks', () => {
  const x = leaf([6, 6], 11);
  manualSeed(1);
  const y = checkpoint((t: Tensor) => dropout(t, 0.5, true).mul(t), x);
  rand([100]); // the generator moves on
  y.sum().backward();
  // y = m⊙t²/(1−p), so dy/dt = 2·y/t element-wise with the forward's mask m.
  const want = y.detach().mul(2).div(x.detach());
  assertClose(x.grad!, want, 'grad', 1e-12, 1e-12);
});

test('checkpoint of inputs that need no grad records nothing; under noGrad likewise', () => {
  manualSeed(12);
  const x = randn([2, 2], { dtype: 'float64' });
  assert.equal(checkpoint((t: Tensor) => t.mul(2), x).requiresGrad, false);
  const w = leaf([2, 2], 13);
  const y = noGrad(() => checkpoint((t: Tensor) => t.mul(2), w));
  assert.equal(y.requiresGrad, false);
});

test('fn returning one of its inputs leaves that input a leaf', () => {
  const x = leaf([3], 14);
  const [same, twice] = checkpoint((t: Tensor) => [t, t.mul(2)], x);
  assert.equal(x.isLeaf, true);
  assert.notEqual(same, x);
  same.add(twice).sum().backward();
  assertClose(x.grad!, x.detach().mul(0).add(3), 'grad', 1e-12, 1e-12);
});

test('nested checkpoints and retainGraph: a second backward recomputes again', () => {
  const x = leaf([2, 3], 15);
  const y = checkpoint((t: Tensor) => checkpoint((u: Tensor) => u.mul(u), t).mul(t), x);
  y.sum().backward(undefined, { retainGraph: true });
  const first = x.grad!.clone();
  x.grad = null;
  y.sum().backward();
  assertClose(x.grad!, first, 'second backward', 0, 0);
  assertClose(first, x.detach().mul(x.detach()).mul(3), 'd x³', 1e-12, 1e-12);
  assert.throws(() => y.sum().backward(), AutogradError);
});

test('checkpoint: clear errors for a bad fn, bad inputs and a non-tensor result', () => {
  const x = leaf([2], 16);
  const call = checkpoint as unknown as (fn: unknown, ...inputs: unknown[]) => unknown;
  assert.throws(() => call(42, x), { name: 'ValueError', message: /checkpoint: fn must be a function; got 42/ });
  assert.throws(() => call((t: Tensor) => t, x, [1, 2]), { name: 'ValueError', message: /checkpoint: inputs\[1\] must be a Tensor; got \[1, 2\]/ });
  assert.throws(() => call(() => 3, x), { name: 'ValueError', message: /checkpoint: fn must return a Tensor or an array of Tensors; fn is 3/ });
  assert.throws(() => call((t: Tensor) => [t, 'a'], x), {
    name: 'ValueError',
    message: /element 1 of the array fn returned is "a"/,
  });
  assert.throws(() => call(() => [], x), ValueError);
});

test('checkpoint: a function that changes between forward and backward is reported', () => {
  const x = leaf([2, 2], 17);
  let calls = 0;
  const y = checkpoint((t: Tensor) => (calls++ === 0 ? t.mul(2) : t.sum(0)), x);
  assert.throws(() => y.sum().backward(), {
    name: 'ShapeError',
    message: /output 0 of fn is float64 \[2\] when recomputed in backward but was float64 \[2, 2\]/,
  });
});
