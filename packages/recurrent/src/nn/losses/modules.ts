/**
 * Loss modules, as torch.nn.CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss and CTCLoss: the
 * options of the functional form fixed at construction, `forward(input, target, mask?)` per batch.
 * Class weights are registered as buffers (`weight`, and `pos_weight` for BCEWithLogitsLoss), so
 * they appear in the state dict under PyTorch's names and follow `to(dtype)`.
 */
import { checkOptions, DTypeError, ShapeError, fmtShape } from '../../errors.js';
import { isFloating } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { type BCEWithLogitsOptions, bceWithLogits } from './bce.js';
import { type CrossEntropyOptions, crossEntropy } from './cross_entropy.js';
import { type CTCLengths, type CTCLossOptions, ctcLoss } from './ctc.js';
import { type NLLLossOptions, nllLoss } from './nll_loss.js';
import { type Reduction, checkReduction } from './reduction.js';
import { type RegressionLossOptions, l1Loss, mseLoss } from './regression.js';

export type CrossEntropyLossOptions = Omit<CrossEntropyOptions, 'mask'>;
export type NLLLossModuleOptions = Omit<NLLLossOptions, 'mask'>;
export type RegressionLossModuleOptions = Omit<RegressionLossOptions, 'mask'>;
export type BCEWithLogitsLossOptions = Omit<BCEWithLogitsOptions, 'mask'>;

/** Base of the loss modules: the reduction and the optional weight buffers. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  protected constructor(owner: string, reduction: Reduction | undefined) {
    super();
    this.reduction = checkReduction(owner, reduction);
  }

  /** Registers a weight buffer when given (PyTorch registers none for a weight of None). */
  protected registerWeight(owner: string, name: string, weight: Tensor | null | undefined, classVector: boolean): void {
    if (weight === undefined || weight === null) return;
    if (!isFloating(weight.dtype)) throw new DTypeError(`${owner}: ${name} must be float32 or float64; got ${weight.dtype}`);
    if (classVector && weight.ndim !== 1) throw new ShapeError(`${owner}: ${name} must be 1-D (one per class); got ${fmtShape(weight.shape)}`);
    this.registerBuffer(name, weight.detach());
  }

  /** The buffer `name`, or null when it was not given. */
  protected buffer(name: string): Tensor | null {
    return this.namedBuffers().find(([n]) => n === name)?.[1] ?? null;
  }
}

/**
 * Cross-entropy of logits against class indices or class probabilities; see `crossEntropy`.
 *
 * Shapes: input (N, C), (N, C, d1, …) or (C); target int32 (N), (N, d1, …) or (), or
 * probabilities of the input's shape; mask broadcastable to (N, d1, …).
 *
 * @example
 * import { nn, randint, randn } from 'recurrent';
 * const V = 50;
 * const logits = randn([4, 10, V], { requiresGrad: true }); // (N, T, V)
 * const targets = randint(0, V, [4, 10], { dtype: 'int32' }); // (N, T); id 0 is padding
 * const criterion = new nn.CrossEntropyLoss({ ignoreIndex: 0 });
 * criterion.forward(logits.reshape(-1, V), targets.reshape(-1)).backward();
 */
export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super('CrossEntropyLoss', options.reduction);
    checkOptions('CrossEntropyLoss', options, { weight: true, ignoreIndex: true, reduction: true, labelSmoothing: true });
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.registerWeight('CrossEntropyLoss', 'weight', options.weight, true);
  }

  get weight(): Tensor | null {
    return this.buffer('weight');
  }

  forward(input: Tensor, target: Tensor, mask?: Tensor | null): Tensor {
    return crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
      mask,
    });
  }
}

