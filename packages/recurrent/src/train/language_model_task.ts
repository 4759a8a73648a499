/**
 * Training a LanguageModel with truncated BPTT: the forward pass and loss of one window, carrying
 * the recurrent state (detached) from window to window.
 */
import { detachState, type LanguageModel, type RecurrentState } from '../nn/language_model.js';
import { crossEntropy } from '../nn/losses/index.js';
import { argmax } from '../tensor/ops/reduce.js';
import { reshape } from '../tensor/ops/view.js';
import type { StepResult } from './fit.js';
import type { Window } from './tbptt.js';

export interface LanguageModelTask {
  /** Loss of one window (mean cross-entropy per token, in nats); the state carries over. */
  step(window: Window, training: boolean): StepResult;
  /** Forget the carried state (at the start of an epoch or of a validation pass). */
  reset(): void;
  /** The carried state (null at the start), e.g. to save it with a checkpoint. */
  state: RecurrentState | null;
}

export function languageModelTask(model: LanguageModel): LanguageModelTask {
  let state: RecurrentState | null = null;
  return {
    get state(): RecurrentState | null {
      return state;
    },
    set state(value: RecurrentState | null) {
      state = value;
    },
    step(window: Window): StepResult {
      const [logits, next] = model.forward(window.input, state);
      state = detachState(next);
      const V = model.options.vocabSize;
      const flat = reshape(logits, [-1, V]);
      const target = reshape(window.target, [-1]);
      const loss = crossEntropy(flat, target);
      const predicted = argmax(flat, 1).data;
      let correct = 0;
      for (let i = 0; i < predicted.length; i++) if (predicted[i] === target.data[i]) correct++;
      return { loss, count: target.size, correct };
    },
    reset(): void {
      state = null;
    },
  };
}
