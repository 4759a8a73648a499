/**
 * Learning to evaluate arithmetic expression trees with a child-sum Tree-LSTM.
 *
 * Expressions over the digits 0–9 with the operators + × max min, all mod 10, 1–3 operator levels
 * deep, e.g. max(7, 3 × (4 + 9)) = 7. The tree is the parse: leaves are digits, internal nodes
 * operators. Every node's input is an embedding of its token; a Tree-LSTM composes the tree
 * bottom-up and a linear layer reads the root's state as a 10-way classification of the value.
 * The child-sum Tree-LSTM does not see the order of the children, so every operator is commutative.
 *
 * The trees are distinct up to the order of the children; a fixed, seeded draw of them is held
 * out and never trained on. Prints `epoch N loss L …` per epoch, then the held-out accuracy next
 * to the majority-class baseline.
 *
 *   node --import tsx examples/expression_trees/main.ts [--epochs 6] [--seed 1] [--quick]
 *
 * --quick trains a few seconds on a small set and exits 1 unless the loss fell.
 */
import { parseArgs } from 'node:util';
import { argmax, crossEntropy, manualSeed, nn, noGrad, optim, tensor, type Tensor } from 'recurrent';

const OPS = [
  { name: '+', apply: (a: number, b: number): number => (a + b) % 10 },
  { name: '×', apply: (a: number, b: number): number => (a * b) % 10 },
  { name: 'max', apply: Math.max },
  { name: 'min', apply: Math.min },
] as const;
/** Token ids: digits 0–9 are themselves, operator k is 10 + k. */
const VOCAB = 10 + OPS.length;

type Expr = nn.Tree<number>;

/** A small seeded generator (mulberry32) for the data, apart from the library's one for weights. */
function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random expression exactly `depth` operator levels deep. */
function randomExpr(rng: () => number, depth: number): Expr {
  if (depth === 0) return nn.leaf(Math.floor(rng() * 10));
  const deep = rng() < 0.5 ? 0 : 1; // the child that carries the full depth
  const children = [0, 1].map((k) => randomExpr(rng, k === deep ? depth - 1 : Math.floor(rng() * depth)));
  return nn.node(10 + Math.floor(rng() * OPS.length), children);
}

function evaluate(e: Expr): number {
  if (e.children.length === 0) return e.input;
  const [a, b] = e.children.map(evaluate) as [number, number];
  return OPS[e.input - 10]!.apply(a, b);
}

function depthOf(e: Expr): number {
  return e.children.reduce((d, c) => Math.max(d, depthOf(c) + 1), 0);
}

/** The expression with children in a canonical order: equal keys mean equal trees to the model. */
function key(e: Expr): string {
  if (e.children.length === 0) return String(e.input);
  return `(${OPS[e.input - 10]!.name} ${e.children.map(key).sort().join(' ')})`;
}

interface Example {
  expr: Expr;
  value: number;
  depth: number;
}

/** `count` distinct expressions in random order, depths 1 : 2 : 3 drawn as 1 : 3 : 6 before duplicates are dropped. */
function dataset(rng: () => number, count: number): Example[] {
  const seen = new Set<string>();
  const out: Example[] = [];
  for (let tries = 0; out.length < count && tries < 100 * count; tries++) {
    const u = rng();
    const expr = randomExpr(rng, u < 0.1 ? 1 : u < 0.4 ? 2 : 3);
    const k = key(expr);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ expr, value: evaluate(expr), depth: depthOf(expr) });
  }
  return out;
}

class ExpressionEvaluator extends nn.Module {
  readonly embedding: nn.Embedding;
  readonly tree: nn.TreeLSTM;
  readonly head: nn.Linear;

  constructor(embeddingDim: number, hiddenSize: number) {
    super();
    this.embedding = this.registerModule('embedding', new nn.Embedding({ numEmbeddings: VOCAB, embeddingDim }));
    this.tree = this.registerModule('tree', new nn.TreeLSTM({ inputSize: embeddingDim, hiddenSize }));
    this.head = this.registerModule('head', new nn.Linear({ inFeatures: hiddenSize, outFeatures: 10 }));
  }

