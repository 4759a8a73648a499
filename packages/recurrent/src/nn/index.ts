/** The `nn` namespace: modules and layers. */
export { Module, parameter } from './module.js';
export type { LoadStateDictOptions, LoadStateDictResult, TensorModule } from './module.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
export { Embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { Dropout } from './dropout.js';
export { Sequential } from './sequential.js';
export { ModuleList, ModuleDict } from './containers.js';
export { ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softmax, LogSoftmax } from './activations.js';
export type { GELUOptions, LeakyReLUOptions, SoftmaxOptions } from './activations.js';
export { Identity, Flatten, Unflatten } from './reshaping.js';
export type { FlattenOptions, UnflattenOptions } from './reshaping.js';
export { RNNBase } from './rnn/rnn_base.js';
export type { RNNBaseOptions, RNNMode } from './rnn/rnn_base.js';
export { RNN } from './rnn/rnn.js';
export type { RNNOptions } from './rnn/rnn.js';
export { LSTM } from './rnn/lstm.js';
export type { LSTMOptions } from './rnn/lstm.js';
export { GRU } from './rnn/gru.js';
export type { GRUOptions } from './rnn/gru.js';
export { RNNCell, LSTMCell, GRUCell } from './rnn/cells.js';
export type { GatedActivationOptions } from './rnn/cells.js';
export { Activation, ACTIVATION_NAMES, activationFunction, isActivationName } from './activation_functions.js';
export type { ActivationName, ActivationOptions } from './activation_functions.js';
export { isRecurrentCell } from './rnn/cell.js';
export type { RecurrentCell } from './rnn/cell.js';
export type { CellOptions } from './rnn/cells.js';
export { uniformInit, normalInit, xavierUniform, orthogonal } from './init.js';
export { CELL_KINDS, LanguageModel, detachState, parseCellKind } from './language_model.js';
export type { LanguageModelOptions, CellKind, RecurrentState } from './language_model.js';
export { ConditionedDecoder, CONTEXT_COUPLINGS, reorderConditionedState } from './conditioned_decoder.js';
export type { ConditionedDecoderOptions, ConditionedDecoderState, ConditionedStepperOptions, ContextCoupling } from './conditioned_decoder.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss, CTCLoss } from './losses/index.js';
export type { CrossEntropyLossOptions, NLLLossModuleOptions, RegressionLossModuleOptions, BCEWithLogitsLossOptions } from './losses/index.js';
export { TreeLSTM } from './tree/tree_lstm.js';
export type { TreeLSTMOptions, TreeLSTMOutput } from './tree/tree_lstm.js';
export { RecursiveNN } from './tree/recursive_nn.js';
export type { RecursiveNNOptions, RecursiveNNOutput } from './tree/recursive_nn.js';
export { treeLayout, leaf, node } from './tree/tree.js';
export type { Tree, TreeLayout, TreeLevel } from './tree/tree.js';
export { StackedCells, ResidualCell } from './rnn/stacked_cells.js';
export { LayerNorm, layerNorm } from './layer_norm.js';
export type { LayerNormOptions } from './layer_norm.js';
export { LayerNormLSTMCell } from './rnn/layer_norm_lstm_cell.js';
export type { LayerNormLSTMCellOptions } from './rnn/layer_norm_lstm_cell.js';
export { PeepholeLSTMCell } from './rnn/peephole_lstm_cell.js';
export { ConvLSTM1DCell, ConvLSTM2DCell, ConvLSTMCellBase } from './rnn/conv_lstm_cell.js';
export type { ConvLSTMCellOptions } from './rnn/conv_lstm_cell.js';
export { ConvLSTM1D, ConvLSTM2D } from './rnn/conv_lstm.js';
export type { ConvLSTMOptions } from './rnn/conv_lstm.js';
export { Recurrent } from './rnn/recurrent.js';
export type { RecurrentOptions, RecurrentForwardOptions, RecurrentResult } from './rnn/recurrent.js';
export { Bidirectional } from './rnn/bidirectional.js';
export type { BidirectionalOptions, BidirectionalResult, MergeMode } from './rnn/bidirectional.js';
export { copyCell } from './rnn/copy_cell.js';
export { Attention, selectMemoryRows } from './attention/attention.js';
export type { AttentionOutput, AttentionForwardOptions, AttentionMemory } from './attention/attention.js';
export type { KeyMask, SourceLengths, AttentionMaskOptions } from './attention/key_mask.js';
export { BahdanauAttention } from './attention/bahdanau_attention.js';
export type { BahdanauAttentionOptions } from './attention/bahdanau_attention.js';
export { LuongAttention, LUONG_SCORES } from './attention/luong_attention.js';
export type { LuongAttentionOptions, LuongScore } from './attention/luong_attention.js';
export { ScaledDotProductAttention } from './attention/scaled_dot_product_attention.js';
export type { ScaledDotProductAttentionOptions } from './attention/scaled_dot_product_attention.js';
export { Masking } from './masking.js';
export type { MaskingOptions } from './masking.js';
export { Residual } from './residual.js';
export { producesMask, consumesMask } from './mask_flow.js';
export type { MaskProducer, MaskConsumer } from './mask_flow.js';
export {
  GATE_ORDER,
  reorderGates,
  kerasLstmToTorch,
  torchLstmToKeras,
  kerasGruToTorch,
  torchGruToKeras,
  kerasSimpleRnnToTorch,
  torchSimpleRnnToKeras,
} from './rnn/gates.js';
export type { KerasRecurrentWeights, TorchRecurrentWeights, TorchWeightsLike } from './rnn/gates.js';
export { Encoder } from './seq2seq/encoder.js';
export { TextClassifier, POOLING_KINDS } from './text_classifier.js';
export type { TextClassifierOptions, TextClassifierOutput, PoolingKind } from './text_classifier.js';
export type { EncoderOptions, EncoderOutput } from './seq2seq/encoder.js';
export { Bridge, BRIDGE_KINDS } from './seq2seq/bridge.js';
export type { BridgeOptions, BridgeKind } from './seq2seq/bridge.js';
export { Decoder, ATTENTION_STYLES } from './seq2seq/decoder.js';
export type { DecoderOptions, DecoderState, DecoderStepOutput, DecoderOutput, DecoderForwardOptions, AttentionStyle } from './seq2seq/decoder.js';
export { DECODER_ATTENTIONS, parseAttentionKind } from './seq2seq/decoder_attention.js';
export type { DecoderAttention } from './seq2seq/decoder_attention.js';
export { Seq2Seq, reorderDecodingState } from './seq2seq/seq2seq.js';
export type { Seq2SeqOptions, EncodedSource, Seq2SeqDecodingState, Seq2SeqLoss } from './seq2seq/seq2seq.js';
export type { StepwiseDecoder, StepwiseDecoderStep } from './seq2seq/stepwise_decoder.js';
export { teacherForcingSchedule, TEACHER_FORCING_DECAYS } from './seq2seq/scheduled_sampling.js';
export type { TeacherForcingDecay, TeacherForcingScheduleOptions } from './seq2seq/scheduled_sampling.js';
export { CRF, DISALLOWED_SCORE } from './crf.js';
export type { CRFOptions, CRFForwardOptions, CRFReduction, CRFPath } from './crf.js';
export { allowedTransitions, detectTagScheme, parseSchemeTag, TAG_SCHEMES } from './crf_constraints.js';
export type { TagScheme, TransitionMask, ParsedTag } from './crf_constraints.js';
export { SequenceTagger } from './sequence_tagger.js';
export type { SequenceTaggerOptions, TaggerInput } from './sequence_tagger.js';
