/**
 * The seq2seq task: pairs of texts (translation, grapheme-to-phoneme, sorting) → vocabularies, an
 * attention encoder–decoder with good defaults, the label-smoothed loss, beam-search translation
 * and the metrics (exact match, character and token error rates, BLEU).
 */
import { FormatError, ValueError } from '../errors.js';
import { beamDecode, greedyDecode } from '../decode/stepwise_decode.js';
import { sequenceMetrics, type SequenceMetrics } from '../metrics/sequence_metrics.js';
import { Seq2Seq } from '../nn/seq2seq/seq2seq.js';
import { noGrad } from '../tensor/autograd/no_grad.js';
import { Vocabulary } from '../text/vocab.js';
import type { StepResult } from '../train/fit.js';
import type { TextPair } from './formats/tsv.js';
import {
  readSeq2SeqJSON,
  resolveDataOptions,
  resolveModelOptions,
  type Seq2SeqDataOptions,
  type Seq2SeqModelOptions,
  type Seq2SeqTaskJSON,
  type Seq2SeqTaskOptions,
} from './seq2seq_config.js';
import { collatePairs, encodePairs, epochBatches, tokenizePairs, type Seq2SeqBatch, type Seq2SeqExample } from './seq2seq_data.js';
import type { Task } from './task.js';
import { detokenize, tokenize } from './token_kind.js';

const [PAD, BOS, EOS, UNK] = ['<pad>', '<s>', '</s>', '<unk>'];

export interface TranslateOptions {
  /** Hypotheses kept per source; default 5. 1 is greedy decoding. */
  beamSize?: number;
  /** Outputs returned per source (≤ beamSize); default 1. */
  nBest?: number;
  /** GNMT length penalty α; default 0. */
  lengthPenalty?: number;
  /** Most output tokens, EOS included; default 2 × the longest training target + 10. */
  maxLength?: number;
  /** Sources decoded together; default 64. */
  batchSize?: number;
}

/** One output of `translate`. */
export interface Translation {
  /** The output as text (tokens joined by the target token kind). */
  text: string;
  tokens: string[];
  /** Log-probability of the output, EOS included. */
  logProb: number;
  /** The beam search's score (logProb, length-penalised). */
  score: number;
  /** False when the output was cut at maxLength without EOS. */
  finished: boolean;
  /** The source as tokens (the heatmap's columns). */
  sourceTokens: string[];
  /** Source tokens outside the vocabulary, read as <unk>. */
  unknownTokens: string[];
  /** Attention weights: one row over the source tokens per output step (EOS's included). */
  attention: number[][];
}

export interface Seq2SeqEvaluation {
  metrics: SequenceMetrics;
  /** Per distinct source: its best output and whether it equals one of its references. */
  predictions: { source: string; output: string; references: string[]; correct: boolean }[];
}

/**
 * Sequence to sequence on `source<TAB>target` pairs (`parsePairs`).
 *
 * Vocabularies come from the training pairs: source `<pad>` 0, `<unk>` 1; target `<pad>` 0,
 * `<s>` 1, `</s>` 2, `<unk>` 3; then tokens by frequency. The model is nn.Seq2Seq with the
 * options of Seq2SeqModelOptions (default: 2-layer bidirectional LSTM encoder, 256 units, 1-layer
 * LSTM decoder with Luong 'general' attention and input feeding, linear bridge, dropout 0.2).
 * Training minimises cross-entropy with label smoothing 0.1 over the real target tokens; the
 * validation loss is the plain cross-entropy.
 *
 * @example
 * import { Seq2SeqTask, parsePairs } from 'recurrent';
 * const pairs = parsePairs('ab\tba\nabc\tcba\n', 'reverse.tsv');
 * const task = Seq2SeqTask.create(pairs, { model: { hiddenSize: 16 } });
 * const batch = task.batches(task.encode(pairs, 'reverse.tsv').examples, { batchSize: 2 })[0]!;
 * task.step(batch, true).loss.backward();
 * task.translate(['ab'], { beamSize: 2 })[0]![0]!.text.length >= 0; // true
 */
