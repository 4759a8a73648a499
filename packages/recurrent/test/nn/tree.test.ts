// Recursive networks: the level-order layout, values against a node-by-node composition in plain
// arithmetic, float64 gradchecks of every parameter and the node inputs, and errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concat, gradcheck, manualSeed, nn, randn, tensor, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/close.js';

const f64 = { dtype: 'float64' as const };
type Vec = number[];
type T = nn.Tree<Tensor>;

// ---- plain-arithmetic references, one node at a time ----
const sig = (v: number): number => 1 / (1 + Math.exp(-v));
const addv = (a: Vec, b: Vec): Vec => a.map((x, i) => x + b[i]!);
const mulv = (a: Vec, b: Vec): Vec => a.map((x, i) => x * b[i]!);
/** Rows r0 … r0+rows−1 of the row-major (·, cols) matrix m, times v. */
function mv(m: Tensor, v: Vec, r0 = 0, rows = m.shape[0]!): Vec {
  const cols = m.shape[1]!;
  return Array.from({ length: rows }, (_, r) => v.reduce((s, x, k) => s + m.data[(r0 + r) * cols + k]! * x, 0));
}
const part = (b: Tensor, r0: number, n: number): Vec => Array.from(b.data.slice(r0, r0 + n));
const vec = (t: Tensor): Vec => Array.from(t.data);

function refTreeLSTM(m: nn.TreeLSTM, t: T): { h: Vec; c: Vec } {
  const H = m.hiddenSize;
  const p = Object.fromEntries(m.namedParameters());
  const x = vec(t.input);
  const kids = t.children.map((k) => refTreeLSTM(m, k));
  const hs = kids.reduce((s, k) => addv(s, k.h), new Array<number>(H).fill(0));
  const gate = (g: number): Vec => addv(addv(mv(p.weight_iou!, x, g * H, H), mv(p.weight_uiou!, hs, g * H, H)), part(p.bias_iou!, g * H, H));
  const i = gate(0).map(sig);
  const o = gate(1).map(sig);
  const u = gate(2).map(Math.tanh);
  let c = mulv(i, u);
  for (const k of kids) {
    const f = addv(addv(mv(p.weight_f!, x), mv(p.weight_uf!, k.h)), vec(p.bias_f!)).map(sig);
    c = addv(c, mulv(f, k.c));
  }
  return { h: mulv(o, c.map(Math.tanh)), c };
}

function refRecursive(m: nn.RecursiveNN, t: T): Vec {
  const H = m.hiddenSize;
  const p = Object.fromEntries(m.namedParameters());
  const x = vec(t.input);
  if (t.children.length === 0) return addv(mv(p.weight_leaf!, x), vec(p.bias_leaf!)).map(Math.tanh);
  const kids = t.children.map((k) => refRecursive(m, k));
  const joined =
    m.arity === null
      ? kids.reduce((s, k) => addv(s, k), new Array<number>(H).fill(0))
      : Array.from({ length: m.arity }, (_, s) => kids[s] ?? new Array<number>(H).fill(0)).flat();
  return addv(addv(mv(p.weight_node!, x), mv(p.weight_children!, joined)), vec(p.bias_node!)).map(Math.tanh);
}

// ---- fixtures ----
const I = 3;
const H = 4;
const v = (): Tensor => randn([I], f64);
const lf = (): T => nn.leaf(v());
/** A forest with unequal heights, a unary node, a ternary node and a lone leaf. */
function forest(): T[] {
  return [nn.node(v(), [lf(), lf()]), nn.node(v(), [nn.node(v(), [lf(), nn.node(v(), [lf()])]), lf(), lf()]), lf()];
}

test('treeLayout: levels by height, pre-order within a level, roots and children', () => {
  const t = nn.node('r', [nn.node('a', [nn.leaf('a1'), nn.leaf('a2')]), nn.leaf('b')]);
  const layout = nn.treeLayout([t, nn.leaf('z')]);
  assert.deepEqual(layout.inputs, ['a1', 'a2', 'b', 'z', 'a', 'r']);
  assert.deepEqual(
    layout.levels.map((l) => [l.start, l.size]),
    [
      [0, 4],
      [4, 1],
      [5, 1],
    ],
  );
  assert.deepEqual(layout.levels[2]!.children, [[4, 2]]);
  assert.deepEqual(
    layout.levels.map((l) => l.maxChildren),
    [0, 2, 2],
  );
  assert.deepEqual([...layout.levelOf], [0, 0, 0, 0, 1, 2]);
  assert.deepEqual([...layout.roots], [5, 3]);
  assert.equal(layout.numNodes, 6);
  assert.equal(layout.maxChildren, 2);
});

