/** Loss functions and their modules. */
export { crossEntropy } from './cross_entropy.js';
export type { CrossEntropyOptions } from './cross_entropy.js';
export { nllLoss } from './nll_loss.js';
export type { NLLLossOptions } from './nll_loss.js';
export { mseLoss, l1Loss } from './regression.js';
export type { RegressionLossOptions } from './regression.js';
export { bceWithLogits } from './bce.js';
export { pinballLoss } from './pinball.js';
export type { PinballLossOptions } from './pinball.js';
export type { BCEWithLogitsOptions } from './bce.js';
export { ctcLoss } from './ctc.js';
export type { CTCLossOptions, CTCLengths } from './ctc.js';
export type { Reduction } from './reduction.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss, CTCLoss } from './modules.js';
export type { CrossEntropyLossOptions, NLLLossModuleOptions, RegressionLossModuleOptions, BCEWithLogitsLossOptions } from './modules.js';
