/**
 * nn.TreeLSTM: the child-sum Tree-LSTM of Tai, Socher & Manning (2015), "Improved Semantic
 * Representations From Tree-Structured Long Short-Term Memory Networks".
 */
import { checkOptions } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { add, mul, sigmoid, tanh } from '../../tensor/ops/elementwise.js';
import { indexSelect } from '../../tensor/ops/indexing.js';
import { concat, split } from '../../tensor/ops/join.js';
import { linear } from '../../tensor/ops/matmul.js';
import { sum } from '../../tensor/ops/reduce.js';
import { narrow, reshape } from '../../tensor/ops/view.js';
import { Tensor } from '../../tensor/tensor.js';
import { uniformInit } from '../init.js';
import { Module, paramDType, positiveInt } from '../module.js';
import { type Tree, type TreeLayout, checkLayoutInput, childSlots, gatherRows, layoutVectors } from './tree.js';

export interface TreeLSTMOptions {
  /** Size I of each node's input x. */
  inputSize: number;
  /** Size H of the hidden and cell states. */
  hiddenSize: number;
  /** Parameter dtype; default float32. */
  dtype?: DType;
}

/** States of a Tree-LSTM over a tree or forest. */
export interface TreeLSTMOutput {
  /** Root hidden states: (B, H) for B trees, (H) for a single tree. */
  readonly h: Tensor;
  /** Root cell states, shaped as `h`. */
  readonly c: Tensor;
  /** Every node's hidden state (N, H), in layout order (see `treeLayout`); computed when first read. */
  readonly nodeH: Tensor;
  /** Every node's cell state (N, H), in layout order; computed when first read. */
  readonly nodeC: Tensor;
}

/**
 * The child-sum Tree-LSTM (Tai et al. 2015). For node j with input x_j and children C(j):
 *
 *   h̃_j  = Σ_{k ∈ C(j)} h_k
 *   i_j  = σ(W_i x_j + U_i h̃_j + b_i)
 *   f_jk = σ(W_f x_j + U_f h_k + b_f)          one forget gate per child k
 *   o_j  = σ(W_o x_j + U_o h̃_j + b_o)
 *   u_j  = tanh(W_u x_j + U_u h̃_j + b_u)
 *   c_j  = i_j ⊙ u_j + Σ_{k ∈ C(j)} f_jk ⊙ c_k
 *   h_j  = o_j ⊙ tanh(c_j)
 *
 * A leaf has no children: h̃ = 0 and no forget terms. The children are summed, so a node's state
 * does not depend on their order. Weights are shared by every node of every tree.
 *
 * Computation: the forest is processed level by level, bottom-up (see `treeLayout`): per level,
 * two input products and two recurrent products (one for all nodes, one for all their children's
 * forget gates). The children's states are fetched with indexSelect into K slots per node (K =
 * the level's largest number of children, empty slots holding zero states) and summed over the
 * slots.
 *
 * Shapes: `forward(tree)` takes node inputs (I) and gives root states (H); `forward(trees)` gives
 * (B, H); `forwardLayout(x, layout)` takes x (N, I), one row per node in layout order.
 *
 * Parameters (gate blocks in the order i, o, u; all initialised U(−1/√H, 1/√H)):
 * - `weight_iou` (3H, I): W_i, W_o, W_u; `weight_uiou` (3H, H): U_i, U_o, U_u; `bias_iou` (3H).
 * - `weight_f` (H, I): W_f; `weight_uf` (H, H): U_f; `bias_f` (H).
 *
 * @example
 * import { nn, randn, tensor } from 'recurrent';
 * const cell = new nn.TreeLSTM({ inputSize: 4, hiddenSize: 8 });
 * const t = nn.node(randn([4]), [nn.leaf(randn([4])), nn.leaf(randn([4]))]);
 * const { h, c } = cell.forward(t); // h, c: [8]
 * cell.forward([t, t]).h.shape;     // [2, 8]
 * // Trees of token ids: lay out once, embed every node, run.
 * const idTrees = [nn.node(1, [nn.leaf(2), nn.leaf(3)]), nn.leaf(4)];
 * const embedding = new nn.Embedding({ numEmbeddings: 10, embeddingDim: 4 });
 * const layout = nn.treeLayout(idTrees);
 * const x = embedding.forward(tensor([...layout.inputs], { dtype: 'int32' })); // (N, 4), N = 4 nodes
 * cell.forwardLayout(x, layout).h.shape; // [2, 8]: one root state per tree
 */
