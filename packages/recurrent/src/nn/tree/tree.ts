/**
 * Trees for recursive networks, and their level-order layout.
 *
 * A recursive network (nn.TreeLSTM, nn.RecursiveNN) composes a tree bottom-up with shared
 * weights: a node's state depends on its input and its children's states. Nodes of equal height
 * (leaves have height 0, a parent 1 + the largest height of its children) depend only on lower
 * levels, so the layout lists every node of a forest level by level, leaves first, and a module
 * computes a whole level at once: one matrix product for all its nodes, the children's states
 * fetched with indexSelect into slots (a node's children padded with zero states to the level's
 * largest number of children).
 *
 * Layout order: level 0 (every leaf of every tree), then level 1, …; within a level, trees in the
 * order given and each tree's nodes in pre-order. Node inputs, the modules' per-node outputs and
 * `TreeLayout.inputs` all follow this order.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { zerosOf } from '../../tensor/ops/common.js';
import { indexSelect } from '../../tensor/ops/indexing.js';
import { concat } from '../../tensor/ops/join.js';
import { reshape } from '../../tensor/ops/view.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * A tree node: an input and ordered children (none for a leaf). The modules' `forward` takes
 * vector inputs (inputSize); `treeLayout` accepts any payload, e.g. a token id to embed first.
 *
 * @example
 * import { nn } from 'recurrent';
 * const [PLUS, THREE, FOUR] = [1, 2, 3]; // token ids
 * // 3 + 4 as token ids, to embed before a TreeLSTM
 * const t: nn.Tree<number> = nn.node(PLUS, [nn.leaf(THREE), nn.leaf(FOUR)]);
 */
export interface Tree<T = Tensor> {
  /** The node's input. */
  readonly input: T;
  /** The node's children, in order; empty for a leaf. */
  readonly children: readonly Tree<T>[];
}

/** The nodes of one height, with the links to their children. */
export interface TreeLevel {
  /** Layout position of the level's first node. */
  readonly start: number;
  /** Number of nodes on the level. */
  readonly size: number;
  /** For each node of the level, its children's layout positions, in order (all before `start`). */
  readonly children: readonly (readonly number[])[];
  /** The largest number of children of a node of this level (0 for the leaves). */
  readonly maxChildren: number;
}

/** A forest in level order: what the modules' `forwardLayout` consumes. */
export interface TreeLayout<T = Tensor> {
  /** Node inputs in layout order (N = total number of nodes). */
  readonly inputs: readonly T[];
  /** Levels by height; levels[0] holds exactly the leaves. */
  readonly levels: readonly TreeLevel[];
  /** The level of each layout position (N). */
  readonly levelOf: Int32Array;
  /** Layout position of each tree's root, in the order the trees were given. */
  readonly roots: Int32Array;
  /** Total number of nodes N. */
  readonly numNodes: number;
  /** The largest number of children of any node. */
  readonly maxChildren: number;
}

/** A leaf node. */
export function leaf<T>(input: T): Tree<T> {
  return { input, children: [] };
}

/** An internal node with the given children. */
export function node<T>(input: T, children: readonly Tree<T>[]): Tree<T> {
  return { input, children };
}

interface Visit<T> {
  input: T;
  children: Visit<T>[];
  height: number;
  position: number;
}

/**
 * Lays out one tree or a forest level by level (see the file's comment). `check`, when given, is
 * called on every node's input with its path (e.g. `trees[1].children[0]`) and may throw. A node
 * object reached twice is laid out twice (trees may share subtrees); a cycle is an error.
 */
export function treeLayout<T>(trees: Tree<T> | readonly Tree<T>[], check?: (input: T, path: string) => void): TreeLayout<T> {
  const forest = isForest(trees) ? trees : [trees];
  if (forest.length === 0) throw new ValueError('treeLayout: at least one tree is needed');
  const byHeight: Visit<T>[][] = [];
  const onPath = new Set<Tree<T>>();
  const visit = (t: Tree<T>, path: string): Visit<T> => {
    if (t === null || typeof t !== 'object' || !Array.isArray(t.children)) {
      throw new ValueError(`treeLayout: ${path} must be a tree { input, children: Tree[] }`);
    }
    if (onPath.has(t)) throw new ValueError(`treeLayout: ${path} is its own ancestor (the tree has a cycle)`);
    check?.(t.input, path);
    onPath.add(t);
    const children = t.children.map((c, i) => visit(c, `${path}.children[${i}]`));
    onPath.delete(t);
    const height = children.reduce((h, c) => Math.max(h, c.height + 1), 0);
    const v: Visit<T> = { input: t.input, children, height, position: -1 };
    (byHeight[height] ??= []).push(v);
    return v;
  };
  const rootVisits = forest.map((t, i) => visit(t, forest === trees ? `trees[${i}]` : 'tree'));
  // Nodes of one height are never each other's ancestors, so the post-order of the visit lists
  // them in pre-order.
  const inputs: T[] = [];
  const levels: TreeLevel[] = [];
  const levelOf: number[] = [];
  for (const [height, level] of byHeight.entries()) {
    const start = inputs.length;
    level.forEach((v, k) => {
      v.position = start + k;
      inputs.push(v.input);
      levelOf.push(height);
    });
    const children = level.map((v) => v.children.map((c) => c.position));
    levels.push({ start, size: level.length, children, maxChildren: children.reduce((k, cs) => Math.max(k, cs.length), 0) });
  }
  return {
    inputs,
    levels,
    levelOf: Int32Array.from(levelOf),
    roots: Int32Array.from(rootVisits.map((v) => v.position)),
    numNodes: inputs.length,
    maxChildren: levels.reduce((k, l) => Math.max(k, l.maxChildren), 0),
  };
}

