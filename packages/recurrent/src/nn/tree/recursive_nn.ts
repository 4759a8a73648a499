/**
 * nn.RecursiveNN: the plain recursive neural network, composing a tree bottom-up with one shared
 * layer, after Socher, Lin, Ng & Manning (2011), "Parsing Natural Scenes and Natural Language
 * with Recursive Neural Networks".
 */
import { checkOptions, ValueError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { add, tanh } from '../../tensor/ops/elementwise.js';
import { concat } from '../../tensor/ops/join.js';
import { linear } from '../../tensor/ops/matmul.js';
import { sum } from '../../tensor/ops/reduce.js';
import { narrow, reshape } from '../../tensor/ops/view.js';
import { Tensor } from '../../tensor/tensor.js';
import { uniformInit } from '../init.js';
import { Module, paramDType, positiveInt } from '../module.js';
import { type Tree, type TreeLayout, checkLayoutInput, childSlots, gatherRows, layoutVectors } from './tree.js';

export interface RecursiveNNOptions {
  /** Size I of each node's input x. */
  inputSize: number;
  /** Size H of the node states. */
  hiddenSize: number;
  /**
   * Children per internal node A, concatenated in order: a node may have 1 … A children, missing
   * trailing slots read as zero states. `null`: any number of children, summed. Default 2.
   */
  arity?: number | null;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** States of a recursive network over a tree or forest. */
export interface RecursiveNNOutput {
  /** Root states: (B, H) for B trees, (H) for a single tree. */
  readonly h: Tensor;
  /** Every node's state (N, H), in layout order (see `treeLayout`); computed when first read. */
  readonly nodeH: Tensor;
}

/**
 * A recursive neural network with shared weights. For a leaf with input x, and an internal node
 * with input x and children states h_1 … h_m:
 *
 *   leaf:      h = tanh(W_leaf x + b_leaf)
 *   internal:  h = tanh(W_node x + W_children [h_1; …; h_A] + b_node)   (arity A; slots past m are 0)
 *   internal:  h = tanh(W_node x + W_children Σ_k h_k + b_node)          (arity null)
 *
 * With arity 2 and a zero input at internal nodes this is Socher et al.'s p = tanh(W[c₁; c₂] + b);
 * the node input lets an internal node say which composition it is (an operator, a phrase label).
 * With a fixed arity the children's order matters; summed children make the state order-free.
 *
 * Computation: the forest is processed level by level, bottom-up (see `treeLayout`), with one
 * input product and one product of the children's states for all nodes of a level; the children
 * are fetched with indexSelect into slots (A per node, or with arity null the level's largest
 * number of children, zero states in empty slots).
 *
 * Shapes: `forward(tree)` takes node inputs (I) and gives the root state (H); `forward(trees)`
 * gives (B, H); `forwardLayout(x, layout)` takes x (N, I), one row per node in layout order.
 *
 * Parameters (all initialised U(−1/√H, 1/√H)): `weight_leaf` (H, I), `bias_leaf` (H),
 * `weight_node` (H, I), `weight_children` (H, A·H), or (H, H) with arity null, `bias_node` (H).
 *
 * @example
 * import { nn, randn, zeros } from 'recurrent';
 * const rnn = new nn.RecursiveNN({ inputSize: 4, hiddenSize: 8 });
 * const t = nn.node(zeros([4]), [nn.leaf(randn([4])), nn.leaf(randn([4]))]);
 * rnn.forward(t).h.shape; // [8]
 */
export class RecursiveNN extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Children concatenated per internal node, or null when they are summed. */
  readonly arity: number | null;

  constructor(options: RecursiveNNOptions) {
    super();
    checkOptions('RecursiveNN', options, { inputSize: true, hiddenSize: true, arity: true, dtype: true });
    this.inputSize = positiveInt('RecursiveNN', 'inputSize', options.inputSize);
    this.hiddenSize = positiveInt('RecursiveNN', 'hiddenSize', options.hiddenSize);
    this.arity = options.arity === null ? null : positiveInt('RecursiveNN', 'arity', options.arity ?? 2);
    const dtype = paramDType('RecursiveNN', options.dtype);
    const [I, H] = [this.inputSize, this.hiddenSize];
    const bound = 1 / Math.sqrt(H);
    this.registerParameter('weight_leaf', uniformInit([H, I], bound, dtype));
    this.registerParameter('bias_leaf', uniformInit([H], bound, dtype));
    this.registerParameter('weight_node', uniformInit([H, I], bound, dtype));
    this.registerParameter('weight_children', uniformInit([H, (this.arity ?? 1) * H], bound, dtype));
    this.registerParameter('bias_node', uniformInit([H], bound, dtype));
  }

  private get dtype(): DType {
    return this.param('weight_leaf').dtype;
  }

  /** Runs over one tree (root state (H)) or a forest (root states (B, H)) of vector inputs (I). */
  forward(trees: Tree<Tensor> | readonly Tree<Tensor>[]): RecursiveNNOutput {
    const { layout, x, single } = layoutVectors('RecursiveNN', trees, this.inputSize, this.dtype);
    const out = this.forwardLayout(x, layout);
    if (!single) return out;
    const h = reshape(out.h, [this.hiddenSize]);
    return {
      h,
      get nodeH(): Tensor {
        return out.nodeH;
      },
    };
  }

  /**
   * Runs over a laid-out forest: x (N, I) holds the node inputs in layout order (e.g. embeddings
   * of `layout.inputs` when those are token ids). Root states are (B, H).
   */
  forwardLayout(x: Tensor, layout: TreeLayout<unknown>): RecursiveNNOutput {
    checkLayoutInput('RecursiveNN', x, layout, this.inputSize, this.dtype);
    if (this.arity !== null && layout.maxChildren > this.arity) {
      throw new ValueError(`RecursiveNN: a node has ${layout.maxChildren} children but arity is ${this.arity}`);
    }
    const H = this.hiddenSize;
    const hs: Tensor[] = []; // per level, (size, H)
    for (const level of layout.levels) {
      const { size, maxChildren } = level;
      const xl = narrow(x, 0, level.start, size);
      if (maxChildren === 0) {
        hs.push(tanh(linear(xl, this.param('weight_leaf'), this.param('bias_leaf'))));
        continue;
      }
      // Children in K slots per node, zero states in empty slots: (size·K, H).
      const K = this.arity ?? maxChildren;
      const rows = gatherRows(hs, layout, childSlots(level, K));
      const children = this.arity !== null ? reshape(rows, [size, K * H]) : K === 1 ? rows : sum(reshape(rows, [size, K, H]), 1);
      const pre = add(linear(xl, this.param('weight_node'), this.param('bias_node')), linear(children, this.param('weight_children')));
      hs.push(tanh(pre));
    }
    let nodeH: Tensor | null = null;
    return {
      h: gatherRows(hs, layout, layout.roots),
      get nodeH(): Tensor {
        return (nodeH ??= hs.length === 1 ? hs[0]! : concat(hs));
      },
    };
  }
}
