/**
 * The tagging task: CoNLL sentences (token<TAB>tag) → word, character and tag vocabularies, a
 * BiLSTM tagger with character-level word representations and an optional CRF, the metrics
 * (token accuracy, accuracy on unseen words, span F1 for BIO/BIOES tags) and prediction.
 */
import { ValueError } from '../errors.js';
import { spanF1, tokenAccuracy, type SpanScores } from '../metrics/tagging_metrics.js';
import { allowedTransitions, detectTagScheme, type TagScheme } from '../nn/crf_constraints.js';
import { SequenceTagger } from '../nn/sequence_tagger.js';
import { noGrad } from '../tensor/autograd/no_grad.js';
import { uniform } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { wordTokenize } from '../text/tokenizers.js';
import { Vocabulary } from '../text/vocab.js';
import type { StepResult } from '../train/fit.js';
import type { TaggedSentence } from './formats/conll.js';
import {
  readTagJSON,
  resolveTagDataOptions,
  resolveTagModelOptions,
  type TagDataOptions,
  type TagModelOptions,
  type TagTaskJSON,
  type TagTaskOptions,
} from './tag_config.js';
import { collateTagged, spelling, tagBatches, type TagBatch, type TagExample } from './tag_data.js';
import type { Task } from './task.js';

const [PAD, UNK] = ['<pad>', '<unk>'];

/** The metrics of `TagTask.evaluate` (fractions). */
export interface TagMetrics {
  /** Correct tags / tokens. */
  accuracy: number;
  tokens: number;
  /** Accuracy on the tokens whose word is outside the word vocabulary (with minCount 1: not seen in training, after lower-casing); null when there are none. */
  unseenAccuracy: number | null;
  unseenTokens: number;
  /** Span-level scores with conlleval's semantics, when the tags follow BIO or BIOES. */
  span?: SpanScores & { perType: Record<string, SpanScores> };
}

export interface TagEvaluation {
  metrics: TagMetrics;
  /** Predicted tags of each sentence. */
  predictions: string[][];
  /** Tags of the data the task does not know (seen only here), with their counts: their tokens count as wrong. */
  unknownTags: Map<string, number>;
}

/**
 * Sequence tagging on CoNLL sentences (`parseConll`).
 *
 * Vocabularies come from the training sentences: words (lower-cased by default) `<pad>` 0,
 * `<unk>` 1, then by frequency, those seen fewer than minCount times left out; characters of the
 * words as written likewise; tags by frequency. The model is nn.SequenceTagger (default: word
 * embedding 100, character BiLSTM 2×25 over embeddings of 25, sentence BiLSTM 2×100, dropout 0.5,
 * softmax output; `model: { crf: true }` for a CRF, constrained when the tags follow BIO or BIOES).
 * Training minimises the mean negative log-likelihood per token; a training word seen once is
 * read as <unk> with probability singletonUnk (0.5), so that the <unk> embedding is learnt.
 *
 * @example
 * import { TagTask, parseConll } from 'recurrent';
 * const { sentences } = parseConll('The\tDET\ncat\tNOUN\nsat\tVERB\n\nA\tDET\ndog\tNOUN\n', 'pos.conll');
 * const task = TagTask.create(sentences, { model: { hiddenSize: 8, crf: true } });
 * const batch = task.batches(task.encode(sentences).examples, { batchSize: 2 })[0]!;
 * task.step(batch, true).loss.backward();
 * task.predict([['A', 'cat', 'sat']])[0]!.length; // 3
 */
export class TagTask implements Task<TagBatch> {
  readonly kind = 'tag' as const;
  readonly model: SequenceTagger;

  private constructor(
    readonly options: TagDataOptions,
    readonly modelOptions: TagModelOptions,
    readonly wordVocab: Vocabulary,
    readonly charVocab: Vocabulary,
    readonly tags: readonly string[],
    readonly scheme: TagScheme | null,
  ) {
    const m = modelOptions;
    this.model = new SequenceTagger({
      wordVocabSize: wordVocab.size,
      charVocabSize: m.chars ? charVocab.size : 0,
      numTags: tags.length,
      wordEmbeddingDim: m.wordEmbeddingDim,
      charEmbeddingDim: m.charEmbeddingDim,
      charHiddenSize: m.charHiddenSize,
      hiddenSize: m.hiddenSize,
      numLayers: m.numLayers,
      dropout: m.dropout,
      crf: m.crf,
      ...(m.constraints && scheme !== null ? { constraints: allowedTransitions(tags, scheme) } : {}),
    });
  }

