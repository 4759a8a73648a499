/**
 * The text classification task: labelled texts → a vocabulary and the label set, a bidirectional
 * recurrent classifier with good defaults, the (optionally class-weighted) cross-entropy, prediction
 * with probabilities, and the metrics (accuracy, per-class precision/recall/F1, macro-F1, confusion).
 */
import { FormatError, ValueError } from '../errors.js';
import { classificationMetrics, type ClassificationMetrics } from '../metrics/classification_metrics.js';
import { crossEntropy } from '../nn/losses/cross_entropy.js';
import { TextClassifier } from '../nn/text_classifier.js';
import { noGrad } from '../tensor/autograd/no_grad.js';
import { softmax } from '../tensor/ops/softmax.js';
import { Tensor } from '../tensor/tensor.js';
import { loadPretrainedVectors, type PretrainedVectors } from '../text/pretrained_vectors.js';
import { Vocabulary } from '../text/vocab.js';
import type { StepResult } from '../train/fit.js';
import {
  readClassifyJSON,
  resolveClassifyDataOptions,
  resolveClassifyModelOptions,
  type ClassifyDataOptions,
  type ClassifyModelOptions,
  type ClassifyTaskJSON,
  type ClassifyTaskOptions,
} from './classify_config.js';
import { balancedWeights, collateTexts, textBatches, type ClassifyBatch, type ClassifyExample } from './classify_data.js';
import type { LabelledText } from './formats/labelled_text.js';
import type { Task } from './task.js';
import { tokenize } from './token_kind.js';

const [PAD, UNK] = ['<pad>', '<unk>'];

/** One output of `predict`. */
export interface ClassPrediction {
  /** The most probable label. */
  label: string;
  /** Its probability. */
  probability: number;
  /** Every label's probability, in `task.labels` order. */
  probabilities: number[];
  /** The tokens the model read (after lower-casing and truncation). */
  tokens: string[];
  /** Tokens outside the vocabulary, read as <unk>. */
  unknownTokens: string[];
  /** Weights over `tokens` (attention pooling only). */
  attention: number[] | null;
}

export interface ClassifyEvaluation {
  metrics: ClassificationMetrics;
  /** Class names of the metrics' indices: the task's labels, then labels seen only in the evaluated data. */
  labels: string[];
  /** Labels of the data the model does not know, with their counts: their texts count as errors. */
  unseenLabels: Map<string, number>;
  predictions: { text: string; label: string; predicted: string; probability: number }[];
}

/**
 * Classifies texts read by `parseLabelledTsv` / `parseLabelledJsonl` / `readLabelledText`.
 *
 * The vocabulary comes from the training texts: `<pad>` 0, `<unk>` 1, then tokens seen at least
 * minCount times by frequency; labels are numbered by frequency (ties by first appearance). The
 * model is nn.TextClassifier (default: a bidirectional LSTM of 128 units per direction over
 * 128-wide embeddings, max pooling, dropout 0.3). Texts longer than maxTokens (default 400) keep
 * their first maxTokens tokens. Training minimises cross-entropy, weighted per class with
 * classWeights 'balanced'; the validation loss is unweighted.
 *
 * @example
 * import { ClassifyTask, parseLabelledTsv } from 'recurrent';
 * const data = parseLabelledTsv('good film\tpos\nbad film\tneg\ngood plot\tpos\n', 'reviews.tsv');
 * const task = ClassifyTask.create(data, { minCount: 1, model: { hiddenSize: 8 } });
 * const [batch] = task.batches(task.encode(data).examples, { batchSize: 3 });
 * task.step(batch!, true).loss.backward();
 * task.predict(['good']).map((p) => p.label); // e.g. ['pos']
 */
export class ClassifyTask implements Task<ClassifyBatch> {
  readonly kind = 'classify' as const;
  readonly model: TextClassifier;
  private readonly labelIndex: Map<string, number>;

  private constructor(
    readonly options: ClassifyDataOptions,
    readonly modelOptions: ClassifyModelOptions,
    readonly vocab: Vocabulary,
    readonly labels: readonly string[],
    readonly weights: readonly number[] | null,
  ) {
    this.model = new TextClassifier({ vocabSize: vocab.size, numClasses: labels.length, paddingIdx: 0, ...modelOptions });
    this.labelIndex = new Map(labels.map((l, i) => [l, i]));
  }