  /** Logits (B, 10) of a batch of expressions, laid out level by level in one pass. */
  forward(batch: readonly Example[]): Tensor {
    const layout = nn.treeLayout(batch.map((b) => b.expr));
    const x = this.embedding.forward(tensor([...layout.inputs], { dtype: 'int32' }));
    return this.head.forward(this.tree.forwardLayout(x, layout).h);
  }
}

function shuffle<X>(items: X[], rng: () => number): X[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Fraction correct on `data`, overall and per depth. */
function accuracy(model: ExpressionEvaluator, data: readonly Example[]): { all: number; byDepth: Map<number, [number, number]> } {
  const byDepth = new Map<number, [number, number]>();
  let right = 0;
  noGrad(() => {
    for (let s = 0; s < data.length; s += 256) {
      const batch = data.slice(s, s + 256);
      const predicted = argmax(model.forward(batch), 1).data;
      batch.forEach((b, i) => {
        const ok = predicted[i] === b.value ? 1 : 0;
        right += ok;
        const [r, n] = byDepth.get(b.depth) ?? [0, 0];
        byDepth.set(b.depth, [r + ok, n + 1]);
      });
    }
  });
  return { all: right / data.length, byDepth };
}

function main(): void {
  const { values } = parseArgs({
    options: { epochs: { type: 'string' }, seed: { type: 'string', default: '1' }, quick: { type: 'boolean', default: false } },
  });
  const quick = values.quick ?? false;
  const seed = Number(values.seed);
  const epochs = Number(values.epochs ?? (quick ? 4 : 6));
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer; got ${values.epochs}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer; got ${values.seed}`);
  const [trainSize, testSize, batchSize] = quick ? [600, 200, 32] : [16000, 2000, 32];

  const rng = makeRng(seed);
  const all = dataset(rng, trainSize + testSize);
  const test = all.slice(0, testSize);
  const train = all.slice(testSize);
  const counts = new Array<number>(10).fill(0);
  for (const b of train) counts[b.value]! += 1;
  const majority = counts.indexOf(Math.max(...counts));
  const baseline = test.filter((b) => b.value === majority).length / test.length;
  console.log(`${train.length} training and ${test.length} held-out expressions; majority class ${majority}`);

  manualSeed(seed);
  const model = new ExpressionEvaluator(32, 64);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
  // The learning rate follows a half cosine down to zero over the whole run, one step per batch.
  const schedule = new optim.CosineAnnealingLR(opt, { tMax: epochs * Math.ceil(train.length / batchSize) });
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = Date.now();
    let total = 0;
    shuffle(train, rng);
    for (let s = 0; s < train.length; s += batchSize) {
      const batch = train.slice(s, s + batchSize);
      const loss = crossEntropy(
        model.forward(batch),
        tensor(
          batch.map((b) => b.value),
          { dtype: 'int32' },
        ),
      );
      opt.zeroGrad();
      loss.backward();
      opt.step();
      schedule.step();
      total += loss.item() * batch.length;
    }
    losses.push(total / train.length);
    const held = accuracy(model, test).all;
    console.log(`epoch ${epoch} loss ${losses.at(-1)!.toFixed(4)} held-out acc ${held.toFixed(3)} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  }

  const { all: acc, byDepth } = accuracy(model, test);
  const depths = [...byDepth.entries()].sort(([a], [b]) => a - b).map(([d, [r, n]]) => `depth ${d}: ${(r / n).toFixed(3)} of ${n}`);
  console.log(`held-out accuracy ${acc.toFixed(3)} (majority-class baseline ${baseline.toFixed(3)}); ${depths.join(', ')}`);
  if (quick && !(losses.at(-1)! < losses[0]!)) {
    console.error(`the loss did not fall: ${losses[0]} → ${losses.at(-1)}`);
    process.exit(1);
  }
}

main();
