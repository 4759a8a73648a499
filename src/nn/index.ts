/** The `nn` namespace: modules and layers. */
export { Module } from './module.js';
export type { LoadStateDictOptions, LoadStateDictResult, TensorModule } from './module.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
export { Embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { Dropout } from './dropout.js';
export { Sequential } from './sequential.js';
export { RNNBase } from './rnn/rnn_base.js';
export type { RNNBaseOptions, RNNMode } from './rnn/rnn_base.js';
export { RNN } from './rnn/rnn.js';
export type { RNNOptions } from './rnn/rnn.js';
export { LSTM } from './rnn/lstm.js';
export type { LSTMOptions } from './rnn/lstm.js';
export { GRU } from './rnn/gru.js';
export type { GRUOptions } from './rnn/gru.js';
export { RNNCell, LSTMCell, GRUCell } from './rnn/cells.js';
export { isRecurrentCell } from './rnn/cell.js';
export type { RecurrentCell } from './rnn/cell.js';
export type { CellOptions } from './rnn/cells.js';
export { uniformInit, normalInit, xavierUniform, orthogonal } from './init.js';
export { LanguageModel, detachState } from './language_model.js';
export type { LanguageModelOptions, CellKind, RecurrentState } from './language_model.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss } from './losses/index.js';
export type {
  CrossEntropyLossOptions, NLLLossModuleOptions, RegressionLossModuleOptions, BCEWithLogitsLossOptions,
} from './losses/index.js';