  /**
   * A new task: vocabulary and labels from the training texts (read from `file`, named in errors),
   * a fresh model, its embedding initialised from `vectors` when given (their size sets embeddingDim).
   */
  static create(data: readonly LabelledText[], options: ClassifyTaskOptions = {}, file = 'data', vectors?: PretrainedVectors): ClassifyTask {
    const opts = resolveClassifyDataOptions(options);
    if (vectors !== undefined && options.model?.embeddingDim !== undefined && options.model.embeddingDim !== vectors.dim)
      throw new ValueError(`ClassifyTask: model.embeddingDim (${options.model.embeddingDim}) must equal the pretrained vectors' size (${vectors.dim})`);
    const model = resolveClassifyModelOptions({ ...(options.model ?? {}), ...(vectors ? { embeddingDim: vectors.dim } : {}) });
    if (data.length === 0) throw new ValueError(`ClassifyTask: ${file} holds no labelled texts`);
    const tokens = data.map((d, i) => textTokens(opts, d.text, d.line > 0 ? `${file}:${d.line}` : `${file}: text ${i}`));
    const vocab = Vocabulary.build(tokens, { specials: [PAD, UNK], padToken: PAD, unkToken: UNK, minFreq: opts.minCount });
    const labels = Vocabulary.build(data.map((d) => [d.label])).tokens.slice();
    if (labels.length < 2) throw new ValueError(`ClassifyTask: ${file} has a single label (${JSON.stringify(labels[0])}); a classifier needs at least two`);
    const index = new Map(labels.map((l, i) => [l, i]));
    const weights =
      opts.classWeights === 'balanced'
        ? balancedWeights(
            data.map((d) => index.get(d.label)!),
            labels.length,
          )
        : null;
    const task = new ClassifyTask(opts, model, vocab, labels, weights);
    if (vectors) loadPretrainedVectors(task.model.encoder.embedding.weight, vocab, vectors, { lowercaseFallback: true });
    return task;
  }

  /** The task saved by `toJSON`, read as untrusted input (`file` names it in errors); the model's parameters are fresh until loaded. */
  static fromJSON(json: unknown, file = 'config.json'): ClassifyTask {
    const { options, model, vocab, labels, weights } = readClassifyJSON(json, file);
    if (vocab.tokens[0] !== PAD || vocab.tokens[1] !== UNK || vocab.padIndex !== 0 || vocab.unkIndex !== 1)
      throw new FormatError(`${file}: task.vocab must start with ${PAD}, ${UNK} (padding and unknown marked); got ${vocab.tokens.slice(0, 2).join(', ')}`);
    return new ClassifyTask(options, model, vocab, labels, weights);
  }

  toJSON(): ClassifyTaskJSON {
    return {
      kind: 'classify',
      version: 1,
      options: { ...this.options },
      model: { ...this.modelOptions },
      vocab: this.vocab.toJSON(),
      labels: [...this.labels],
      weights: this.weights === null ? null : [...this.weights],
    };
  }

  /** The tokens the model reads from `text`: lower-cased if so configured, the first maxTokens. */
  tokens(text: string): string[] {
    return textTokens(this.options, text, null);
  }

  /**
   * Texts as ids with their class indices (`file` names them in errors). Texts whose label the task
   * does not know are left out and counted in `unseenLabels`; `unknownTokens` counts tokens read as <unk>.
   */
  encode(data: readonly LabelledText[], file = 'data'): { examples: ClassifyExample[]; unseenLabels: Map<string, number>; unknownTokens: number } {
    const unseenLabels = new Map<string, number>();
    let unknownTokens = 0;
    const examples: ClassifyExample[] = [];
    data.forEach((d, i) => {
      const tokens = textTokens(this.options, d.text, d.line > 0 ? `${file}:${d.line}` : `${file}: text ${i}`);
      const label = this.labelIndex.get(d.label);
      if (label === undefined) return void unseenLabels.set(d.label, (unseenLabels.get(d.label) ?? 0) + 1);
      for (const t of tokens) if (!this.vocab.has(t)) unknownTokens++;
      examples.push({ ids: this.vocab.encode(tokens), label, line: d.line });
    });
    return { examples, unseenLabels, unknownTokens };
  }

  /** The batches of one epoch, by similar length, shuffled per (seed, epoch); without shuffle, in order. */
  batches(examples: readonly ClassifyExample[], options: { batchSize: number; shuffle?: boolean; seed?: number; epoch?: number }): ClassifyBatch[] {
    return textBatches(examples, { ...options, shuffle: options.shuffle ?? false });
  }

