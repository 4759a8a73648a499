/**
 * Reverse-mode autograd. Each differentiable op that sees an input requiring grad records a node
 * (op name, inputs, outputs, attributes); the outputs point back at it. `backward` walks the nodes
 * reachable from the root in reverse topological order and calls each op's entry of the one
 * gradient table (`gradients.ts`).
 */
import { AutogradError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { isGradEnabled, noGrad } from './no_grad.js';
import { callerFrame, checkFinite, isAnomalyEnabled } from './anomaly.js';
import { GRADIENTS, type GradientOp, type NoAttrs, type OpAttrs } from './gradients.js';

/** What a node holds for its backward; a backward without retainGraph drops it. */
export interface Saved<Op extends GradientOp = GradientOp> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: OpAttrs[Op];
  /** Which inputs need a gradient. */
  readonly needs: readonly boolean[];
}

export interface Node<Op extends GradientOp = GradientOp> {
  readonly op: Op;
  /** Null once a backward without retainGraph has run through the node. */
  saved: Saved<Op> | null;
  /** Where the op was created (the first frame outside the library), kept only in anomaly mode. */
  readonly createdAt: string | null;
}

export interface BackwardOptions {
  /**
   * Keep what the graph saved for backward, so that backward can run through it again; default
   * false: a backward releases it, and a second one raises AutogradError (PyTorch's retain_graph).
   */
  retainGraph?: boolean;
}

/** Whether `record` would record an op on these inputs: grad mode is on and one of them requires grad. */
export function willRecord(inputs: readonly (Tensor | null)[]): boolean {
  return isGradEnabled() && inputs.some((t) => t !== null && t.requiresGrad);
}

/** Ops whose attributes are empty, so `record` may omit them. */
type PlainOp = { [Op in GradientOp]: OpAttrs[Op] extends NoAttrs ? Op : never }[GradientOp];

/**
 * Records `op` when grad mode is on and some input requires grad; marks the outputs. The op's
 * entry in OpAttrs (gradients.ts) types `attrs`.
 */
export function record(op: PlainOp, inputs: readonly Tensor[], outputs: readonly Tensor[]): void;
export function record<Op extends GradientOp>(op: Op, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: OpAttrs[Op]): void;
export function record(op: GradientOp, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: OpAttrs[GradientOp] = {}): void {
  if (!isGradEnabled()) return;
  const needs = inputs.map((t) => t.requiresGrad);
  if (!needs.some(Boolean)) return;
  const anomaly = isAnomalyEnabled();
  const createdAt = anomaly ? callerFrame() : null;
  if (anomaly) checkFinite(op, 'forward', outputs, createdAt);
  const node: Node = { op, saved: { inputs, outputs, attrs, needs }, createdAt };
  outputs.forEach((out, i) => {
    if (out.dtype === 'int32') return;
    out.setNode(node, i);
  });
}

function savedOf<Op extends GradientOp>(node: Node<Op>): Saved<Op> {
  if (node.saved === null) {
    throw new AutogradError(
      `backward: trying to backward through the graph a second time (at ${node.op}), or to use tensors after their ` +
        'saved values were released by an earlier backward. Pass { retainGraph: true } to the first backward to keep them',
    );
  }
  return node.saved;
}

/** Nodes reachable from `roots`, inputs before the nodes that consume them. */
function topologicalOrder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: [Node, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      const inputs = savedOf(node).inputs;
      if (next < inputs.length) {
        top[1]++;
        const child = inputs[next]!.gradNode;
        if (child !== null && !seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(node);
      }
    }
  }
  return order;
}

export function backward(
  root: Tensor,
  gradient: Tensor | undefined,
  ones: (like: Tensor) => Tensor,
  add: (a: Tensor, b: Tensor) => Tensor,
  options: BackwardOptions = {},
): void {
  if (!root.requiresGrad) {
    throw new ValueError('backward: the tensor does not require grad and has no grad function');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new ShapeError(`backward: gradient can be implicit only for a scalar output; the output is ${fmtShape(root.shape)}`);
    }
    seed = ones(root);
  } else {
    if (!shapesEqual(gradient.shape, root.shape)) {
      throw new ShapeError(`backward: gradient must have the output's shape ${fmtShape(root.shape)}; got ${fmtShape(gradient.shape)}`);
    }
    seed = gradient.dtype === root.dtype ? gradient : gradient.to(root.dtype);
  }
  backwardFrom([root], [seed], add, options);
}

/**
 * The walk behind `backward`, from several roots at once, each seeded with its own gradient (of
 * the root's shape and dtype; the caller checks): what `checkpoint`'s recomputed graph needs, whose
 * outputs all receive gradients in one walk.
 */
export function backwardFrom(roots: readonly Tensor[], seeds: readonly Tensor[], add: (a: Tensor, b: Tensor) => Tensor, options: BackwardOptions = {}): void {
  const retain = options.retainGraph ?? false;
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    const rootNodes: Node[] = [];
    roots.forEach((root, r) => {
      const seed = seeds[r]!;
      const node = root.gradNode;
      if (node === null) {
        accumulateLeaf(root, seed, add);
        return;
      }
      const prev = grads.get(root);
      grads.set(root, prev === undefined ? seed : add(prev, seed));
      rootNodes.push(node);
    });
    const order = topologicalOrder(rootNodes);
    for (let n = order.length - 1; n >= 0; n--) {
      const node = order[n]!;
      const saved = savedOf(node);
      // Released as soon as used, so that memory drops during the walk, as in PyTorch.
      if (!retain) node.saved = null;
      const outGrads = saved.outputs.map((o) => grads.get(o) ?? null);
      saved.outputs.forEach((o) => grads.delete(o));
      if (outGrads.every((g) => g === null)) continue;
      const inGrads = runEntry(node.op, saved, outGrads);
      if (node.createdAt !== null || isAnomalyEnabled()) checkFinite(node.op, 'backward', inGrads, node.createdAt);
      saved.inputs.forEach((input, i) => {
        const g = inGrads[i];
        if (!saved.needs[i] || g === null || g === undefined) return;
        if (input.gradNode === null) {
          accumulateLeaf(input, g, add);
        } else {
          const prev = grads.get(input);
          grads.set(input, prev === undefined ? g : add(prev, g));
        }
      });
    }
  });
}

/** Calls the node's own entry; generic in the op so that its attrs and entry stay paired. */
function runEntry<Op extends GradientOp>(op: Op, saved: Saved<Op>, grads: readonly (Tensor | null)[]): readonly (Tensor | null)[] {
  return GRADIENTS[op](saved, grads);
}

function accumulateLeaf(leaf: Tensor, g: Tensor, add: (a: Tensor, b: Tensor) => Tensor): void {
  // A fresh copy: a leaf's .grad may be scaled in place (clipping) and must not alias other grads.
  leaf.grad = leaf.grad === null ? g.clone() : add(leaf.grad, g);
}
