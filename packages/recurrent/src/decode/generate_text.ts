/** Generating text from a character-level language model, primed with a text. */
import { ValueError } from '../errors.js';
import { noGrad } from '../tensor/autograd/no_grad.js';
import { Tensor } from '../tensor/tensor.js';
import type { LanguageModel, RecurrentState } from '../nn/language_model.js';
import type { Vocabulary } from '../text/vocab.js';
import { charTokenize } from '../text/tokenizers.js';
import { checkSampling, sampleLogits, type SamplingOptions } from './sample.js';

export interface GenerateTextOptions extends SamplingOptions {
  /** Text to condition on; its characters must be in the vocabulary (unknown ones map to the unk token if any). Default: none — starts from a random token. */
  prime?: string;
  /** Characters to generate; default 200. */
  length?: number;
  /**
   * Whether the vocabulary's special tokens (`<unk>`, `<pad>`, …) may be sampled. Default false:
   * they stand for no character, so generated text holds only real symbols.
   */
  sampleSpecials?: boolean;
}

/**
 * Feeds `prime` through the model, then samples `length` characters one at a time, each fed back
 * as the next input. Runs without autograd and in eval mode (restoring the previous mode).
 * Special tokens are never sampled unless `sampleSpecials` is true.
 */
export function generateText(model: LanguageModel, vocab: Vocabulary, options: GenerateTextOptions = {}): string {
  checkSampling(options);
  const length = options.length ?? 200;
  if (!Number.isInteger(length) || length < 0) throw new ValueError(`generateText: length must be a non-negative integer; got ${length}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const prime = options.prime ? Array.from(vocab.encode(charTokenize(options.prime))) : [];
      const V = model.options.vocabSize;
      let state: RecurrentState | null = null;
      // Without a prime, equal logits make the first token uniform over the vocabulary.
      let logits: ArrayLike<number> = new Float64Array(V);
      if (prime.length > 0) {
        const [out, next] = model.forward(new Tensor(Int32Array.from(prime), [prime.length, 1]), null);
        state = next;
        logits = out.data.subarray((prime.length - 1) * V, prime.length * V);
      }
      const banned = options.sampleSpecials ? [] : vocab.specialIndices;
      if (banned.length >= V) throw new ValueError('generateText: the vocabulary holds only special tokens; nothing to sample');
      const allowed = (l: ArrayLike<number>): ArrayLike<number> => {
        if (banned.length === 0) return l;
        const copy = Float64Array.from(l);
        for (const b of banned) copy[b] = -Infinity;
        return copy;
      };
      const produced: number[] = [];
      for (let i = 0; i < length; i++) {
        const token = sampleLogits(allowed(logits), options);
        produced.push(token);
        if (i + 1 === length) break;
        const [out, next] = model.forward(new Tensor(Int32Array.of(token), [1, 1]), state);
        state = next;
        logits = out.data;
      }
      return vocab.decode(Int32Array.from(produced)).join('');
    });
  } finally {
    model.train(wasTraining);
  }
}