test('treeLayout: errors for an empty forest and a cycle', () => {
  assert.throws(() => nn.treeLayout([]), /at least one tree/);
  const loop: { input: number; children: nn.Tree<number>[] } = { input: 0, children: [] };
  loop.children.push(nn.node(1, [loop]));
  assert.throws(() => nn.treeLayout(loop), /tree\.children\[0\]\.children\[0\] is its own ancestor/);
});

test('TreeLSTM: a 3-node tree equals the hand-composed equations', () => {
  manualSeed(1);
  const m = new nn.TreeLSTM({ inputSize: I, hiddenSize: H, dtype: 'float64' });
  assert.deepEqual(
    m.namedParameters().map(([n, p]) => [n, [...p.shape]]),
    [
      ['weight_iou', [12, 3]],
      ['weight_uiou', [12, 4]],
      ['bias_iou', [12]],
      ['weight_f', [4, 3]],
      ['weight_uf', [4, 4]],
      ['bias_f', [4]],
    ],
  );
  const t = nn.node(v(), [lf(), lf()]);
  const out = m.forward(t);
  const ref = refTreeLSTM(m, t);
  assertClose(out.h, tensor(ref.h, f64), 'h', 1e-12, 1e-12);
  assertClose(out.c, tensor(ref.c, f64), 'c', 1e-12, 1e-12);
  // Node states in layout order: the two leaves, then the root.
  assertClose(out.nodeH, tensor([refTreeLSTM(m, t.children[0]!).h, refTreeLSTM(m, t.children[1]!).h, ref.h], f64), 'nodeH', 1e-12, 1e-12);
});

test('TreeLSTM: a batched forest equals tree-by-tree composition; child order does not matter', () => {
  manualSeed(2);
  const m = new nn.TreeLSTM({ inputSize: I, hiddenSize: H, dtype: 'float64' });
  const trees = forest();
  const out = m.forward(trees);
  assert.deepEqual([...out.h.shape], [3, H]);
  assertClose(
    out.h,
    tensor(
      trees.map((t) => refTreeLSTM(m, t).h),
      f64,
    ),
    'h',
    1e-12,
    1e-12,
  );
  assertClose(
    out.c,
    tensor(
      trees.map((t) => refTreeLSTM(m, t).c),
      f64,
    ),
    'c',
    1e-12,
    1e-12,
  );
  const t = trees[1]!;
  const swapped = nn.node(t.input, [...t.children].reverse());
  assertClose(m.forward(swapped).h, m.forward(t).h, 'swapped', 1e-12, 1e-12);
});

test('RecursiveNN: a 3-node tree equals the hand-composed equations', () => {
  manualSeed(3);
  const m = new nn.RecursiveNN({ inputSize: I, hiddenSize: H, dtype: 'float64' });
  assert.deepEqual(
    m.namedParameters().map(([n, p]) => [n, [...p.shape]]),
    [
      ['weight_leaf', [4, 3]],
      ['bias_leaf', [4]],
      ['weight_node', [4, 3]],
      ['weight_children', [4, 8]],
      ['bias_node', [4]],
    ],
  );
  const t = nn.node(v(), [lf(), lf()]);
  const p = Object.fromEntries(m.namedParameters());
  const leafH = (x: Tensor): Vec => addv(mv(p.weight_leaf!, vec(x)), vec(p.bias_leaf!)).map(Math.tanh);
  const joined = [...leafH(t.children[0]!.input), ...leafH(t.children[1]!.input)];
  const root = addv(addv(mv(p.weight_node!, vec(t.input)), mv(p.weight_children!, joined)), vec(p.bias_node!)).map(Math.tanh);
  assertClose(m.forward(t).h, tensor(root, f64), 'h', 1e-12, 1e-12);
});