function isForest<T>(trees: Tree<T> | readonly Tree<T>[]): trees is readonly Tree<T>[] {
  return Array.isArray(trees);
}

/**
 * The children of `level` in slots: entry k·K + s is the layout position of node k's s-th child,
 * or −1 where node k has fewer than K children (size·K entries).
 */
export function childSlots(level: TreeLevel, K: number): Int32Array {
  const slots = new Int32Array(level.size * K).fill(-1);
  level.children.forEach((cs, k) =>
    cs.forEach((c, s) => {
      slots[k * K + s] = c;
    }),
  );
  return slots;
}

/**
 * Rows of a per-level state: `states[m]` is level m's (size_m, H) tensor; row r of the result is
 * the state at layout position positions[r], or zeros where it is −1. Differentiable: one
 * indexSelect per level read, and a concat and an indexSelect when more than one level is read.
 */
export function gatherRows(states: readonly Tensor[], layout: TreeLayout<unknown>, positions: Int32Array): Tensor {
  const H = states[0]!.shape[1]!;
  const offsets = states.map((): number[] => []);
  const rowOf = new Int32Array(positions.length); // (level, offset) → row of the concatenated pieces
  const slotsOf = states.map((): number[] => []);
  let zeros = false;
  positions.forEach((p, r) => {
    if (p < 0) zeros = true;
    else {
      const m = layout.levelOf[p]!;
      slotsOf[m]!.push(r);
      offsets[m]!.push(p - layout.levels[m]!.start);
    }
  });
  const pieces: Tensor[] = zeros ? [zerosOf(states[0]!.dtype, [1, H])] : [];
  let at = pieces.length;
  offsets.forEach((list, m) => {
    if (list.length === 0) return;
    pieces.push(indexSelect(states[m]!, 0, new Tensor(Int32Array.from(list), [list.length])));
    for (const r of slotsOf[m]!) rowOf[r] = at++;
  });
  if (pieces.length === 1 && !zeros) return pieces[0]!; // one level read, rows already in order
  if (pieces.length === 0) return zerosOf(states[0]!.dtype, [positions.length, H]);
  return indexSelect(concat(pieces), 0, new Tensor(rowOf, [rowOf.length]));
}

/** A checker for `treeLayout` that node inputs are vectors of `inputSize` and dtype `dtype`. */
export function vectorInputCheck(owner: string, inputSize: number, dtype: DType): (input: Tensor, path: string) => void {
  return (input, path) => {
    if (!(input instanceof Tensor)) throw new ValueError(`${owner}: ${path}.input must be a Tensor`);
    if (input.ndim !== 1 || input.shape[0] !== inputSize) {
      throw new ShapeError(`${owner}: ${path}.input must be (${inputSize}); got ${fmtShape(input.shape)}`);
    }
    if (input.dtype !== dtype) throw new DTypeError(`${owner}: ${path}.input is ${input.dtype} but the parameters are ${dtype}`);
  };
}

/**
 * The layout of `trees` (one tree or a forest) with vector inputs, and those inputs stacked into
 * x (N, inputSize) in layout order; `single` tells whether one tree (not an array) was given.
 */
export function layoutVectors(
  owner: string,
  trees: Tree<Tensor> | readonly Tree<Tensor>[],
  inputSize: number,
  dtype: DType,
): { layout: TreeLayout<Tensor>; x: Tensor; single: boolean } {
  const layout = treeLayout(trees, vectorInputCheck(owner, inputSize, dtype));
  const x = concat(layout.inputs.map((v) => reshape(v, [1, inputSize])));
  return { layout, x, single: !isForest(trees) };
}

/** Checks that x is (layout.numNodes, inputSize) of the parameters' dtype. */
export function checkLayoutInput(owner: string, x: Tensor, layout: TreeLayout<unknown>, inputSize: number, dtype: DType): void {
  if (!(x instanceof Tensor)) throw new ValueError(`${owner}: x must be a Tensor`);
  if (x.ndim !== 2 || x.shape[0] !== layout.numNodes || x.shape[1] !== inputSize) {
    throw new ShapeError(`${owner}: x must be (${layout.numNodes}, ${inputSize}), one row per node in layout order; got ${fmtShape(x.shape)}`);
  }
  if (x.dtype !== dtype) throw new DTypeError(`${owner}: x is ${x.dtype} but the parameters are ${dtype}`);
}
