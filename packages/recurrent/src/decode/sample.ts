/** Choosing the next token from logits: greedy, temperature, top-k and top-p (nucleus) sampling. */
import { ValueError } from '../errors.js';
import { uniform } from '../tensor/random.js';

export interface SamplingOptions {
  /** Divide logits by this before softmax; default 1. 0 means greedy. */
  temperature?: number;
  /** Keep only the k most likely tokens; default all. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; default 1 (all). */
  topP?: number;
  /** Always take the most likely token; default false. */
  greedy?: boolean;
}

export function checkSampling(options: SamplingOptions): void {
  const { temperature = 1, topK, topP = 1 } = options;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new ValueError(`sample: temperature must be ≥ 0; got ${temperature}`);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) throw new ValueError(`sample: topK must be a positive integer; got ${topK}`);
  if (!(topP > 0 && topP <= 1)) throw new ValueError(`sample: topP must be in (0, 1]; got ${topP}`);
}

/**
 * Picks an index from one row of logits (length V). Random draws come from the global generator,
 * so `manualSeed` makes generation reproducible.
 */
export function sampleLogits(logits: ArrayLike<number>, options: SamplingOptions = {}): number {
  checkSampling(options);
  const V = logits.length;
  if (V === 0) throw new ValueError('sample: logits are empty');
  const temperature = options.temperature ?? 1;
  if (options.greedy || temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  // Candidates by decreasing logit; top-k and top-p only ever shorten this list.
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]!);
  const k = Math.min(options.topK ?? V, V);
  const max = logits[order[0]!]!;
  const weights = order.slice(0, k).map((i) => Math.exp((logits[i]! - max) / temperature));
  const total = weights.reduce((s, w) => s + w, 0);
  let keep = weights.length;
  const topP = options.topP ?? 1;
  if (topP < 1) {
    let mass = 0;
    for (let i = 0; i < weights.length; i++) {
      mass += weights[i]! / total;
      if (mass >= topP) {
        keep = i + 1;
        break;
      }
    }
  }
  const kept = weights.slice(0, keep);
  let r = uniform() * kept.reduce((s, w) => s + w, 0);
  for (let i = 0; i < kept.length; i++) {
    r -= kept[i]!;
    if (r < 0) return order[i]!;
  }
  return order[keep - 1]!;
}