test('RecursiveNN: batched forests equal the composition, with padded slots and with summed children', () => {
  manualSeed(4);
  const ternary = new nn.RecursiveNN({ inputSize: I, hiddenSize: H, arity: 3, dtype: 'float64' });
  const summed = new nn.RecursiveNN({ inputSize: I, hiddenSize: H, arity: null, dtype: 'float64' });
  assert.deepEqual([...summed.stateDict().weight_children!.shape], [H, H]);
  const trees = forest();
  for (const m of [ternary, summed]) {
    assertClose(
      m.forward(trees).h,
      tensor(
        trees.map((t) => refRecursive(m, t)),
        f64,
      ),
      `arity ${m.arity}`,
      1e-12,
      1e-12,
    );
  }
  const binary = new nn.RecursiveNN({ inputSize: I, hiddenSize: H, dtype: 'float64' });
  const t = nn.node(v(), [lf(), lf()]);
  const swapped = nn.node(t.input, [t.children[1]!, t.children[0]!]);
  assert.ok(Math.abs(binary.forward(t).h.data[0]! - binary.forward(swapped).h.data[0]!) > 1e-9, 'order matters with a fixed arity');
});

test('forwardLayout over embedded token ids equals forward over the looked-up vectors', () => {
  manualSeed(5);
  const emb = new nn.Embedding({ numEmbeddings: 5, embeddingDim: I, dtype: 'float64' });
  const m = new nn.TreeLSTM({ inputSize: I, hiddenSize: H, dtype: 'float64' });
  const ids = [nn.node(4, [nn.leaf(1), nn.node(3, [nn.leaf(2), nn.leaf(0)])]), nn.node(3, [nn.leaf(2), nn.leaf(2)])];
  const layout = nn.treeLayout(ids);
  const x = emb.forward(tensor([...layout.inputs], { dtype: 'int32' }));
  const toVec = (t: nn.Tree<number>): T => nn.node(emb.forward(tensor([t.input], { dtype: 'int32' })).reshape(I), t.children.map(toVec));
  assertClose(m.forwardLayout(x, layout).h, m.forward(ids.map(toVec)).h, 'h', 1e-12, 1e-12);
});

test('TreeLSTM gradcheck (float64): every parameter and every node input', () => {
  manualSeed(6);
  const m = new nn.TreeLSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
  const xs = Array.from({ length: 7 }, () => randn([2], { dtype: 'float64', requiresGrad: true }));
  const build = (x: Tensor[]): T[] => [nn.node(x[0]!, [nn.leaf(x[1]!), nn.node(x[2]!, [nn.leaf(x[3]!), nn.leaf(x[4]!)]), nn.leaf(x[5]!)]), nn.leaf(x[6]!)];
  gradcheck(
    (...inputs) => {
      const out = m.forward(build(inputs.slice(0, 7)));
      return concat([out.h.reshape(-1), out.c.reshape(-1), out.nodeH.reshape(-1)]);
    },
    [...xs, ...m.parameters()],
    { atol: 1e-6, rtol: 1e-5 },
  );
});

test('RecursiveNN gradcheck (float64): fixed arity with a missing slot, and summed children', () => {
  manualSeed(7);
  for (const arity of [2, null]) {
    const m = new nn.RecursiveNN({ inputSize: 2, hiddenSize: 3, arity, dtype: 'float64' });
    const xs = Array.from({ length: 6 }, () => randn([2], { dtype: 'float64', requiresGrad: true }));
    gradcheck(
      (...inputs) => {
        const x = inputs.slice(0, 6);
        const t = nn.node(x[0]!, [nn.node(x[1]!, [nn.leaf(x[2]!)]), nn.node(x[3]!, [nn.leaf(x[4]!), nn.leaf(x[5]!)])]);
        return m.forward([t, nn.leaf(x[2]!)]).nodeH.reshape(-1);
      },
      [...xs, ...m.parameters()],
      { atol: 1e-6, rtol: 1e-5 },
    );
  }
});

test('errors name the node, the expected and the actual shape', () => {
  const m = new nn.TreeLSTM({ inputSize: I, hiddenSize: H });
  const good = randn([I]);
  assert.throws(() => m.forward(nn.node(good, [nn.leaf(good), nn.leaf(randn([I + 1]))])), /TreeLSTM: tree\.children\[1\]\.input must be \(3\); got \[4\]/);
  assert.throws(() => m.forward([nn.leaf(randn([I], f64))]), /trees\[0\]\.input is float64 but the parameters are float32/);
  assert.throws(() => m.forwardLayout(randn([2, I]), nn.treeLayout(nn.leaf(0))), /x must be \(1, 3\)/);
  const r = new nn.RecursiveNN({ inputSize: I, hiddenSize: H });
  assert.throws(() => r.forward(nn.node(good, [nn.leaf(good), nn.leaf(good), nn.leaf(good)])), /3 children but arity is 2/);
  assert.throws(() => new nn.RecursiveNN({ inputSize: I, hiddenSize: H, arity: 0 }), /arity must be a positive integer/);
});