  step(batch: ClassifyBatch, training: boolean): StepResult {
    const { logits } = this.model.forward(batch.ids, batch.lengths);
    const w = training ? this.weights : null;
    const weight = w === null ? null : new Tensor(logits.dtype === 'float64' ? Float64Array.from(w) : Float32Array.from(w), [w.length]);
    const loss = crossEntropy(logits, batch.labels, { weight });
    const predicted = argmaxRows(logits);
    const labels = batch.labels.data;
    let correct = 0;
    predicted.forEach((p, n) => (correct += p === labels[n] ? 1 : 0));
    return { loss, count: predicted.length, correct };
  }

  /** The label of each text, with its probability (texts without tokens are a ValueError naming their index). */
  predict(texts: readonly string[], options: { batchSize?: number } = {}): ClassPrediction[] {
    const batchSize = options.batchSize ?? 64;
    const tokens = texts.map((text, i) => {
      const t = this.tokens(text);
      if (t.length === 0) throw new ValueError(`ClassifyTask.predict: texts[${i}] has no ${this.options.tokens} tokens`);
      return t;
    });
    const out = new Array<ClassPrediction>(texts.length);
    const order = tokens.map((_, i) => i).sort((a, b) => tokens[b]!.length - tokens[a]!.length);
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      noGrad(() => {
        for (let start = 0; start < order.length; start += batchSize) {
          const ids = order.slice(start, start + batchSize);
          const batch = collateTexts(ids.map((i) => ({ ids: this.vocab.encode(tokens[i]!), label: 0 })));
          const { logits, attention } = this.model.forward(batch.ids, batch.lengths);
          const probs = softmax(logits, -1).data;
          const C = this.labels.length;
          const S = batch.ids.shape[1]!;
          ids.forEach((i, n) => {
            const probabilities = Array.from(probs.subarray(n * C, (n + 1) * C), Number);
            const best = probabilities.indexOf(Math.max(...probabilities));
            out[i] = {
              label: this.labels[best]!,
              probability: probabilities[best]!,
              probabilities,
              tokens: tokens[i]!,
              unknownTokens: tokens[i]!.filter((t) => !this.vocab.has(t)),
              attention: attention ? Array.from(attention.data.subarray(n * S, n * S + tokens[i]!.length), Number) : null,
            };
          });
        }
      });
    } finally {
      this.model.train(wasTraining);
    }
    return out;
  }

  /** Predicts every text of `data` and scores the labels; a label the task does not know is reported in `unseenLabels` and its texts count as errors. */
  evaluate(data: readonly LabelledText[], options: { batchSize?: number } = {}): ClassifyEvaluation {
    const predictions = this.predict(
      data.map((d) => d.text),
      options,
    );
    const labels = [...this.labels];
    const index = new Map(this.labelIndex);
    const unseenLabels = new Map<string, number>();
    const actual = data.map((d) => {
      if (!index.has(d.label)) {
        index.set(d.label, labels.length);
        labels.push(d.label);
      }
      if (!this.labelIndex.has(d.label)) unseenLabels.set(d.label, (unseenLabels.get(d.label) ?? 0) + 1);
      return index.get(d.label)!;
    });
    const metrics = classificationMetrics(
      predictions.map((p) => index.get(p.label)!),
      actual,
      labels.length,
    );
    return {
      metrics,
      labels,
      unseenLabels,
      predictions: data.map((d, i) => ({ text: d.text, label: d.label, predicted: predictions[i]!.label, probability: predictions[i]!.probability })),
    };
  }
}

/** The tokens of a text under the task's options; an empty result is a FormatError at `where` (null: return it). */
function textTokens(o: ClassifyDataOptions, text: string, where: string | null): string[] {
  const tokens = tokenize(o.tokens, text, o.lowercase);
  if (tokens.length === 0 && where !== null) throw new FormatError(`${where}: the text has no ${o.tokens} tokens`);
  return tokens.length > o.maxTokens ? tokens.slice(0, o.maxTokens) : tokens;
}

/** The index of the largest logit of each row of (N, C) logits. */
function argmaxRows(logits: Tensor): number[] {
  const [N, C] = [logits.shape[0]!, logits.shape[1]!];
  const d = logits.data;
  return Array.from({ length: N }, (_, n) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (d[n * C + c]! > d[n * C + best]!) best = c;
    return best;
  });
}