  /** A new task: vocabularies from the training sentences (read from `file`, named in errors) and a fresh model. */
  static create(sentences: readonly TaggedSentence[], options: TagTaskOptions = {}, file = 'sentences'): TagTask {
    const data = resolveTagDataOptions(options);
    if (sentences.length === 0) throw new ValueError(`TagTask: ${file} holds no sentences`);
    const counts = new Map<string, number>();
    for (const s of sentences) for (const tag of s.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    const tags = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
    const scheme = detectTagScheme(tags);
    // Constraints only where the training data keeps the scheme's rules (IOB1 data breaks BIO's).
    const mask = scheme === null ? null : allowedTransitions(tags, scheme);
    const id = new Map(tags.map((t, i) => [t, i]));
    const constrainable =
      mask !== null &&
      sentences.every((s) =>
        s.tags.every((tag, t) => {
          const j = id.get(tag)!;
          if (t === 0 && !mask.start[j]) return false;
          if (t === s.tags.length - 1 && !mask.end[j]) return false;
          return t === 0 || mask.transitions[id.get(s.tags[t - 1]!)!]![j]!;
        }),
      );
    const model = resolveTagModelOptions(options.model ?? {}, constrainable);
    const wordVocab = Vocabulary.build(
      sentences.map((s) => s.tokens.map((w) => (data.lowercase ? w.toLowerCase() : w))),
      { specials: [PAD, UNK], padToken: PAD, unkToken: UNK, minFreq: data.minCount },
    );
    const charVocab = Vocabulary.build(
      sentences.map((s) => s.tokens.flatMap((w) => Array.from(spelling(w, data.maxWordLength)))),
      { specials: [PAD, UNK], padToken: PAD, unkToken: UNK },
    );
    return new TagTask(data, model, wordVocab, charVocab, tags, scheme);
  }

  /** The task saved by `toJSON`, read as untrusted input (`file` names it in errors); the model's parameters are fresh until loaded. */
  static fromJSON(json: unknown, file = 'config.json'): TagTask {
    const { options, model, wordVocab, charVocab, tags, scheme } = readTagJSON(json, file);
    for (const [name, vocab] of [
      ['wordVocab', wordVocab],
      ['charVocab', charVocab],
    ] as const) {
      if (vocab.tokens[0] !== PAD || vocab.tokens[1] !== UNK || vocab.padIndex !== 0 || vocab.unkIndex !== 1)
        throw new ValueError(`${file}: task.${name} must start with ${PAD}, ${UNK} (padding and unknown marked)`);
    }
    if (scheme !== null && detectTagScheme(tags) !== scheme) throw new ValueError(`${file}: task.tags do not follow task.scheme ${scheme}`);
    return new TagTask(options, model, wordVocab, charVocab, tags, scheme);
  }

  toJSON(): TagTaskJSON {
    return {
      kind: 'tag',
      version: 1,
      options: { ...this.options },
      model: { ...this.modelOptions },
      wordVocab: this.wordVocab.toJSON(),
      charVocab: this.charVocab.toJSON(),
      tags: [...this.tags],
      scheme: this.scheme,
    };
  }

  /** The word vocabulary's form of a token. */
  private wordForm(token: string): string {
    return this.options.lowercase ? token.toLowerCase() : token;
  }

  /**
   * Sentences as ids. `unknownTags` counts the tags the task does not know (their ids are −1);
   * `unknownWords` the tokens read as <unk>. A word is a singleton when it occurs once in `sentences`.
   */
  encode(sentences: readonly TaggedSentence[]): { examples: TagExample[]; unknownTags: Map<string, number>; unknownWords: number } {
    const tagId = new Map(this.tags.map((t, i) => [t, i]));
    const counts = new Map<string, number>();
    for (const s of sentences) for (const w of s.tokens) counts.set(this.wordForm(w), (counts.get(this.wordForm(w)) ?? 0) + 1);
    const unknownTags = new Map<string, number>();
    let unknownWords = 0;
    const examples = sentences.map((s) => {
      if (s.tokens.length === 0) throw new ValueError(`TagTask: the sentence at line ${s.line} has no tokens`);
      if (s.tags.length !== s.tokens.length)
        throw new ValueError(`TagTask: the sentence at line ${s.line} has ${s.tokens.length} tokens but ${s.tags.length} tags`);
      const forms = s.tokens.map((w) => this.wordForm(w));
      unknownWords += forms.filter((f) => !this.wordVocab.has(f)).length;
      return {
        words: this.wordVocab.encode(forms),
        spellings: s.tokens.map((w) => spelling(w, this.options.maxWordLength)),
        tags: Int32Array.from(s.tags, (tag) => {
          const id = tagId.get(tag);
          if (id === undefined) unknownTags.set(tag, (unknownTags.get(tag) ?? 0) + 1);
          return id ?? -1;
        }),
        singleton: Uint8Array.from(forms, (f) => (counts.get(f) === 1 ? 1 : 0)),
        line: s.line,
      };
    });
    return { examples, unknownTags, unknownWords };
  }

  /** The batches of one epoch, by similar length, shuffled per (seed, epoch); without shuffle, in order. */
  batches(examples: readonly TagExample[], options: { batchSize: number; shuffle?: boolean; seed?: number; epoch?: number }): TagBatch[] {
    return tagBatches(examples, this.modelOptions.chars ? this.charVocab : null, { ...options, shuffle: options.shuffle ?? false });
  }

  step(batch: TagBatch, training: boolean): StepResult {
    let input = batch.input;
    const p = this.options.singletonUnk;
    if (training && p > 0) {
      const words = Int32Array.from(input.words.data as Int32Array, (w, i) => (batch.singleton[i] === 1 && uniform() < p ? 1 : w));
      input = { ...input, words: new Tensor(words, input.words.shape) };
    }
    const emissions = this.model.emissions(input);
    const loss = this.model.loss(emissions, batch.tags, input.lengths);
    const count = input.lengths.reduce((a, b) => a + b, 0);
    // Training a CRF skips Viterbi: its accuracy is measured in validation only.
    if (this.model.crf !== null && training) return { loss, count };
    const decoded = this.model.decode(input, emissions);
    const S = emissions.shape[1]!;
    const y = batch.tags.data;
    let correct = 0;
    decoded.forEach((tags, n) => tags.forEach((k, t) => (correct += k === y[n * S + t] ? 1 : 0)));
    return { loss, count, correct };
  }

  /** The tags of each sentence of tokens (Viterbi with a CRF, else each token's best tag). */
  predict(sentences: readonly (readonly string[])[], options: { batchSize?: number } = {}): string[][] {
    const batchSize = options.batchSize ?? 64;
    sentences.forEach((s, i) => {
      if (s.length === 0) throw new ValueError(`TagTask.predict: sentences[${i}] has no tokens`);
    });
    const out = new Array<string[]>(sentences.length);
    const order = sentences.map((_, i) => i).sort((a, b) => sentences[b]!.length - sentences[a]!.length);
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      noGrad(() => {
        for (let start = 0; start < order.length; start += batchSize) {
          const ids = order.slice(start, start + batchSize);
          const { examples } = this.encode(ids.map((i) => ({ tokens: [...sentences[i]!], tags: sentences[i]!.map(() => this.tags[0]!), line: 0 })));
          const batch = collateTagged(examples, this.modelOptions.chars ? this.charVocab : null);
          const decoded = this.model.decode(batch.input);
          ids.forEach((i, b) => (out[i] = decoded[b]!.map((k) => this.tags[k]!)));
        }
      });
    } finally {
      this.model.train(wasTraining);
    }
    return out;
  }

