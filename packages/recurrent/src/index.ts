/** recurrent: recurrent neural networks for TypeScript. The public API, and nothing else. */
export { Tensor } from './tensor/tensor.js';
export type { NestedArray, TensorLike } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export {
  tensor,
  zeros,
  ones,
  full,
  arange,
  eye,
  rand,
  randn,
  randint,
  zerosLike,
  onesLike,
  fullLike,
  randLike,
  randnLike,
  randintLike,
} from './tensor/ops/creation.js';
export type { TensorOptions } from './tensor/ops/creation.js';
export {
  add,
  sub,
  mul,
  div,
  pow,
  neg,
  exp,
  log,
  log1p,
  sqrt,
  abs,
  tanh,
  sigmoid,
  relu,
  sign,
  clamp,
  maximum,
  minimum,
  where,
  maskedFill,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  allClose,
} from './tensor/ops/elementwise.js';
export { sum, mean, max, min, maxWithIndices, minWithIndices, argmax, argmin } from './tensor/ops/reduce.js';
export { softmax, logSoftmax, logSumExp } from './tensor/ops/softmax.js';
export { erf, gelu, leakyRelu } from './tensor/ops/special.js';
export { matmul, linear } from './tensor/ops/matmul.js';
export { reshape, transpose, permute, squeeze, unsqueeze, expand, flatten, narrow, slice, select, flip, pad } from './tensor/ops/view.js';
export { concat, cat, stack, split, chunk, unbind } from './tensor/ops/join.js';
export { sort, argsort, topk } from './tensor/ops/sort.js';
export type { TopkOptions } from './tensor/ops/sort.js';
export { cumsum, cumprod } from './tensor/ops/cumulative.js';
export { repeat, tile } from './tensor/ops/repeat.js';
export { oneHot } from './tensor/ops/one_hot.js';
export { multinomial } from './tensor/ops/multinomial.js';
export { indexSelect, gather, scatterAdd } from './tensor/ops/indexing.js';
export { dropout } from './tensor/ops/dropout.js';
export { cast } from './tensor/ops/cast.js';
export { rnnRecurrence, lstmRecurrence, gruRecurrence } from './tensor/ops/recurrence.js';
export type { RecurrenceOptions } from './tensor/ops/recurrence.js';
export { manualSeed, getRngState, setRngState } from './tensor/random.js';
export { noGrad, noGradAsync, enableGrad, setGradEnabled, isGradEnabled } from './tensor/autograd/no_grad.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './tensor/autograd/anomaly.js';
export type { BackwardOptions } from './tensor/autograd/tape.js';
export { gradcheck } from './tensor/autograd/gradcheck.js';
export { checkpoint } from './tensor/autograd/checkpoint.js';
export type { CheckpointFn } from './tensor/autograd/checkpoint.js';
export type { GradcheckOptions } from './tensor/autograd/gradcheck.js';
export { setBackend, getBackend, listBackends, registerBackend } from './backend/select.js';
export { setNumThreads, getNumThreads } from './backend/wasm/runtime.js';
export { ready } from './backend/ready.js';
export type { ReadyInfo, ReadyOptions } from './backend/ready.js';
export { memoryUsage } from './backend/memory_usage.js';
export type { MemoryUsage } from './backend/memory_usage.js';
export type { Backend } from './backend/backend.js';
export {
  RecurrentError,
  ShapeError,
  DTypeError,
  IndexError,
  ValueError,
  FormatError,
  GradcheckError,
  ResourceError,
  BackendError,
  AutogradError,
  AnomalyError,
  EnvironmentError,
} from './errors.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export { PackedSequence } from './sequence/packed.js';
export { readSafetensors, readSafetensorsFile, writeSafetensors } from './io/safetensors.js';
export type { SafetensorsFile } from './io/safetensors.js';
export { exportOnnx, ONNX_OPSET, ONNX_IR_VERSION } from './io/onnx/export.js';
export type { OnnxExportOptions } from './io/onnx/export.js';
export { importOnnx } from './io/onnx/import.js';
export { OnnxModel } from './io/onnx/onnx_model.js';
export type { OnnxInput } from './io/onnx/onnx_model.js';
export { fromTfjs } from './io/tfjs/from_tfjs.js';
export { toTfjs } from './io/tfjs/to_tfjs.js';
export type { ToTfjsOptions, TfjsModelArtifacts } from './io/tfjs/to_tfjs.js';
export { KerasModel } from './io/tfjs/keras_model.js';
export type { KerasLayerModule, KerasModelInfo, HardSigmoidKind } from './io/tfjs/keras_model.js';
export type { TfjsArtifacts, TfjsWeightSpec } from './io/tfjs/artifacts.js';
export { packPaddedSequence, packSequence } from './sequence/pack.js';
export type { PackPaddedOptions, PackSequenceOptions } from './sequence/pack.js';
export { padPackedSequence, padSequence } from './sequence/pad.js';
export type { PadPackedOptions, PadSequenceOptions } from './sequence/pad.js';
export { unpadSequence, unpackSequence } from './sequence/unpad.js';
export type { UnpadSequenceOptions } from './sequence/unpad.js';
export type { Lengths } from './sequence/layout.js';
export { charTokenize, wordTokenize, WORD_PATTERN } from './text/tokenizers.js';
export type { Tokenizer, WordTokenizeOptions } from './text/tokenizers.js';
export { Vocabulary } from './text/vocab.js';
export type { VocabularyOptions, VocabularyBuildOptions, VocabularyJSON } from './text/vocab.js';
export { DataLoader } from './train/data_loader.js';
export type { DataLoaderOptions, BatchSampler } from './train/data_loader.js';
export { padCollate, packCollate } from './sequence/collate.js';
export type { SequenceLike, SequenceItem, CollateItem, PaddedBatch, PackedBatch, PadCollateOptions, PackCollateOptions } from './sequence/collate.js';
export { bucketBatches, paddingFraction } from './sequence/bucket.js';
export type { BucketOptions } from './sequence/bucket.js';
export { crossEntropy, nllLoss, mseLoss, l1Loss, bceWithLogits, pinballLoss, ctcLoss } from './nn/losses/index.js';
export type {
  CrossEntropyOptions,
  NLLLossOptions,
  RegressionLossOptions,
  BCEWithLogitsOptions,
  PinballLossOptions,
  CTCLossOptions,
  CTCLengths,
  Reduction,
} from './nn/losses/index.js';
export { scan } from './nn/rnn/scan.js';
export type { ScanOptions, TensorStructure } from './nn/rnn/scan.js';
export { dynamicRnn, bidirectionalDynamicRnn } from './nn/rnn/dynamic_rnn.js';
export type { DynamicRnnOptions, BidirectionalDynamicRnnOptions } from './nn/rnn/dynamic_rnn.js';
export { generateSequence } from './decode/generate_sequence.js';
export type { GenerateSequenceOptions, GeneratedSequence, SequenceFeedback } from './decode/generate_sequence.js';
export { conv1d, conv2d } from './tensor/ops/conv.js';
export type { Conv1dOptions, Conv2dOptions, ConvPadding } from './tensor/ops/conv.js';
export { layerNorm } from './nn/layer_norm.js';
export { fit, evaluate } from './train/fit.js';
export type { FitOptions, FitResult, FitOptimizer, StepResult } from './train/fit.js';
export { EarlyStopping, TerminateOnNaN, CheckpointCallback, ScheduleCallback, stoppedNonFinite } from './train/callbacks.js';
export type { Callback, FitContext, FitStop, StopKind, CheckpointReason, BatchLogs, EarlyStoppingOptions, Schedule } from './train/callbacks.js';
export { BudgetCosineSchedule, budgetProgress } from './train/budget_schedule.js';
export type { BudgetCosineScheduleOptions, ScheduledOptimizer, TrainingBudget } from './train/budget_schedule.js';
export { MetricAccumulator } from './train/metrics.js';
export type { Metrics } from './train/metrics.js';
export { toStreams, windows, windowCount } from './train/tbptt.js';
export type { Window } from './train/tbptt.js';
export { languageModelTask } from './train/language_model_task.js';
export type { LanguageModelTask } from './train/language_model_task.js';
export { ResumableTbptt } from './train/resumable_tbptt.js';
export type { ResumableTbpttOptions, TbpttFitOptions, TbpttPosition, TbpttResume, TbpttSnapshot } from './train/resumable_tbptt.js';
export { sampleLogits } from './decode/sample.js';
export type { SamplingOptions } from './decode/sample.js';
export { generateText } from './decode/generate_text.js';
export type { GenerateTextOptions } from './decode/generate_text.js';
export { beamSearch, gnmtLengthPenalty } from './decode/beam_search.js';
export type { BeamSearchOptions, BeamStep, BeamStepOutput, BeamHypothesis } from './decode/beam_search.js';
export { beamDecode, greedyDecode, sampleDecode } from './decode/stepwise_decode.js';
export { ctcGreedyDecode, ctcBeamSearch } from './decode/ctc_decode.js';
export type { CTCDecodeOptions, CTCBeamSearchOptions, CTCHypothesis } from './decode/ctc_decode.js';
export type { StepwiseDecodeOptions, BeamDecodeOptions, SampleDecodeOptions } from './decode/stepwise_decode.js';
export { editDistance } from './metrics/edit_distance.js';
export { corpusBleu } from './metrics/bleu.js';
export type { BleuScore } from './metrics/bleu.js';
export { sequenceMetrics } from './metrics/sequence_metrics.js';
export type { SequenceMetrics, SequenceMetricsOptions } from './metrics/sequence_metrics.js';
export { TASK_KINDS } from './tasks/task.js';
export type { Task, TaskKind, TaskJSON } from './tasks/task.js';
export { TOKEN_KINDS, parseTokenKind } from './tasks/token_kind.js';
export type { TokenKind } from './tasks/token_kind.js';
export { parsePairs } from './tasks/formats/tsv.js';
export type { TextPair } from './tasks/formats/tsv.js';
export { Seq2SeqTask } from './tasks/seq2seq.js';
export type { TranslateOptions, Translation, Seq2SeqEvaluation } from './tasks/seq2seq.js';
export { SEQ2SEQ_DATA_DEFAULTS, resolveModelOptions as resolveSeq2SeqModelOptions } from './tasks/seq2seq_config.js';
export type { Seq2SeqModelOptions, Seq2SeqDataOptions, Seq2SeqTaskOptions, Seq2SeqTaskJSON } from './tasks/seq2seq_config.js';
export type { Seq2SeqBatch, Seq2SeqExample } from './tasks/seq2seq_data.js';
export { classificationMetrics } from './metrics/classification_metrics.js';
export type { ClassificationMetrics, ClassScores } from './metrics/classification_metrics.js';
export { parseVectors, loadPretrainedVectors } from './text/pretrained_vectors.js';
export type { PretrainedVectors } from './text/pretrained_vectors.js';
export { parseLabelledTsv, parseLabelledJsonl, readLabelledText, decodeUtf8Lines } from './tasks/formats/labelled_text.js';
export type { LabelledText } from './tasks/formats/labelled_text.js';
export { ClassifyTask } from './tasks/classify.js';
export type { ClassPrediction, ClassifyEvaluation } from './tasks/classify.js';
export { CLASSIFY_DATA_DEFAULTS, resolveClassifyDataOptions, resolveClassifyModelOptions } from './tasks/classify_config.js';
export type { ClassifyModelOptions, ClassifyDataOptions, ClassifyTaskOptions, ClassifyTaskJSON, ClassWeighting } from './tasks/classify_config.js';
export type { ClassifyBatch, ClassifyExample } from './tasks/classify_data.js';
export { LmTask } from './tasks/lm.js';
export type { LmTaskJSON } from './tasks/lm.js';
export { spanF1, tokenAccuracy } from './metrics/tagging_metrics.js';
export type { SpanEvaluation, SpanScores } from './metrics/tagging_metrics.js';
export { parseConll, DEFAULT_MAX_SENTENCE_LENGTH } from './tasks/formats/conll.js';
export type { TaggedSentence, ConllOptions, ConllData } from './tasks/formats/conll.js';
export { TagTask } from './tasks/tag.js';
export type { TagMetrics, TagEvaluation } from './tasks/tag.js';
export { TAG_DATA_DEFAULTS } from './tasks/tag_config.js';
export type { TagModelOptions, TagDataOptions, TagTaskOptions, TagTaskJSON } from './tasks/tag_config.js';
export type { TagBatch, TagExample } from './tasks/tag_data.js';
export { ForecastTask } from './tasks/forecast.js';
export type { ForecastMetrics, ForecastRow, ForecastEvaluation } from './tasks/forecast.js';
export { FORECAST_MODEL_DEFAULTS, columnScale, defaultWindow } from './tasks/forecast_config.js';
export type { ForecastDataOptions, ForecastTaskOptions, ForecastTaskJSON, ColumnScale, Normalization } from './tasks/forecast_config.js';
export type { ForecastBatch, EncodedSeries } from './tasks/forecast_data.js';
export { ForecastNet } from './tasks/forecast_model.js';
export type { ForecastModelOptions, ForecastNetSizes } from './tasks/forecast_model.js';
export { parseCsv, readSeries } from './tasks/formats/csv.js';
export type { CsvTable, SeriesColumns, TimeSeries } from './tasks/formats/csv.js';
export { calendarFeatures, calendarFeatureNames, parseDate, formatDate, epochDay, weekday, HOLIDAY_CALENDARS } from './tasks/calendar.js';
export type { HolidayCalendar } from './tasks/calendar.js';
export { usFederalHolidays } from './tasks/us_holidays.js';
export type { Holiday } from './tasks/us_holidays.js';