/**
 * Negative log-likelihood of log-probabilities at class indices; see `nllLoss`.
 *
 * Shapes: input (N, C), (N, C, d1, …) or (C); target int32 (N), (N, d1, …) or ().
 */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;

  constructor(options: NLLLossModuleOptions = {}) {
    super('NLLLoss', options.reduction);
    checkOptions('NLLLoss', options, { weight: true, ignoreIndex: true, reduction: true });
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.registerWeight('NLLLoss', 'weight', options.weight, true);
  }

  get weight(): Tensor | null {
    return this.buffer('weight');
  }

  forward(input: Tensor, target: Tensor, mask?: Tensor | null): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, mask });
  }
}

/** Mean squared error; see `mseLoss`. Shapes: input (*), target (*), mask broadcastable to (*). */
export class MSELoss extends Loss {
  constructor(options: RegressionLossModuleOptions = {}) {
    super('MSELoss', options.reduction);
    checkOptions('MSELoss', options, { reduction: true });
  }

  forward(input: Tensor, target: Tensor, mask?: Tensor | null): Tensor {
    return mseLoss(input, target, { reduction: this.reduction, mask });
  }
}

/** Mean absolute error; see `l1Loss`. Shapes: input (*), target (*), mask broadcastable to (*). */
export class L1Loss extends Loss {
  constructor(options: RegressionLossModuleOptions = {}) {
    super('L1Loss', options.reduction);
    checkOptions('L1Loss', options, { reduction: true });
  }

  forward(input: Tensor, target: Tensor, mask?: Tensor | null): Tensor {
    return l1Loss(input, target, { reduction: this.reduction, mask });
  }
}

/**
 * Binary cross-entropy of logits; see `bceWithLogits`. Buffers `weight` and `pos_weight` (when given).
 *
 * Shapes: input (*), target (*), weight and posWeight broadcastable to (*) (posWeight usually (C)).
 */
export class BCEWithLogitsLoss extends Loss {
  constructor(options: BCEWithLogitsLossOptions = {}) {
    super('BCEWithLogitsLoss', options.reduction);
    checkOptions('BCEWithLogitsLoss', options, { weight: true, posWeight: true, reduction: true });
    this.registerWeight('BCEWithLogitsLoss', 'weight', options.weight, false);
    this.registerWeight('BCEWithLogitsLoss', 'pos_weight', options.posWeight, false);
  }

  get weight(): Tensor | null {
    return this.buffer('weight');
  }
  get posWeight(): Tensor | null {
    return this.buffer('pos_weight');
  }

  forward(input: Tensor, target: Tensor, mask?: Tensor | null): Tensor {
    return bceWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction, mask });
  }
}

/**
 * The connectionist temporal classification loss; see `ctcLoss`.
 *
 * Shapes: logProbs (T, N, C) or (T, C); targets int32 (N, S) padded or 1-D concatenated;
 * inputLengths and targetLengths (N) int32 tensors or numbers; output () or, for 'none', (N).
 *
 * @example
 * import { logSoftmax, nn, randn, tensor } from 'recurrent';
 * const criterion = new nn.CTCLoss({ blank: 0, zeroInfinity: true });
 * const logProbs = logSoftmax(randn([30, 2, 11], { requiresGrad: true }), 2); // (T, N, C)
 * const loss = criterion.forward(logProbs, tensor([[3, 1, 4], [1, 5, 0]], { dtype: 'int32' }), [30, 25], [3, 2]);
 * loss.backward();
 */
export class CTCLoss extends Loss {
  readonly blank: number;
  readonly zeroInfinity: boolean;

  constructor(options: CTCLossOptions = {}) {
    super('CTCLoss', options.reduction);
    checkOptions('CTCLoss', options, { blank: true, reduction: true, zeroInfinity: true });
    this.blank = options.blank ?? 0;
    this.zeroInfinity = options.zeroInfinity ?? false;
  }

  forward(logProbs: Tensor, targets: Tensor, inputLengths: CTCLengths, targetLengths: CTCLengths): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, { blank: this.blank, reduction: this.reduction, zeroInfinity: this.zeroInfinity });
  }
}