  /** Tags of a text split into words and punctuation (wordTokenize): per token, the token and its tag. */
  tagText(text: string): { token: string; tag: string }[] {
    const tokens = wordTokenize(text);
    if (tokens.length === 0) throw new ValueError('TagTask.tagText: the text has no words');
    const [tags] = this.predict([tokens]);
    return tokens.map((token, i) => ({ token, tag: tags![i]! }));
  }

  /** Tags the sentences and scores the tags: token accuracy, accuracy on unseen words, span F1 (BIO/BIOES). */
  evaluate(sentences: readonly TaggedSentence[], options: { batchSize?: number } = {}): TagEvaluation {
    if (sentences.length === 0) throw new ValueError('TagTask.evaluate: no sentences');
    const predictions = this.predict(
      sentences.map((s) => s.tokens),
      options,
    );
    const gold = sentences.map((s) => s.tags);
    const known = new Set(this.tags);
    const unknownTags = new Map<string, number>();
    for (const s of gold) for (const tag of s) if (!known.has(tag)) unknownTags.set(tag, (unknownTags.get(tag) ?? 0) + 1);
    let [unseen, unseenRight] = [0, 0];
    sentences.forEach((s, i) =>
      s.tokens.forEach((w, t) => {
        if (this.wordVocab.has(this.wordForm(w))) return;
        unseen++;
        if (predictions[i]![t] === s.tags[t]) unseenRight++;
      }),
    );
    const tokens = gold.reduce((a, s) => a + s.length, 0);
    const metrics: TagMetrics = {
      accuracy: tokenAccuracy(gold, predictions),
      tokens,
      unseenAccuracy: unseen === 0 ? null : unseenRight / unseen,
      unseenTokens: unseen,
    };
    if (this.scheme !== null) {
      const { precision, recall, f1, gold: g, predicted, correct, perType } = spanF1(gold, predictions);
      metrics.span = { precision, recall, f1, gold: g, predicted, correct, perType };
    }
    return { metrics, predictions, unknownTags };
  }
}