export class TreeLSTM extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;

  constructor(options: TreeLSTMOptions) {
    super();
    checkOptions('TreeLSTM', options, { inputSize: true, hiddenSize: true, dtype: true });
    this.inputSize = positiveInt('TreeLSTM', 'inputSize', options.inputSize);
    this.hiddenSize = positiveInt('TreeLSTM', 'hiddenSize', options.hiddenSize);
    const dtype = paramDType('TreeLSTM', options.dtype);
    const [I, H] = [this.inputSize, this.hiddenSize];
    const bound = 1 / Math.sqrt(H);
    this.registerParameter('weight_iou', uniformInit([3 * H, I], bound, dtype));
    this.registerParameter('weight_uiou', uniformInit([3 * H, H], bound, dtype));
    this.registerParameter('bias_iou', uniformInit([3 * H], bound, dtype));
    this.registerParameter('weight_f', uniformInit([H, I], bound, dtype));
    this.registerParameter('weight_uf', uniformInit([H, H], bound, dtype));
    this.registerParameter('bias_f', uniformInit([H], bound, dtype));
  }

  private get dtype(): DType {
    return this.param('weight_iou').dtype;
  }

  /** Runs over one tree (root states (H)) or a forest (root states (B, H)) of vector inputs (I). */
  forward(trees: Tree<Tensor> | readonly Tree<Tensor>[]): TreeLSTMOutput {
    const { layout, x, single } = layoutVectors('TreeLSTM', trees, this.inputSize, this.dtype);
    const out = this.forwardLayout(x, layout);
    if (!single) return out;
    const [h, c] = [reshape(out.h, [this.hiddenSize]), reshape(out.c, [this.hiddenSize])];
    return {
      h,
      c,
      get nodeH(): Tensor {
        return out.nodeH;
      },
      get nodeC(): Tensor {
        return out.nodeC;
      },
    };
  }

  /**
   * Runs over a laid-out forest: x (N, I) holds the node inputs in layout order (e.g. embeddings
   * of `layout.inputs` when those are token ids). Root states are (B, H).
   */
  forwardLayout(x: Tensor, layout: TreeLayout<unknown>): TreeLSTMOutput {
    checkLayoutInput('TreeLSTM', x, layout, this.inputSize, this.dtype);
    const H = this.hiddenSize;
    const hs: Tensor[] = []; // per level, (size, H)
    const cs: Tensor[] = [];
    for (const level of layout.levels) {
      const { size, maxChildren: K } = level;
      const xl = narrow(x, 0, level.start, size);
      let iou = linear(xl, this.param('weight_iou'), this.param('bias_iou')); // (size, 3H)
      let cChildren: Tensor | null = null;
      if (K > 0) {
        // Children in K slots per node (zero states in empty slots): (size·K, H).
        const slots = childSlots(level, K);
        const hk = gatherRows(hs, layout, slots);
        const ck = gatherRows(cs, layout, slots);
        iou = add(iou, linear(sumSlots(hk, size, K), this.param('weight_uiou')));
        const xf = linear(xl, this.param('weight_f'), this.param('bias_f'));
        const parent = new Tensor(
          Int32Array.from({ length: size * K }, (_, r) => Math.floor(r / K)),
          [size * K],
        );
        const f = sigmoid(add(K === 1 ? xf : indexSelect(xf, 0, parent), linear(hk, this.param('weight_uf'))));
        cChildren = sumSlots(mul(f, ck), size, K); // an empty slot's c is 0, so it adds nothing
      }
      const [ig, og, ug] = split(iou, H, 1) as [Tensor, Tensor, Tensor];
      const iu = mul(sigmoid(ig), tanh(ug));
      const c = cChildren === null ? iu : add(iu, cChildren);
      hs.push(mul(sigmoid(og), tanh(c)));
      cs.push(c);
    }
    let nodeH: Tensor | null = null;
    let nodeC: Tensor | null = null;
    return {
      h: gatherRows(hs, layout, layout.roots),
      c: gatherRows(cs, layout, layout.roots),
      get nodeH(): Tensor {
        return (nodeH ??= hs.length === 1 ? hs[0]! : concat(hs));
      },
      get nodeC(): Tensor {
        return (nodeC ??= cs.length === 1 ? cs[0]! : concat(cs));
      },
    };
  }
}

/** Σ over the K slots of each node: (size·K, H) → (size, H). */
function sumSlots(rows: Tensor, size: number, K: number): Tensor {
  return K === 1 ? rows : sum(reshape(rows, [size, K, rows.shape[1]!]), 1);
}
