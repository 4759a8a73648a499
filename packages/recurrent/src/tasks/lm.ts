/**
 * The language-model task: a LanguageModel with its vocabulary, trained by truncated BPTT over
 * windows of one long text, the recurrent state carried (detached) from window to window.
 */
import { FormatError, RecurrentError, fmtValue } from '../errors.js';
import { LanguageModel, type LanguageModelOptions, type RecurrentState } from '../nn/language_model.js';
import { Vocabulary, type VocabularyJSON } from '../text/vocab.js';
import type { StepResult } from '../train/fit.js';
import { languageModelTask, type LanguageModelTask } from '../train/language_model_task.js';
import type { Window } from '../train/tbptt.js';
import type { Task } from './task.js';

export interface LmTaskJSON {
  kind: 'lm';
  model: Required<Omit<LanguageModelOptions, 'dtype'>>;
  vocab: VocabularyJSON;
}

/**
 * A language model as a Task over TBPTT windows. `step` carries the state from one window to the
 * next; `reset` forgets it (at an epoch's start, or before a validation pass — use one LmTask per
 * pass, sharing the model, so that validation does not disturb training's carried state).
 *
 * @example
 * import { LmTask, Vocabulary, charTokenize, nn, toStreams, windows } from 'recurrent';
 * const chars = charTokenize('to be or not to be');
 * const vocab = Vocabulary.build(chars, { unkToken: '<unk>' });
 * const task = new LmTask(new nn.LanguageModel({ vocabSize: vocab.size, hiddenSize: 16 }), vocab);
 * const { streams, steps } = toStreams(vocab.encode(chars), 2);
 * for (const w of windows(streams, steps, 2, 4)) task.step(w, true).loss.backward();
 */
export class LmTask implements Task<Window> {
  readonly kind = 'lm' as const;
  private readonly carried: LanguageModelTask;

  constructor(
    readonly model: LanguageModel,
    readonly vocab: Vocabulary,
  ) {
    this.carried = languageModelTask(model);
  }

  /** The carried state (null at the start). */
  get state(): RecurrentState | null {
    return this.carried.state;
  }

  set state(value: RecurrentState | null) {
    this.carried.state = value;
  }

  step(window: Window, training: boolean): StepResult {
    return this.carried.step(window, training);
  }

  reset(): void {
    this.carried.reset();
  }

  toJSON(): LmTaskJSON {
    const { dtype: _, ...model } = this.model.options;
    return { kind: 'lm', model, vocab: this.vocab.toJSON() };
  }

  /** The task saved by `toJSON`, read as untrusted input (`file` names it in errors); the model's parameters are fresh until loaded. */
  static fromJSON(json: unknown, file = 'config.json'): LmTask {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FormatError(`${file}: the task must be an object; got ${fmtValue(json)}`);
    const j = json as Partial<Record<keyof LmTaskJSON, unknown>>;
    if (j.kind !== 'lm') throw new FormatError(`${file}: task.kind must be 'lm'; got ${fmtValue(j.kind)}`);
    const read = <T>(field: string, make: () => T): T => {
      try {
        return make();
      } catch (e) {
        if (e instanceof RecurrentError) throw new FormatError(`${file}: ${field}: ${e.message}`);
        throw e;
      }
    };
    const vocab = read('task.vocab', () => Vocabulary.fromJSON(j.vocab));
    const model = read('task.model', () => new LanguageModel(j.model as LanguageModelOptions));
    if (model.options.vocabSize !== vocab.size) {
      throw new FormatError(`${file}: the model's vocabSize ${model.options.vocabSize} differs from the vocabulary's ${vocab.size} tokens`);
    }
    return new LmTask(model, vocab);
  }
}