export class Seq2SeqTask implements Task<Seq2SeqBatch> {
  readonly kind = 'seq2seq' as const;
  readonly model: Seq2Seq;
  /**
   * Probability of feeding the reference token at each training step after the first (1: teacher
   * forcing; lower: scheduled sampling — set it from `nn.teacherForcingSchedule` as training goes).
   */
  teacherForcing = 1;

  private constructor(
    readonly options: Seq2SeqDataOptions,
    readonly modelOptions: Seq2SeqModelOptions,
    readonly sourceVocab: Vocabulary,
    readonly targetVocab: Vocabulary,
    readonly longestTarget: number,
  ) {
    this.model = new Seq2Seq({ sourceVocabSize: sourceVocab.size, targetVocabSize: targetVocab.size, paddingIdx: 0, bosId: 1, eosId: 2, ...modelOptions });
  }

  /** A new task: vocabularies from the training pairs (read from `file`, named in errors) and a fresh model. */
  static create(pairs: readonly TextPair[], options: Seq2SeqTaskOptions = {}, file = 'pairs'): Seq2SeqTask {
    const data = resolveDataOptions(options);
    const model = resolveModelOptions(options.model ?? {});
    if (pairs.length === 0) throw new ValueError(`Seq2SeqTask: ${file} holds no pairs`);
    const tokens = tokenizePairs(pairs, data, file);
    const build = (side: 'source' | 'target', specials: string[]): Vocabulary =>
      Vocabulary.build(
        tokens.map((p) => p[side]),
        { specials, padToken: PAD, unkToken: UNK, minFreq: data.minCount },
      );
    return new Seq2SeqTask(data, model, build('source', [PAD, UNK]), build('target', [PAD, BOS, EOS, UNK]), Math.max(...tokens.map((p) => p.target.length)));
  }

  /** The task saved by `toJSON`, read as untrusted input (`file` names it in errors); the model's parameters are fresh until loaded. */
  static fromJSON(json: unknown, file = 'config.json'): Seq2SeqTask {
    const { options, model, sourceVocab, targetVocab, longestTarget } = readSeq2SeqJSON(json, file);
    for (const [name, vocab, specials] of [
      ['sourceVocab', sourceVocab, [PAD, UNK]],
      ['targetVocab', targetVocab, [PAD, BOS, EOS, UNK]],
    ] as const) {
      if (specials.some((s, i) => vocab.tokens[i] !== s) || vocab.padIndex !== 0 || vocab.unkIndex !== specials.indexOf(UNK)) {
        throw new FormatError(
          `${file}: task.${name} must start with ${specials.join(', ')} (padding and unknown marked); got ${vocab.tokens.slice(0, specials.length).join(', ')}`,
        );
      }
    }
    return new Seq2SeqTask(options, model, sourceVocab, targetVocab, longestTarget);
  }

  toJSON(): Seq2SeqTaskJSON {
    return {
      kind: 'seq2seq',
      version: 1,
      options: { ...this.options },
      model: { ...this.modelOptions },
      sourceVocab: this.sourceVocab.toJSON(),
      targetVocab: this.targetVocab.toJSON(),
      longestTarget: this.longestTarget,
    };
  }

  /** Pairs as ids (`file` names the pairs in errors); `unknown` counts the tokens read as <unk>. */
  encode(pairs: readonly TextPair[], file = 'pairs'): { examples: Seq2SeqExample[]; unknown: Map<string, number> } {
    return encodePairs(tokenizePairs(pairs, this.options, file), this.sourceVocab, this.targetVocab);
  }

  /** The batches of one epoch, by similar source length, shuffled per (seed, epoch); without shuffle, in order. */
  batches(examples: readonly Seq2SeqExample[], options: { batchSize: number; shuffle?: boolean; seed?: number; epoch?: number }): Seq2SeqBatch[] {
    return epochBatches(examples, { ...options, shuffle: options.shuffle ?? false }, { pad: 0, bos: 1, eos: 2 });
  }

  step(batch: Seq2SeqBatch, training: boolean): StepResult {
    const { logits } = this.model.forward(batch.source, batch.lengths, batch.targetIn, { teacherForcing: training ? this.teacherForcing : 1 });
    return this.model.loss(logits, batch.targetOut, { labelSmoothing: training ? this.options.labelSmoothing : 0 });
  }

  /** Decodes each source text: per source, its n-best outputs, best first. */
  translate(sources: readonly string[], options: TranslateOptions = {}): Translation[][] {
    const beamSize = options.beamSize ?? 5;
    const batchSize = options.batchSize ?? 64;
    const maxLength = options.maxLength ?? Math.min(this.options.maxLength, 2 * this.longestTarget + 10);
    const tokens = sources.map((text, i) => {
      const t = tokenize(this.options.sourceTokens, text, this.options.lowercase);
      if (t.length === 0) throw new ValueError(`Seq2SeqTask.translate: sources[${i}] has no ${this.options.sourceTokens} tokens`);
      return t;
    });
    const out: Translation[][] = new Array<Translation[]>(sources.length);
    // Similar lengths together, so that little of each batch is padding.
    const order = tokens.map((_, i) => i).sort((a, b) => tokens[b]!.length - tokens[a]!.length);
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      noGrad(() => {
        for (let start = 0; start < order.length; start += batchSize) {
          const ids = order.slice(start, start + batchSize);
          const examples = ids.map((i) => ({ source: this.sourceVocab.encode(tokens[i]!), target: Int32Array.of(0), line: 0 }));
          const batch = collatePairs(examples, { pad: 0, bos: 1, eos: 2 });
          const stepper = this.model.stepper(batch.source, batch.lengths);
          const lists =
            beamSize === 1 && (options.nBest ?? 1) === 1
              ? greedyDecode(stepper, { maxLength })
              : beamDecode(stepper, { beamSize, nBest: options.nBest ?? 1, lengthPenalty: options.lengthPenalty ?? 0, maxLength });
          ids.forEach((i, b) => {
            const unknownTokens = tokens[i]!.filter((t) => !this.sourceVocab.has(t));
            out[i] = lists[b]!.map((h) => {
              const words = this.targetVocab.decode(h.tokens);
              const attention = (h.attention ?? []).map((row) => row.slice(0, tokens[i]!.length));
              return {
                text: detokenize(this.options.targetTokens, words),
                tokens: words,
                logProb: h.logProb,
                score: h.score,
                finished: h.finished,
                sourceTokens: tokens[i]!,
                unknownTokens,
                attention,
              };
            });
          });
        }
      });
    } finally {
      this.model.train(wasTraining);
    }
    return out;
  }

  /**
   * Translates each distinct source of `pairs` and scores the best output against all of that
   * source's targets (several targets of one source are alternatives: a word's pronunciations).
   */
  evaluate(pairs: readonly TextPair[], options: TranslateOptions = {}): Seq2SeqEvaluation {
    const references = new Map<string, string[]>();
    for (const p of pairs) references.set(p.source, [...(references.get(p.source) ?? []), p.target]);
    const sources = [...references.keys()];
    const outputs = this.translate(sources, options).map((list) => list[0]?.tokens ?? []);
    const refTokens = sources.map((s) => references.get(s)!.map((t) => tokenize(this.options.targetTokens, t, this.options.lowercase)));
    const metrics = sequenceMetrics(outputs, refTokens, {
      separator: this.options.targetTokens === 'char' ? '' : ' ',
      bleu: this.options.targetTokens === 'word',
    });
    const predictions = sources.map((source, i) => ({
      source,
      output: detokenize(this.options.targetTokens, outputs[i]!),
      references: references.get(source)!,
      correct: refTokens[i]!.some((r) => r.length === outputs[i]!.length && r.every((t, k) => t === outputs[i]![k])),
    }));
    return { metrics, predictions };
  }
}
